"""One clock: only ``desktop/store/timekeeping.py`` reads the PC's time; everything else receives it.

Scans the source of desktop, forms, sync and tools (AST, so comments and strings do not count) for every way
Python and Qt give the wall-clock time or date. Durations (``time.monotonic``, ``perf_counter``) are
not the time of day and stay allowed. Tests move time with time-machine, which this leaves working
because the clock reads ``datetime.now`` each time.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, time
from pathlib import Path

import time_machine

from desktop.store.timekeeping import SYSTEM_CLOCK, Clock

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("desktop", "forms", "sync", "tools")   # tools: the screenshot scripts drive the window too
THE_CLOCKS = {Path("desktop/store/timekeeping.py"),
              Path("sync/clock.py")}       # the wire's and the hub's (sync imports nothing of desktop)
# owner name -> attributes that read the wall clock
READERS = {
    "datetime": {"now", "today", "utcnow"},
    "date": {"today"},
    "time": {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime", "strftime"},
    "QDate": {"currentDate"},
    "QTime": {"currentTime"},
    "QDateTime": {"currentDateTime", "currentDateTimeUtc", "currentSecsSinceEpoch", "currentMSecsSinceEpoch"},
}


def _owner(node: ast.expr) -> str | None:
    """``datetime`` for ``datetime.now`` and for ``datetime.datetime.now`` (the last name before the call)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def clock_readers(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            owner = _owner(node.value)
            if owner in READERS and node.attr in READERS[owner]:
                found.append((node.lineno, f"{owner}.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module in ("datetime", "time"):
            for alias in node.names:   # `from time import time` would hide the call from the check above
                if node.module == "time" and alias.name in READERS["time"]:
                    found.append((node.lineno, f"from time import {alias.name}"))
    return sorted(found)


def test_only_the_clock_module_reads_the_time():
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel in THE_CLOCKS:
                continue
            offenders += [f"{rel}:{line}: {what}" for line, what in clock_readers(path.read_text("utf-8"))]
    assert not offenders, ("read the time through the session's clock (AppSession.clock, store.timekeeping."
                           "clock_of) instead of:\n" + "\n".join(offenders))


def test_the_scan_finds_every_form_of_reading_the_time():
    source = ("import datetime as dt\nfrom datetime import date, datetime\nimport time\n"
              "a = datetime.now()\nb = date.today()\nc = dt.datetime.now(dt.UTC)\nd = time.time()\n"
              "e = QDate.currentDate()\nf = QTime.currentTime()\ng = date.today\nh = time.monotonic()\n")
    assert [what for _line, what in clock_readers(source)] == [
        "datetime.now", "date.today", "datetime.now", "time.time", "QDate.currentDate", "QTime.currentTime",
        "date.today"]
    assert clock_readers("from time import time\n") == [(1, "from time import time")]
    for the_clock in THE_CLOCKS:                                  # and the clocks themselves are the ones that do
        assert clock_readers((ROOT / the_clock).read_text("utf-8"))


def test_the_clock_is_aware_utc_and_today_is_the_local_day_of_the_same_instant():
    # 23:30 UTC on 31 December is already 1 January in Beijing (UTC+8)
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        now = SYSTEM_CLOCK.now()
        assert now == datetime(2026, 12, 31, 23, 30, tzinfo=UTC) and now.tzinfo is UTC
        assert Clock().today() == now.astimezone().date()
    local_noon = datetime.combine(date(2027, 1, 4), time(12)).astimezone()
    with time_machine.travel(local_noon, tick=False):
        assert SYSTEM_CLOCK.today() == date(2027, 1, 4)
