"""The 公示 poster, the withdrawal notice and the website exports, read back from the bytes."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import date

import pdfplumber
import pypdf
import pytest

from forms.documents._common import FullIdNumberError
from forms.documents.notice_export import notice_csv, notice_html
from forms.documents.notice_poster import (
    NoticeText,
    UnmaskedNumberError,
    WithdrawalText,
    render_notice_poster,
    render_notice_withdrawal,
)
from forms.idnumber import check_char

HEADERS = ("序号", "申请人", "村（社区）", "家庭人口", "救助类别", "月保障金额（元）")
NAMES = ("张𠮷祥", "李堃", "欧阳娜娜", "王喆", "刘昇", "赵犇")


def rows(n: int) -> tuple[tuple[str, ...], ...]:
    return tuple((str(i), NAMES[i % len(NAMES)], "东坪村", str(i % 5 + 1),
                  "最低生活保障", f"{500 + i}.00") for i in range(1, n + 1))


def texts(n: int = 3, **kw) -> NoticeText:
    base = dict(issuer="测试县测试镇人民政府", title="最低生活保障拟保障对象公示",
                subtitle="东坪村　公示编号 GS-2026-007-0001",
                intro="根据社会救助有关规定，经本人申请、入户调查，现将东坪村最低生活保障拟保障对象名单予以公示。",
                period_text="2026年09月30日至2026年10月08日（7个自然日，张贴当日不计入）",
                complaint_phone="12345政务服务便民热线 12345；城关区社会救助服务热线（演示） 0931-0000000",
                contact="异议受理：测试镇便民服务中心社会救助窗口", issued_on=date(2026, 9, 30),
                reference="GS-2026-007-0001", headers=HEADERS, rows=rows(n), weights=(0.8, 1.5, 1.6, 1.0, 2.2, 1.6))
    base.update(kw)
    return NoticeText(**base)


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def pages_text(pdf: bytes) -> list[str]:
    return [squash(p.extract_text() or "") for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("size, orientation, dims, min_size", [
    ("A4", "portrait", (595.3, 841.9), 14), ("A4", "landscape", (841.9, 595.3), 14),
    ("A3", "portrait", (841.9, 1190.6), 20), ("A3", "landscape", (1190.6, 841.9), 20),
])
def test_poster_sizes_large_type_and_repeated_headers(size, orientation, dims, min_size):
    pdf = render_notice_poster(texts(60), size, orientation)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) >= 2
        for page in doc.pages:
            assert (round(page.width, 1), round(page.height, 1)) == dims
        # every character of the table and the intro is at least the board size (footer aside)
        body = [c for c in doc.pages[0].chars if c["top"] < doc.pages[0].height * 0.9]
        assert min(c["size"] for c in body) >= min_size - 0.01
        title = max(c["size"] for c in doc.pages[0].chars)
        assert title >= 1.8 * min_size
    pages = pages_text(pdf)
    for n, page in enumerate(pages, 1):
        assert "序号申请人" in page, f"header missing on page {n}"
        assert f"第{n}页共{len(pages)}页" in page and "GS-2026-007-0001" in page
    everything = "".join(pages)
    for i in (1, 30, 60):
        assert f"{500 + i}.00" in everything
    assert "张𠮷祥" in everything and "欧阳娜娜" in everything
    # the closing block is on the last page only
    assert "（盖章）" in pages[-1] and "2026年09月30日" in pages[-1] and "0931-0000000" in pages[-1]
    assert all("（盖章）" not in p for p in pages[:-1])
    assert everything.count("最低生活保障拟保障对象公示") >= 1


def test_one_page_notice_has_title_period_table_phone_and_seal():
    t = "".join(pages_text(render_notice_poster(texts(3))))
    for s in ("最低生活保障拟保障对象公示", "东坪村公示编号GS-2026-007-0001", "公示期：2026年09月30日至2026年10月08日",
              "序号申请人村（社区）家庭人口救助类别", "1李堃东坪村2最低生活保障501.00", "监督电话：12345政务服务便民热线12345",
              "异议受理：测试镇便民服务中心社会救助窗口", "测试县测试镇人民政府（盖章）", "第1页共1页"):
        assert squash(s) in t, s


def test_poster_output_is_deterministic():
    assert render_notice_poster(texts(20)) == render_notice_poster(texts(20))


def test_empty_notice_says_so():
    assert "（本期无公示对象）" in "".join(pages_text(render_notice_poster(texts(0))))


@pytest.mark.parametrize("cell", ["13912345678", "139 1234 5678", "0931-5550123", "6222 0212 3456 7890 123",
                                  "62220212345678901"])
def test_a_long_number_in_a_cell_is_refused(cell):
    bad = texts(2, rows=(("1", "李堃", "东坪村", "2", "最低生活保障", cell),))
    for render in (render_notice_poster, notice_csv, notice_html):
        with pytest.raises(UnmaskedNumberError):
            render(bad)


def test_a_full_id_anywhere_is_refused():
    body = "62010219700312001"
    full = body + check_char(body)
    for field in ("intro", "subtitle", "contact"):
        with pytest.raises(FullIdNumberError):
            render_notice_poster(texts(1, **{field: f"身份证{full}"}))
    with pytest.raises(ValueError):
        render_notice_poster(texts(1), "A5")
    with pytest.raises(ValueError):
        render_notice_poster(texts(1), "A4", "sideways")
    with pytest.raises(ValueError):   # ragged table
        render_notice_poster(texts(1, rows=(("1", "李堃"),)))


def test_csv_opens_in_excel_bom_crlf_and_no_formulas():
    data = notice_csv(texts(3, rows=(("1", "=HYPERLINK(\"x\")", "东坪村", "2", "最低生活保障", "501.00"),)))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.count("\r\n") == 2
    got = list(csv.reader(io.StringIO(text)))
    assert got[0] == list(HEADERS)
    assert got[1][1] == "'=HYPERLINK(\"x\")"


def test_html_is_one_self_contained_escaped_page():
    page = notice_html(texts(3, subtitle="东坪村 <script>alert(1)</script>")).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "noindex" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert not re.search(r"(src|href)=", page)
    assert "<th>月保障金额（元）</th>" in page and "张𠮷祥" not in page and "李堃" in page
    assert page.count("<tr>") == 4


def test_withdrawal_notice_says_what_is_withdrawn_and_why():
    w = WithdrawalText("测试县测试镇人民政府", "最低生活保障拟保障对象公示", "GS-2026-007-0001",
                       "2026年09月30日在东坪村村务公开栏张贴", "2026年09月30日至2026年10月08日（7个自然日，张贴当日不计入）",
                       "公示名单中一户家庭人口登记有误。", "相关申请经核实后将重新公示。", "12345政务服务便民热线 12345",
                       date(2026, 10, 2))
    t = "".join(pages_text(render_notice_withdrawal(w)))
    for s in ("撤回公示的说明", "公示编号GS-2026-007-0001", "2026年09月30日在东坪村村务公开栏张贴的《最低生活保障拟保障对象公示》",
              "因公示名单中一户家庭人口登记有误，现予撤回", "公示期为2026年09月30日至2026年10月08日", "相关申请经核实后将重新公示", "特此说明", "（盖章）", "2026年10月02日"):
        assert squash(s) in t, s
    with pytest.raises(UnmaskedNumberError):
        render_notice_withdrawal(dataclasses.replace(w, reason="户主电话13912345678有误"))
    with pytest.raises(ValueError):
        render_notice_withdrawal(dataclasses.replace(w, reason="  "))
