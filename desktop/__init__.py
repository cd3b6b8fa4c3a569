"""Yimen (一门) — the township social-assistance window application."""

__version__ = "0.1.0"
