"""Print preview, the system printer and "save as PDF" for a document the services already made.

    dlg = PrintDialog(ctx, lambda fmt: documents.print_receipt(session, case_uuid, fmt).pdf,
                      self.tr("受理通知书"), formats=("a4", "roll80"))
    dlg.open()

The dialog never makes a document: ``pdf_provider(fmt)`` (a service call such
as ``documents.print_receipt``, which renders only a committed case) runs on
the task runner, and the dialog shows, prints or saves exactly the bytes it
returned (a ``PrintedDocument`` may be returned instead of bytes: its copy
number is then shown, 原件 / 副本). With a ``recorder`` the provider returns an
unrecorded preview (``preview=True``) and the print is recorded only when the
clerk really prints or saves: ``recorder(result)`` runs first, and if it
refuses (someone printed the same document meanwhile) nothing goes to the
printer. Recording one format drops the other formats' previews (they would
show a copy number now taken). Each format is
asked for at most once per dialog (switching back shows the bytes already
received). ``initial_format`` opens on that format instead of the PC's
remembered one (a reprint keeps the paper it replaces); ``initial=(fmt, pdf)``
hands over what a caller already has (bytes or the PrintedDocument, e.g.
right after intake), so the provider is called only if the clerk switches
format.

Pages are rasterized by PDFium (:mod:`desktop.services.documents.printers`) — at
screen resolution for the preview, at 300 dpi for paper — and painted onto
QPrinter pages, scaled into the printable area. The printer and the format
chosen are remembered for this PC (``print/printer``, ``print/format``).
Keys: Ctrl+P print, Ctrl+S save as PDF, Esc close.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.services.documents import printers as printing
from desktop.services.documents.printers import RasterPage

from . import style
from .context import (
    PRINT_FORMAT_A4,
    PRINT_FORMAT_ROLL80,
    SETTING_PRINT_FORMAT,
    SETTING_PRINTER,
    UiContext,
    print_format,
    setting_str,
)
from .files import ask_save_file
from .typography import set_font_scale

log = logging.getLogger(__name__)

PRINT_DPI = 300
PREVIEW_DPI = 96
ERROR_STYLE = style.ERROR_TEXT_BOLD
# fmt -> PDF bytes, or a documents.PrintedDocument (its ``.pdf``; its copy number is shown)
PdfProvider = Callable[[str], Any]


def to_qimage(page: RasterPage) -> QImage:
    """A QImage owning a copy of the page's pixels (the bytes object may go away)."""
    image = QImage(page.rgba, page.width, page.height, page.stride, QImage.Format.Format_RGBX8888)
    return image.copy()


def page_size_of(page: RasterPage) -> QPageSize:
    return QPageSize(QSizeF(page.width_pt, page.height_pt), QPageSize.Unit.Point, "",
                     QPageSize.SizeMatchPolicy.FuzzyMatch)


