"""Dialogs of the 调查核实 tab: a home visit, the economic-check request and its result, a neighbour
visit, a 民主评议 — and the viewer of an attachment.

Each dialog saves through the investigation service on the worker when 确定
is pressed and closes only when the service accepted; a refusal (Chinese,
nothing changed) stays in the dialog's error line so nothing typed is lost.
Attachments are read from a file the clerk picks (PDF or image); the
service checks the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.investigation import DeliberationResult, EconomicCheckConclusion
from desktop.services.documents import printers as printing
from desktop.services.investigation import records as inv

from .. import style
from ..context import UiContext, pc_settings
from ..files import ask_open_file, ask_save_file
from .dialogs import _ConfirmDialog, parse_yuan

_NAME_SPLIT = re.compile(r"[\u3001,\uff0c;\uff1b\s]+")   # 、 , ， ; ； and spaces
FILE_PATTERN = "*.pdf *.jpg *.jpeg *.png *.webp"


def date_edit(name: str, today: date) -> QDateEdit:
    edit = QDateEdit(QDate(today.year, today.month, today.day))
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMaximumDate(QDate(today.year, today.month, today.day))
    return edit


def date_of(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


def text_box(name: str, placeholder: str, height: int = 80) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


class AttachmentPicker(QWidget):
    """选择文件… / 清除, with the chosen file's name and size."""

    def __init__(self, name: str, ctx: UiContext) -> None:
        super().__init__()
        self.setObjectName(name)
        self.ctx = ctx
        self.attachment: inv.AttachmentInput | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self.tr("未选择（可不附）"))
        self.label.setStyleSheet("color: #555;")
        choose = QPushButton(self.tr("选择文件…"))
        choose.setObjectName(f"{name}_choose")
        choose.clicked.connect(self.choose)
        self.clear_button = QPushButton(self.tr("清除"))
        self.clear_button.clicked.connect(self.clear)
        self.clear_button.setEnabled(False)
        row.addWidget(self.label, 1)
        row.addWidget(choose)
        row.addWidget(self.clear_button)

    def choose(self) -> None:
        chosen = ask_open_file(self, self.ctx.settings, "investigation", self.tr("选择扫描件或照片"),
                               self.tr("PDF 或图片 ({0})").format(FILE_PATTERN))
        if chosen is not None:
            self.set_file(chosen)

    def set_file(self, path: Path) -> str:
        """Read the file (a problem is shown next to it and returned; "" when read)."""
        try:
            size = path.stat().st_size
            if size > inv.MAX_ATTACHMENT_BYTES:
                raise ValueError(self.tr("文件太大（{0:.1f} MB），不能超过{1} MB。").format(
                    size / 1024 / 1024, inv.MAX_ATTACHMENT_BYTES // 1024 // 1024))
            data = path.read_bytes()
        except (OSError, ValueError) as exc:
            self.clear()
            text = str(exc) if isinstance(exc, ValueError) else self.tr("无法读取该文件。")
            self.label.setText(text)
            self.label.setStyleSheet(style.ERROR_TEXT)
            return text
        self.attachment = inv.AttachmentInput(path.name, data)
        self.label.setText(self.tr("{0}（{1} KB）").format(path.name, max(1, len(data) // 1024)))
        self.label.setStyleSheet("")
        self.clear_button.setEnabled(True)
        return ""

    def clear(self) -> None:
        self.attachment = None
        self.label.setText(self.tr("未选择（可不附）"))
        self.label.setStyleSheet("color: #555;")
        self.clear_button.setEnabled(False)


class _SaveDialog(_ConfirmDialog):
    """确定 runs ``save(session, …)`` on the worker; the dialog closes only when it succeeded."""

    def __init__(self, ctx: UiContext, title: str, save: Callable[..., Any], target: str,
                 today: date, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.ctx = ctx
        self.save = save
        self.target = target
        self.today = today
        self.saving = False
        self.setMinimumWidth(560)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)

    def form_input(self) -> Any:
        raise NotImplementedError

    def try_accept(self) -> None:
        if self.saving:
            return
        problem = self.problem()
        self.show_error(problem)
        if problem:
            return
        self.saving = True
        self.ok_button.setEnabled(False)
        self.ctx.tasks.run(self.save, self.ctx.session, self.target, self.form_input(), today=self.today,
                           on_done=self._saved, on_error=self._failed)

    def _saved(self, _result: object) -> None:
        self.saving = False
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.saving = False
        self.ok_button.setEnabled(True)
        self.show_error(self.ctx.error_text(exc))


class HomeVisitDialog(_SaveDialog):
    def __init__(self, ctx: UiContext, case_uuid: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("登记入户调查"), inv.record_home_visit, case_uuid, today, parent)
        self.setObjectName("home_visit_dialog")
        self.visited_on = date_edit("visited_on", today)
        self.investigators = QLineEdit()
        self.investigators.setObjectName("investigators")
        self.investigators.setPlaceholderText(self.tr("两名以上，用顿号分隔，如：王晓燕、李建军"))
        self.findings = text_box("findings", self.tr("家庭成员、收入、住房、财产、劳动能力等调查情况（必填）"), 110)
        self.amount = QLineEdit()
        self.amount.setObjectName("proposed_amount")
        self.amount.setPlaceholderText(self.tr("公示上的月救助金额，可不填，如 520"))
        self.form_file = AttachmentPicker("signed_form", ctx)
        self.form.addRow(self.tr("调查日期："), self.visited_on)
        self.form.addRow(self.tr("调查人员："), self.investigators)
        self.form.addRow(self.tr("调查情况："), self.findings)
        self.form.addRow(self.tr("拟月救助金额（元）："), self.amount)
        self.form.addRow(self.tr("签字的调查表："), self.form_file)
        self._finish()
        self.investigators.setFocus()

    def names(self) -> tuple[str, ...]:
        return tuple(n for n in _NAME_SPLIT.split(self.investigators.text().strip()) if n)

    def problem(self) -> str:
        if len(set(self.names())) < 2:
            return self.tr("入户调查须由2名以上工作人员进行：请填写每位调查人员的姓名。")
        if not self.findings.toPlainText().strip():
            return self.tr("请填写调查情况。")
        if self.amount.text().strip() and parse_yuan(self.amount.text(), self.tr("元")) is None:
            return self.tr("拟救助金额请填写金额（元，最多两位小数）。")
        return ""

    def form_input(self) -> inv.HomeVisitInput:
        amount = parse_yuan(self.amount.text(), self.tr("元")) if self.amount.text().strip() else None
        return inv.HomeVisitInput(date_of(self.visited_on), self.names(), self.findings.toPlainText(), amount,
                                  self.form_file.attachment)


class CheckRequestDialog(_SaveDialog):
    def __init__(self, ctx: UiContext, case_uuid: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("登记经济状况核对申请"), inv.request_economic_check, case_uuid, today, parent)
        self.setObjectName("check_request_dialog")
        self.requested_on = date_edit("requested_on", today)
        self.requested_to = QLineEdit(self.tr("县居民家庭经济状况核对中心"))
        self.requested_to.setObjectName("requested_to")
        self.note = text_box("note", self.tr("可不填，如：已附授权书，核对范围含车辆、不动产、存款"), 60)
        self.form.addRow(self.tr("申请日期："), self.requested_on)
        self.form.addRow(self.tr("向谁申请："), self.requested_to)
        self.form.addRow(self.tr("备注："), self.note)
        self._finish()
        self.requested_to.setFocus()

    def problem(self) -> str:
        return "" if self.requested_to.text().strip() else self.tr("请填写核对机构（向谁申请）。")

    def form_input(self) -> inv.CheckRequestInput:
        return inv.CheckRequestInput(date_of(self.requested_on), self.requested_to.text(), self.note.toPlainText())


class CheckResultDialog(_SaveDialog):
    def __init__(self, ctx: UiContext, check_uuid: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("登记核对报告"), inv.record_check_result, check_uuid, today, parent)
        self.setObjectName("check_result_dialog")
        self.result_on = date_edit("result_on", today)
        self.conclusion = QComboBox()
        self.conclusion.setObjectName("conclusion")
        for c in EconomicCheckConclusion:
            self.conclusion.addItem(c.label, c.value)
        self.summary = text_box("summary", self.tr("核对情况摘要（必填），如：无车辆、无商品房，存款低于规定"))
        self.report = AttachmentPicker("report", ctx)
        self.form.addRow(self.tr("报告日期："), self.result_on)
        self.form.addRow(self.tr("核对结论："), self.conclusion)
        self.form.addRow(self.tr("摘要："), self.summary)
        self.form.addRow(self.tr("核对报告："), self.report)
        self._finish()
        self.conclusion.setFocus()

    def problem(self) -> str:
        return "" if self.summary.toPlainText().strip() else self.tr("请填写核对情况摘要。")

    def form_input(self) -> inv.CheckResultInput:
        return inv.CheckResultInput(date_of(self.result_on), self.conclusion.currentData(),
                                    self.summary.toPlainText(), self.report.attachment)


class NeighbourVisitDialog(_SaveDialog):
    def __init__(self, ctx: UiContext, case_uuid: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("登记邻里访问"), inv.record_neighbour_visit, case_uuid, today, parent)
        self.setObjectName("neighbour_visit_dialog")
        self.visited_on = date_edit("visited_on", today)
        self.interviewees = QLineEdit()
        self.interviewees.setObjectName("interviewees")
        self.interviewees.setPlaceholderText(self.tr("如：邻居张某、村民小组长李某"))
        self.summary = text_box("summary", self.tr("走访情况（必填）"))
        self.form.addRow(self.tr("走访日期："), self.visited_on)
        self.form.addRow(self.tr("走访对象："), self.interviewees)
        self.form.addRow(self.tr("走访情况："), self.summary)
        self._finish()
        self.interviewees.setFocus()

    def problem(self) -> str:
        if not self.interviewees.text().strip():
            return self.tr("请填写走访对象。")
        return "" if self.summary.toPlainText().strip() else self.tr("请填写走访情况。")

    def form_input(self) -> inv.NeighbourVisitInput:
        return inv.NeighbourVisitInput(date_of(self.visited_on), self.interviewees.text(), self.summary.toPlainText())


class DeliberationDialog(_SaveDialog):
    def __init__(self, ctx: UiContext, case_uuid: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("登记民主评议"), inv.record_deliberation, case_uuid, today, parent)
        self.setObjectName("deliberation_dialog")
        self.held_on = date_edit("held_on", today)
        self.participants = QSpinBox()
        self.participants.setObjectName("participants")
        self.participants.setRange(3, inv.MAX_PARTICIPANTS)
        self.participants.setValue(7)
        self.participants.setSuffix(self.tr(" 人"))
        self.result = QComboBox()
        self.result.setObjectName("deliberation_result")
        for r in DeliberationResult:
            self.result.addItem(r.label, r.value)
        self.summary = text_box("summary", self.tr("评议情况，可不填"), 60)
        self.minutes = AttachmentPicker("minutes", ctx)
        self.form.addRow(self.tr("评议日期："), self.held_on)
        self.form.addRow(self.tr("参加人数："), self.participants)
        self.form.addRow(self.tr("评议结果："), self.result)
        self.form.addRow(self.tr("评议情况："), self.summary)
        self.form.addRow(self.tr("评议记录："), self.minutes)
        self._finish()
        self.participants.setFocus()

    def form_input(self) -> inv.DeliberationInput:
        return inv.DeliberationInput(date_of(self.held_on), self.participants.value(), self.result.currentData(),
                                     self.summary.toPlainText(), self.minutes.attachment)


def load_attachment(session: Any, attachment_uuid: str) -> tuple[inv.AttachmentInfo, bytes, list[printing.RasterPage]]:
    """On the worker: the attachment and, for a PDF, its first pages rendered for the screen."""
    info, data = inv.attachment_data(session, attachment_uuid)
    pages: list[printing.RasterPage] = []
    if info.mime == "application/pdf":
        try:
            pages = printing.rasterize(data, 72)[:5]
        except printing.PdfUnreadable:
            pages = []    # shown as "cannot display"; it can still be saved and opened elsewhere
    return info, data, pages


class AttachmentViewer(QDialog):
    """An attachment on screen (image, or the first pages of a PDF) with 另存为…."""

    def __init__(self, info: inv.AttachmentInfo, data: bytes, pages: list[printing.RasterPage],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachment_viewer")
        self.info, self.data = info, data
        self.setWindowTitle(self.tr("{0}：{1}").format(info.purpose_label, info.file_name))
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        holder = QWidget()
        column = QVBoxLayout(holder)
        images: list[QImage] = []
        if pages:
            for p in pages:
                images.append(QImage(p.rgba, p.width, p.height, p.stride, QImage.Format.Format_RGBX8888).copy())
        else:
            image = QImage()
            image.loadFromData(data)
            images.append(image)
        self.shown_images = 0
        for image in images:
            label = QLabel()
            if image.isNull():
                label.setText(self.tr("无法显示该文件，请另存后用其他程序打开。"))
            else:
                label.setPixmap(QPixmap.fromImage(image).scaledToWidth(min(700, image.width()),
                                                                       Qt.TransformationMode.SmoothTransformation))
                self.shown_images += 1
            column.addWidget(label)
        column.addStretch(1)
        scroll.setWidget(holder)
        layout.addWidget(scroll, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("{0} KB · SHA-256 {1}…").format(max(1, info.size // 1024), info.sha256[:16])))
        row.addStretch(1)
        save = QPushButton(self.tr("另存为…"))
        save.setObjectName("save_attachment")
        save.clicked.connect(self.save_as)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.reject)
        row.addWidget(save)
        row.addWidget(close)
        layout.addLayout(row)

    def save_as(self) -> str:
        suffix = Path(self.info.file_name).suffix
        chosen = ask_save_file(self, pc_settings(), "attachment", self.tr("另存附件"), self.info.file_name,
                               self.tr("原文件类型 (*{0})").format(suffix), suffix)
        if chosen is None:
            return ""
        self.save_to(chosen)
        return str(chosen)

    def save_to(self, path: Path) -> None:
        path.write_bytes(self.data)
