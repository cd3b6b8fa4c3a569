"""Step 2 — 家庭与成员: village, hukou, address and the members, each with its own form.

The members table on the left is an overview (ID numbers masked); the
selected member is edited in the form on the right. Names the bundled print
fonts cannot print are warned about here, not at print time.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop.domain.household import Relation
from desktop.domain.labour import LabourAges
from desktop.services.intake import form as intake_form
from desktop.services.intake.form import HouseholdDraft, HouseholdForm, MemberForm, Option, Violation

from ..context import UiContext
from .common import (
    ERROR_BOX_STYLE,
    ERROR_STYLE,
    INFO_BOX_STYLE,
    WARNING_BOX_STYLE,
    action_button,
    combo_code,
    fill_combo,
    message_label,
    messages_for,
    set_combo_code,
    show_message,
)
from .member_editor import MemberEditor

GLYPH_KEY = "intake.glyphs"
MAX_SUMMARY_LINES = 3
_RELATION_LABELS = {o.code: o.label for o in intake_form.RELATIONS}


class HouseholdStep(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("intake_household_step")
        self.members: list[MemberForm] = []
        self.household_uuid: str | None = None
        self.loaded_count = 0          # members that came from the record (not removed at intake)
        self._current = -1
        self._errors_by_row: dict[int, dict[str, list[str]]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = message_label(ERROR_BOX_STYLE, "household_errors")
        layout.addWidget(self.summary)
        self.notice = message_label(INFO_BOX_STYLE, "household_notice")
        layout.addWidget(self.notice)
        body = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self._build_household_box())
        left.addWidget(self._build_members_box(), 1)
        self.glyphs = message_label(WARNING_BOX_STYLE, "glyph_warnings")
        left.addWidget(self.glyphs)
        body.addLayout(left, 5)
        self.editor = MemberEditor(ctx.session.clock.today)
        self.editor.changed.connect(self._member_changed)
        self.editor.name_finished.connect(self.check_glyphs)
        body.addWidget(self.editor, 7)
        layout.addLayout(body, 1)
        chain = [self.village, self.hukou, self.address, self.table, self.add_button, self.remove_button,
                 *self.editor.tab_chain()]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self.editor.setEnabled(False)
        self.village.currentIndexChanged.connect(lambda _i: self._load_labour_ages())

    def _build_household_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("家庭"))
        grid = QGridLayout(box)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        self.village = QComboBox()
        self.village.setObjectName("household_village")
        fill_combo(self.village, [], self.tr("（请选择村或社区）"))
        self.hukou = QComboBox()
        self.hukou.setObjectName("household_hukou")
        fill_combo(self.hukou, intake_form.HUKOU_TYPES)
        self.address = QLineEdit()
        self.address.setObjectName("household_address")
        self.address.setMaxLength(200)
        self.address.editingFinished.connect(self.check_glyphs)
        self.field_errors: dict[str, QLabel] = {}
        for row, (text, widget, field) in enumerate(((self.tr("所在村（社区）(&V)："), self.village, "division_code"),
                                                     (self.tr("户口性质："), self.hukou, "hukou_type"),
                                                     (self.tr("家庭住址(&D)："), self.address, "address"))):
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, row * 2, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(widget, row * 2, 1)
            error = message_label(ERROR_STYLE, f"error_{field}")
            self.field_errors[field] = error
            grid.addWidget(error, row * 2 + 1, 1)
        return box

    def _build_members_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("家庭成员（含不在本户的法定义务人）"))
        col = QVBoxLayout(box)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("household_members")
        self.table.setHorizontalHeaderLabels([self.tr("姓名"), self.tr("关系"), self.tr("身份证号码"),
                                              self.tr("年龄"), self.tr("状态")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)     # Tab leaves the table (arrows move inside)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(36)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)   # grows with large type
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self._select(row))
        col.addWidget(self.table, 1)
        self.member_error = message_label(ERROR_STYLE, "members_error")
        col.addWidget(self.member_error)
        row = QHBoxLayout()
        self.add_button = action_button(self.tr("添加成员(&A)"), "add_member")
        self.add_button.clicked.connect(self.add_member)
        self.remove_button = action_button(self.tr("删除所选成员"), "remove_member")
        self.remove_button.clicked.connect(self.remove_member)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        col.addLayout(row)
        return box

    # ----- the step contract ----------------------------------------------------------------------
    def first_focus(self) -> QWidget:
        return self.village if not combo_code(self.village) else self.table

    def _load_labour_ages(self) -> None:
        """The village's policy ages for the 劳动能力 proposal (the township's while none is chosen)."""
        self.ctx.tasks.run(intake_form.labour_ages, self.ctx.session, combo_code(self.village),
                           latest_only="intake_labour_ages", on_done=self._labour_ages_loaded,
                           on_error=lambda _exc: None)   # the proposal then uses the defaults; nothing else depends on it

    def _labour_ages_loaded(self, ages: LabourAges) -> None:
        if isValid(self.editor):      # the wizard may have been closed meanwhile
            self.editor.set_labour_ages(ages)

    def set_villages(self, options: list[Option]) -> None:
        chosen = combo_code(self.village)
        fill_combo(self.village, [Option(o.code, self.tr("{0}（{1}）").format(o.label, o.code)) for o in options],
                   self.tr("（请选择村或社区）"))
        set_combo_code(self.village, chosen)

    def reset(self) -> None:
        self.household_uuid = None
        self.loaded_count = 0
        set_combo_code(self.village, "")
        self.hukou.setCurrentIndex(0)
        self.address.clear()
        self.members = []
        self._current = -1
        self._errors_by_row = {}
        self._refill_table()
        self.editor.setEnabled(False)
        for label in (self.summary, self.notice, self.glyphs, self.member_error, *self.field_errors.values()):
            show_message(label, "")

    def start_new(self, carried_id: str) -> None:
        self.reset()
        self._load_labour_ages()
        self.members = [MemberForm(id_number=carried_id, relation=Relation.SELF.value)]
        self._refill_table()
        self.table.setCurrentCell(0, 0)
        if carried_id:
            show_message(self.notice, self.tr("新建家庭：查询时输入的身份证号码已填入第一位成员，请补全其余信息。"))
        else:
            show_message(self.notice, self.tr("新建家庭：请先登记户主，再添加其他家庭成员。"))

    def load_draft(self, draft: HouseholdDraft) -> None:
        self.reset()
        form = draft.form
        self.household_uuid = draft.household_uuid
        set_combo_code(self.village, form.division_code)
        set_combo_code(self.hukou, form.hukou_type)
        self.address.setText(form.address)
        self.members = list(form.members)
        self.loaded_count = len(self.members)
        self._refill_table()
        if self.members:
            self.table.setCurrentCell(0, 0)
        text = self.tr("在已登记家庭的基础上申请：请核对并更新家庭和成员的情况，修改将随申请一并保存。")
        if draft.id_numbers_hidden:
            text += "\n" + self.tr("您的角色不能查看完整身份证号码：请对照户口簿，为每位成员录入完整号码。")
        show_message(self.notice, text)
        self.check_glyphs()

    def form(self) -> HouseholdForm:
        self._store_current()
        return HouseholdForm(combo_code(self.village), combo_code(self.hukou), self.address.text().strip(),
                             tuple(self.members))

    def validate(self) -> list[Violation]:
        violations = intake_form.household_violations(self.form(), self.ctx.session.clock.today())
        self.show_violations(violations)
        self.check_glyphs()
        return violations

    # ----- members ----------------------------------------------------------------------------------
    def add_member(self) -> None:
        self._store_current()
        self.members.append(MemberForm(relation="" if self.members else Relation.SELF.value))
        self._refill_table()
        self.table.setCurrentCell(len(self.members) - 1, 0)
        self.editor.focus_field("name")

    def remove_member(self) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.members):
            return
        if row < self.loaded_count:
            show_message(self.member_error, self.tr("已登记的成员不在受理时删除；户籍或家庭情况变动请在案件办理中核实处理。"))
            return
        del self.members[row]
        self._current = -1
        self._errors_by_row = {}
        self._refill_table()
        show_message(self.member_error, "")
        if self.members:
            self.table.setCurrentCell(min(row, len(self.members) - 1), 0)
        else:
            self.editor.setEnabled(False)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _select(self, row: int) -> None:
        if row == self._current:
            return
        self._store_current()
        self._current = row
        if 0 <= row < len(self.members):
            self.editor.setEnabled(True)
            self.editor.set_member(self.members[row])
            if self._errors_by_row.get(row):
                self.editor.show_all(self._errors_by_row[row])
        else:
            self.editor.setEnabled(False)

    def _store_current(self) -> None:
        if 0 <= self._current < len(self.members) and self.editor.isEnabled():
            self.members[self._current] = self.editor.form()

    def _member_changed(self) -> None:
        if 0 <= self._current < len(self.members):
            self.members[self._current] = self.editor.form()
            self._errors_by_row.pop(self._current, None)
            self._fill_row(self._current)

    def _refill_table(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.members))
        for row in range(len(self.members)):
            self._fill_row(row)
        self.table.blockSignals(False)
        self.remove_button.setEnabled(bool(self.members))

    def _fill_row(self, row: int) -> None:
        m = self.members[row]
        preview = intake_form.id_preview(m.id_number, self.ctx.session.clock.today())
        shown_id = intake_form.masked_id(preview.canonical) if preview.valid else (m.id_hint or "")
        relation = _RELATION_LABELS.get(m.relation, "")
        if m.is_obliged_supporter:
            relation = self.tr("{0}（户外义务人）").format(relation)
        status = self.tr("需修改") if self._errors_by_row.get(row) else ""
        age = str(preview.age) if preview.valid and preview.age is not None else ""
        for col, text in enumerate((m.name or self.tr("（未填姓名）"), relation, shown_id, age, status)):
            item = QTableWidgetItem(text)
            if col == 4 and status:
                item.setForeground(Qt.GlobalColor.red)
            self.table.setItem(row, col, item)

    # ----- messages ---------------------------------------------------------------------------------
    def show_violations(self, violations: list[Violation]) -> None:
        for field, label in self.field_errors.items():
            show_message(label, self.tr("；").join(messages_for(violations, field).get("", [])))
        show_message(self.member_error, self.tr("；").join(v.message for v in violations if v.field == "members"))
        self._errors_by_row = {}
        for row in range(len(self.members)):
            found = messages_for(violations, f"members[{row}].")
            if found:       # next to the member's own fields the name need not be repeated
                self._errors_by_row[row] = {f: list(dict.fromkeys(intake_form.plain_message(m) for m in ms))
                                            for f, ms in found.items()}
        for row in range(len(self.members)):
            self._fill_row(row)
        lines = [v.message for v in violations]
        text = ""
        if lines:
            text = self.tr("有{0}处需要修改（已在相应栏目旁标红）：").format(len(lines)) + "\n" + "\n".join(
                self.tr("· {0}").format(line) for line in lines[:MAX_SUMMARY_LINES])
            if len(lines) > MAX_SUMMARY_LINES:
                text += self.tr("……另有{0}处").format(len(lines) - MAX_SUMMARY_LINES)
        show_message(self.summary, text)
        self.notice.setVisible(not text and bool(self.notice.text()))
        if not self._errors_by_row:
            if violations:
                self._focus_household_field(violations[0].field)
            return
        first = min(self._errors_by_row)
        if self.table.currentRow() != first:
            self.table.setCurrentCell(first, 0)    # shows that member's messages next to the fields
        else:
            self.editor.show_all(self._errors_by_row[first])
        if violations[0].field.startswith("members["):
            self.editor.focus_field(next(iter(self._errors_by_row[first])))
        else:
            self._focus_household_field(violations[0].field)

    def _focus_household_field(self, field: str) -> None:
        widget = {"division_code": self.village, "hukou_type": self.hukou, "address": self.address}.get(field)
        (widget or self.table).setFocus(Qt.FocusReason.OtherFocusReason)

    def check_glyphs(self) -> None:
        self._store_current()
        texts = [m.name for m in self.members] + [self.address.text()]
        self.ctx.tasks.run(intake_form.glyph_warnings, texts, latest_only=GLYPH_KEY,
                           on_done=lambda warnings: self._show_glyphs("\n".join(warnings)),
                           on_error=lambda exc: self._show_glyphs(self.ctx.error_text(exc)))

    def _show_glyphs(self, text: str) -> None:
        if isValid(self.glyphs):      # the wizard may have been closed meanwhile
            show_message(self.glyphs, text)
