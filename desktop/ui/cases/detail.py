"""案件详情: the case at a glance, its actions, the documents to print, and four tabs of detail.

Everything is read with one service call (``case_queries.case_detail``) on
the worker. Actions come from the service (``cases.options`` refined with
why an action cannot be taken now); one is applied only after its dialog
collected the reason or amount it needs, and a refusal shows the service's
Chinese message and changes nothing. Printing opens :class:`PrintDialog` on
bytes the document service made from the committed case; reprints are marked
副本 by that service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.admin.accounts import Permission
from desktop.services.cases import queries as case_queries
from desktop.services.cases.detail import (
    PRINT_AUTHORIZATION,
    PRINT_DECISION_REFUSAL,
    PRINT_MISSING,
    PRINT_RECEIPT,
    PRINT_REFERRAL,
    PRINT_REFUSAL,
)
from desktop.services.cases.queries import ActionOption, CaseDetail
from desktop.services.documents import issue as documents
from desktop.services.documents import printers as printing
from desktop.services.documents.issue import DocumentKind, PrintHistoryRow
from desktop.services.emergency import grants as emergency
from desktop.services.workflow import transitions as cases

from .. import style
from ..context import PRINT_FORMAT_A4, PRINT_FORMAT_ROLL80, UiContext
from ..files import case_document_file_name
from ..printing import PrintDialog
from ..referrals.case_tab import CaseTimeLimitsTab
from ..typography import set_font_scale
from .dialogs import ActionDialog, ReasonDialog
from .emergency_dialog import EmergencyAidDialog
from .investigation_tab import InvestigationTab
from .tabs import DocumentsTab, MembersTab, PrintHistoryTab, TimelineTab, local_time

ERROR_STYLE = style.ERROR_BANNER
OK_STYLE = style.OK_BANNER
BADGE_STYLE = "background: #2f6fab; color: white; padding: 2px 10px; border-radius: 3px;"
OVERDUE_STYLE = f"background: {style.ERROR_COLOR}; color: white; padding: 2px 10px; border-radius: 3px;"


@dataclass(frozen=True)
class SlipBundle:
    """The referral slips of several departments shown as one PDF, recorded together."""

    pdf: bytes
    parts: tuple[documents.PrintedDocument, ...]

    @property
    def copy_no(self) -> int:
        return max(p.copy_no for p in self.parts)


def print_provider(ctx: UiContext, case_uuid: str, what: str,
                   preview: bool = True) -> Callable[[str], documents.PrintedDocument | SlipBundle]:
    """fmt -> a document of a case: an unrecorded preview (recorded by :func:`print_recorder` when
    printed or saved), or with ``preview=False`` a recorded print. The referral slips of all
    departments come as one PDF."""
    session = ctx.session

    def provide(fmt: str) -> documents.PrintedDocument | SlipBundle:
        if what == PRINT_RECEIPT:
            return documents.print_receipt(session, case_uuid, fmt, preview=preview)  # type: ignore[arg-type]
        if what == PRINT_MISSING:
            return documents.print_missing_documents_notice(session, case_uuid, preview=preview)
        if what == PRINT_REFUSAL:
            return documents.print_refusal(session, case_uuid, preview=preview)
        if what == PRINT_DECISION_REFUSAL:
            return documents.print_decision_refusal(session, case_uuid, preview=preview)
        if what == PRINT_AUTHORIZATION:
            return documents.print_authorization(session, case_uuid, preview=preview)
        if what == PRINT_REFERRAL:
            parts = tuple(documents.print_referral_slips(session, case_uuid, preview=preview))
            return SlipBundle(printing.merge_pdfs([d.pdf for d in parts]), parts)
        raise ValueError(what)

    return provide


def print_recorder(ctx: UiContext, case_uuid: str) -> Callable[[object], list[documents.PrintedDocument]]:
    """Record a preview made by :func:`print_provider` when it is printed or saved."""

    def record(result: object) -> list[documents.PrintedDocument]:
        docs = list(result.parts) if isinstance(result, SlipBundle) else result
        return documents.record_preview(ctx.session, case_uuid, docs)  # type: ignore[arg-type]

    return record


_KIND_TO_PRINT = {
    DocumentKind.RECEIPT_A4: PRINT_RECEIPT, DocumentKind.RECEIPT_ROLL80: PRINT_RECEIPT,
    DocumentKind.MISSING_DOCUMENTS: PRINT_MISSING, DocumentKind.REFUSAL: PRINT_REFUSAL,
    DocumentKind.AUTHORIZATION: PRINT_AUTHORIZATION, DocumentKind.REFERRAL_SLIP: PRINT_REFERRAL,
    DocumentKind.DECISION_REFUSAL: PRINT_DECISION_REFUSAL,
}


class CaseDetailView(QWidget):
    """One case. ``closed`` asks the page to go back to the list; ``changed`` says the list is stale."""

    closed = Signal()
    changed = Signal()
    loaded = Signal()

    def __init__(self, ctx: UiContext, today: Callable[[], date] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today or ctx.session.clock.today
        self.setObjectName("case_detail")
        self.case_uuid = ""
        self.detail: CaseDetail | None = None
        self.loading = False
        self.action_dialog: ActionDialog | None = None
        self.reason_dialog: ReasonDialog | None = None
        self.print_dialog: PrintDialog | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        self.print_buttons: dict[str, QPushButton] = {}
        self._build()

    # ----- building ------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(6)
        top = QHBoxLayout()
        back = QPushButton(self.tr("← 返回列表(&B)"))
        back.setObjectName("back_button")
        back.setToolTip(self.tr("Esc"))
        back.clicked.connect(self.close_detail)
        top.addWidget(back)
        self.number = QLabel("")
        self.number.setObjectName("case_number")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_font_scale(self.number, 1.35, bold=True)
        top.addSpacing(8)
        top.addWidget(self.number)
        self.status_badge = QLabel("")
        self.status_badge.setObjectName("status_badge")
        self.status_badge.setStyleSheet(BADGE_STYLE)
        top.addWidget(self.status_badge)
        self.overdue_badge = QLabel("")
        self.overdue_badge.setObjectName("overdue_badge")
        self.overdue_badge.setStyleSheet(OVERDUE_STYLE)
        top.addWidget(self.overdue_badge)
        top.addStretch(1)
        refresh = QPushButton(self.tr("刷新"))
        refresh.setToolTip(self.tr("F5"))
        refresh.clicked.connect(self.reload)
        top.addWidget(refresh)
        layout.addLayout(top)
        self.facts = QGridLayout()
        self.facts.setHorizontalSpacing(12)
        self.facts.setVerticalSpacing(3)
        self.fact_values: dict[str, QLabel] = {}
        names = [("applicant", self.tr("申请人")), ("phone", self.tr("联系电话")), ("village", self.tr("村（社区）")),
                 ("categories", self.tr("救助类别")), ("channel", self.tr("申请方式")), ("clerk", self.tr("经办人")),
                 ("received", self.tr("申请时间")), ("accepted", self.tr("受理日期")), ("due", self.tr("办理期限")),
                 ("hukou", self.tr("户籍")), ("address", self.tr("家庭住址")), ("reason", self.tr("申请理由"))]
        grid = 10    # the short facts, three to a row; the long ones take a row each
        for i, (key, label) in enumerate(names):
            row, col = (i // 3, (i % 3) * 2) if i < grid else (4 + i - grid, 0)
            caption = QLabel(self.tr("{0}：").format(label))
            caption.setStyleSheet("color: #555;")
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = QLabel("")
            value.setObjectName(f"fact_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addWidget(caption, row, col)
            self.facts.addWidget(value, row, col + 1, 1, 1 if i < grid else 5)
            self.fact_values[key] = value
        for col in (1, 3, 5):
            self.facts.setColumnStretch(col, 1)
        layout.addLayout(self.facts)
        layout.addWidget(self._line())
        self.actions_row = QHBoxLayout()
        actions_caption = QLabel(self.tr("办理："))
        actions_caption.setStyleSheet("font-weight: bold;")
        self.actions_row.addWidget(actions_caption)
        self.actions_holder = QHBoxLayout()
        self.actions_row.addLayout(self.actions_holder)
        self.actions_row.addStretch(1)
        layout.addLayout(self.actions_row)
        self.blocked = QLabel("")
        self.blocked.setObjectName("blocked_actions")
        self.blocked.setWordWrap(True)
        self.blocked.setStyleSheet("color: #6d4c00;")
        layout.addWidget(self.blocked)
        self.print_row = QHBoxLayout()
        print_caption = QLabel(self.tr("打印："))
        print_caption.setStyleSheet("font-weight: bold;")
        self.print_row.addWidget(print_caption)
        self.print_holder = QHBoxLayout()
        self.print_row.addLayout(self.print_holder)
        self.print_row.addStretch(1)
        layout.addLayout(self.print_row)
        self.message = QLabel("")
        self.message.setObjectName("detail_message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("detail_tabs")
        self.members = MembersTab()
        self.members.reveal_requested.connect(self.reveal)
        self.documents_tab = DocumentsTab()
        self.documents_tab.receive_requested.connect(self.receive_documents)
        self.timeline = TimelineTab()
        self.history = PrintHistoryTab()
        self.history.reprint_requested.connect(self.reprint)
        self.history.void_requested.connect(self.void)
        for tab in (self.members, self.documents_tab, self.timeline, self.history):
            self.tabs.addTab(tab, "")
        self.investigation = InvestigationTab(self.ctx, self.today)
        self.investigation.changed.connect(self._after_change)
        self.tabs.addTab(self.investigation, self.tr("调查核实"))
        self.investigation.title.connect(lambda text: self.tabs.setTabText(self.tabs.indexOf(self.investigation), text))
        self.emergency_dialog: EmergencyAidDialog | None = None
        self.time_limits = CaseTimeLimitsTab(self.ctx)    # clocks and referrals (转办与时限)
        self.tabs.addTab(self.time_limits, self.time_limits.title())
        self.time_limits.loaded.connect(
            lambda: self.tabs.setTabText(self.tabs.indexOf(self.time_limits), self.time_limits.title()))
        layout.addWidget(self.tabs, 1)
        self.setFocusProxy(self.tabs)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.reload,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc (not taken by a child, e.g. an open combo box) goes back to the list."""
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.close_detail()
            return
        super().keyPressEvent(event)

    def _refocus(self) -> None:
        """After a dialog: back to this window, so the keys work here again."""
        self.window().activateWindow()
        self.setFocus()

    @staticmethod
    def _line() -> QFrame:
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #c8ccd2;")
        return line

    # ----- loading -------------------------------------------------------------------------
    def open_case(self, case_uuid: str) -> None:
        """Show another case: revealed numbers of the previous one are gone with it."""
        self.case_uuid = case_uuid
        self.detail = None
        self.members.show_members((), False)
        self.say("")
        self.number.setText(self.tr("正在读取…"))
        self.reload()

    def reload(self) -> None:
        if not self.case_uuid:
            return
        self.loading = True
        self.ctx.tasks.run(case_queries.case_detail, self.ctx.session, self.case_uuid, today=self.today(),
                           on_done=self.show_detail, on_error=self._load_failed, latest_only="case_detail")

    def _load_failed(self, exc: BaseException) -> None:
        self.loading = False
        self.say(self.ctx.error_text(exc), error=True)

    def show_detail(self, d: CaseDetail) -> None:
        self.loading = False
        if d.case_uuid != self.case_uuid:
            return
        self.detail = d
        self.number.setText(self.tr("案件 {0}").format(d.case_number_display))
        self.status_badge.setText(d.status_label)
        self.overdue_badge.setText(self.tr("超期 {0} 天").format(d.days_overdue))
        self.overdue_badge.setVisible(d.overdue)
        applicant = next((m.name for m in d.members if m.is_applicant), "")
        cats = self.tr("、").join(d.categories)
        emergency = self.tr("（急难型）") if d.emergency and "temp_emergency" not in d.category_codes else ""
        due = d.decision_due.isoformat() if d.decision_due else self.tr("未确定")
        if d.decision_due and d.due_provisional:
            due += self.tr("（暂定：节假日安排尚未发布，按法定节假日推算）")
        values = {
            "applicant": applicant, "village": d.village_name, "hukou": d.hukou_label,
            "phone": d.contact_phone or self.tr("未登记"),
            "categories": cats + emergency, "channel": d.channel_label,
            "clerk": d.clerk_name, "received": local_time(d.received_at),
            "accepted": d.accepted_on.isoformat() if d.accepted_on else self.tr("未受理"),
            "due": due, "address": d.address, "reason": d.reason,
        }
        for key, text in values.items():
            self.fact_values[key].setText(text)
        self._show_actions(d.actions)
        self._add_emergency_button(d)
        self._show_print_buttons(d.printable)
        self.members.show_members(d.members, d.can_reveal)
        self.documents_tab.show_documents(d.documents, self._can_receive(d))
        self.timeline.show_timeline(d)
        self.history.show_history(d.print_history, bool(d.printable) or self._can_print())
        self.investigation.show_case(d.case_uuid, d.emergency)
        missing = len(d.missing_documents)
        titles = (self.tr("家庭成员（{0}人）").format(len(d.members)),
                  self.tr("材料（缺{0}项）").format(missing) if missing else self.tr("材料（齐全）"),
                  self.tr("办理时间线"), self.tr("打印记录（{0}）").format(len(d.print_history)))
        for i, title in enumerate(titles):
            self.tabs.setTabText(i, title)
        self.time_limits.load(d.case_uuid, self.today())
        self.loaded.emit()

    def _can_print(self) -> bool:
        return self.ctx.session.can(Permission.PRINT_RECEIPT)

    def _can_receive(self, d: CaseDetail) -> bool:
        """补正 — and, after 先行救助, the documents that follow with the paperwork."""
        return d.status in ("pending_documents", "emergency_aided") and self.ctx.session.can(Permission.INTAKE)

    def _clear(self, holder: QHBoxLayout) -> None:
        while holder.count():
            item = holder.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def _show_actions(self, actions: tuple[ActionOption, ...]) -> None:
        self._clear(self.actions_holder)
        self.action_buttons.clear()
        blocked = []
        for opt in actions:
            button = QPushButton(opt.label)
            button.setObjectName(f"action_{opt.name}")
            button.setEnabled(opt.enabled)
            button.setToolTip(self.tr("→ {0}").format(opt.target_label) if opt.enabled
                              else self.tr("暂不能办理：{0}").format(opt.problem))
            button.clicked.connect(lambda _=False, o=opt: self.request_action(o))
            self.actions_holder.addWidget(button)
            self.action_buttons[opt.name] = button
            if not opt.enabled:
                blocked.append(self.tr("“{0}”暂不能办理：{1}").format(opt.label, opt.problem))
        if not actions:
            none = QLabel(self.tr("当前状态下您没有可办理的操作。"))
            none.setStyleSheet("color: #555;")
            self.actions_holder.addWidget(none)
        self.blocked.setText("\n".join(blocked))
        self.blocked.setVisible(bool(blocked))

    def _show_print_buttons(self, printable: tuple[str, ...]) -> None:
        self._clear(self.print_holder)
        self.print_buttons.clear()
        labels = {PRINT_RECEIPT: self.tr("受理通知书"), PRINT_MISSING: self.tr("一次性告知书"),
                  PRINT_REFUSAL: self.tr("不予受理告知书"), PRINT_AUTHORIZATION: self.tr("授权书"),
                  PRINT_REFERRAL: self.tr("转办单"), PRINT_DECISION_REFUSAL: self.tr("不予批准通知书")}
        for what in printable:
            button = QPushButton(labels[what])
            button.setObjectName(f"print_{what}")
            button.clicked.connect(lambda _=False, w=what: self.print_document(w))
            self.print_holder.addWidget(button)
            self.print_buttons[what] = button
        for i in range(self.print_row.count()):
            item = self.print_row.itemAt(i)
            if item is not None and item.widget() is not None:
                item.widget().setVisible(bool(printable))

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setVisible(bool(text))

    def close_detail(self) -> None:
        for dialog in (self.action_dialog, self.reason_dialog):
            if dialog is not None and dialog.isVisible():
                return
        self.members.show_members((), False)   # revealed numbers do not outlive the detail
        self.detail = None
        self.case_uuid = ""
        self.closed.emit()

    # ----- reveal --------------------------------------------------------------------------
    def reveal(self, person_uuid: str) -> None:
        self.ctx.tasks.run(case_queries.reveal_id, self.ctx.session, person_uuid,
                           on_done=lambda number: self._revealed(person_uuid, number),
                           on_error=lambda exc: self._reveal_failed(person_uuid, exc))

    def _revealed(self, person_uuid: str, number: str) -> None:
        self.members.show_number(person_uuid, number)

    def _reveal_failed(self, person_uuid: str, exc: BaseException) -> None:
        self.members.reveal_failed(person_uuid)
        self.say(self.ctx.error_text(exc), error=True)

    # ----- actions -------------------------------------------------------------------------
    def _add_emergency_button(self, d: CaseDetail) -> None:
        """先行救助 for an accepted emergency case — also for a clerk, whom the dialog asks for the
        supervisor's on-the-spot confirmation (the generic action is a supervisor's only)."""
        if not (d.emergency and d.status == "accepted" and self.ctx.session.can(Permission.TRANSITION_CASE)):
            return
        if "grant_emergency_aid" in self.action_buttons:
            self.action_buttons["grant_emergency_aid"].setText(self.tr("先行救助…"))
            return
        button = QPushButton(self.tr("先行救助…"))
        button.setObjectName("action_grant_emergency_aid")
        button.clicked.connect(self.open_emergency)
        self.actions_holder.insertWidget(0, button)
        self.action_buttons["grant_emergency_aid"] = button

    def open_emergency(self) -> EmergencyAidDialog | None:
        if self.detail is None:
            return None
        dialog = EmergencyAidDialog(self.ctx, self.detail.case_uuid, self.today, self)
        dialog.accepted.connect(lambda: self._emergency_done(dialog))
        dialog.finished.connect(self._refocus)
        self.emergency_dialog = dialog
        dialog.open()
        dialog.load()
        return dialog

    def _emergency_done(self, dialog: EmergencyAidDialog) -> None:
        r = dialog.result
        if r is not None:
            self.say(self.tr("先行救助已登记（{0}），案件状态：{1}").format(r.route.label, r.status.label))
        self._after_change()

    def request_action(self, option: ActionOption) -> ActionDialog | EmergencyAidDialog | None:
        d = self.detail
        if d is None:
            return None
        if option.name == "grant_emergency_aid":    # amount, reason, limit and repeat warning: its own dialog
            return self.open_emergency()
        dialog = ActionDialog(option, d.status_label, d.township_limit_cents, self)
        dialog.accepted.connect(lambda: self.perform_action(option.name, dialog.form_input()))
        dialog.finished.connect(self._refocus)
        self.action_dialog = dialog
        dialog.open()
        return dialog

    def perform_action(self, name: str, form: cases.TransitionInput) -> None:
        """Apply the action through the service; show its Chinese refusal, if any."""
        if not self.case_uuid:
            return
        self.say(self.tr("正在办理……"))
        self._set_actions_enabled(False)
        if name == "complete_emergency_paperwork":   # also stamps the 先行救助 grant as completed
            self.ctx.tasks.run(emergency.complete_paperwork, self.ctx.session, self.case_uuid,
                               on_done=self._action_done, on_error=self._action_failed)
            return
        self.ctx.tasks.run(case_queries.apply_action, self.ctx.session, self.case_uuid, name, form,
                           today=self.today(), on_done=lambda status, n=name: self._action_done(status, n),
                           on_error=self._action_failed)

    def _set_actions_enabled(self, enabled: bool) -> None:
        d = self.detail
        for name, button in self.action_buttons.items():
            opt = next((a for a in d.actions if a.name == name), None) if d is not None else None
            button.setEnabled(enabled and opt is not None and opt.enabled)

    def _action_done(self, status: Any, name: str = "") -> None:
        self.say(self.tr("已办理，案件状态：{0}").format(getattr(status, "label", str(status))))
        self._after_change()
        if name == "complete_documents" and getattr(status, "value", status) == "accepted" and self._can_print():
            # 受理补正完成 is the acceptance: its 受理通知书 opens as after intake (the commit has returned)
            self.say(self.tr("已受理，案件状态：{0}；受理通知书已生成，请在打印预览中打印交申请人。").format(
                getattr(status, "label", str(status))))
            self.print_document(PRINT_RECEIPT)

    def _action_failed(self, exc: BaseException) -> None:
        self._set_actions_enabled(True)
        self.say(self.ctx.error_text(exc), error=True)

    def _after_change(self) -> None:
        self.changed.emit()
        self.ctx.events.data_changed.emit()
        self.reload()

    def receive_documents(self, codes: list[str]) -> None:
        if not codes:
            self.say(self.tr("请先勾选已补交的材料。"), error=True)
            return
        self.ctx.tasks.run(cases.mark_documents_received, self.ctx.session, self.case_uuid, codes,
                           on_done=self._documents_received, on_error=self._action_failed)

    def _documents_received(self, still_missing: tuple[str, ...]) -> None:
        if still_missing:
            self.say(self.tr("已登记。仍缺少：{0}").format(self.tr("、").join(still_missing)))
        elif self.detail is not None and self.detail.status == "emergency_aided":
            self.say(self.tr("材料已齐全，可以办理“补办先行救助手续”。"))
        else:
            self.say(self.tr("材料已齐全，可以办理“受理补正完成”。"))
        self._after_change()

    # ----- printing ------------------------------------------------------------------------
    def print_document(self, what: str, fmt: str | None = None) -> PrintDialog | None:
        d = self.detail
        if d is None:
            return None
        titles = {PRINT_RECEIPT: self.tr("受理通知书"), PRINT_MISSING: self.tr("一次性告知书"),
                  PRINT_REFUSAL: self.tr("不予受理告知书"), PRINT_AUTHORIZATION: self.tr("家庭经济状况核对授权书"),
                  PRINT_REFERRAL: self.tr("转办单"), PRINT_DECISION_REFUSAL: self.tr("不予批准通知书")}
        formats = (PRINT_FORMAT_A4, PRINT_FORMAT_ROLL80) if what == PRINT_RECEIPT else (PRINT_FORMAT_A4,)
        # A reprint keeps the format of the paper it replaces; otherwise the PC's remembered format.
        dialog = PrintDialog(self.ctx, print_provider(self.ctx, d.case_uuid, what), titles[what], formats=formats,
                             file_name=case_document_file_name(d.case_number_display, titles[what]),
                             initial_format=fmt if fmt in formats else None,
                             recorder=print_recorder(self.ctx, d.case_uuid), parent=self)
        dialog.finished.connect(lambda _result: (self._refocus(), self._after_change()))
        self.print_dialog = dialog
        dialog.open()
        return dialog

    def reprint(self, row: PrintHistoryRow) -> PrintDialog | None:
        what = _KIND_TO_PRINT.get(row.kind)
        if what is None:
            return None
        return self.print_document(what, row.fmt)

    def void(self, row: PrintHistoryRow) -> ReasonDialog:
        copy = self.tr("副本第{0}份").format(row.copy_no) if row.is_copy else self.tr("原件")
        dialog = ReasonDialog(self.tr("作废 {0}（{1}）").format(row.kind_label, copy), self.tr("作废原因"), self)
        dialog.accepted.connect(lambda: self._void(row.record_uuid, dialog.text()))
        dialog.finished.connect(self._refocus)
        self.reason_dialog = dialog
        dialog.open()
        return dialog

    def _void(self, record_uuid: str, reason: str) -> None:
        self.ctx.tasks.run(documents.void_print, self.ctx.session, record_uuid, reason,
                           on_done=lambda _row: (self.say(self.tr("已作废。")), self._after_change()),
                           on_error=self._action_failed)
