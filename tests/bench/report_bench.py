"""The monthly report (统计) on the bench township: one month, the year's chart, the whole year.

`make bench` runs it on the cached encrypted township after the search
bench. Side by side, each the best and the median of ``REPEAT`` runs:

- one month's report (the running month: status and overdue at today);
- one past month (status and overdue at its last day);
- the year's chart (accepted / decided / overdue for every month);
- the whole year: the twelve monthly reports plus the chart — what a clerk
  waits for if the county asks for every month at once;
- one month exported to .xlsx and to PDF (rendering included).

Ratios are against the one-month report. Nothing is asserted.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from desktop.domain.clock import add_months
from desktop.domain.roles import Role
from desktop.services.reporting import reports
from desktop.services.session import AppSession, UserInfo
from desktop.store.database import Database

REPEAT = 3


def _time(fn: Callable[[], object]) -> list[float]:
    out = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def run(db: Database, say: Callable[[str], None] = print) -> tuple[list[tuple[str, list[float]]], str]:
    session = AppSession(db=db, user=UserInfo("bench", "bench", Role.CLERK))
    today = datetime.now(UTC).astimezone().date()
    past = add_months(today.replace(day=1), -1)
    say(f"reports: {today.year}-{today.month:02d} (running), {past.year}-{past.month:02d} (past), "
        f"year {today.year} …")
    month = reports.monthly_report(session, today.year, today.month)
    summary = (f"running month: {month.total('received')} received, {month.total('accepted')} accepted, "
               f"{month.total('overdue')} overdue, {month.cases_at_cut} cases by status")

    def whole_year() -> None:
        for m in range(1, today.month + 1):
            reports.monthly_report(session, today.year, m)
        reports.year_series(session, today.year)

    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            ("one month (running)", _time(lambda: reports.monthly_report(session, today.year, today.month))),
            ("one month (past)", _time(lambda: reports.monthly_report(session, past.year, past.month))),
            ("year chart (12 months)", _time(lambda: reports.year_series(session, today.year))),
            (f"whole year ({today.month} reports + chart)", _time(whole_year)),
            ("month → .xlsx", _time(lambda: reports.export_xlsx(session, month, Path(tmp) / "m.xlsx"))),
            ("month → PDF", _time(lambda: reports.export_pdf(session, month, Path(tmp) / "m.pdf"))),
        ]
    return rows, summary


def table(rows: list[tuple[str, list[float]]], summary: str) -> str:
    head = f"{'report':<34}{'best ms':>9}{'median ms':>11}{'× one month':>13}"
    base = min(rows[0][1])
    lines = [head, "-" * len(head)]
    for name, times in rows:
        lines.append(f"{name:<34}{1000 * min(times):>9.0f}{1000 * statistics.median(times):>11.0f}"
                     f"{min(times) / base:>12.1f}x")
    lines.append(f"({summary}; exports include writing the file and the audit event)")
    return "\n".join(lines)
