"""Turning the PDF bytes of a printed document into pixels, for the preview and the system printer.

Qt here has no PDF module, so the window shows and prints pages rendered by
PDFium (pypdfium2): ``rasterize(pdf, 96)`` for the screen, ``rasterize(pdf,
300)`` for paper. The bytes come from :mod:`desktop.services.documents.issue`, which
renders and records a document only after its case is committed; nothing here
makes or changes a document.

PDFium is not thread-safe, so every call holds one lock (the window runs them
on its single worker thread anyway).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import pypdfium2 as pdfium

from desktop.services.errors import ServiceError

POINTS_PER_INCH = 72.0
MM_PER_INCH = 25.4
MAX_DPI = 600
# A4 at 300 dpi is 2480 × 3508 pixels (35 MB as RGBA); refuse anything absurdly larger.
MAX_PIXELS = 60_000_000

_LOCK = threading.Lock()


class PdfUnreadable(ServiceError):
    """The bytes are not a PDF this program can show (a bug upstream, or a damaged file)."""


@dataclass(frozen=True)
class RasterPage:
    """One rendered page: ``width × height`` pixels of RGBx (4 bytes a pixel, the 4th unused)."""

    width: int
    height: int
    rgba: bytes                  # row after row, ``stride`` bytes a row
    stride: int
    dpi: float
    width_pt: float              # the page size in PDF points (1/72 inch)
    height_pt: float

    @property
    def width_mm(self) -> float:
        return self.width_pt / POINTS_PER_INCH * MM_PER_INCH

    @property
    def height_mm(self) -> float:
        return self.height_pt / POINTS_PER_INCH * MM_PER_INCH


def _open(pdf_bytes: bytes) -> pdfium.PdfDocument:
    if not pdf_bytes or not bytes(pdf_bytes[:5]).startswith(b"%PDF"):
        raise PdfUnreadable("要显示的文书不是PDF文件，无法预览或打印。")
    try:
        return pdfium.PdfDocument(bytes(pdf_bytes))
    except pdfium.PdfiumError as exc:
        raise PdfUnreadable("文书PDF已损坏，无法预览或打印。") from exc


def page_count(pdf_bytes: bytes) -> int:
    with _LOCK:
        doc = _open(pdf_bytes)
        try:
            return len(doc)
        finally:
            doc.close()


def page_sizes_pt(pdf_bytes: bytes) -> list[tuple[float, float]]:
    """(width, height) of every page in points."""
    with _LOCK:
        doc = _open(pdf_bytes)
        try:
            return [tuple(doc[i].get_size()) for i in range(len(doc))]  # type: ignore[misc]
        finally:
            doc.close()


def rasterize(pdf_bytes: bytes, dpi: float) -> list[RasterPage]:
    """Every page of the PDF at ``dpi`` dots per inch, white background, RGBx."""
    if not 10 <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be between 10 and {MAX_DPI}")
    scale = dpi / POINTS_PER_INCH
    out: list[RasterPage] = []
    with _LOCK:
        doc = _open(pdf_bytes)
        try:
            for i in range(len(doc)):
                page = doc[i]
                width_pt, height_pt = page.get_size()
                if width_pt * height_pt * scale * scale > MAX_PIXELS:
                    raise PdfUnreadable("文书页面过大，无法按此分辨率打印。")
                bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True,
                                     fill_color=(255, 255, 255, 255))
                try:
                    out.append(RasterPage(bitmap.width, bitmap.height, bytes(bitmap.buffer), bitmap.stride,
                                          float(dpi), float(width_pt), float(height_pt)))
                finally:
                    bitmap.close()
                    page.close()
        finally:
            doc.close()
    return out


def merge_pdfs(pdfs: list[bytes]) -> bytes:
    """One PDF of several (e.g. the referral slips of every department), pages in the given order."""
    if not pdfs:
        raise PdfUnreadable("没有要合并的文书。")
    if len(pdfs) == 1:
        return bytes(pdfs[0])
    with _LOCK:
        merged = pdfium.PdfDocument.new()
        sources = [_open(p) for p in pdfs]
        try:
            for src in sources:
                merged.import_pages(src)
            buf = io.BytesIO()
            merged.save(buf)
            return buf.getvalue()
        finally:
            for src in sources:
                src.close()
            merged.close()
