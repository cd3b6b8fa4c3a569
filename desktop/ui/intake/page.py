"""受理 — the search-first intake wizard: 查询 → 家庭与成员 → 申请事项 → 材料 → 确认.

Keyboard: Enter = 下一步 (on the search step Enter searches, or picks the
household under the cursor), Alt+N / Alt+P = 下一步 / 上一步, Esc asks
whether to discard what was typed. Nothing is written until the clerk
chooses the outcome on the last step; then
:func:`desktop.services.intake.accept.submit_application` commits the case in one
transaction, and only after it returned is the document printed (receipt,
one-time notice or refusal) and shown in the print dialog. The wizard then
starts again at step 1 for the next person.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from desktop.domain.case_state import CaseStatus
from desktop.services.admin.accounts import Permission, Role
from desktop.services.documents import issue as documents
from desktop.services.documents.issue import PrintedDocument
from desktop.services.errors import InvalidInput
from desktop.services.intake import accept as intake
from desktop.services.intake import form as intake_form
from desktop.services.intake.accept import IntakeResult
from desktop.services.intake.form import HouseholdDraft, Option, Violation

from ..cases.emergency_dialog import EmergencyAidDialog
from ..context import PRINT_FORMAT_A4, PRINT_FORMAT_ROLL80, UiContext, print_format
from ..files import case_document_file_name
from ..printing import PrintDialog
from ..typography import set_font_scale
from .common import HINT_STYLE, action_button, ask
from .confirm_step import ConfirmStep
from .documents_step import NOT_APPLICABLE, DocumentsStep
from .household_step import HouseholdStep
from .indicator import StepIndicator
from .request_step import RequestStep
from .search_step import SearchStep
from .summary import SummaryInput

SEARCH, HOUSEHOLD, REQUEST, DOCUMENTS, CONFIRM = range(5)
_HOUSEHOLD_FIELDS = ("division_code", "hukou_type", "address", "members", "household")
_REQUEST_FIELDS = ("categories", "reason", "applicant_id_number", "channel", "emergency", "staff_relative")


class IntakePage(QWidget):
    """The 受理 section: one application at a time, search first."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("intake_page")
        self.villages: list[Option] | None = None
        self.last_result: IntakeResult | None = None
        self.last_document: PrintedDocument | None = None
        self.print_dialog: PrintDialog | None = None
        self.emergency_dialog: EmergencyAidDialog | None = None
        self.submitting = False
        self.submitted_emergency = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 8)
        layout.setSpacing(8)
        top = QHBoxLayout()
        title = QLabel(self.tr("受理申请"))
        set_font_scale(title, 1.4, bold=True)
        top.addWidget(title)
        top.addSpacing(16)
        self.indicator = StepIndicator([self.tr("查询"), self.tr("家庭与成员"), self.tr("申请事项"), self.tr("材料"),
                                        self.tr("确认")])
        top.addWidget(self.indicator, 1)
        layout.addLayout(top)
        self.assistant_note: QLabel | None = None
        if ctx.session.user.role is Role.VILLAGE_ASSISTANT:
            note = QLabel(self._assistant_text(""))
            note.setObjectName("assistant_note")
            note.setWordWrap(True)
            note.setStyleSheet(HINT_STYLE)
            layout.addWidget(note)
            self.assistant_note = note
        self.search = SearchStep(ctx)
        self.household = HouseholdStep(ctx)
        self.request = RequestStep(ctx)
        self.documents = DocumentsStep(ctx)
        self.confirm = ConfirmStep(can_refuse=ctx.session.can(Permission.TRANSITION_CASE))
        self.stack = QStackedWidget()
        for step in (self.search, self.household, self.request, self.documents, self.confirm):
            self.stack.addWidget(step)
        layout.addWidget(self.stack, 1)
        layout.addLayout(self._build_footer())
        self.search.household_chosen.connect(self._household_chosen)
        self.search.new_household.connect(self._new_household)
        self.confirm.outcome_chosen.connect(self.submit)
        self.go_to(SEARCH)

    def _build_footer(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("intake_status")
        self.status.setStyleSheet(HINT_STYLE)
        row.addWidget(self.status, 1)
        self.back_button = action_button(self.tr("上一步(&P)"), "intake_back")
        self.back_button.clicked.connect(self.previous_step)
        self.next_button = action_button(self.tr("下一步(&N)"), "intake_next")
        self.next_button.clicked.connect(self.next_step)
        row.addWidget(self.back_button)
        row.addWidget(self.next_button)
        return row

    # ----- shell contract -------------------------------------------------------------------------
    def on_shown(self) -> None:
        if self.villages is None:
            self.ctx.tasks.run(intake_form.villages, self.ctx.session, on_done=self._villages_loaded,
                               on_error=lambda exc: self.status.setText(self.ctx.error_text(exc)))
        self._focus_step()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt API)
        # The shell focuses the page (Alt+2): hand the focus on to where this step starts.
        super().focusInEvent(event)
        self._focus_step()

    def has_unsaved_work(self) -> bool:
        return self.stack.currentIndex() > SEARCH and not self.submitting

    def _villages_loaded(self, villages: list[Option]) -> None:
        self.villages = villages
        self.household.set_villages(villages)
        if self.assistant_note is not None:
            self.assistant_note.setText(self._assistant_text(self.tr("、").join(v.label for v in villages)))

    def _assistant_text(self, villages: str) -> str:
        where = self.tr("您负责的村（社区）：{0}。只能查询、受理这些村的家庭；").format(villages) if villages else ""
        return where + self.tr("申请方式默认为“村（居）委会代为申请（委托）”，受理后当场打印受理通知书交申请人；"
                               "拿不准的写明情况提交乡镇审查。")

    # ----- moving between steps -----------------------------------------------------------------------
    def current(self) -> int:
        return self.stack.currentIndex()

    def go_to(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.indicator.set_current(index)
        self.back_button.setEnabled(index > SEARCH)
        self.next_button.setVisible(index not in (SEARCH, CONFIRM))
        self.status.setText(self._hint(index))
        self._focus_step()

    def _hint(self, index: int) -> str:
        if index == SEARCH:
            return self.tr("Enter 立即查询　↓ 进入结果　结果中 Enter 选择该家庭　Esc 清空")
        if index == CONFIRM:
            return self.tr("Tab 选择办理结果，空格或 Enter 确认　Alt+P 上一步　Esc 放弃本次录入")
        return self.tr("Enter 或 Alt+N 下一步　Alt+P 上一步　Esc 放弃本次录入")

    def _focus_step(self) -> None:
        step = self.stack.currentWidget()
        first = getattr(step, "first_focus", None)
        if callable(first):
            first().setFocus(Qt.FocusReason.OtherFocusReason)

    def next_step(self) -> None:
        index = self.current()
        if index == SEARCH:
            if self.search.selected_household() is not None:
                self.search.choose_selected()
            return
        if index == HOUSEHOLD:
            if self.household.validate():
                return
            self.request.set_household(self.household.form())
            self.go_to(REQUEST)
        elif index == REQUEST:
            if self.request.validate():
                return
            self.next_button.setEnabled(False)
            form = self.request.form()
            self.documents.load(self.household.form().division_code, form.categories, then=self._documents_ready)
        elif index == DOCUMENTS:
            if self.documents.validate():
                return
            self.confirm.show_summary(self._summary_input())
            self.go_to(CONFIRM)

    def _documents_ready(self) -> None:
        self.next_button.setEnabled(True)
        if self.current() == REQUEST:
            self.go_to(DOCUMENTS)

    def previous_step(self) -> None:
        if self.current() > SEARCH and not self.submitting:
            self.go_to(self.current() - 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current() in (HOUSEHOLD, REQUEST, DOCUMENTS):
            event.accept()
            if self.next_button.isEnabled():
                self.next_step()
            return
        if key == Qt.Key.Key_Escape:
            event.accept()
            self.ask_discard()
            return
        super().keyPressEvent(event)

    def ask_discard(self) -> None:
        if self.submitting:
            return
        if not self.has_unsaved_work():
            self.search.reset()
            self._focus_step()
            return
        ask(self, self.tr("放弃本次录入"), self.tr("放弃本次录入的全部内容，回到查询？\n尚未保存任何内容。"),
            lambda: self.reset(), self.tr("放弃"), self.tr("继续录入"))

    def reset(self, banner: str = "") -> None:
        """Back to step 1 for the next person; everything typed is dropped."""
        for step in (self.search, self.household, self.request, self.documents, self.confirm):
            step.reset()
        self.submitting = False
        self.next_button.setEnabled(True)
        self.search.show_banner(banner)
        self.go_to(SEARCH)

    # ----- step 1 → step 2 ----------------------------------------------------------------------------
    def _household_chosen(self, household_uuid: str) -> None:
        self.search.status.setText(self.tr("正在读取该家庭的登记信息…"))
        self.ctx.tasks.run(intake_form.load_household, self.ctx.session, household_uuid,
                           on_done=self._draft_loaded,
                           on_error=lambda exc: self.search.status.setText(self.ctx.error_text(exc)))

    def _draft_loaded(self, draft: HouseholdDraft) -> None:
        self.request.reset()
        self.documents.reset()
        self.confirm.reset()
        self.household.load_draft(draft)
        self.search.status.setText("")
        self.go_to(HOUSEHOLD)

    def _new_household(self, carried_id: str) -> None:
        self.request.reset()
        self.documents.reset()
        self.confirm.reset()
        self.household.start_new(carried_id)
        self.go_to(HOUSEHOLD)

    # ----- confirming -----------------------------------------------------------------------------------
    def _summary_input(self) -> SummaryInput:
        marks = self.documents.marks()
        return SummaryInput(
            household=self.household.form(), existing_household=self.household.household_uuid is not None,
            village_label=self.household.village.currentText(), request=self.request.form(),
            category_labels=tuple(self.request.category_labels()),
            received=tuple(self.documents.received_names()), missing=tuple(self.documents.missing_names()),
            not_applicable=tuple(r.item.name for r in self.documents.rows if marks.get(r.item.code) == NOT_APPLICABLE),
            today=self.ctx.session.clock.today())

    def submit(self, outcome: str, text: str = "") -> None:
        if self.submitting:
            return
        try:
            app = intake_form.build_application(self.household.form(), self.request.form(), self.documents.items,
                                                self.documents.marks(), self.ctx.session.clock.today())
        except InvalidInput as exc:
            self.show_service_error(exc)
            return
        self.submitting = True
        self.submitted_emergency = app.emergency
        self.back_button.setEnabled(False)
        self.confirm.set_busy(self.tr("正在保存，请稍候…"))
        self.ctx.tasks.run(intake.submit_application, self.ctx.session, app, outcome,
                           refusal_reason=text if outcome == "refuse" else "",
                           review_note=text if outcome == "township_review" else "",
                           household_uuid=self.household.household_uuid,
                           on_done=self._submitted, on_error=self._submit_failed)

    def _submit_failed(self, exc: BaseException) -> None:
        self.submitting = False
        self.back_button.setEnabled(True)
        self.confirm.set_busy("")
        if isinstance(exc, InvalidInput):
            self.show_service_error(exc)
        else:
            self.confirm.show_error(self.tr("未保存：{0}").format(self.ctx.error_text(exc)))

    def show_service_error(self, exc: InvalidInput) -> None:
        """Show a refused input on the step its field belongs to (nothing was saved)."""
        field = exc.field or ""
        violations = [Violation(field, exc.message)]
        if field in _HOUSEHOLD_FIELDS or field.startswith("members["):
            self.go_to(HOUSEHOLD)
            self.household.show_violations(violations)
        elif field in _REQUEST_FIELDS:
            self.request.set_household(self.household.form())
            self.go_to(REQUEST)
            self.request.show_violations(violations)
        elif field.startswith("documents"):
            self.go_to(DOCUMENTS)
            self.documents.show_violations(violations)
        else:
            self.go_to(CONFIRM)
            self.confirm.show_error(self.tr("未保存：{0}").format(exc.message))

    def _submitted(self, result: IntakeResult) -> None:
        self.last_result = result
        self.ctx.events.data_changed.emit()
        if result.status is CaseStatus.TOWNSHIP_REVIEW:   # no document yet: the township decides first
            self.reset(self.tr("上一件已提交乡镇审查：案件编号 {0}，状态“{1}”。乡镇经办人受理后出具受理通知书，"
                               "请告知申请人。").format(result.case_number_display, result.status.label))
            return
        fmt = print_format(self.ctx.settings) if result.status is CaseStatus.ACCEPTED else PRINT_FORMAT_A4
        self.confirm.set_busy(self.tr("已保存（案件编号 {0}），正在生成文书…").format(result.case_number_display))
        self.ctx.tasks.run(lambda: intake_form.print_intake_document(self.ctx.session, result.case_uuid,
                                                                     result.status, fmt, preview=True),
                           on_done=lambda doc: self._printed(result, fmt, doc),
                           on_error=lambda exc: self._print_failed(result, exc))

    def _printed(self, result: IntakeResult, fmt: str, doc: PrintedDocument) -> None:
        self.last_document = doc
        session, case_uuid, status = self.ctx.session, result.case_uuid, result.status
        old = self.print_dialog
        if old is not None and not old.isVisible() and not old.busy:
            old.deleteLater()       # the previous applicant's preview, closed and idle
        formats = (PRINT_FORMAT_A4, PRINT_FORMAT_ROLL80) if status is CaseStatus.ACCEPTED else (PRINT_FORMAT_A4,)
        self.print_dialog = PrintDialog(
            self.ctx, lambda f: intake_form.print_intake_document(session, case_uuid, status, f, preview=True),
            doc.kind.label, formats=formats, file_name=case_document_file_name(result.case_number_display, doc.kind.label),
            initial=(fmt, doc), recorder=lambda d: documents.record_preview(session, case_uuid, d), parent=self)
        self.print_dialog.open()
        self.reset(self.tr("上一件已办理：案件编号 {0}，{1}；{2}已生成，请在打印预览中打印交申请人。").format(
            result.case_number_display, result.status.label, doc.kind.label) + self._emergency_note(result))
        if self._emergency_next(result):
            self.print_dialog.finished.connect(lambda _r, uuid=case_uuid: self.open_emergency(uuid))

    def _print_failed(self, result: IntakeResult, exc: BaseException) -> None:
        self.reset(self.tr("上一件已保存：案件编号 {0}，{1}；但文书未能生成：{2}请到“案件”中补打。").format(
            result.case_number_display, result.status.label, self.ctx.error_text(exc)) + self._emergency_note(result))
        if self._emergency_next(result):
            self.open_emergency(result.case_uuid)

    # ----- 先行救助 right after an emergency application was accepted ------------------------------
    def _emergency_next(self, result: IntakeResult) -> bool:
        return (self.submitted_emergency and result.status is CaseStatus.ACCEPTED
                and self.ctx.session.can(Permission.TRANSITION_CASE))

    def _emergency_note(self, result: IntakeResult) -> str:
        if not (self.submitted_emergency and result.status is CaseStatus.ACCEPTED):
            return ""
        later = self.tr("\n急难型：以下材料在补办手续时补交，请告知申请人：{0}。").format(
            self.tr("、").join(result.documents_missing)) if result.documents_missing else ""
        if self.ctx.session.can(Permission.TRANSITION_CASE):
            return self.tr("\n急难型：关闭打印预览后即可办理“先行救助”。") + later
        return self.tr("\n急难型：请立即告知乡镇经办人或审核人办理“先行救助”。") + later

    def open_emergency(self, case_uuid: str) -> EmergencyAidDialog:
        dialog = EmergencyAidDialog(self.ctx, case_uuid, self.ctx.session.clock.today, self)
        dialog.accepted.connect(lambda: self._emergency_done(dialog))
        self.emergency_dialog = dialog
        dialog.open()
        dialog.load()
        return dialog

    def _emergency_done(self, dialog: EmergencyAidDialog) -> None:
        r = dialog.result
        self.ctx.events.data_changed.emit()
        if r is not None:
            missing = self.last_result.documents_missing if self.last_result is not None else ()
            later = self.tr("\n补办手续时请申请人补交：{0}。").format(self.tr("、").join(missing)) if missing else ""
            self.search.show_banner(self.tr("先行救助已登记（{0}），案件状态：{1}。").format(r.route.label, r.status.label)
                                    + later)
