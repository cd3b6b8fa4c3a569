"""The policy tables and the working-day calendar in force for one database: the registry.

What a release bundles (``resources/policy``, ``resources/calendar``, read through
:mod:`desktop.resources`) merged with the updates imported since and kept in the encrypted
database (``policy_updates``, :mod:`desktop.store.models_policy`): a stored policy table replaces
the bundled one of the same ``ref`` (region + effective date), a stored calendar year replaces the
bundled year. The calendar answers years with no official schedule from the law's provisional rule
(暂定, :mod:`desktop.domain.provisional`).

One registry per :class:`~desktop.store.database.Database` (``db.policy``), built lazily on first
use — signing in never reads a policy file — and :meth:`PolicyRegistry.reload`-ed after an import.
An import made through another connection (``yimen policy import`` while the window runs) is seen
too: each use compares the newest ``policy_updates`` id with the one the snapshot was built from.
The database hands it to every SQLAlchemy session it opens, the same way it hands over the clock,
so code that only has a session reaches it with :func:`registry_of` (``clock_of``'s twin).

It lives in the store because the stored updates are a table of the store and the store is the
lowest layer that can read them; the rules themselves stay pure domain objects.

Existing records resolve their rules by the ``policy_ref`` they stored (:meth:`policy_by_ref`),
never again by place and date: an update for a region never changes a case already running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from .models_policy import PolicyUpdate

if TYPE_CHECKING:   # the rules are imported on first use, not when the database is opened
    from desktop.domain.policy import PolicyBook, PolicyTable
    from desktop.domain.workdays import WorkCalendar

__all__ = ["CALENDAR", "POLICY", "PolicyRegistry", "PolicyState", "StoredUpdate", "newest_update_id", "registry_of",
           "stored_updates"]

SESSION_KEY = "yimen.policy"
POLICY = "policy"
CALENDAR = "calendar"


@dataclass(frozen=True)
class StoredUpdate:
    """One row of ``policy_updates`` as the registry needs it (oldest first; the newest wins)."""

    kind: str          # POLICY | CALENDAR
    ref: str           # policy ref, or the calendar year
    content: dict      # a policy table, or a calendar file holding that one year


@dataclass(frozen=True)
class PolicyState:
    """An immutable snapshot: the book and the calendar in force."""

    book: PolicyBook
    calendar: WorkCalendar

    def policy_by_ref(self, ref: str) -> PolicyTable:
        from desktop.domain.policy import PolicyNotFound  # noqa: PLC0415

        for table in self.book.tables:
            if table.ref == ref:
                return table
        raise PolicyNotFound(f"找不到案件所依据的政策表“{ref or '（未记录）'}”，请从县级平台更新政策数据后再试")

    def policy_for(self, region_code: str, on: date) -> PolicyTable:
        return self.book.policy_for(region_code, on)

    def with_updates(self, updates: Iterable[StoredUpdate]) -> PolicyState:
        """This state with ``updates`` laid over it (later ones win). Raises the loaders' errors."""
        from desktop.domain.policy import parse_policy_table  # noqa: PLC0415
        from desktop.domain.workdays import WorkCalendar  # noqa: PLC0415

        tables: dict[str, PolicyTable] = {}
        calendar = self.calendar
        for u in updates:
            if u.kind == POLICY:
                table = parse_policy_table(u.content, f"政策更新 {u.ref}")
                tables[table.ref] = table
            elif u.kind == CALENDAR:
                calendar = calendar.merge(WorkCalendar.from_dict(u.content, origin=f"日历更新 {u.ref}年"))
        book = self.book.merge(tables.values()) if tables else self.book
        return PolicyState(book, calendar)


def _bundled() -> PolicyState:
    from desktop.resources import load_bundled_calendar, load_bundled_policy_book  # noqa: PLC0415 (lazy: sign-in stays fast)

    return PolicyState(load_bundled_policy_book(), load_bundled_calendar())


class PolicyRegistry:
    """The policy and calendar of one database (see the module docstring).

    ``stored`` reads the database's updates (oldest first); None for a registry of the bundled
    files only. ``bundled`` loads what the release ships (replaceable in tests)."""

    def __init__(self, stored: Callable[[], Sequence[StoredUpdate]] | None = None,
                 bundled: Callable[[], PolicyState] = _bundled,
                 version: Callable[[], int] | None = None) -> None:
        self._stored = stored
        self._bundled = bundled
        self._version = version          # the newest stored update's id (0: none)
        self._state: PolicyState | None = None
        self._built_at = 0
        self._lock = threading.Lock()

    @property
    def state(self) -> PolicyState:
        state = self._state
        current = self._version() if self._version is not None and state is not None else self._built_at
        if state is None or current != self._built_at:
            with self._lock:
                version = self._version() if self._version is not None else 0
                state = self._state
                if state is None or version != self._built_at:
                    state = self._bundled()
                    if self._stored is not None:
                        state = state.with_updates(self._stored())
                    self._state, self._built_at = state, version
        return state

    def rebuilt(self, s: Session, extra: Iterable[StoredUpdate] = ()) -> PolicyState:
        """A fresh state from the bundled files, the updates stored as ``s`` sees them, and ``extra``
        (an import not yet committed) — for checking an import and recomputing inside its transaction."""
        return self._bundled().with_updates([*stored_updates(s), *extra])

    def reload(self) -> None:
        """Forget the snapshot: the next question reads the bundled files and the stored updates again."""
        with self._lock:
            self._state = None

    @property
    def book(self) -> PolicyBook:
        return self.state.book

    @property
    def calendar(self) -> WorkCalendar:
        return self.state.calendar

    def policy_by_ref(self, ref: str) -> PolicyTable:
        """The table a record was made under (its stored ``policy_ref``); :class:`PolicyNotFound` if unknown."""
        return self.state.policy_by_ref(ref)

    def policy_for(self, region_code: str, on: date) -> PolicyTable:
        """The table in force for a region on a day — for something new (an application being taken in)."""
        return self.state.policy_for(region_code, on)


def newest_update_id(conn: Session | Connection) -> int:
    """The id of the newest stored update (0: none): the registry's cheap "has anything changed"."""
    return int(conn.scalar(select(func.max(PolicyUpdate.id))) or 0)


def stored_updates(s: Session) -> list[StoredUpdate]:
    """The rows of ``policy_updates``, oldest first (so the newest of a ref or year wins)."""
    return [StoredUpdate(u.kind, u.ref, u.content) for u in s.scalars(select(PolicyUpdate).order_by(PolicyUpdate.id))]


_BUNDLED_ONLY = PolicyRegistry()


def registry_of(s: Session | None) -> PolicyRegistry:
    """The registry of the database this SQLAlchemy session was opened on (``Database.read/write``);
    a session opened elsewhere gets a registry of the bundled files only."""
    registry = s.info.get(SESSION_KEY) if s is not None else None
    return registry if isinstance(registry, PolicyRegistry) else _BUNDLED_ONLY
