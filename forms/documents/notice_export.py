"""The public notice for the county website: CSV (for Excel) and one self-contained HTML page.

Both take the same :class:`~forms.documents.notice_poster.NoticeText` as the poster — the
cells were made by the one masking rule — and apply the same checks (no full ID
number anywhere, no long digit run in a cell).

- CSV: UTF-8 with a byte-order mark (Excel on Windows otherwise reads it as
  GBK), CRLF line ends, every field quoted; a cell starting with ``= + - @``
  is prefixed with ``'`` so a spreadsheet never runs it as a formula.
- HTML: one file, no script, no external resource, inline CSS, everything
  escaped; ``noindex`` so search engines do not keep families' names after the
  notice is taken down.
"""

from __future__ import annotations

import csv
import io
from html import escape

from forms.documents._common import check_data, fmt_date
from forms.documents.notice_poster import NoticeText, check_cells

__all__ = ["notice_csv", "notice_html"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def notice_csv(texts: NoticeText) -> bytes:
    """The notice table as CSV bytes (UTF-8 with BOM)."""
    check_cells(texts.headers, texts.rows)
    check_data(texts)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow([_safe_cell(h) for h in texts.headers])
    for row in texts.rows:
        w.writerow([_safe_cell(c) for c in row])
    return buf.getvalue().encode("utf-8-sig")


_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
margin:2em auto;max-width:60em;padding:0 1em;color:#000;line-height:1.6}
h1{text-align:center;font-size:1.8em;margin:.2em 0}
p.sub{text-align:center;margin:.2em 0 1em}
table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border:1px solid #000;padding:.3em .5em}
th{background:#eee}
td.n{text-align:center}
p.sign{text-align:right;margin-top:2em}
""".strip()


def notice_html(texts: NoticeText) -> bytes:
    """The notice as one self-contained HTML page (UTF-8 bytes)."""
    check_cells(texts.headers, texts.rows)
    check_data(texts)
    e = escape
    numeric = {j for j, h in enumerate(texts.headers) if h in ("序号", "家庭人口") or "金额" in h}
    head = "".join(f"<th>{e(h)}</th>" for h in texts.headers)
    body = "\n".join(
        "<tr>" + "".join(f'<td class="n">{e(c)}</td>' if j in numeric else f"<td>{e(c)}</td>"
                         for j, c in enumerate(row)) + "</tr>"
        for row in texts.rows)
    if not texts.rows:
        body = f'<tr><td colspan="{len(texts.headers)}">（本期无公示对象）</td></tr>'
    contact = f"<p>{e(texts.contact)}</p>" if texts.contact else ""
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow, noarchive">
<title>{e(texts.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{e(texts.title)}</h1>
<p class="sub">{e(texts.subtitle)}</p>
<p>{e(texts.intro)}</p>
<p>公示期：{e(texts.period_text)}</p>
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody>
</table>
<p>监督电话：{e(texts.complaint_phone)}</p>
{contact}
<p class="sign">{e(texts.issuer)}<br>{e(fmt_date(texts.issued_on))}</p>
</body>
</html>
"""
    return page.encode("utf-8")
