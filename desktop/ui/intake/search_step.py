"""Step 1 — 查询 (search first): nobody is typed twice.

One box takes an ID number (full or last digits), a name, pinyin initials or
a case number; results appear while typing (debounced, only the latest
search counts). Households come with their members (ID numbers masked),
open cases and current coverage; a household already in an open case or
already covered is shown prominently before the clerk goes on. The clerk
then picks a household to apply from, or — only after a search was done —
starts a new one; a full valid ID number typed in the box becomes the new
household's first member.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.intake import form as intake_form
from desktop.services.intake import search
from desktop.services.intake.search import HouseholdHit, QueryKind, SearchResults

from ..context import UiContext
from ..typography import set_font_scale
from .common import (
    ERROR_BOX_STYLE,
    HINT_STYLE,
    INFO_BOX_STYLE,
    WARNING_BOX_STYLE,
    action_button,
    ask,
    message_label,
    show_message,
)

DEBOUNCE_MS = 250
SEARCH_KEY = "intake.search"
_HOUSEHOLD_ROLE = Qt.ItemDataRole.UserRole


class SearchStep(QWidget):
    household_chosen = Signal(str)     # household uuid
    new_household = Signal(str)        # the full valid ID number typed in the box, or ""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("intake_search_step")
        self.results: SearchResults | None = None
        self._results_for = ""          # the text the shown results belong to
        self._pending = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.search_now)
        self._build()

    # ----- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.banner = message_label(INFO_BOX_STYLE, "intake_banner")
        layout.addWidget(self.banner)
        intro = QLabel(self.tr("先查询，再受理：输入申请人或家庭成员的身份证号码（完整或后4–6位）、姓名或姓名拼音首字母"
                               "（如 zsm），确认本乡镇没有登记过，或在已有家庭的基础上申请。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        label = QLabel(self.tr("查询(&F)："))
        self.box = QLineEdit()
        self.box.setObjectName("intake_search_box")
        self.box.setPlaceholderText(self.tr("身份证号码、姓名或拼音首字母，按↓进入结果"))
        self.box.setClearButtonEnabled(True)
        set_font_scale(self.box, 1.3)
        label.setBuddy(self.box)
        self.box.textChanged.connect(self._typed)
        self.box.installEventFilter(self)
        row.addWidget(label)
        row.addWidget(self.box, 1)
        layout.addLayout(row)
        self.status = QLabel(search.HINT)
        self.status.setObjectName("intake_search_status")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.status)
        self.alert = message_label(ERROR_BOX_STYLE, "intake_open_case_alert")
        set_font_scale(self.alert, 1.1, bold=True)
        layout.addWidget(self.alert)
        self.coverage_alert = message_label(WARNING_BOX_STYLE, "intake_coverage_alert")
        layout.addWidget(self.coverage_alert)
        body = QHBoxLayout()
        self.tree = QTreeWidget()
        self.tree.setObjectName("intake_search_results")
        self.tree.setHeaderLabels([self.tr("家庭 / 姓名"), self.tr("身份证号码"), self.tr("性别"), self.tr("年龄"),
                                   self.tr("与户主关系"), self.tr("说明")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setTabKeyNavigation(False)
        self.tree.setRootIsDecorated(True)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((220, 160, 44, 44, 96)):
            self.tree.setColumnWidth(column, width)
        self.tree.currentItemChanged.connect(self._selection_changed)
        self.tree.itemActivated.connect(lambda *_: self.choose_selected())
        body.addWidget(self.tree, 3)
        body.addWidget(self._build_side(), 2)
        layout.addLayout(body, 1)

    def _build_side(self) -> QWidget:
        side = QGroupBox(self.tr("所选家庭"))
        col = QVBoxLayout(side)
        self.detail = QLabel(self.tr("在左侧结果中选择一户家庭（↑↓键），可查看其在办申请和正在享受的救助。"))
        self.detail.setObjectName("intake_household_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        col.addWidget(self.detail, 1)
        self.choose = action_button(self.tr("选择此家庭（在此基础上申请）(&X)"), "intake_choose_household")
        self.choose.setEnabled(False)
        self.choose.clicked.connect(self.choose_selected)
        col.addWidget(self.choose)
        self.create = action_button(self.tr("新建家庭(&J)"), "intake_new_household")
        self.create.setEnabled(False)
        self.create.setToolTip(self.tr("先查询，确认没有登记过，才能新建家庭"))
        self.create.clicked.connect(self.start_new_household)
        col.addWidget(self.create)
        self.create_hint = QLabel(self.tr("查询后才能新建家庭。"))
        self.create_hint.setWordWrap(True)
        self.create_hint.setStyleSheet(HINT_STYLE)
        col.addWidget(self.create_hint)
        return side

    # ----- the step contract ----------------------------------------------------------------------
    def first_focus(self) -> QWidget:
        return self.box

    def reset(self) -> None:
        self.timer.stop()
        self.box.clear()
        self._show(None, "")

    def show_banner(self, text: str) -> None:
        show_message(self.banner, text)

    def selected_household(self) -> HouseholdHit | None:
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        if item is None or self.results is None:
            return None
        uuid = item.data(0, _HOUSEHOLD_ROLE)
        return next((h for h in self.results.households if h.household_uuid == uuid), None)

    def search_done(self) -> bool:
        """A search of what is in the box has come back (and it was something searchable)."""
        return (self.results is not None and not self._pending and self._results_for == self.box.text()
                and self.results.query_kind not in (QueryKind.EMPTY, QueryKind.UNKNOWN))

    # ----- searching -------------------------------------------------------------------------------
    def _typed(self, text: str) -> None:
        if text.strip():   # the next person has begun: "上一件已办理…" no longer applies
            show_message(self.banner, "")
        self._pending = True
        self._update_buttons()
        self.timer.start()

    def search_now(self) -> None:
        self.timer.stop()
        text = self.box.text()
        parsed = search.classify(text, self.ctx.session.clock.today())
        if parsed.kind in (QueryKind.EMPTY, QueryKind.UNKNOWN):
            # Nothing to look up: say what to type, without a round trip to the database.
            self._show(SearchResults(parsed.kind, (), False, parsed.notice), text)
            return
        self._pending = True
        self.status.setText(self.tr("正在查询…"))
        self.ctx.tasks.run(search.search, self.ctx.session, text, on_done=lambda r, t=text: self._arrived(r, t),
                           on_error=self._failed, latest_only=SEARCH_KEY)

    def _arrived(self, results: SearchResults, text: str) -> None:
        # The box may have changed to something not searched at all (too short): drop what is stale.
        if text == self.box.text():
            self._show(results, text)

    def _failed(self, exc: BaseException) -> None:
        self._pending = False
        self.status.setText(self.ctx.error_text(exc))
        self._update_buttons()

    def _show(self, results: SearchResults | None, text: str) -> None:
        self._pending = self.timer.isActive() or text != self.box.text()
        self.results, self._results_for = results, text
        self.tree.clear()
        if results is None:
            self.status.setText(search.HINT)
            show_message(self.alert, "")
            show_message(self.coverage_alert, "")
            self._update_buttons()
            return
        for hh in results.households:
            self.tree.addTopLevelItem(self._household_item(hh))
        self._span_households()
        self.tree.expandAll()
        if results.households:
            found = self.tr("找到 {0} 户家庭、{1} 名相符人员。").format(len(results.households), results.person_count)
            self.status.setText(found + results.notice)
        else:
            self.status.setText(results.notice or self.tr("没有找到。"))
        self._show_alerts(results)
        self._update_buttons()

    def _household_item(self, hh: HouseholdHit) -> QTreeWidgetItem:
        notes = [self.tr("{0}人").format(hh.size)]
        if hh.open_cases:
            notes.append(self.tr("在办申请{0}件").format(len(hh.open_cases)))
        if hh.coverage:
            notes.append(self.tr("正在享受：{0}").format(self.tr("、").join(c.category_label for c in hh.coverage)))
        item = QTreeWidgetItem([self.tr("{0}户（{1}）：{2}").format(hh.head_name, hh.village_name,
                                                                  self.tr("；").join(notes))])
        item.setData(0, _HOUSEHOLD_ROLE, hh.household_uuid)
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        for p in hh.members:
            note = self.tr("户外法定义务人") if p.is_obliged_supporter else ""
            age = "" if p.age is None else str(p.age)
            child = QTreeWidgetItem([p.name, p.masked_id, p.sex, age, p.relation_label, note])
            child.setData(0, _HOUSEHOLD_ROLE, hh.household_uuid)
            if p.matched:
                bold = child.font(0)
                bold.setBold(True)
                for col in range(6):
                    child.setFont(col, bold)
            item.addChild(child)
        return item

    def _span_households(self) -> None:
        for i in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(i).setFirstColumnSpanned(True)

    def _show_alerts(self, results: SearchResults) -> None:
        open_lines, covered_lines = [], []
        for hh in results.households:
            names = self.tr("、").join(p.name for p in hh.members if p.matched) or hh.head_name
            if hh.open_cases:
                cases = self.tr("；").join(self.tr("案件编号 {0}（{1}，{2}）").format(
                    c.case_number_display, c.status_label, self.tr("、").join(c.categories_labels)) for c in hh.open_cases)
                open_lines.append(self.tr("{0} 所在家庭已有未办结的申请：{1}。请先核对，不要重复受理。").format(names, cases))
            if hh.coverage:
                covers = self.tr("；").join(self.tr("{0}（{1}起，每月{2}元）").format(
                    c.category_label, c.since.isoformat(), intake_form.format_cents(c.monthly_amount_cents))
                    for c in hh.coverage)
                covered_lines.append(self.tr("{0} 所在家庭已在享受救助：{1}。").format(names, covers))
        if results.case is not None:
            c = results.case
            open_lines.insert(0, self.tr("案件编号 {0}：{1}，{2}。").format(
                c.case_number_display, c.status_label, self.tr("、").join(c.categories_labels)))
        show_message(self.alert, "\n".join(open_lines))
        show_message(self.coverage_alert, "\n".join(covered_lines))

    def _selection_changed(self, *_args: object) -> None:
        hh = self.selected_household()
        if hh is None:
            self.detail.setText(self.tr("在左侧结果中选择一户家庭（↑↓键），可查看其在办申请和正在享受的救助。"))
        else:
            lines = [self.tr("户主：{0}　{1}人").format(hh.head_name, hh.size),
                     self.tr("村（社区）：{0}").format(hh.village_name),
                     self.tr("地址：{0}").format(hh.address)]
            lines += [self.tr("在办：{0}（{1}）").format(c.case_number_display, c.status_label) for c in hh.open_cases]
            lines += [self.tr("享受：{0}").format(c.category_label) for c in hh.coverage]
            if not hh.open_cases and not hh.coverage:
                lines.append(self.tr("该户没有在办申请，也没有正在享受的救助。"))
            self.detail.setText("\n".join(lines))
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.choose.setEnabled(self.selected_household() is not None)
        done = self.search_done()
        self.create.setEnabled(done)
        self.create_hint.setVisible(not done)

    # ----- choosing -------------------------------------------------------------------------------
    def choose_selected(self) -> None:
        hh = self.selected_household()
        if hh is None:
            return
        if hh.open_cases or hh.coverage:
            what = []
            if hh.open_cases:
                what.append(self.tr("有未办结的申请（{0}）").format(
                    self.tr("、").join(c.case_number_display for c in hh.open_cases)))
            if hh.coverage:
                what.append(self.tr("正在享受{0}").format(self.tr("、").join(c.category_label for c in hh.coverage)))
            ask(self, self.tr("该户已有记录"),
                self.tr("{0}户{1}。\n确实要在此基础上提出新的申请吗？").format(hh.head_name, self.tr("，").join(what)),
                lambda: self.household_chosen.emit(hh.household_uuid), self.tr("继续申请"), self.tr("返回核对"))
            return
        self.household_chosen.emit(hh.household_uuid)

    def carried_id(self) -> str:
        if self.results is None or self.results.query_kind is not QueryKind.ID_NUMBER:
            return ""
        preview = intake_form.id_preview(self._results_for, self.ctx.session.clock.today())
        return preview.canonical if preview.valid else ""

    def start_new_household(self) -> None:
        if not self.search_done():
            return
        carried = self.carried_id()
        if carried and self.results is not None and self.results.households:
            ask(self, self.tr("该身份证号码已登记"),
                self.tr("查到的家庭中已有持该身份证号码的人员。一般应选择该家庭办理。\n确实要新建家庭吗？"),
                lambda: self.new_household.emit(carried), self.tr("新建家庭"), self.tr("返回核对"))
            return
        self.new_household.emit(carried)

    # ----- keyboard ---------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.box and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Down and self.tree.topLevelItemCount():
                self.tree.setFocus(Qt.FocusReason.TabFocusReason)
                if self.tree.currentItem() is None:
                    self.tree.setCurrentItem(self.tree.topLevelItem(0))
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.search_now()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        # Enter on this step means "search" (box) or "choose" (results), never the wizard's 下一步.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)
