"""The one clock: the only module that reads the PC's time.

``now()`` is an aware UTC instant (what the store keeps, see ``UtcDateTime``); ``today()`` is the
PC's local date (what people see and what deadlines count from). Everything else receives one of
these from its caller: the signed-in session carries the clock (``AppSession.clock``), a
``Database`` hands it to the SQLAlchemy sessions it opens (:func:`clock_of`), and ``forms`` and
``desktop.domain`` take plain dates. ``tests/test_one_clock.py`` fails if any other module calls
``datetime.now``/``date.today``; tests move time with ``time-machine`` rather than patching modules.

It lives in the store because the store is the lowest layer that needs the time (audit events, key
slot lockouts, backups); ``desktop/domain/clock.py`` is the working-day arithmetic, which needs none.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

__all__ = ["SYSTEM_CLOCK", "Clock", "clock_of"]

SESSION_KEY = "yimen.clock"


class Clock:
    """The PC's clock. Stateless: every instance tells the same time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        # the local calendar day of the same instant, so now() and today() never disagree
        return self.now().astimezone().date()


SYSTEM_CLOCK = Clock()


def clock_of(s: Session) -> Clock:
    """The clock of the database this SQLAlchemy session was opened on (``Database.read/write``)."""
    clock = s.info.get(SESSION_KEY)
    return clock if isinstance(clock, Clock) else SYSTEM_CLOCK
