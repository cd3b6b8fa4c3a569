"""forms.qr: the QR drawing on its own."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
import zxingcpp
from reportlab.graphics import renderPDF
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from forms.fonts import PRIMARY
from forms.qr import MIN_MODULE_MM, qr_drawing, qr_modules


def _decode(drawing) -> list[str]:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(80 * mm, 80 * mm), initialFontName=PRIMARY)
    renderPDF.draw(drawing, c, 10 * mm, 10 * mm)
    c.showPage()
    c.save()
    img = pdfium.PdfDocument(buf.getvalue())[0].render(scale=300 / 72).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(img)]


@pytest.mark.parametrize("payload", ["YM1.abc-_~.sig", "一门受理 620123-105-03-2026-000127-K", "x" * 400])
def test_round_trip(payload):
    d = qr_drawing(payload, 40)
    assert d.width == pytest.approx(40 * mm) and d.height == pytest.approx(40 * mm)
    assert _decode(d) == [payload]


def test_refuses_bad_input():
    with pytest.raises(ValueError):
        qr_drawing("", 30)
    with pytest.raises(ValueError):
        qr_drawing("x", 0)
    with pytest.raises(ValueError):
        qr_drawing("x" * 5000, 30)  # beyond QR version 40
    n = qr_modules("x" * 400)
    too_small = (n + 8) * MIN_MODULE_MM * 0.9
    with pytest.raises(ValueError, match="modules"):
        qr_drawing("x" * 400, too_small)
