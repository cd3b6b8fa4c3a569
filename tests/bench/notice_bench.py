"""Rendering a 2,000-row public notice: masking, poster PDF (A4 portrait, A3 landscape), CSV, HTML.

    .venv/bin/python -m tests.bench.notice_bench      # alone; `make bench` runs it first

Synthetic households (children, incomes, phones, cards, addresses) go the
way a real notice goes: ``mask_for_notice`` → ``notice_table`` → renderer.
Each step is timed (best of ``REPEAT`` runs, median shown too); the poster
times are what a clerk waits for after pressing 打印. Nothing is asserted.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

from pypdf import PdfReader

from desktop.demo.names import GIVEN_FEMALE, GIVEN_MALE, RARE, SURNAMES
from desktop.domain.categories import Category
from desktop.domain.notice import (
    DEFAULT_NOTICE_CONTENT,
    NoticePeriod,
    NoticeRow,
    NoticeSource,
    PeriodUnit,
    SourceMember,
    mask_for_notice,
    notice_table,
)
from forms import fonts
from forms.documents.notice_export import notice_csv, notice_html
from forms.documents.notice_poster import NoticeText, render_notice_poster
from forms.idnumber import check_char

ROWS = 2000
REPEAT = 3
POSTED = date(2026, 9, 30)
PERIOD = NoticePeriod(POSTED, date(2026, 10, 8), 7, PeriodUnit.DAYS)
VILLAGES = ("东坪村", "西沟村", "南塬村", "杏树台村", "马家庄村", "下河滩村", "白杨林村", "青石社区")


def sources(n: int, seed: int = 7) -> list[NoticeSource]:
    rng = random.Random(seed)
    given = GIVEN_MALE + GIVEN_FEMALE + RARE

    def person(age: int) -> SourceMember:
        born = POSTED - timedelta(days=age * 365 + rng.randrange(300))
        body = f"620102{born:%Y%m%d}{rng.randrange(1000):03d}"
        return SourceMember(rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2)))),
                            body + check_char(body), born, phone=f"139{rng.randrange(10**8):08d}",
                            bank_account=f"6222{rng.randrange(10**15):015d}",
                            monthly_income_cents=rng.randrange(200_000), illness=rng.choice(("", "尿毒症")))

    out = []
    for i in range(n):
        holder = person(rng.randrange(20, 90))
        family = tuple(person(rng.randrange(0, 80)) for _ in range(rng.randrange(0, 5)))
        village = rng.choice(VILLAGES)
        out.append(NoticeSource(f"bench-{i}", holder, (holder, *family), village, Category.DIBAO,
                                rng.randrange(30, 160) * 1000, address=f"{village}{rng.randrange(1, 7)}组{i}号"))
    return out


def _time(fn: Callable[[], object]) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def run(n: int = ROWS, say: Callable[[str], None] = print) -> list[tuple[str, list[float], str]]:
    fonts.register_fonts()
    srcs = sources(n)
    rows_t, rows = _time(lambda: [r for s in srcs if isinstance(r := mask_for_notice(s, DEFAULT_NOTICE_CONTENT,
                                                                                       PERIOD), NoticeRow)])
    assert isinstance(rows, list)
    poster = notice_table(rows, DEFAULT_NOTICE_CONTENT, Category.DIBAO, period_column=False)
    web = notice_table(rows, DEFAULT_NOTICE_CONTENT, Category.DIBAO)

    def text(table) -> NoticeText:  # type: ignore[no-untyped-def]
        return NoticeText("测试县测试镇人民政府", "最低生活保障拟保障对象公示", "全镇　公示编号 GS-2026-007-0001",
                          "根据社会救助有关规定，现将拟保障对象名单予以公示。", PERIOD.text, "12345政务服务便民热线 12345",
                          "异议受理：测试镇便民服务中心社会救助窗口", POSTED, "GS-2026-007-0001", table.headers,
                          table.rows, table.weights)

    results: list[tuple[str, list[float], str]] = [("mask + table", rows_t, f"{len(rows)} rows")]
    for size, orientation in (("A4", "portrait"), ("A3", "landscape")):
        say(f"notice: rendering {len(rows)} rows, {size} {orientation} …")
        times, pdf = _time(lambda size=size, orientation=orientation: render_notice_poster(text(poster), size,
                                                                                           orientation))
        assert isinstance(pdf, bytes)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        results.append((f"poster PDF {size} {orientation}", times, f"{pages} pages, {len(pdf) / 1e6:.1f} MB"))
    csv_t, data = _time(lambda: notice_csv(text(web)))
    results.append(("CSV (UTF-8 BOM)", csv_t, f"{len(data) / 1e3:.0f} kB"))  # type: ignore[arg-type]
    html_t, data = _time(lambda: notice_html(text(web)))
    results.append(("HTML page", html_t, f"{len(data) / 1e3:.0f} kB"))  # type: ignore[arg-type]
    return results


def table(results: list[tuple[str, list[float], str]], n: int = ROWS) -> str:
    lines = [f"public notice, {n} households (best / median of {REPEAT})",
             f"{'step':<28}{'best s':>9}{'median s':>10}  output"]
    for label, times, detail in results:
        lines.append(f"{label:<28}{min(times):>9.2f}{statistics.median(times):>10.2f}  {detail}")
    return "\n".join(lines)


def main() -> int:
    results = run()
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
