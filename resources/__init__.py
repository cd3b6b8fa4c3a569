"""The files that ship with Yimen: fonts, translations, policy tables, the working-day calendar.

This folder is the importable package ``yimen_resources`` once installed (``setup.py`` maps the
name onto ``resources/``); it holds no code. Readers never build paths into it themselves: they
ask the one locator, :func:`forms.bundle.resources_dir` (re-exported as
``desktop.resources.resources_dir``).
"""
