"""The monthly report PDF: A4, column heads repeated on every page, totals read back."""

from __future__ import annotations

import io
from datetime import datetime

import pdfplumber
import pytest

from forms.documents._common import FullIdNumberError
from forms.documents.report import ReportData, ReportTable, render_report


def _data(rows: int) -> ReportData:
    table = ReportTable("按村（社区）", ["村（社区）", "受理", "逾期"],
                        [[f"第{i}村", i, i % 3] for i in range(1, rows + 1)],
                        ["合计", sum(range(1, rows + 1)), sum(i % 3 for i in range(1, rows + 1))])
    return ReportData("青石镇", "社会救助统计月报（2026年10月）", "2026年10月", datetime(2026, 11, 2, 9, 30), (table,),
                      ("每件申请按其主要救助类别计一次。",))


def test_long_tables_repeat_their_heads_on_every_page_and_end_with_totals():
    pdf_bytes = render_report(_data(120))
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        assert len(pdf.pages) >= 2
        texts = [p.extract_text() for p in pdf.pages]
        assert all(round(p.width) == 595 and round(p.height) == 842 for p in pdf.pages)
    assert "青石镇" in texts[0] and "统计期间：2026年10月" in texts[0] and "生成时间：2026-11-02 09:30" in texts[0]
    for text in texts:
        assert "村（社区） 受理 逾期" in text
        assert "第" in text and "页 共" in text
    assert f"合计 {sum(range(1, 121))} {sum(i % 3 for i in range(1, 121))}" in texts[-1]
    assert "第120村 120 0" in texts[-1]


def test_a_full_id_number_is_refused():
    data = _data(1)
    bad = ReportData(data.township, data.title, data.period, data.generated_at,
                     (ReportTable("x", ["a", "b"], [["11010519491231002X", 1]], ["合计", 1]),))
    with pytest.raises(FullIdNumberError):
        render_report(bad)


def test_ragged_rows_are_refused():
    with pytest.raises(ValueError, match="列数不一致"):
        render_report(ReportData("青石镇", "t", "p", datetime(2026, 1, 1), (ReportTable("x", ["a", "b"], [["r"]],
                                                                                             ["合计", 0]),)))
