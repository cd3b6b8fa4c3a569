"""社会救助统计月报 — the monthly figures as an A4 report for the county.

Pure: plain data in, PDF bytes out. Each table keeps its column heads on
every page it runs over (``repeatRows``) and ends with its totals row; the
footer names the report and the page. No personal data is ever in a report
(counts only), but ``check_data`` still refuses a full ID number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer, Table

from forms.documents import _a4
from forms.documents._common import DOC_KW, P, Styles, build_pdf, check_data, grid_style, require, title_block

__all__ = ["ReportData", "ReportTable", "render_report"]


@dataclass(frozen=True)
class ReportTable:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str | int]]
    totals: Sequence[str | int]


@dataclass(frozen=True)
class ReportData:
    township: str
    title: str              # e.g. 社会救助统计月报（2026年11月）
    period: str             # e.g. 2026年11月
    generated_at: datetime  # local time
    tables: tuple[ReportTable, ...]
    notes: tuple[str, ...] = ()


def _table(st: Styles, t: ReportTable, width: float) -> list[Flowable]:
    n = len(t.columns)
    require(all(len(r) == n for r in t.rows) and len(t.totals) == n, f"“{t.title}”的列数不一致")
    num = ParagraphStyle("num", parent=st.cell, alignment=TA_RIGHT)

    def cells(row: Sequence[str | int], style_first: ParagraphStyle) -> list[Flowable]:
        return [P(str(v), style_first if i == 0 else num) for i, v in enumerate(row)]

    data = [[P(str(c), st.cell_c) for c in t.columns]]
    data += [cells(r, st.cell) for r in t.rows]
    data.append(cells(t.totals, st.cell))
    first = width * (0.32 if n > 2 else 0.6)
    rest = (width - first) / max(1, n - 1)
    table = Table(data, colWidths=[first] + [rest] * (n - 1), repeatRows=1,
                  style=grid_style(header_rows=1, extra=[("LINEABOVE", (0, -1), (-1, -1), 1.5, "black")]))
    return [KeepTogether([P(t.title, st.heading), Spacer(1, 1.5 * mm)]), table, Spacer(1, 5 * mm)]


def _story(data: ReportData, st: Styles, width: float) -> list[Flowable]:
    stamp = data.generated_at.strftime("%Y-%m-%d %H:%M")
    story: list[Flowable] = title_block(st, width, data.township, data.title,
                                        subtitle=f"统计期间：{data.period}　　生成时间：{stamp}")
    story.append(Spacer(1, 4 * mm))
    for t in data.tables:
        story += _table(st, t, width)
    for note in data.notes:
        story.append(P(note, st.small))
    return story


def render_report(data: ReportData) -> bytes:
    check_data(data)
    require(bool(data.tables), "统计报表没有表格")

    def build(buf, canvasmaker):  # type: ignore[no-untyped-def]
        doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=_a4.MARGIN_X, rightMargin=_a4.MARGIN_X,
                                topMargin=_a4.MARGIN_TOP, bottomMargin=_a4.MARGIN_BOTTOM, title=data.title,
                                author=data.township, **DOC_KW)
        doc.build(_story(data, _a4.styles(), _a4.WIDTH), canvasmaker=canvasmaker)

    return build_pdf(build, footer_left=f"{data.township}  {data.title}", copy_label=None,
                     margin_x=_a4.MARGIN_X, footer_y=_a4.FOOTER_Y)
