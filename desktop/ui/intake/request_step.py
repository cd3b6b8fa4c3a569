"""Step 3 — 申请事项: categories, reason, applicant, contact phone, channel and the 近亲属 declaration.

The phone is asked every time (every notice says 请保持电话畅通): a mobile, a fixed line with
its area code, or "无" when the applicant has none. Choosing an applicant who applied before
fills in the phone given then (a role that may not see full records is shown it masked, to ask).

Ticking 临时救助（急难型） puts the case on the emergency procedure
(先行救助); a member flagged as a relative of staff makes the case
单独登记备案 — both are said on this step, before anything is saved.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.intake import form as intake_form
from desktop.services.intake.form import HouseholdForm, RequestForm, Violation

from ..context import UiContext
from .common import (
    ERROR_BOX_STYLE,
    ERROR_STYLE,
    HINT_STYLE,
    INFO_BOX_STYLE,
    WARNING_BOX_STYLE,
    combo_code,
    fill_combo,
    message_label,
    messages_for,
    set_combo_code,
    show_message,
)

_CODE = Qt.ItemDataRole.UserRole


class RequestStep(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("intake_request_step")
        self.household = HouseholdForm()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = message_label(ERROR_BOX_STYLE, "request_errors")
        layout.addWidget(self.summary)
        body = QGridLayout()
        body.setColumnStretch(0, 2)
        body.setColumnStretch(1, 3)
        layout.addLayout(body, 1)
        self.errors: dict[str, QLabel] = {}

        cats = QGroupBox(self.tr("申请的救助类别（可多选，空格键勾选）"))
        cats_col = QVBoxLayout(cats)
        self.categories = QListWidget()
        self.categories.setObjectName("request_categories")
        for option in intake_form.CATEGORIES:
            item = QListWidgetItem(option.label)
            item.setData(_CODE, option.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.categories.addItem(item)
        self.categories.itemChanged.connect(lambda _i: self._update_notes())
        cats_col.addWidget(self.categories, 1)
        self.errors["categories"] = message_label(ERROR_STYLE, "error_categories")
        cats_col.addWidget(self.errors["categories"])
        self.emergency_note = message_label(WARNING_BOX_STYLE, "emergency_note")
        cats_col.addWidget(self.emergency_note)
        body.addWidget(cats, 0, 0)

        right = QGroupBox(self.tr("申请情况"))
        grid = QGridLayout(right)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("request_reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(self.tr("家庭困难的主要原因，如：主要劳动力患重病，医疗支出大，家庭收入低。"))
        self.applicant = QComboBox()
        self.applicant.setObjectName("request_applicant")
        self.applicant.currentIndexChanged.connect(lambda _i: self._look_up_phone())
        self.phone = QLineEdit()
        self.phone.setObjectName("request_phone")
        self.phone.setMaxLength(30)
        self.phone.setPlaceholderText(self.tr("手机号或带区号的固定电话；没有电话填“无”"))
        self.prefilled_phone = ""
        self.channel = QComboBox()
        self.channel.setObjectName("request_channel")
        fill_combo(self.channel, intake_form.CHANNELS, self.tr("（请选择）"))
        rows = ((self.tr("申请理由(&R)："), self.reason, "reason"),
                (self.tr("申请人(&C)："), self.applicant, "applicant_id_number"),
                (self.tr("联系电话(&T)："), self.phone, "contact_phone"),
                (self.tr("申请方式："), self.channel, "channel"))
        for i, (text, widget, field) in enumerate(rows):
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, i * 2, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(widget, i * 2, 1)
            self.errors[field] = message_label(ERROR_STYLE, f"error_{field}")
            grid.addWidget(self.errors[field], i * 2 + 1, 1)
        self.phone_note = message_label(HINT_STYLE, "phone_note")
        grid.addWidget(self.phone_note, 2 * len(rows), 1)
        grid.setRowStretch(0, 1)
        declaration = QGroupBox(self.tr("近亲属声明（须询问申请人）"))
        dcol = QVBoxLayout(declaration)
        self.no_relative = QRadioButton(self.tr("本户成员与经办人员、村（居）委会成员均无近亲属关系"))
        self.no_relative.setObjectName("declare_no_relative")
        self.has_relative = QRadioButton(self.tr("有近亲属关系（已在“家庭与成员”中勾选该成员）"))
        self.has_relative.setObjectName("declare_has_relative")
        self.declaration = QButtonGroup(self)
        self.declaration.addButton(self.no_relative)
        self.declaration.addButton(self.has_relative)
        self.declaration.buttonToggled.connect(lambda *_: self._update_notes())
        dcol.addWidget(self.no_relative)
        dcol.addWidget(self.has_relative)
        self.errors["staff_relative"] = message_label(ERROR_STYLE, "error_staff_relative")
        dcol.addWidget(self.errors["staff_relative"])
        self.filing_note = message_label(INFO_BOX_STYLE, "separate_filing_note")
        dcol.addWidget(self.filing_note)
        grid.addWidget(declaration, 2 * len(rows) + 1, 0, 1, 2)
        body.addWidget(right, 0, 1)
        chain = [self.categories, self.reason, self.applicant, self.phone, self.channel, self.no_relative,
                 self.has_relative]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self.reset()

    # ----- the step contract ----------------------------------------------------------------------
    def first_focus(self) -> QWidget:
        return self.categories

    def reset(self) -> None:
        self.categories.blockSignals(True)
        for i in range(self.categories.count()):
            self.categories.item(i).setCheckState(Qt.CheckState.Unchecked)
        self.categories.blockSignals(False)
        self.categories.setCurrentRow(0)
        self.reason.clear()
        self.applicant.clear()
        self.phone.clear()
        self.prefilled_phone = ""
        show_message(self.phone_note, "")
        set_combo_code(self.channel, intake_form.default_channel(self.ctx.session.user.role))
        self.declaration.setExclusive(False)
        self.no_relative.setChecked(False)
        self.has_relative.setChecked(False)
        self.declaration.setExclusive(True)
        self.household = HouseholdForm()
        self.clear_messages()
        self._update_notes()

    def clear_messages(self) -> None:
        for label in (self.summary, *self.errors.values()):
            show_message(label, "")

    def set_household(self, household: HouseholdForm) -> None:
        """Refresh the applicant list from the members (keeping the choice when the person is still there)."""
        self.household = household
        chosen = combo_code(self.applicant)
        self.applicant.clear()
        self.applicant.addItem(self.tr("（请选择申请人）"), "")
        labels = {o.code: o.label for o in intake_form.RELATIONS}
        today = self.ctx.session.clock.today()
        for m in household.members:
            preview = intake_form.id_preview(m.id_number, today)
            if m.is_obliged_supporter or not preview.valid:
                continue
            self.applicant.addItem(self.tr("{0}（{1}）").format(m.name, labels.get(m.relation, "")), preview.canonical)
        if chosen:
            set_combo_code(self.applicant, chosen)
        elif self.applicant.count() > 1:
            heads = [i for i in range(1, self.applicant.count())
                     if any(m.relation == "self" and intake_form.id_preview(m.id_number, today).canonical
                            == self.applicant.itemData(i) for m in household.members)]
            self.applicant.setCurrentIndex(heads[0] if heads else 0)
        self._update_notes()

    def form(self) -> RequestForm:
        codes = tuple(self.categories.item(i).data(_CODE) for i in range(self.categories.count())
                      if self.categories.item(i).checkState() == Qt.CheckState.Checked)
        declared = True if self.has_relative.isChecked() else False if self.no_relative.isChecked() else None
        return RequestForm(codes, self.reason.toPlainText().strip(), combo_code(self.applicant),
                           combo_code(self.channel), declared, self.phone.text().strip())

    def category_labels(self) -> list[str]:
        return [self.categories.item(i).text() for i in range(self.categories.count())
                if self.categories.item(i).checkState() == Qt.CheckState.Checked]

    def validate(self) -> list[Violation]:
        violations = intake_form.request_violations(self.household, self.form(), self.ctx.session.clock.today())
        self.show_violations(violations)
        return violations

    def show_violations(self, violations: list[Violation]) -> None:
        for field, label in self.errors.items():
            show_message(label, self.tr("；").join(messages_for(violations, field).get("", [])))
        text = ""
        if violations:
            text = self.tr("请修改以下问题后再继续：") + "\n" + "\n".join(
                self.tr("· {0}").format(v.message) for v in violations)
        show_message(self.summary, text)
        if violations:
            widget = {"categories": self.categories, "reason": self.reason, "applicant_id_number": self.applicant,
                      "contact_phone": self.phone, "channel": self.channel, "staff_relative": self.no_relative,
                      "emergency": self.categories}.get(violations[0].field, self.categories)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----- the phone of the applicant's last application -----------------------------------------
    def _look_up_phone(self) -> None:
        code = combo_code(self.applicant)
        if not code or self.phone.text().strip() not in ("", self.prefilled_phone):
            return      # nobody chosen, or the clerk typed a phone: theirs stands
        self.ctx.tasks.run(intake_form.last_contact_phone, self.ctx.session, code, latest_only="intake_phone",
                           on_done=lambda known, code=code: self._phone_found(code, known),
                           on_error=lambda _exc: None)

    def _phone_found(self, code: str, known: intake_form.KnownPhone) -> None:
        if combo_code(self.applicant) != code or self.phone.text().strip() not in ("", self.prefilled_phone):
            return
        if known.text:
            self.phone.setText(known.text)
            self.prefilled_phone = known.text
            show_message(self.phone_note, self.tr("已按上次申请时登记的电话填入，请向申请人核实。"))
        elif known.masked:
            self.phone.clear()
            self.prefilled_phone = ""
            show_message(self.phone_note, self.tr("上次申请时登记的电话：{0}，请向申请人核实后填写。").format(known.masked))
        else:
            if self.prefilled_phone:
                self.phone.clear()
            self.prefilled_phone = ""
            show_message(self.phone_note, "")

    def _update_notes(self) -> None:
        codes = self.form().categories
        show_message(self.emergency_note, self.tr("已选临时救助（急难型）：按紧急程序办理，可先行救助、事后补齐手续。")
                     if intake_form.is_emergency(codes) else "")
        show_message(self.filing_note, self.tr("本户有成员是经办人员或村（居）委会成员的近亲属：本案将单独登记备案，"
                                               "由县级民政部门直接调查核实。")
                     if intake_form.separate_filing(self.household) else "")
