"""The tables of the case detail: members (IDs masked, per-row reveal), documents, timeline, prints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.cases.queries import CaseDetail, DocumentRow, MemberRow
from desktop.services.documents.issue import PrintHistoryRow

from .. import style
from .dialogs import yuan_text

MISSING_COLOR = QColor(style.ERROR_COLOR)
RECEIVED_COLOR = QColor(style.OK_COLOR)
MUTED_COLOR = QColor("#666666")


def local_time(dt: datetime | None) -> str:
    return dt.astimezone().strftime("%Y-%m-%d %H:%M") if dt is not None else ""


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setTabKeyNavigation(False)
    return table


def _item(text: str, color: QColor | None = None, bold: bool = False, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if color is not None:
        item.setForeground(QBrush(color))
    if bold:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    if tip:
        item.setToolTip(tip)
    return item


class MembersTab(QWidget):
    """家庭成员. ID numbers masked; 显示 reveals one row's number (audited by the service) until closed."""

    reveal_requested = Signal(str)      # person uuid
    ID_COLUMN = 4

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.table = _table("members_table", [
            self.tr("姓名"), self.tr("与户主关系"), self.tr("性别"), self.tr("年龄"), self.tr("身份证号码"),
            self.tr("健康状况"), self.tr("劳动能力"), self.tr("月收入（元）"), self.tr("备注"), self.tr("操作")])
        layout.addWidget(self.table)
        note = QLabel(self.tr("身份证号码默认只显示后四位；点“显示”查看完整号码，每次查看都记入审计日志。"))
        note.setObjectName("members_note")
        note.setStyleSheet("color: #555;")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.members: tuple[MemberRow, ...] = ()
        self.revealed: dict[str, str] = {}
        self.buttons: dict[str, QPushButton] = {}

    def show_members(self, members: tuple[MemberRow, ...], can_reveal: bool) -> None:
        self.members = members
        self.revealed.clear()
        self.buttons.clear()
        self.table.setRowCount(len(members))
        self.table.setColumnHidden(9, not can_reveal)
        for row, m in enumerate(members):
            notes = [self.tr("申请人")] if m.is_applicant else []
            if m.is_obliged_supporter:
                notes.append(self.tr("赡养（抚养、扶养）义务人，不共同生活"))
            age = self.tr("{0}岁").format(m.age) if m.age is not None else ""
            cells = [m.name, m.relation_label, m.sex_label, age, m.masked_id, m.health_label, m.labour_label,
                     yuan_text(m.monthly_income_cents), self.tr("；").join(notes)]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, _item(text, bold=m.is_applicant and col == 0))
            if can_reveal:
                button = QPushButton(self.tr("显示"))
                button.setObjectName(f"reveal_{row}")
                button.setToolTip(self.tr("查看{0}的完整身份证号码（记入审计日志）").format(m.name))
                button.clicked.connect(lambda _=False, uuid=m.person_uuid: self._toggle(uuid))
                self.table.setCellWidget(row, 9, button)
                self.buttons[m.person_uuid] = button
        self.table.resizeColumnsToContents()

    def _row_of(self, person_uuid: str) -> int:
        return next((i for i, m in enumerate(self.members) if m.person_uuid == person_uuid), -1)

    def _toggle(self, person_uuid: str) -> None:
        if person_uuid in self.revealed:
            self.hide_number(person_uuid)
        else:
            self.buttons[person_uuid].setEnabled(False)
            self.reveal_requested.emit(person_uuid)

    def show_number(self, person_uuid: str, number: str) -> None:
        row = self._row_of(person_uuid)
        if row < 0:
            return
        self.revealed[person_uuid] = number
        self.table.setItem(row, self.ID_COLUMN, _item(number, bold=True))
        button = self.buttons.get(person_uuid)
        if button is not None:
            button.setEnabled(True)
            button.setText(self.tr("隐藏"))
        self.table.resizeColumnToContents(self.ID_COLUMN)

    def hide_number(self, person_uuid: str) -> None:
        row = self._row_of(person_uuid)
        self.revealed.pop(person_uuid, None)
        if row < 0:
            return
        self.table.setItem(row, self.ID_COLUMN, _item(self.members[row].masked_id))
        button = self.buttons.get(person_uuid)
        if button is not None:
            button.setEnabled(True)
            button.setText(self.tr("显示"))

    def reveal_failed(self, person_uuid: str) -> None:
        button = self.buttons.get(person_uuid)
        if button is not None:
            button.setEnabled(True)

    def id_texts(self) -> list[str]:
        return [self.table.item(r, self.ID_COLUMN).text() for r in range(self.table.rowCount())]


