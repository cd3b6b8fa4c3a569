"""`make bench` (`python -m tests.bench`): measurements printed side by side, never asserted.

Benchmarks here build (or reuse, cached under `.bench-cache/`) a large demo
township and time real service calls against the encrypted database and an
unencrypted copy of it in the same run, so the ratios are comparable.
"""
