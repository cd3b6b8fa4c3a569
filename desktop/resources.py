"""Where the bundled resources live, and cached loaders for the default data.

``resources_dir()`` is the one locator, :func:`forms.bundle.resources_dir` (re-exported here so
the desktop side has one import): ``$YIMEN_RESOURCES``, a PyInstaller bundle, the installed
package ``yimen_resources`` (``importlib.resources``), else a source checkout's ``resources/``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from desktop.domain.policy import PolicyBook, load_policy_tables
from desktop.domain.provisional import load_provisional_rule
from desktop.domain.workdays import WorkCalendar, load_calendar
from forms.bundle import ENV_VAR, resources_dir

__all__ = ["CALENDAR_FILE", "ENV_VAR", "POLICY_DIR", "PROVISIONAL_RULE_FILE", "default_calendar", "default_policy_book", "resources_dir"]

CALENDAR_FILE = Path("calendar") / "cn_workdays.json"
POLICY_DIR = Path("policy")
PROVISIONAL_RULE_FILE = Path("calendar") / "provisional_rule.json"


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The bundled holiday calendar with the law's provisional rule for years it does not cover
    (cached; ``default_calendar.cache_clear()`` to reload)."""
    root = resources_dir()
    return load_calendar(root / CALENDAR_FILE).with_provisional(load_provisional_rule(root / PROVISIONAL_RULE_FILE))


@lru_cache(maxsize=1)
def default_policy_book() -> PolicyBook:
    """The bundled policy tables (cached; ``default_policy_book.cache_clear()`` to reload)."""
    return load_policy_tables(resources_dir() / POLICY_DIR)
