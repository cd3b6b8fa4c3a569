"""Where the bundled resources live, and cached loaders for the default data.

``resources_dir()`` resolves, in order: the ``YIMEN_RESOURCES`` environment
variable; ``sys._MEIPASS/resources`` when frozen by PyInstaller; the
repository's ``resources/`` folder next to the ``desktop`` package.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

from desktop.domain.policy import PolicyBook, load_policy_tables
from desktop.domain.workdays import WorkCalendar, load_calendar

__all__ = ["CALENDAR_FILE", "POLICY_DIR", "default_calendar", "default_policy_book", "resources_dir"]

ENV_VAR = "YIMEN_RESOURCES"
CALENDAR_FILE = Path("calendar") / "cn_workdays.json"
POLICY_DIR = Path("policy")


def resources_dir() -> Path:
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    frozen_base = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and frozen_base:
        return Path(frozen_base) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The bundled holiday calendar (cached; ``default_calendar.cache_clear()`` to reload)."""
    return load_calendar(resources_dir() / CALENDAR_FILE)


@lru_cache(maxsize=1)
def default_policy_book() -> PolicyBook:
    """The bundled policy tables (cached; ``default_policy_book.cache_clear()`` to reload)."""
    return load_policy_tables(resources_dir() / POLICY_DIR)
