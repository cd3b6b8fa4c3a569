"""One notice batch: its cases and what became of each, postings, photos, objections, prints — and
the actions its state allows (print the poster, export, record a posting, an objection, withdraw).

Everything is read with ``notices.batch_detail`` on the worker; every action
is a service call, and a refusal shows the service's Chinese message and
changes nothing. Printing goes through :class:`~desktop.ui.printing.PrintDialog`
on bytes the notice service rendered; they are recorded (``notices.record_print``)
only when the clerk prints or saves them. Esc goes back to the list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.notice import BatchStatus, amount_text
from desktop.services.notices import batches as notices
from desktop.services.notices.batches import BatchDetail, NoticeDocument
from desktop.services.session import AppSession

from .. import style
from ..context import UiContext
from ..files import ask_open_file, ask_save_file
from ..printing import PrintDialog
from ..typography import set_font_scale
from .dialogs import (
    HandleObjectionDialog,
    ObjectionDialog,
    PostingDialog,
    ServiceDialog,
    StartDateDialog,
    WithdrawDialog,
)

log = logging.getLogger(__name__)

ERROR_STYLE = style.ERROR_BANNER
OK_STYLE = style.OK_BANNER
WARN_STYLE = style.WARNING_BANNER
BADGE_STYLE = "background: #2f6fab; color: white; padding: 2px 10px; border-radius: 3px;"
POSTER_FORMATS = ("A4-portrait", "A4-landscape", "A3-portrait", "A3-landscape")
SETTING_POSTER_FORMAT = "print/notice_format"
THUMB = 160
TABLE_STYLE = "QTableView::item { padding: 0 6px; }"
PHOTO_FILTER = "*.jpg *.jpeg *.png *.webp"


@dataclass(frozen=True)
class PosterPreview:
    """What the print dialog shows (``pdf``) and, when printed or saved, records (``doc``)."""

    pdf: bytes
    doc: NoticeDocument


def poster_provider(ctx: UiContext, batch_uuid: str, withdrawal: bool = False) -> Callable[[str], PosterPreview]:
    """fmt ("A3-landscape") -> an unrecorded preview of the poster (or the withdrawal notice)."""
    session = ctx.session

    def provide(fmt: str) -> PosterPreview:
        size, orientation = fmt.split("-")
        fn = notices.print_withdrawal_notice if withdrawal else notices.print_poster
        doc = fn(session, batch_uuid, size, orientation, preview=True)
        return PosterPreview(doc.data, doc)

    return provide


def poster_recorder(ctx: UiContext, batch_uuid: str) -> Callable[[PosterPreview], NoticeDocument]:
    """Records the previewed bytes when the clerk prints or saves them (refused if the batch changed)."""
    session = ctx.session
    return lambda preview: notices.record_print(session, batch_uuid, preview.doc)


def load_photos(session: AppSession, uuids: list[str]) -> list[tuple[str, bytes]]:
    return [(u, notices.photo_data(session, u)[1]) for u in uuids]


def _table(name: str, headers: list[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.setStyleSheet(TABLE_STYLE)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], keys: list[str] | None = None,
          right: tuple[int, ...] = ()) -> None:
    table.setRowCount(len(rows))
    for i, cells in enumerate(rows):
        for j, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if j in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if keys is not None and j == 0:
                item.setData(Qt.ItemDataRole.UserRole, keys[i])
            table.setItem(i, j, item)
    if rows and table.currentRow() < 0:
        table.setCurrentCell(0, 0)


class BatchDetailView(QWidget):
    """One batch. ``closed`` asks the page to go back to the list; ``changed`` says the list is stale."""

    closed = Signal()
    changed = Signal()
    loaded = Signal()

    def __init__(self, ctx: UiContext, today: Callable[[], date] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today or ctx.session.clock.today
        self.setObjectName("notice_detail")
        self.batch_uuid = ""
        self.detail: BatchDetail | None = None
        self.loading = False
        self.dialog: ServiceDialog | None = None
        self.print_dialog: PrintDialog | None = None
        self.photo_dialog: QDialog | None = None
        self.withdrawal_question: QMessageBox | None = None
        self.last_export: Path | None = None
        self.thumbnails: dict[str, QPixmap] = {}
        self._build()

    # ----- building ------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 8)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.title = QLabel("")
        self.title.setObjectName("batch_title")
        set_font_scale(self.title, 1.4, bold=True)
        top.addWidget(self.title, 1)
        self.badge = QLabel("")
        self.badge.setObjectName("batch_status")
        self.badge.setStyleSheet(BADGE_STYLE)
        top.addWidget(self.badge)
        layout.addLayout(top)
        self.meta = QLabel("")
        self.meta.setObjectName("batch_meta")
        self.meta.setWordWrap(True)
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.meta)
        self.warning = QLabel("")
        self.warning.setObjectName("batch_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARN_STYLE)
        self.warning.hide()
        layout.addWidget(self.warning)
        self.message = QLabel("")
        self.message.setObjectName("batch_message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        layout.addLayout(self._build_actions())
        self.tabs = QTabWidget()
        self.tabs.setObjectName("batch_tabs")
        self.tabs.addTab(self._build_cases_tab(), self.tr("公示名单"))
        self.tabs.addTab(self._build_postings_tab(), self.tr("张贴记录"))
        self.tabs.addTab(self._build_photos_tab(), self.tr("张贴照片"))
        self.tabs.addTab(self._build_objections_tab(), self.tr("异议"))
        self.tabs.addTab(self._build_prints_tab(), self.tr("打印与导出记录"))
        layout.addWidget(self.tabs, 1)
        hint = QLabel(self.tr("Esc 返回列表　F5 刷新　Ctrl+Tab 切换标签页"))
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.closed.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.reload,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _button(self, name: str, text: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _=False: slot())
        return button

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.buttons = {
            "print": self._button("print_poster", self.tr("打印海报(&P)…"), self.print_poster),
            "start": self._button("change_start", self.tr("修改张贴日期(&D)…"), self.change_start),
            "post": self._button("record_posting", self.tr("登记张贴(&T)…"), self.record_posting),
            "export": self._button("export", self.tr("导出(&E)"), lambda: None),
            "withdraw": self._button("withdraw", self.tr("撤回公示(&W)…"), self.withdraw),
            "withdrawal_notice": self._button("print_withdrawal", self.tr("打印撤回说明(&P)…"),
                                              self.print_withdrawal_notice),
        }
        menu = QMenu(self.buttons["export"])
        menu.addAction(self.tr("导出 CSV 表格（县网站）…"), lambda: self.export("csv"))
        menu.addAction(self.tr("导出网页 HTML（县网站）…"), lambda: self.export("html"))
        self.buttons["export"].setMenu(menu)
        for b in self.buttons.values():
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self._button("detail_back", self.tr("返回列表"), self.closed.emit))
        return row

    def _build_cases_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.cases_table = _table("batch_cases", [
            self.tr("案件编号"), self.tr("申请人"), self.tr("家庭人口"), self.tr("拟救助金额（元）"),
            self.tr("案件状态"), self.tr("公示结果")], 5)
        layout.addWidget(self.cases_table, 1)
        row = QHBoxLayout()
        self.object_button = self._button("record_objection", self.tr("对所选案件登记异议(&O)…"), self.record_objection)
        self.remove_button = self._button("remove_case", self.tr("将所选案件移出本批(&M)"), self.remove_case)
        row.addWidget(self.object_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _build_postings_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.postings_table = _table("batch_postings", [
            self.tr("张贴日期"), self.tr("张贴地点"), self.tr("张贴人"), self.tr("备注"), self.tr("登记人")], 1)
        layout.addWidget(self.postings_table)
        return page

    def _build_photos_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.photo_list = QListWidget()
        self.photo_list.setObjectName("batch_photos")
        self.photo_list.setViewMode(QListView.ViewMode.IconMode)
        self.photo_list.setIconSize(QSize(THUMB, THUMB))
        self.photo_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.photo_list.setMovement(QListView.Movement.Static)
        self.photo_list.setSpacing(8)
        self.photo_list.itemActivated.connect(self.show_photo)
        layout.addWidget(self.photo_list, 1)
        row = QHBoxLayout()
        self.photo_button = self._button("add_photo", self.tr("上传张贴照片(&U)…"), self.add_photo)
        row.addWidget(self.photo_button)
        note = QLabel(self.tr("JPG、PNG 或 WebP 图片，每张不超过 8 MB；照片加密保存在本机数据库中。"))
        note.setStyleSheet("color: #555;")
        note.setWordWrap(True)
        row.addWidget(note, 1)
        layout.addLayout(row)
        return page

    def _build_objections_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.objections_table = _table("batch_objections", [
            self.tr("收到日期"), self.tr("案件编号"), self.tr("反映人"), self.tr("方式"), self.tr("内容"),
            self.tr("状态"), self.tr("处理结果")], 4)
        layout.addWidget(self.objections_table, 1)
        row = QHBoxLayout()
        self.handle_button = self._button("handle_objection", self.tr("登记处理结果(&H)…"), self.handle_objection)
        row.addWidget(self.handle_button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _build_prints_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.prints_table = _table("batch_prints", [
            self.tr("时间"), self.tr("文书"), self.tr("格式"), self.tr("第几份"), self.tr("行数"), self.tr("操作人")], 1)
        layout.addWidget(self.prints_table)
        return page

    # ----- reading -------------------------------------------------------------------------
    def open_batch(self, batch_uuid: str) -> None:
        if batch_uuid != self.batch_uuid:
            self.detail = None
            self.thumbnails = {}
            self.photo_list.clear()
            self.say("")
            self.tabs.setCurrentIndex(0)
        self.batch_uuid = batch_uuid
        self.reload()

    def reload(self) -> None:
        if not self.batch_uuid:
            return
        self.loading = True
        uuid = self.batch_uuid
        self.ctx.tasks.run(notices.batch_detail, self.ctx.session, uuid, on_done=self._show,
                           on_error=self._failed, latest_only="notice_detail")

    def _show(self, d: BatchDetail) -> None:
        self.loading = False
        if d.summary.uuid != self.batch_uuid:
            return
        self.detail = d
        s = d.summary
        self.title.setText(self.tr("{0} — {1}").format(s.village_name, s.title))
        self.badge.setText(s.status_label)
        end = s.end_on.isoformat() if s.end_on else self.tr("待定")
        if s.end_on and s.end_provisional:
            end += self.tr("（暂定）")
        self.meta.setText(self.tr("公示编号 {0}　类别：{1}　公示期：{2}（{3} 至 {4}）　共 {5} 件　异议 {6} 条（待处理 {7}）"
                                  "　创建：{8}").format(s.batch_number, s.category_label, s.period_label,
                                                      s.start_on.isoformat(), end, s.cases, s.objections,
                                                      s.open_objections, s.created_by))
        warning = ""
        if s.status is BatchStatus.DRAFT:
            warning = (self.tr("草稿：请先打印海报，贴出后再“登记张贴”，公示期从张贴日起算。") if not s.poster_printed
                       else self.tr("草稿在上次打印后有修改：请重新打印海报再张贴。") if s.needs_reprint
                       else self.tr("海报已打印：贴出后请“登记张贴”（张贴日期须为 {0}）。").format(s.start_on.isoformat()))
        elif s.status is BatchStatus.POSTED and s.open_objections:
            warning = self.tr("有 {0} 条异议尚未登记处理结果。").format(s.open_objections)
        elif s.status is BatchStatus.WITHDRAWN:
            warning = self.tr("已撤回，理由：{0}").format(s.withdraw_reason)
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))
        self._fill_tables(d)
        self._update_actions()
        self._load_thumbnails(d)
        self.loaded.emit()

    def _fill_tables(self, d: BatchDetail) -> None:
        _fill(self.cases_table, [
            [c.case_number_display, c.holder_name, str(c.household_size),
             amount_text(c.proposed_monthly_cents), c.case_status_label, c.outcome_label] for c in d.cases],
            [c.case_uuid for c in d.cases], right=(2, 3))
        _fill(self.postings_table, [[p.posted_on.isoformat(), p.place, p.posted_by, p.note, p.recorded_by]
                                    for p in d.postings])
        _fill(self.objections_table, [
            [o.received_on.isoformat(), o.case_number_display, self.tr("匿名") if o.anonymous else o.objector_name,
             o.channel_label, o.content, o.status_label, o.result_label] for o in d.objections],
            [o.uuid for o in d.objections])
        kinds = {"poster": self.tr("公示海报"), "withdrawal": self.tr("撤回说明"), "csv": self.tr("CSV 导出"),
                 "html": self.tr("网页导出")}
        _fill(self.prints_table, [
            [p.at.astimezone().strftime("%Y-%m-%d %H:%M"), kinds.get(p.kind, p.kind), self._format_label(p.fmt),
             str(p.copy_no), str(p.rows), p.actor] for p in d.prints])
        self.tabs.setTabText(2, self.tr("张贴照片（{0}）").format(len(d.photos)))
        self.tabs.setTabText(3, self.tr("异议（{0}）").format(len(d.objections)))

    def _format_label(self, fmt: str) -> str:
        labels = self.poster_labels()
        return labels.get(fmt, fmt.upper())

    def poster_labels(self) -> dict[str, str]:
        return {"A4-portrait": self.tr("A4 纵向"), "A4-landscape": self.tr("A4 横向"),
                "A3-portrait": self.tr("A3 纵向"), "A3-landscape": self.tr("A3 横向")}

    def _update_actions(self) -> None:
        s = self.detail.summary if self.detail else None
        status = s.status if s else None
        active = status in (BatchStatus.DRAFT, BatchStatus.POSTED)
        visible = {
            "print": active, "start": status is BatchStatus.DRAFT, "post": active, "export": active,
            "withdraw": active,
            "withdrawal_notice": status is BatchStatus.WITHDRAWN and s is not None and s.posted_at is not None,
        }
        for key, button in self.buttons.items():
            button.setVisible(bool(visible[key]))
        self.buttons["print"].setText(self.tr("补打海报(&P)…") if status is BatchStatus.POSTED
                                      else self.tr("打印海报(&P)…"))
        self.buttons["post"].setText(self.tr("登记另一处张贴(&T)…") if status is BatchStatus.POSTED
                                     else self.tr("登记张贴(&T)…"))
        self.buttons["withdraw"].setText(self.tr("放弃草稿(&W)…") if status is BatchStatus.DRAFT
                                         else self.tr("撤回公示(&W)…"))
        self.object_button.setVisible(status is BatchStatus.POSTED)
        self.remove_button.setVisible(status is BatchStatus.DRAFT)
        self.photo_button.setEnabled(s is not None and s.posted_at is not None)
        self.handle_button.setEnabled(any(o.status == "open" for o in (self.detail.objections if self.detail else ())))

    def _load_thumbnails(self, d: BatchDetail) -> None:
        missing = [p.uuid for p in d.photos if p.uuid not in self.thumbnails]
        if not missing:
            self._show_thumbnails()
            return
        self.ctx.tasks.run(load_photos, self.ctx.session, missing, on_done=self._thumbnails_loaded,
                           on_error=self._failed)

    def _thumbnails_loaded(self, loaded: list[tuple[str, bytes]]) -> None:
        for uuid, data in loaded:
            pixmap = QPixmap()
            if pixmap.loadFromData(data):
                pixmap = pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
            self.thumbnails[uuid] = pixmap
        self._show_thumbnails()

    def _show_thumbnails(self) -> None:
        self.photo_list.clear()
        if self.detail is None:
            return
        for i, p in enumerate(self.detail.photos, 1):
            pixmap = self.thumbnails.get(p.uuid)
            caption = p.caption or self.tr("照片{0}").format(i)
            item = QListWidgetItem(caption)
            if pixmap is not None and not pixmap.isNull():
                item.setIcon(QIcon(pixmap))
            item.setToolTip(self.tr("{0}，{1} KB，上传人 {2}").format(caption, p.size // 1024, p.added_by))
            item.setData(Qt.ItemDataRole.UserRole, p.uuid)
            self.photo_list.addItem(item)

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.say(self.ctx.error_text(exc), error=True)

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setVisible(bool(text))

    def _after_change(self, text: str = "") -> None:
        if text:
            self.say(text)
        self.changed.emit()
        self.ctx.events.data_changed.emit()
        self.reload()

    # ----- selection -----------------------------------------------------------------------
    def selected_case(self) -> str:
        row = self.cases_table.currentRow()
        item = self.cases_table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else ""

    def selected_objection(self) -> str:
        row = self.objections_table.currentRow()
        item = self.objections_table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else ""

    # ----- dialogs -------------------------------------------------------------------------
    def _open_dialog(self, dialog: ServiceDialog, done: Callable[[Any], str]) -> ServiceDialog:
        self.dialog = dialog

        def finished(result: int) -> None:
            if result == ServiceDialog.DialogCode.Accepted:
                self._after_change(done(dialog.result_value))
            self.setFocus()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def record_posting(self) -> ServiceDialog | None:
        if self.detail is None:
            return None
        s = self.detail.summary
        first = s.status is BatchStatus.DRAFT
        return self._open_dialog(
            PostingDialog(self.ctx, s.uuid, first, s.start_on, self.today(), self),
            lambda _r: self.tr("已登记张贴，公示期开始，名单中的案件已转为“公示中”。") if first
            else self.tr("已登记张贴。"))

    def record_objection(self) -> ServiceDialog | None:
        if self.detail is None:
            return None
        listed = [c for c in self.detail.cases if c.outcome == "listed"]
        if not listed:
            self.say(self.tr("名单中已没有仍在公示的案件。"), error=True)
            return None
        return self._open_dialog(
            ObjectionDialog(self.ctx, self.batch_uuid, listed, self.selected_case(), self.today(), self),
            lambda info: self.tr("已登记对案件 {0} 的异议，该案件已退回“调查中”。").format(info.case_number_display))

    def handle_objection(self) -> ServiceDialog | None:
        if self.detail is None:
            return None
        chosen = self.selected_objection()
        found = [o for o in self.detail.objections if o.uuid == chosen and o.status == "open"] or \
            [o for o in self.detail.objections if o.status == "open"]
        if not found:
            self.say(self.tr("没有待处理的异议。"), error=True)
            return None
        return self._open_dialog(HandleObjectionDialog(self.ctx, found[0], self),
                                 lambda _r: self.tr("已登记异议处理结果。"))

    def withdraw(self) -> ServiceDialog | None:
        if self.detail is None:
            return None
        posted = self.detail.summary.status is BatchStatus.POSTED

        def done(_r: object) -> str:
            if posted:
                self.ask_withdrawal_notice()
                return self.tr("公示已撤回，仍在公示的案件已退回“调查中”。请打印撤回说明张贴。")
            return self.tr("草稿已放弃。")

        return self._open_dialog(WithdrawDialog(self.ctx, self.batch_uuid, posted, self), done)

    def ask_withdrawal_notice(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("打印撤回说明"),
                          self.tr("公示已撤回。现在打印“撤回公示的说明”，张贴在原公示处吗？"),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.buttonClicked.connect(lambda button: self.print_withdrawal_notice()
                                  if box.standardButton(button) == QMessageBox.StandardButton.Yes else None)
        self.withdrawal_question = box
        box.open()

    def change_start(self) -> ServiceDialog | None:
        if self.detail is None:
            return None
        return self._open_dialog(StartDateDialog(self.ctx, self.batch_uuid, self.detail.summary.start_on, self),
                                 lambda b: self.tr("张贴日期已改为 {0}，公示期已重新计算；请重新打印海报。").format(
                                     b.start_on.isoformat()))

    def remove_case(self) -> None:
        case = self.selected_case()
        if not case or self.detail is None:
            return
        self.ctx.tasks.run(notices.remove_case, self.ctx.session, self.batch_uuid, case,
                           on_done=lambda _b: self._after_change(self.tr("已将该案件移出本批；请重新打印海报。")),
                           on_error=self._failed)

    # ----- printing and export -------------------------------------------------------------
    def _print(self, provider: Callable[[str], PosterPreview], title: str) -> PrintDialog:
        d = self.detail
        name = self.tr("{0}-{1}").format(d.summary.batch_number, title) if d else title
        dialog = PrintDialog(self.ctx, provider, title, formats=POSTER_FORMATS, file_name=name,
                             format_labels=self.poster_labels(), remember_key=SETTING_POSTER_FORMAT,
                             recorder=poster_recorder(self.ctx, self.batch_uuid), parent=self)
        dialog.finished.connect(lambda _r: (self._after_change(), self.setFocus()))
        self.print_dialog = dialog
        dialog.open()
        return dialog

    def print_poster(self) -> PrintDialog | None:
        if self.detail is None:
            return None
        return self._print(poster_provider(self.ctx, self.batch_uuid), self.detail.summary.title)

    def print_withdrawal_notice(self) -> PrintDialog | None:
        if self.detail is None:
            return None
        return self._print(poster_provider(self.ctx, self.batch_uuid, withdrawal=True), self.tr("撤回公示的说明"))

    def export(self, kind: str) -> None:
        """Ask where, then export (the service records it) and write the bytes there."""
        if self.detail is None:
            return
        s = self.detail.summary
        name = self.tr("{0}-{1}公示").format(s.batch_number, s.village_name)
        if kind == "csv":
            title, pattern = self.tr("导出 CSV"), self.tr("CSV 表格 (*.csv)")
        else:
            title, pattern = self.tr("导出网页"), self.tr("网页 (*.html)")
        chosen = ask_save_file(self, self.ctx.settings, "export", title, name, pattern, f".{kind}")
        if chosen is None:
            return
        path = str(chosen)
        fn = notices.export_csv if kind == "csv" else notices.export_html
        self.ctx.tasks.run(fn, self.ctx.session, self.batch_uuid,
                           on_done=lambda doc: self._write_export(Path(path), doc), on_error=self._failed)

    def _write_export(self, path: Path, doc: NoticeDocument) -> None:
        try:
            path.write_bytes(doc.data)
        except OSError as exc:
            log.warning("writing an export failed: %s", exc.__class__.__name__)
            self.say(self.tr("无法保存到该位置（{0}），请换一个文件夹。").format(exc.strerror or ""), error=True)
            return
        self.last_export = path
        self._after_change(self.tr("已导出 {0} 行到 {1}").format(doc.rows, str(path)))

    # ----- photos --------------------------------------------------------------------------
    def show_photo(self, item: QListWidgetItem) -> None:
        """Enter or a double-click on a thumbnail: the photo at screen size."""
        uuid = item.data(Qt.ItemDataRole.UserRole)
        if uuid:
            self.ctx.tasks.run(notices.photo_data, self.ctx.session, uuid,
                               on_done=lambda result: self._open_photo(item.text(), result[1]), on_error=self._failed)

    def _open_photo(self, caption: str, data: bytes) -> None:
        dialog = QDialog(self)
        dialog.setObjectName("photo_view")
        dialog.setWindowTitle(self.tr("张贴照片 — {0}").format(caption))
        layout = QVBoxLayout(dialog)
        label = QLabel()
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap()
        if pixmap.loadFromData(data):
            label.setPixmap(pixmap.scaled(1100, 600, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))
        else:
            label.setText(self.tr("无法显示该照片（格式不受支持）。"))
        layout.addWidget(label, 1)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(dialog.accept)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.photo_dialog = dialog
        dialog.open()

    def add_photo(self, path: str | None = None) -> None:
        if self.detail is None:
            return
        if path is None:
            chosen = ask_open_file(self, self.ctx.settings, "photo", self.tr("选择张贴照片"),
                                   self.tr("图片 ({0})").format(PHOTO_FILTER))
            if chosen is None:
                return
            path = str(chosen)
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            self.say(self.tr("无法读取该文件（{0}）。").format(exc.strerror or ""), error=True)
            return
        self.ctx.tasks.run(notices.add_photo, self.ctx.session, self.batch_uuid, data, Path(path).stem[:60],
                           on_done=lambda _p: self._after_change(self.tr("照片已上传。")), on_error=self._failed)
