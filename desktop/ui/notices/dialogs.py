"""Dialogs of a notice batch: record a posting, an objection, its handling; withdraw; change the day.

Each dialog collects what the clerk typed and calls the notice service on
the task runner when 确定 is pressed. A refusal (bad date, empty place…)
keeps the dialog open with the service's Chinese message under the fields,
the field it names marked and focused — and nothing was written. Success
closes the dialog; ``result_value`` holds what the service returned.
Ctrl+Enter confirms (Enter inside a multi-line box makes a new line), Esc cancels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from desktop.domain.errors import YimenError
from desktop.domain.notice import ObjectionChannel, ObjectionResult
from desktop.services.notices import batches as notices
from desktop.services.notices.batches import BatchCaseRow, ObjectionInfo

from .. import style
from ..context import UiContext
from ..dialogs import FormDialog

ERROR_STYLE = style.ERROR_TEXT_BOLD
BAD_FIELD_STYLE = style.BAD_FIELD


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_edit(name: str, initial: date) -> QDateEdit:
    box = QDateEdit(QDate(initial.year, initial.month, initial.day))
    box.setObjectName(name)
    box.setCalendarPopup(True)
    box.setDisplayFormat("yyyy-MM-dd")
    return box


def text_box(name: str, placeholder: str, height: int = 90) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setMinimumHeight(height)
    return box


class ServiceDialog(FormDialog):
    """Fields, an error line and 确定/取消; 确定 runs :meth:`call` on the worker."""

    def __init__(self, ctx: UiContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent, min_width=520)
        self.ctx = ctx
        self.busy = False
        self.error_text = ""
        self.result_value: Any = None
        self.fields: dict[str, QWidget] = {}      # service field name -> widget to mark
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

    def add_row(self, label: str, widget: QWidget, field: str = "") -> None:
        super().add_row(label, widget)
        if field:
            self.fields[field] = widget

    def finish(self, ok_text: str = "", *, enter_accepts: bool = False) -> None:
        super().finish(ok_text, enter_accepts=enter_accepts)

    # ----- running the service -------------------------------------------------------------
    def call(self) -> Callable[[], Any]:
        """The service call to run with what was typed (no widgets inside)."""
        raise NotImplementedError

    def try_accept(self) -> None:
        if self.busy:
            return
        self.show_error("")
        fn = self.call()
        self.busy = True
        self.ok_button.setEnabled(False)
        self.ctx.tasks.run(fn, on_done=self._done, on_error=self._failed)

    def _done(self, result: Any) -> None:
        self.busy = False
        self.ok_button.setEnabled(True)
        self.result_value = result
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.ok_button.setEnabled(True)
        self.show_error(self.ctx.error_text(exc), exc.field if isinstance(exc, YimenError) else "")

    def show_error(self, text: str, field: str = "") -> None:
        self.error_text = text
        self.error.setText(text)
        self.error.setVisible(bool(text))
        for name, widget in self.fields.items():
            widget.setStyleSheet(BAD_FIELD_STYLE if text and name == field else "")
        if text and field in self.fields:
            self.fields[field].setFocus()


class PostingDialog(ServiceDialog):
    """登记张贴: the day, the place and who put it up (the first posting starts the notice)."""

    def __init__(self, ctx: UiContext, batch_uuid: str, first: bool, start_on: date, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("登记张贴") if first else self.tr("登记另一处张贴"), parent)
        self.batch_uuid = batch_uuid
        note = QLabel(self.tr("海报贴出后再登记。登记后公示期开始，名单中的案件转为“公示中”。") if first
                      else self.tr("同一份公示在另一处张贴时登记（日期应在公示期内）。"))
        note.setWordWrap(True)
        self.layout_.addWidget(note)
        self.posted_on = date_edit("posted_on", start_on if first else today)
        self.place = QLineEdit()
        self.place.setObjectName("place")
        self.place.setPlaceholderText(self.tr("例如：东坪村村务公开栏"))
        self.posted_by = QLineEdit()
        self.posted_by.setObjectName("posted_by")
        self.posted_by.setPlaceholderText(self.tr("张贴人姓名"))
        self.note = QLineEdit()
        self.note.setObjectName("posting_note")
        self.add_row(self.tr("张贴日期(&D)："), self.posted_on, "posted_on")
        self.add_row(self.tr("张贴地点(&L)："), self.place, "place")
        self.add_row(self.tr("张贴人(&W)："), self.posted_by, "posted_by")
        self.add_row(self.tr("备注："), self.note, "note")
        self.finish(self.tr("登记张贴"))
        self.place.setFocus()

    def call(self) -> Callable[[], Any]:
        session, uuid = self.ctx.session, self.batch_uuid
        form = notices.PostingInput(to_date(self.posted_on.date()), self.place.text(), self.posted_by.text(),
                                    self.note.text())
        return lambda: notices.post_batch(session, uuid, form)


class ObjectionDialog(ServiceDialog):
    """登记异议 on one listed case: the case goes back to investigation."""

    def __init__(self, ctx: UiContext, batch_uuid: str, cases: Sequence[BatchCaseRow], chosen: str, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("登记异议"), parent)
        self.batch_uuid = batch_uuid
        note = QLabel(self.tr("登记后该案件退回“调查中”，重新调查后可再次公示。反映人信息仅供内部核实，不公开。"))
        note.setWordWrap(True)
        self.layout_.addWidget(note)
        self.case_box = QComboBox()
        self.case_box.setObjectName("objection_case")
        for c in cases:
            self.case_box.addItem(self.tr("{0}　{1}").format(c.holder_name, c.case_number_display), c.case_uuid)
        self.case_box.setCurrentIndex(max(0, self.case_box.findData(chosen)))
        self.received_on = date_edit("received_on", today)
        self.channel = QComboBox()
        self.channel.setObjectName("objection_channel")
        for ch in ObjectionChannel:
            self.channel.addItem(ch.label, ch.value)
        self.anonymous = QCheckBox(self.tr("匿名反映(&A)"))
        self.anonymous.setObjectName("anonymous")
        self.name = QLineEdit()
        self.name.setObjectName("objector_name")
        self.contact = QLineEdit()
        self.contact.setObjectName("objector_contact")
        self.content = text_box("objection_content", self.tr("反映的具体内容"))
        self.anonymous.toggled.connect(self._anonymous_toggled)
        self.add_row(self.tr("案件(&C)："), self.case_box, "case")
        self.add_row(self.tr("收到日期(&D)："), self.received_on, "received_on")
        self.add_row(self.tr("反映方式(&H)："), self.channel, "channel")
        self.add_row("", self.anonymous, "anonymous")
        self.add_row(self.tr("反映人(&N)："), self.name, "objector_name")
        self.add_row(self.tr("联系方式："), self.contact, "objector_contact")
        self.add_row(self.tr("异议内容(&T)："), self.content, "content")
        self.finish(self.tr("登记异议"))
        self.case_box.setFocus()

    def _anonymous_toggled(self, on: bool) -> None:
        for w in (self.name, self.contact):
            if on:
                w.clear()
            w.setEnabled(not on)

    def call(self) -> Callable[[], Any]:
        session, uuid, case = self.ctx.session, self.batch_uuid, self.case_box.currentData() or ""
        form = notices.ObjectionInput(to_date(self.received_on.date()), self.channel.currentData(),
                                      self.content.toPlainText(), self.anonymous.isChecked(), self.name.text(),
                                      self.contact.text())
        return lambda: notices.record_objection(session, uuid, case, form)


class HandleObjectionDialog(ServiceDialog):
    """登记异议处理结果."""

    def __init__(self, ctx: UiContext, objection: ObjectionInfo, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("登记异议处理结果"), parent)
        self.objection_uuid = objection.uuid
        who = self.tr("匿名") if objection.anonymous else objection.objector_name
        about = QLabel(self.tr("案件 {0}，{1}（{2}）：{3}").format(
            objection.case_number_display, who, objection.channel_label, objection.content))
        about.setWordWrap(True)
        self.layout_.addWidget(about)
        self.handling = text_box("handling", self.tr("如：重新入户调查、民主评议的情况"))
        self.result_box = QComboBox()
        self.result_box.setObjectName("objection_result")
        self.result_box.addItem(self.tr("（请选择）"), "")
        for r in ObjectionResult:
            self.result_box.addItem(r.label, r.value)
        self.add_row(self.tr("处理情况(&H)："), self.handling, "handling")
        self.add_row(self.tr("处理结果(&R)："), self.result_box, "result")
        self.finish()
        self.handling.setFocus()

    def call(self) -> Callable[[], Any]:
        session, uuid = self.ctx.session, self.objection_uuid
        handling, result = self.handling.toPlainText(), self.result_box.currentData() or ""
        return lambda: notices.handle_objection(session, uuid, handling, result)


class WithdrawDialog(ServiceDialog):
    """撤回公示 (or discard a draft) with a reason."""

    def __init__(self, ctx: UiContext, batch_uuid: str, posted: bool, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("撤回公示") if posted else self.tr("放弃草稿"), parent)
        self.batch_uuid = batch_uuid
        note = QLabel(self.tr("撤回后名单中仍在公示的案件退回“调查中”，可列入新的公示。理由将印在撤回说明上公开张贴，"
                              "不要写电话、银行卡或身份证号码。") if posted
                      else self.tr("草稿尚未张贴，放弃后名单中的案件可列入新的公示。"))
        note.setWordWrap(True)
        self.layout_.addWidget(note)
        self.reason = text_box("withdraw_reason", self.tr("撤回的理由"), 70)
        self.add_row(self.tr("理由(&R)："), self.reason, "reason")
        self.finish(self.tr("撤回公示") if posted else self.tr("放弃草稿"))
        self.reason.setFocus()

    def call(self) -> Callable[[], Any]:
        session, uuid, reason = self.ctx.session, self.batch_uuid, self.reason.toPlainText()
        return lambda: notices.withdraw_batch(session, uuid, reason)


class StartDateDialog(ServiceDialog):
    """改张贴日期 of a draft: the period is computed again (the poster must be printed again)."""

    def __init__(self, ctx: UiContext, batch_uuid: str, start_on: date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("修改张贴日期"), parent)
        self.batch_uuid = batch_uuid
        note = QLabel(self.tr("公示期按新的张贴日期重新计算；改后须重新打印海报。"))
        note.setWordWrap(True)
        self.layout_.addWidget(note)
        self.start_on = date_edit("start_on", start_on)
        self.add_row(self.tr("张贴日期(&D)："), self.start_on, "start_on")
        self.finish()
        self.start_on.setFocus()

    def call(self) -> Callable[[], Any]:
        session, uuid, day = self.ctx.session, self.batch_uuid, to_date(self.start_on.date())
        return lambda: notices.set_start_date(session, uuid, day)
