"""先行救助 (emergency aid) dialog: amount, reason, the township limit and the repeat warning.

Opened from the case detail (the 先行救助 action or button) and right after
an emergency application was accepted at intake. It reads the facts first
(limit, window, this person's earlier grants) and then says, while the
amount is typed, which way the aid goes: within the limit a supervisor
approves on the spot; above it the case is reported to the county.

Who approves: a supervisor signed in approves by pressing 确定. A clerk at
the window cannot approve; the dialog then asks the supervisor, standing
beside the clerk, to type their own user name and password (checked through
their key slot, counted towards their lockout like a sign-in). This keeps
"the township supervisor approves on the spot" true without making the
clerk sign out in the middle of helping a family. Above the limit nobody
approves here, so the fields are hidden.

A repeat (same person, same reason within the policy's window) is shown as
a warning that must be ticked as read before 确定; the grant records it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from desktop.domain.investigation import EmergencyReason
from desktop.services.emergency import grants as emergency
from desktop.services.emergency.grants import EmergencyFacts, GrantResult, RepeatNotAcknowledged

from .. import style
from ..context import UiContext
from .dialogs import _ConfirmDialog, parse_yuan, yuan_text
from .investigation_dialogs import text_box

WARNING_STYLE = style.WARNING_BANNER
ROUTE_STYLE = style.INFO_BANNER


class EmergencyAidDialog(_ConfirmDialog):
    def __init__(self, ctx: UiContext, case_uuid: str, today: Callable[[], date],
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("先行救助（急难型临时救助）"), parent)
        self.setObjectName("emergency_dialog")
        self.setMinimumWidth(700)
        self.ctx, self.case_uuid, self.today = ctx, case_uuid, today
        self.facts: EmergencyFacts | None = None
        self.result: GrantResult | None = None
        self.saving = False
        self.case_line = QLabel(self.tr("正在读取…"))
        self.case_line.setObjectName("emergency_case")
        self.case_line.setWordWrap(True)
        self.layout_.addWidget(self.case_line)
        self.amount = QLineEdit()
        self.amount.setObjectName("emergency_amount")
        self.amount.setPlaceholderText(self.tr("例如 2000 或 2000.00"))
        self.amount.textChanged.connect(self.refresh)
        self.reason = QComboBox()
        self.reason.setObjectName("emergency_reason")
        for r in EmergencyReason:
            self.reason.addItem(r.label, r.value)
        self.reason.currentIndexChanged.connect(self.refresh)
        self.note = text_box("emergency_note", self.tr("情况说明，如：突发脑出血住院；事由为“其他”时必填"), 48)
        self.form.addRow(self.tr("救助金额（元）："), self.amount)
        self.form.addRow(self.tr("救助事由："), self.reason)
        self.form.addRow(self.tr("情况说明："), self.note)
        self.limit_line = QLabel("")
        self.limit_line.setObjectName("emergency_limit")
        self.limit_line.setWordWrap(True)
        self.form.addRow("", self.limit_line)
        self.route_line = QLabel("")
        self.route_line.setObjectName("emergency_route")
        self.route_line.setWordWrap(True)
        self.route_line.setStyleSheet(ROUTE_STYLE)
        self.route_line.hide()
        self.warning = QLabel("")
        self.warning.setObjectName("repeat_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        self.acknowledge = QCheckBox(self.tr("已知悉上述救助记录，确需再次救助（记入审计日志）"))
        self.acknowledge.setObjectName("acknowledge_repeat")
        self.acknowledge.hide()
        self.supervisor_box = QGroupBox(self.tr("审核人当场确认（经办人不能批准先行救助，请审核人输入本人用户名和密码）"))
        self.supervisor_box.setObjectName("supervisor_box")
        box = QHBoxLayout(self.supervisor_box)
        self.supervisor_user = QLineEdit()
        self.supervisor_user.setObjectName("supervisor_user")
        self.supervisor_password = QLineEdit()
        self.supervisor_password.setObjectName("supervisor_password")
        self.supervisor_password.setEchoMode(QLineEdit.EchoMode.Password)
        box.addWidget(QLabel(self.tr("用户名：")))
        box.addWidget(self.supervisor_user, 1)
        box.addWidget(QLabel(self.tr("密码：")))
        box.addWidget(self.supervisor_password, 1)
        self.supervisor_box.hide()
        for widget in (self.route_line, self.warning, self.acknowledge, self.supervisor_box):
            self.form.addRow(widget)
        self._finish()
        self.ok_button.setEnabled(False)
        self.amount.setFocus()

    # ----- loading -------------------------------------------------------------------------
    def load(self) -> None:
        self.ctx.tasks.run(emergency.facts, self.ctx.session, self.case_uuid, today=self.today(),
                           on_done=self.show_facts, on_error=lambda exc: self.show_error(self.ctx.error_text(exc)))

    def show_facts(self, facts: EmergencyFacts) -> None:
        self.facts = facts
        self.case_line.setText(self.tr("案件 {0}　申请人 {1}").format(facts.case_number_display, facts.person_name))
        self.limit_line.setText(self.tr("乡镇审批限额 {0} 元；批准后{1}小时内发放。")
                                .format(yuan_text(facts.limit_cents), facts.relief_within_hours))
        if not facts.can_grant_now:
            self.show_error(facts.problem)
        self.ok_button.setEnabled(facts.can_grant_now)
        self.refresh()

    # ----- live hints ----------------------------------------------------------------------
    def amount_cents(self) -> int | None:
        return parse_yuan(self.amount.text(), self.tr("元"))

    def within_limit(self) -> bool | None:
        cents = self.amount_cents()
        if self.facts is None or cents is None or cents <= 0:
            return None
        return cents <= self.facts.limit_cents

    def needs_supervisor(self) -> bool:
        return self.facts is not None and not self.facts.user_can_approve and self.within_limit() is True

    def refresh(self) -> None:
        facts = self.facts
        if facts is None:
            return
        within = self.within_limit()
        if within is None:
            self.route_line.hide()
        else:
            self.route_line.setText(
                self.tr("限额内：审核人当场批准，案件转为“已先行救助”，事后在规定时限内补齐手续。")
                if within else
                self.tr("超过乡镇审批限额 {0} 元：报县级审批，案件转为“待审核确认”。").format(
                    yuan_text(facts.limit_cents)))
            self.route_line.show()
        repeats = facts.repeats(self.reason.currentData())
        if repeats:
            lines = [self.tr("{0} 因“{1}”获先行救助 {2} 元（案件 {3}，{4}）").format(
                p.granted_on.isoformat(), p.reason.label, yuan_text(p.amount_cents), p.case_number_display,
                p.route_label) for p in repeats]
            self.warning.setText(self.tr("提示：该申请人{0}天内已因同一事由获得救助（同一事由原则上救助一次）：\n{1}")
                                 .format(facts.window_days, "\n".join(lines)))
        self.warning.setVisible(bool(repeats))
        self.acknowledge.setVisible(bool(repeats))
        if not repeats:
            self.acknowledge.setChecked(False)
        self.supervisor_box.setVisible(self.needs_supervisor())
        QTimer.singleShot(0, self._fit)
        self.ok_button.setText(self.tr("批准先行救助") if within and facts.user_can_approve
                               else self.tr("审核人确认批准") if within
                               else self.tr("报县级审批") if within is False else self.tr("确定"))

    def _fit(self) -> None:
        """Grow to show what appeared, and stay on the screen."""
        self.layout_.activate()
        self.resize(max(self.width(), self.sizeHint().width()), max(self.height(), self.sizeHint().height()))
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None and self.frameGeometry().bottom() > screen.bottom():
            self.move(self.x(), max(screen.top(), screen.bottom() - self.frameGeometry().height()))

    # ----- saving --------------------------------------------------------------------------
    def problem(self) -> str:
        if self.facts is None:
            return self.tr("正在读取案件，请稍候。")
        if not self.facts.can_grant_now:
            return self.facts.problem
        cents = self.amount_cents()
        if cents is None or cents <= 0:
            return self.tr("请填写救助金额（元，大于0，最多两位小数）。")
        if self.reason.currentData() == EmergencyReason.OTHER.value and not self.note.toPlainText().strip():
            return self.tr("事由为“其他”时请写明情况。")
        if self.acknowledge.isVisible() and not self.acknowledge.isChecked():
            return self.tr("请先阅读重复救助提示并勾选“已知悉”。")
        if self.needs_supervisor() and not (self.supervisor_user.text().strip() and self.supervisor_password.text()):
            return self.tr("请审核人输入用户名和密码确认。")
        return ""

    def form_input(self) -> emergency.GrantInput:
        return emergency.GrantInput(self.amount_cents() or 0, self.reason.currentData(), self.note.toPlainText(),
                                    acknowledge_repeat=self.acknowledge.isVisible() and self.acknowledge.isChecked())

    def try_accept(self) -> None:
        if self.saving:
            return
        problem = self.problem()
        self.show_error(problem)
        if problem:
            return
        supervisor = emergency.SupervisorConfirmation(self.supervisor_user.text(), self.supervisor_password.text()) \
            if self.needs_supervisor() else None
        self.saving = True
        self.ok_button.setEnabled(False)
        self.ctx.tasks.run(emergency.grant, self.ctx.session, self.case_uuid, self.form_input(),
                           supervisor=supervisor, today=self.today(), on_done=self._granted, on_error=self._failed)

    def _granted(self, result: GrantResult) -> None:
        self.saving = False
        self.supervisor_password.clear()
        self.result = result
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.saving = False
        self.supervisor_password.clear()
        self.ok_button.setEnabled(True)
        if isinstance(exc, RepeatNotAcknowledged):   # granted elsewhere meanwhile: show it now
            self.load()
        self.show_error(self.ctx.error_text(exc))