def set_printer_page(printer: QPrinter, page: RasterPage) -> None:
    """The paper of the document (A4, or the 80 mm roll's length), portrait, no extra margins."""
    layout = QPageLayout(page_size_of(page), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
    layout.setMode(QPageLayout.Mode.StandardMode)
    printer.setPageLayout(layout)


def paint_pages(printer: QPrinter, pages: Sequence[RasterPage]) -> bool:
    """Paint each rasterized page on its own printer page, scaled into the printable area (aspect kept)."""
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for i, page in enumerate(pages):
            if i:
                if (page.width_pt, page.height_pt) != (pages[i - 1].width_pt, pages[i - 1].height_pt):
                    printer.setPageSize(page_size_of(page))
                printer.newPage()
            area = printer.pageRect(QPrinter.Unit.DevicePixel)
            scale = min(area.width() / page.width, area.height() / page.height)
            w, h = page.width * scale, page.height * scale
            target = QRectF((area.width() - w) / 2, 0, w, h)
            painter.drawImage(target, to_qimage(page))
    finally:
        painter.end()
    return True


class PrintDialog(QDialog):
    """Preview, print and save the bytes ``pdf_provider(fmt)`` returns."""

    loaded = Signal(str)        # a format's PDF arrived and its preview is shown
    printed = Signal()          # pages were handed to the printer
    saved = Signal(str)         # path of the written PDF

    def __init__(self, ctx: UiContext, pdf_provider: PdfProvider, title: str, *,
                 formats: Sequence[str] = (PRINT_FORMAT_A4,), file_name: str = "",
                 initial_format: str | None = None, initial: tuple[str, Any] | None = None,
                 format_labels: Mapping[str, str] | None = None, remember_key: str = SETTING_PRINT_FORMAT,
                 recorder: Callable[[Any], Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.provider = pdf_provider
        self.recorder = recorder
        self._results: dict[str, Any] = {}
        self._recorded: set[str] = set()
        self.formats = tuple(formats) or (PRINT_FORMAT_A4,)
        self.file_name = file_name or title
        self.format_labels = dict(format_labels or {})
        self.remember_key = remember_key     # another key for documents of other formats (posters)
        self._pdf: dict[str, bytes] = {}
        self._copy_note: dict[str, str] = {}
        self._request = 0
        self.busy = False
        self.error = ""
        self.page_count = 0
        self.setObjectName("print_dialog")
        self.setWindowTitle(self.tr("打印预览 — {0}").format(title))
        self.resize(920, 700)
        remembered = print_format(ctx.settings) if remember_key == SETTING_PRINT_FORMAT else \
            setting_str(ctx.settings, remember_key)
        self.fmt = remembered if remembered in self.formats else self.formats[0]
        if initial_format in self.formats:
            self.fmt = initial_format
        if initial is not None and initial[0] in self.formats:
            self.fmt = initial[0]
            self._keep(initial[0], initial[1])
        self._build(title)
        self._load(self.fmt)

    # ----- building ------------------------------------------------------------------------
    def _build(self, title: str) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        heading = QLabel(title)
        set_font_scale(heading, 1.3, bold=True)
        top.addWidget(heading)
        top.addStretch(1)
        self.format_label = QLabel(self.tr("格式(&F)："))
        self.format_box = QComboBox()
        self.format_box.setObjectName("print_format")
        labels = {PRINT_FORMAT_A4: self.tr("A4纸"), PRINT_FORMAT_ROLL80: self.tr("80毫米小票"), **self.format_labels}
        for fmt in self.formats:
            self.format_box.addItem(labels.get(fmt, fmt), fmt)
        self.format_box.setCurrentIndex(max(0, self.format_box.findData(self.fmt)))
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.format_label.setBuddy(self.format_box)
        for w in (self.format_label, self.format_box):
            w.setVisible(len(self.formats) > 1)
            top.addWidget(w)
        self.pages_label = QLabel("")
        self.pages_label.setObjectName("page_count")
        top.addSpacing(16)
        top.addWidget(self.pages_label)
        layout.addLayout(top)
        self.status = QLabel("")
        self.status.setObjectName("print_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("preview")
        self.scroll.setWidgetResizable(True)
        self.scroll.setStyleSheet("QScrollArea#preview { background: #8a9099; }")
        self.sheet = QWidget()
        self.sheet.setStyleSheet("background: #8a9099;")
        self.sheet_layout = QVBoxLayout(self.sheet)
        self.sheet_layout.setSpacing(16)
        self.sheet_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll.setWidget(self.sheet)
        layout.addWidget(self.scroll, 1)
        buttons = QHBoxLayout()
        hint = QLabel(self.tr("Ctrl+P 打印　Ctrl+S 另存为PDF　Esc 关闭"))
        hint.setStyleSheet("color: #555;")
        buttons.addWidget(hint)
        buttons.addStretch(1)
        self.print_button = QPushButton(self.tr("打印(&P)…"))
        self.print_button.setObjectName("print_button")
        self.print_button.clicked.connect(lambda: self.print_document())
        self.save_button = QPushButton(self.tr("另存为PDF(&S)…"))
        self.save_button.setObjectName("save_pdf_button")
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.close_button = QPushButton(self.tr("关闭"))
        self.close_button.setObjectName("close_button")
        self.close_button.clicked.connect(self.reject)
        for b in (self.print_button, self.save_button, self.close_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        self.print_button.setDefault(True)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=lambda: self.print_document())
        QShortcut(QKeySequence.StandardKey.Save, self, activated=lambda: self.save_pdf())
        self._set_ready(False)

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    # ----- the document --------------------------------------------------------------------
    @property
    def pdf(self) -> bytes | None:
        """The bytes shown now (exactly what the service returned), None while loading or on error."""
        return self._pdf.get(self.fmt)

    def _format_changed(self, _index: int) -> None:
        fmt = self.format_box.currentData()
        if fmt and fmt != self.fmt:
            self.fmt = fmt
            self._load(fmt)

    def _load(self, fmt: str) -> None:
        self._request += 1
        request = self._request
        self.error = ""
        self._clear_pages()
        self._set_ready(False)
        self.busy = True
        if fmt in self._pdf:
            self._rasterize_preview(fmt, request)
            return
        self._say(self.tr("正在生成文书……"))
        self.ctx.tasks.run(self.provider, fmt, on_done=lambda result: self._received(fmt, request, result),
                           on_error=lambda exc: self._failed(request, exc))

    def _keep(self, fmt: str, result: Any) -> bool:
        """Store bytes (or a PrintedDocument's bytes and its copy number) for ``fmt``."""
        pdf = getattr(result, "pdf", result)
        if not isinstance(pdf, (bytes, bytearray)):
            return False
        self._pdf[fmt] = bytes(pdf)
        self._results[fmt] = result
        copy_no = getattr(result, "copy_no", None)
        if isinstance(copy_no, int):
            self._copy_note[fmt] = (self.tr("本份为副本（第{0}份），文书上已标明“副本”。").format(copy_no)
                                    if copy_no > 1 else self.tr("本份为原件。"))
        return True

    def _received(self, fmt: str, request: int, result: Any) -> None:
        if not self._keep(fmt, result):
            self._failed(request, TypeError("pdf provider returned no bytes"))
            return
        if request == self._request:
            self._rasterize_preview(fmt, request)

    def _rasterize_preview(self, fmt: str, request: int) -> None:
        self._say(self.tr("正在准备预览……"))
        dpi = PREVIEW_DPI * max(1.0, self.devicePixelRatioF())
        self.ctx.tasks.run(printing.rasterize, self._pdf[fmt], dpi,
                           on_done=lambda pages: self._show_pages(request, pages),
                           on_error=lambda exc: self._failed(request, exc))

    def _show_pages(self, request: int, pages: list[RasterPage]) -> None:
        if request != self._request:
            return
        self._clear_pages()
        ratio = max(1.0, self.devicePixelRatioF())
        for i, page in enumerate(pages):
            label = QLabel()
            label.setObjectName(f"preview_page_{i + 1}")
            pixmap = QPixmap.fromImage(to_qimage(page))
            pixmap.setDevicePixelRatio(ratio)
            label.setPixmap(pixmap)
            label.setStyleSheet("background: white; border: 1px solid #5b616a;")
            label.setAccessibleName(self.tr("第{0}页").format(i + 1))
            self.sheet_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.page_count = len(pages)
        self.pages_label.setText(self.tr("共 {0} 页").format(len(pages)))
        self.busy = False
        self._say(self._copy_note.get(self.fmt, ""))
        self._set_ready(True)
        self.print_button.setFocus()
        self.loaded.emit(self.fmt)

    def _clear_pages(self) -> None:
        while self.sheet_layout.count():
            item = self.sheet_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.page_count = 0
        self.pages_label.setText("")

    def _failed(self, request: int, exc: BaseException) -> None:
        if request != self._request:
            return
        self.busy = False
        self.error = self.ctx.error_text(exc)
        self._say(self.error, error=True)
        self._set_ready(self.pdf is not None)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setVisible(bool(text))

    # ----- recording ------------------------------------------------------------------------
    def _ensure_recorded(self) -> bool:
        """Record the shown preview before it leaves the window (printer or file); False if refused."""
        if self.recorder is None or self.fmt in self._recorded:
            return True
        try:
            self.recorder(self._results[self.fmt])
        except Exception as exc:   # noqa: BLE001 — shown to the clerk, nothing printed
            self.error = self.ctx.error_text(exc)
            self._say(self.error, error=True)
            return False
        self._recorded.add(self.fmt)
        for other in [f for f in self._pdf if f != self.fmt]:
            self._pdf.pop(other, None)
            self._results.pop(other, None)
            self._copy_note.pop(other, None)
        return True

    # ----- printing ------------------------------------------------------------------------
    def print_document(self, printer: QPrinter | None = None) -> bool:
        """Print the pages shown. Without ``printer`` the system print dialog picks one (and is remembered);
        with one (tests, or a caller that already chose), it is printed to directly."""
        pdf = self.pdf
        if pdf is None or self.busy:
            return False
        if printer is None:
            printer = self._choose_printer(pdf)
            if printer is None:
                return False
        if not self._ensure_recorded():
            return False
        self.busy = True
        self._set_ready(False)
        self._say(self.tr("正在打印……"))
        request = self._request
        self.ctx.tasks.run(printing.rasterize, pdf, PRINT_DPI,
                           on_done=lambda pages: self._paint(request, printer, pages),
                           on_error=lambda exc: self._failed(request, exc))
        return True

    def _choose_printer(self, pdf: bytes) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        saved = setting_str(self.ctx.settings, SETTING_PRINTER)
        if saved and saved in QPrinterInfo.availablePrinterNames():
            printer.setPrinterName(saved)
        sizes = printing.page_sizes_pt(pdf)
        if sizes:
            w, h = sizes[0]
            printer.setPageLayout(QPageLayout(QPageSize(QSizeF(w, h), QPageSize.Unit.Point, "",
                                                        QPageSize.SizeMatchPolicy.FuzzyMatch),
                                              QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("打印"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        if printer.outputFormat() == QPrinter.OutputFormat.NativeFormat:
            self.ctx.settings.setValue(SETTING_PRINTER, printer.printerName())
        return printer

    def _paint(self, request: int, printer: QPrinter, pages: list[RasterPage]) -> None:
        self.busy = False
        if request != self._request or not pages:
            self._set_ready(self.pdf is not None)
            return
        printer.setResolution(PRINT_DPI)
        if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
            set_printer_page(printer, pages[0])
        ok = paint_pages(printer, pages)
        self._set_ready(True)
        if not ok:
            self.error = self.tr("打印机无法开始打印，请检查打印机是否开机、连接正常、纸张充足。")
            self._say(self.error, error=True)
            return
        self.ctx.settings.setValue(self.remember_key, self.fmt)
        self.ctx.settings.sync()
        self._say(self.tr("已送往打印机（共 {0} 页）。").format(len(pages)))
        self.printed.emit()

    # ----- saving --------------------------------------------------------------------------
    def save_pdf(self) -> str | None:
        """Write the exact PDF bytes where the clerk chooses."""
        pdf = self.pdf
        if pdf is None or self.busy:
            return None
        chosen = ask_save_file(self, self.ctx.settings, "pdf", self.tr("另存为PDF"), self.file_name,
                               self.tr("PDF 文件 (*.pdf)"), ".pdf")
        if chosen is None:
            return None
        path = str(chosen)
        if not self._ensure_recorded():
            return None
        try:
            Path(path).write_bytes(pdf)
        except OSError as exc:
            log.warning("saving a PDF failed: %s", exc.__class__.__name__)
            self.error = self.tr("无法保存到该位置（{0}），请换一个文件夹。").format(exc.strerror or "")
            self._say(self.error, error=True)
            return None
        self._say(self.tr("已保存：{0}").format(path))
        self.saved.emit(path)
        return path


