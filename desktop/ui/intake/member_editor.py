"""The form of one household member (step 2): every field with its Chinese message next to it.

Typing the ID number shows birth date, sex and age at once, or why the
number is wrong. It also proposes the 劳动能力 by age (policy ages: a child or an
old person is not presumed able to work) and says so — "按年龄默认为…，可修改" —
until the clerk chooses one themselves. A field's message appears once the clerk has left that
field (or tried to go on), and disappears as soon as it is right.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.labour import LabourAges
from desktop.services.errors import InvalidInput
from desktop.services.intake import form as intake_form
from desktop.services.intake.form import IdState, MemberForm

from .. import style
from .common import (
    ERROR_STYLE,
    HINT_STYLE,
    OK_STYLE,
    combo_code,
    fill_combo,
    message_label,
    set_combo_code,
    show_message,
)

_WARN_STYLE = style.WARNING_TEXT
# Field names as the services name them.
NAME, ID_NUMBER, RELATION, ETHNICITY, HEALTH = "name", "id_number", "relation", "ethnicity", "health"
CATEGORY, GRADE, LABOUR, EMPLOYMENT = "disability_category", "disability_grade", "labour_capacity", "employment"
INCOME, OBLIGED, STAFF = "monthly_income_cents", "is_obliged_supporter", "staff_relative"


class MemberEditor(QGroupBox):
    changed = Signal()          # any field changed: the step re-reads form()
    name_finished = Signal()    # the name field was left: check the print fonts

    def __init__(self, today: Callable[[], date]) -> None:
        super().__init__()
        self.today = today   # the session's clock: ages and "born in the future" are counted from it
        self.setObjectName("intake_member_editor")
        self.setTitle(self.tr("成员信息"))
        self._loading = False
        self._hint = ""
        self.labour_ages = LabourAges()     # replaced by the village's policy (set_labour_ages)
        self._labour_auto = True            # the 劳动能力 shown is the proposal by age, not the clerk's choice
        self._setting_labour = False
        self._visible_fields: set[str] = set()
        self._messages: dict[str, list[str]] = {}
        self.errors: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.name = QLineEdit()
        self.name.setObjectName("member_name")
        self.name.setMaxLength(30)
        self.id_number = QLineEdit()
        self.id_number.setObjectName("member_id_number")
        self.id_number.setMaxLength(21)
        self.id_number.setPlaceholderText(self.tr("18位，输入后自动识别出生日期、性别、年龄"))
        self.relation = self._combo("member_relation", intake_form.RELATIONS, self.tr("（请选择）"))
        self.ethnicity = QComboBox()
        self.ethnicity.setObjectName("member_ethnicity")
        for name in intake_form.ETHNICITIES:
            self.ethnicity.addItem(name, name)
        self.health = self._combo("member_health", intake_form.HEALTH)
        self.labour = self._combo("member_labour", intake_form.LABOUR_CAPACITIES)
        self.category = self._combo("member_disability_category", intake_form.DISABILITY_CATEGORIES)
        self.grade = self._combo("member_disability_grade", intake_form.DISABILITY_GRADES)
        self.employment = self._combo("member_employment", intake_form.EMPLOYMENTS)
        self.income = QLineEdit()
        self.income.setObjectName("member_income")
        self.income.setPlaceholderText(self.tr("0.00"))
        self.obliged = QCheckBox(self.tr("法定赡养/抚养/扶养义务人（不在本户居住）"))
        self.obliged.setObjectName("member_obliged")
        self.staff = QCheckBox(self.tr("近亲属：是经办人员或村（居）委会成员的近亲属"))
        self.staff.setObjectName("member_staff_relative")
        income_box = QWidget()
        income_row = QHBoxLayout(income_box)
        income_row.setContentsMargins(0, 0, 0, 0)
        income_row.addWidget(self.income, 1)
        income_row.addWidget(QLabel(self.tr("元")))
        self.id_info = QLabel()
        self.id_info.setObjectName("member_id_info")
        self.id_info.setWordWrap(True)
        rows = [
            ((self.tr("姓名(&M)："), self.name, NAME), (self.tr("与户主关系："), self.relation, RELATION)),
            ((self.tr("身份证号码(&I)："), self.id_number, ID_NUMBER), None),
            ((self.tr("民族："), self.ethnicity, ETHNICITY), (self.tr("健康状况："), self.health, HEALTH)),
            ((self.tr("劳动能力："), self.labour, LABOUR), (self.tr("就业状况："), self.employment, EMPLOYMENT)),
            ((self.tr("残疾类别："), self.category, CATEGORY), (self.tr("残疾等级："), self.grade, GRADE)),
            ((self.tr("月收入(&Y)："), income_box, INCOME), None),
        ]
        r = 0
        for pair in rows:
            for col, cell in enumerate(pair):
                if cell is None:
                    continue
                text, widget, field = cell
                label = QLabel(text)
                label.setBuddy(widget if widget is not income_box else self.income)
                grid.addWidget(label, r, col * 2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(widget, r, col * 2 + 1)
                if field == ID_NUMBER:       # what the number says, right next to it
                    grid.addWidget(self.id_info, r, 2, 1, 2)
                    continue
                error = message_label(ERROR_STYLE, f"error_{field}")
                self.errors[field] = error
                if field == LABOUR:          # the proposal by age, under the field
                    self.labour_note = message_label(HINT_STYLE, "member_labour_note")
                    box = QWidget()
                    col_box = QVBoxLayout(box)
                    col_box.setContentsMargins(0, 0, 0, 0)
                    col_box.setSpacing(0)
                    col_box.addWidget(self.labour_note)
                    col_box.addWidget(error)
                    grid.addWidget(box, r + 1, col * 2 + 1)
                    continue
                grid.addWidget(error, r + 1, col * 2 + 1)
            r += 2
        grid.addWidget(self.obliged, r, 0, 1, 4)
        self.errors[OBLIGED] = message_label(ERROR_STYLE, f"error_{OBLIGED}")
        grid.addWidget(self.errors[OBLIGED], r + 1, 0, 1, 4)
        grid.addWidget(self.staff, r + 2, 0, 1, 4)
        grid.setRowStretch(r + 3, 1)
        self.errors[ID_NUMBER] = self.id_info
        for a, b in zip(self.tab_chain(), self.tab_chain()[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self._connect()

    def _combo(self, name: str, options: tuple[intake_form.Option, ...], placeholder: str = "") -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        fill_combo(combo, options, placeholder)
        return combo

    def tab_chain(self) -> list[QWidget]:
        return [self.name, self.relation, self.id_number, self.ethnicity, self.health, self.labour, self.employment,
                self.category, self.grade, self.income, self.obliged, self.staff]

    def _connect(self) -> None:
        for edit, field in ((self.name, NAME), (self.income, INCOME), (self.id_number, ID_NUMBER)):
            edit.textChanged.connect(self._edited)
            edit.editingFinished.connect(lambda f=field: self._left(f))
        self.name.editingFinished.connect(self.name_finished.emit)
        self.income.editingFinished.connect(self._tidy_income)
        self.id_number.textChanged.connect(lambda _t: self._render_id())
        self.id_number.textChanged.connect(lambda _t: self._propose_labour())
        self.labour.currentIndexChanged.connect(lambda _i: self._labour_chosen())
        for combo, field in ((self.relation, RELATION), (self.ethnicity, ETHNICITY), (self.health, HEALTH),
                             (self.labour, LABOUR), (self.category, CATEGORY), (self.grade, GRADE),
                             (self.employment, EMPLOYMENT)):
            combo.currentIndexChanged.connect(lambda _i, f=field: self._left(f))
        self.obliged.toggled.connect(lambda _c: self._left(OBLIGED))
        self.staff.toggled.connect(lambda _c: self._left(STAFF))

    # ----- data -------------------------------------------------------------------------------------
    def set_labour_ages(self, ages: LabourAges) -> None:
        self.labour_ages = ages
        self._propose_labour()

    def _propose_labour(self) -> None:
        if self._loading or not self._labour_auto:
            return
        proposal = intake_form.labour_default(self.id_number.text(), self.today(), self.labour_ages)
        if proposal is None:
            show_message(self.labour_note, "")
            return
        self._setting_labour = True
        try:
            set_combo_code(self.labour, proposal.capacity.value)
        finally:
            self._setting_labour = False
        show_message(self.labour_note, self.tr("按年龄默认为“{0}”（{1}），可修改").format(
            proposal.capacity.label, proposal.reason))

    def _labour_chosen(self) -> None:
        if self._loading or self._setting_labour:
            return
        self._labour_auto = False          # the clerk's choice stands from now on
        show_message(self.labour_note, "")

    def set_member(self, m: MemberForm) -> None:
        self._labour_auto = not m.name        # a member being entered (no name yet): propose by age
        show_message(self.labour_note, "")
        self._loading = True
        try:
            self.name.setText(m.name)
            self.id_number.setText(m.id_number)
            set_combo_code(self.relation, m.relation)
            ethnicity = self.ethnicity.findData(m.ethnicity)
            if ethnicity < 0 and m.ethnicity:
                self.ethnicity.addItem(m.ethnicity, m.ethnicity)
                ethnicity = self.ethnicity.count() - 1
            self.ethnicity.setCurrentIndex(max(ethnicity, 0))
            set_combo_code(self.health, m.health)
            set_combo_code(self.labour, m.labour_capacity)
            set_combo_code(self.category, m.disability_category)
            set_combo_code(self.grade, m.disability_grade)
            set_combo_code(self.employment, m.employment)
            self.income.setText(m.monthly_income)
            self.obliged.setChecked(m.is_obliged_supporter)
            self.staff.setChecked(m.staff_relative)
            self._hint = m.id_hint
        finally:
            self._loading = False
        self._visible_fields.clear()
        self._messages = {}
        for label in self.errors.values():
            if label is not self.id_info:
                label.hide()
        self._render_id()
        self._propose_labour()

    def form(self) -> MemberForm:
        return MemberForm(
            name=self.name.text().strip(), id_number=self.id_number.text().strip(), relation=combo_code(self.relation),
            ethnicity=combo_code(self.ethnicity), health=combo_code(self.health),
            disability_category=combo_code(self.category), disability_grade=combo_code(self.grade),
            labour_capacity=combo_code(self.labour), employment=combo_code(self.employment),
            monthly_income=self.income.text().strip(), is_obliged_supporter=self.obliged.isChecked(),
            staff_relative=self.staff.isChecked(), id_hint=self._hint)

    def _tidy_income(self) -> None:
        """Show what was understood: "850" becomes "850.00" (a wrong amount stays as typed)."""
        try:
            cents = intake_form.parse_income(self.income.text())
        except InvalidInput:
            return
        if self.income.text().strip():
            self.income.setText(intake_form.format_cents(cents))

    # ----- messages -----------------------------------------------------------------------------------
    def _edited(self, *_args: object) -> None:
        if not self._loading:
            self.changed.emit()

    def _left(self, field: str) -> None:
        if self._loading:
            return
        self._visible_fields.add(field)
        self.changed.emit()
        self.refresh_messages()

    def refresh_messages(self, extra: dict[str, list[str]] | None = None) -> None:
        """Check this member again; show messages of fields already visited (and ``extra`` ones)."""
        found: dict[str, list[str]] = {}
        for v in intake_form.member_violations(self.form(), self.today()):
            found.setdefault(v.field, []).append(v.message)
        for field, messages in (extra or {}).items():
            self._visible_fields.add(field)
            found.setdefault(field, [])
            found[field] += [m for m in messages if m not in found[field]]
        self._messages = {f: m for f, m in found.items() if f in self._visible_fields}
        for field, label in self.errors.items():
            if label is not self.id_info:
                label.setText(self.tr("；").join(self._messages.get(field, [])))
                label.setVisible(bool(self._messages.get(field)))
        self._render_id()

    def show_all(self, extra: dict[str, list[str]] | None = None) -> None:
        """After "下一步" was refused: every field's message, including those not visited yet."""
        self._visible_fields.update(self.errors)
        self.refresh_messages(extra)

    def messages(self) -> dict[str, list[str]]:
        return dict(self._messages)

    def _render_id(self) -> None:
        preview = intake_form.id_preview(self.id_number.text(), self.today())
        errors = [m for m in self._messages.get(ID_NUMBER, []) if m != preview.message]
        if preview.state is IdState.INVALID:
            text, style = preview.message, ERROR_STYLE
        elif errors:
            text, style = self.tr("；").join(errors), ERROR_STYLE
        elif preview.state is IdState.VALID and preview.birth_date is not None:
            born = preview.birth_date
            text = self.tr("{0}年{1}月{2}日生　{3}　{4}岁").format(
                born.year, born.month, born.day, preview.sex_label, preview.age)
            if preview.message:
                text += self.tr("（{0}）").format(preview.message)
            style = OK_STYLE
            if self._hint and not preview.canonical.endswith(self._hint[-4:]):
                text += "\n" + self.tr("与原登记号码的尾号（{0}）不一致，请核对。").format(self._hint[-4:])
                style = _WARN_STYLE
        elif preview.state is IdState.PARTIAL:
            text, style = preview.message, HINT_STYLE
        elif self._hint:
            text = self.tr("原登记号码尾号为 {0}，请对照户口簿录入完整号码。").format(self._hint[-4:])
            style = HINT_STYLE
        else:
            text, style = "", HINT_STYLE
        self.id_info.setText(text)
        self.id_info.setStyleSheet(style)
        self.id_info.setVisible(bool(text))

    def focus_field(self, field: str) -> None:
        widget = {NAME: self.name, ID_NUMBER: self.id_number, RELATION: self.relation, ETHNICITY: self.ethnicity,
                  HEALTH: self.health, LABOUR: self.labour, CATEGORY: self.category, GRADE: self.grade,
                  EMPLOYMENT: self.employment, INCOME: self.income, OBLIGED: self.obliged,
                  STAFF: self.staff}.get(field, self.name)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