class DocumentsTab(QWidget):
    """材料: each document ticked received (with the date) or marked missing — in words, not colour alone.
    For a case waiting for documents, the missing ones can be ticked and recorded as brought in."""

    receive_requested = Signal(list)     # codes

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.table = _table("documents_table", [self.tr("材料"), self.tr("状态")])
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.hint = QLabel(self.tr("勾选申请人已补交的材料，然后点“登记已补交材料”。"))
        self.hint.setStyleSheet("color: #555;")
        row.addWidget(self.hint)
        row.addStretch(1)
        self.receive_button = QPushButton(self.tr("登记已补交材料(&D)"))
        self.receive_button.setObjectName("receive_documents")
        self.receive_button.clicked.connect(self._receive)
        row.addWidget(self.receive_button)
        layout.addLayout(row)
        self.documents: tuple[DocumentRow, ...] = ()

    def show_documents(self, documents: tuple[DocumentRow, ...], can_receive: bool) -> None:
        self.documents = documents
        self.table.setRowCount(len(documents))
        for row, d in enumerate(documents):
            name = _item(d.name)
            if d.received:
                status = _item(self.tr("✓ 已收到　{0}").format(local_time(d.received_at)), RECEIVED_COLOR)
            else:
                status = _item(self.tr("✗ 缺少"), MISSING_COLOR, bold=True)
                if can_receive:
                    name.setFlags(name.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    name.setCheckState(Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, status)
        self.table.resizeColumnsToContents()
        show = can_receive and any(not d.received for d in documents)
        self.hint.setVisible(show)
        self.receive_button.setVisible(show)

    def checked_codes(self) -> list[str]:
        out = []
        for row, d in enumerate(self.documents):
            item = self.table.item(row, 0)
            if not d.received and item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(d.code)
        return out

    def _receive(self) -> None:
        self.receive_requested.emit(self.checked_codes())


class TimelineTab(QWidget):
    """办理时间线, newest first: when, who, what, and the reason given."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.table = _table("timeline_table", [self.tr("时间"), self.tr("人员"), self.tr("事项"), self.tr("说明")])
        layout.addWidget(self.table)

    def show_timeline(self, detail: CaseDetail) -> None:
        entries = list(reversed(detail.timeline))
        self.table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            for col, text in enumerate((local_time(e.at), e.actor_name, e.what, e.detail)):
                self.table.setItem(row, col, _item(text))
        self.table.resizeColumnsToContents()


class PrintHistoryTab(QWidget):
    """打印记录 with 重印 (a new copy marked 副本) and 作废 (reason required) for the selected print."""

    reprint_requested = Signal(object)    # PrintHistoryRow
    void_requested = Signal(object)       # PrintHistoryRow

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.table = _table("print_history_table", [
            self.tr("打印时间"), self.tr("文书"), self.tr("份次"), self.tr("格式"), self.tr("打印人"), self.tr("状态")])
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        row.addStretch(1)
        self.reprint_button = QPushButton(self.tr("重印(&R)"))
        self.reprint_button.setObjectName("reprint_button")
        self.reprint_button.setToolTip(self.tr("再打印一份，文书上标明“副本”"))
        self.reprint_button.clicked.connect(lambda: self._emit(self.reprint_requested))
        self.void_button = QPushButton(self.tr("作废(&V)…"))
        self.void_button.setObjectName("void_button")
        self.void_button.setToolTip(self.tr("登记该份打印件作废（须填写原因），份号不再使用"))
        self.void_button.clicked.connect(lambda: self._emit(self.void_requested))
        row.addWidget(self.reprint_button)
        row.addWidget(self.void_button)
        layout.addLayout(row)
        self.rows: tuple[PrintHistoryRow, ...] = ()
        self.can_print = False

    def show_history(self, rows: tuple[PrintHistoryRow, ...], can_print: bool) -> None:
        self.rows = tuple(reversed(rows))
        self.can_print = can_print
        self.table.setRowCount(len(self.rows))
        formats = {"a4": self.tr("A4纸"), "roll80": self.tr("80毫米小票")}
        for row, r in enumerate(self.rows):
            kind = self.tr("{0}（{1}）").format(r.kind_label, r.department_name) if r.department_name \
                else r.kind_label
            copy = self.tr("副本（第{0}份）").format(r.copy_no) if r.is_copy else self.tr("原件")
            state = self.tr("已作废：{0}").format(r.void_reason) if r.voided else self.tr("有效")
            color = MUTED_COLOR if r.voided else None
            cells = (local_time(r.at), kind, copy, formats.get(r.fmt, r.fmt), r.actor_name, state)
            for col, text in enumerate(cells):
                self.table.setItem(row, col, _item(text, color, tip=state if r.voided else ""))
        self.table.resizeColumnsToContents()
        self.reprint_button.setVisible(can_print)
        self.void_button.setVisible(can_print)
        self._selection_changed()

    def selected(self) -> PrintHistoryRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.reprint_button.setEnabled(chosen is not None)
        self.void_button.setEnabled(chosen is not None and not chosen.voided)

    def _emit(self, signal: Callable[..., object]) -> None:
        chosen = self.selected()
        if chosen is not None:
            signal.emit(chosen)  # type: ignore[attr-defined]
