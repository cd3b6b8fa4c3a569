"""Where the bundled resources live, and the loaders of what a release ships.

``resources_dir()`` is the one locator, :func:`forms.bundle.resources_dir` (re-exported here so
the desktop side has one import): ``$YIMEN_RESOURCES``, a PyInstaller bundle, the installed
package ``yimen_resources`` (``importlib.resources``), else a source checkout's ``resources/``.

The loaders read the files every time they are called (a few milliseconds) and keep nothing:
what is in force for a database — these files merged with the updates stored in it — is the
database's :class:`~desktop.store.policy_registry.PolicyRegistry`, which calls them once and is
reloaded after an import.
"""

from __future__ import annotations

from pathlib import Path

from desktop.domain.policy import PolicyBook, load_policy_tables
from desktop.domain.provisional import load_provisional_rule
from desktop.domain.workdays import WorkCalendar, load_calendar
from forms.bundle import ENV_VAR, resources_dir

__all__ = ["CALENDAR_FILE", "ENV_VAR", "POLICY_DIR", "PROVISIONAL_RULE_FILE", "load_bundled_calendar",
           "load_bundled_policy_book", "resources_dir"]

CALENDAR_FILE = Path("calendar") / "cn_workdays.json"
POLICY_DIR = Path("policy")
PROVISIONAL_RULE_FILE = Path("calendar") / "provisional_rule.json"


def load_bundled_calendar() -> WorkCalendar:
    """The bundled holiday calendar, answering the years it does not cover from the law's
    provisional rule (暂定)."""
    root = resources_dir()
    return load_calendar(root / CALENDAR_FILE).with_provisional(load_provisional_rule(root / PROVISIONAL_RULE_FILE))


def load_bundled_policy_book() -> PolicyBook:
    """The bundled policy tables."""
    return load_policy_tables(resources_dir() / POLICY_DIR)
