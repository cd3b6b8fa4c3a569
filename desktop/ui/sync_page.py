"""The 同步 section: the link to the county platform and what this PC keeps for it, in the clerk's words.

The link (未注册 / 已连接 / 无法连接：原因 / 须升级), the last successful sync, 立即同步
(Alt+T) with a progress bar and counts while it runs (the run itself is the window's
background :class:`~desktop.ui.sync_runner.SyncRunner`, on its own thread), the queue — how
many records wait, of which kinds, since when, how many files they name — and 需处理: the
records the county refused, each with the county's reason, and 重试 for the selected one.
Nothing is lost while the link is down: every record stays queued until the county has it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.roles import Permission
from desktop.services.admin import appinfo
from desktop.services.admin.appinfo import QueueSummary
from desktop.services.sync import overview
from desktop.services.sync.overview import Attention, AttentionItem, PulledConflict
from desktop.services.sync.run import SyncReport

from . import files, style
from .cases.tabs import local_time
from .context import UiContext
from .sync_enroll import EnrollBlock
from .typography import set_font_scale


class SyncPage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("sync_page")
        self.summary: QueueSummary | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel(self.tr("同步"))
        set_font_scale(title, 1.5, bold=True)
        layout.addWidget(title)
        self.state = QLabel(self.tr("本机尚未连接县级平台。"))
        self.state.setObjectName("sync_state")
        self.state.setWordWrap(True)
        set_font_scale(self.state, 1.2, bold=True)
        layout.addWidget(self.state)
        self.enroll = EnrollBlock(ctx)
        self.enroll.enrolled.connect(self._enrolled)
        layout.addWidget(self.enroll)
        self.last_run = QLabel("")
        self.last_run.setObjectName("sync_last_run")
        self.last_run.setWordWrap(True)
        layout.addWidget(self.last_run)
        row = QHBoxLayout()
        self.sync_button = QPushButton(self.tr("立即同步(&T)"))
        self.sync_button.setObjectName("sync_now")
        self.sync_button.clicked.connect(self.sync_now)
        row.addWidget(self.sync_button)
        self.progress = QProgressBar()
        self.progress.setObjectName("sync_progress")
        self.progress.setFormat(self.tr("%v / %m 项"))
        self.progress.setMaximumWidth(360)
        self.progress.hide()
        row.addWidget(self.progress)
        self.progress_text = QLabel("")
        self.progress_text.setObjectName("sync_progress_text")
        row.addWidget(self.progress_text, 1)
        layout.addLayout(row)
        text = QLabel(self.tr("连接中断不影响在本机办理业务：本机办理的每一项（受理、调查、公示、审批、转办……）都已保存在本机，"
                              "同时记入下面的待同步队列，不会丢失。连接县级平台时，队列中的记录按办理顺序报送，"
                              "报送成功前一直保留。"))
        text.setObjectName("sync_text")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_font_scale(text, 1.1)
        layout.addWidget(text)
        self.queue = QLabel(self.tr("正在读取待同步队列…"))
        self.queue.setObjectName("sync_queue")
        self.queue.setWordWrap(True)
        set_font_scale(self.queue, 1.15, bold=True)
        layout.addSpacing(8)
        layout.addWidget(self.queue)
        self.kinds = QTableWidget(0, 2)
        self.kinds.setObjectName("sync_kinds")
        self.kinds.setHorizontalHeaderLabels([self.tr("记录类别"), self.tr("待同步（项）")])
        self.kinds.verticalHeader().setVisible(False)
        self.kinds.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.kinds.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.kinds.horizontalHeader().setStretchLastSection(True)
        self.kinds.setColumnWidth(0, 260)
        self.kinds.setMaximumWidth(520)
        layout.addWidget(self.kinds)
        self.files = QLabel("")
        self.files.setObjectName("sync_files")
        self.files.setWordWrap(True)
        layout.addWidget(self.files)
        self.attention_title = QLabel(self.tr("需处理"))
        self.attention_title.setObjectName("sync_attention_title")
        set_font_scale(self.attention_title, 1.15, bold=True)
        layout.addSpacing(8)
        layout.addWidget(self.attention_title)
        self.attention_help = QLabel(self.tr(
            "“报送被退回”：县级平台拒收了本机的记录，不会自动重发。请按县级平台给出的原因核对；县级信息管理员处理后，"
            "选中该记录按“重试”，下次同步时重新报送。\n"
            "“县级结果与本机不符”：县级的审核确认或转办结果与本机记录对不上，本机没有作任何更改。县级的决定以县级为准，"
            "不能重试：请导出交县级信息管理员核对处理，知悉后选中按“已知悉”。"))
        self.attention_help.setObjectName("sync_attention_help")
        self.attention_help.setWordWrap(True)
        layout.addWidget(self.attention_help)
        self.attention = QTableWidget(0, 6)
        self.attention.setObjectName("sync_attention")
        self.attention.setHorizontalHeaderLabels([self.tr("序号"), self.tr("类型"), self.tr("记录"), self.tr("案件编号"),
                                                  self.tr("原因"), self.tr("记于")])
        self.attention.verticalHeader().setVisible(False)
        self.attention.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.attention.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.attention.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.attention.setColumnWidth(0, 60)
        self.attention.setColumnWidth(1, 150)
        self.attention.setColumnWidth(2, 130)
        self.attention.setColumnWidth(3, self.attention.fontMetrics().horizontalAdvance("620102101-001-2026-000123-4") + 16)
        self.attention.setColumnWidth(5, 140)
        self.attention.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.attention.setWordWrap(True)                  # the county's reason in full, not cut off
        self.attention.currentCellChanged.connect(lambda *_a: self._selection_changed())
        layout.addWidget(self.attention, 1)
        self.retry_button = QPushButton(self.tr("重试(&R)"))
        self.retry_button.setObjectName("sync_retry")
        self.retry_button.clicked.connect(self.retry_selected)
        self.ack_button = QPushButton(self.tr("已知悉(&K)"))
        self.ack_button.setObjectName("sync_acknowledge")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.export_button = QPushButton(self.tr("导出给县级 IT(&X)…"))
        self.export_button.setObjectName("sync_export")
        self.export_button.clicked.connect(self.export)
        retry_row = QHBoxLayout()
        retry_row.addWidget(self.retry_button)
        retry_row.addWidget(self.ack_button)
        retry_row.addWidget(self.export_button)
        self.attention_result = QLabel("")
        self.attention_result.setObjectName("sync_attention_result")
        self.attention_result.setWordWrap(True)
        retry_row.addWidget(self.attention_result, 1)
        layout.addLayout(retry_row)
        self.items: list[AttentionItem | PulledConflict] = []
        self.attention_widgets = (self.attention_title, self.attention_help, self.attention, self.retry_button,
                                  self.ack_button, self.export_button, self.attention_result)
        for w in self.attention_widgets:
            w.hide()
        layout.addStretch(1)
        ctx.events.data_changed.connect(self._data_changed)
        runner = ctx.sync_runner
        if runner is not None:
            runner.started.connect(self._sync_started)
            runner.progress.connect(self._sync_progress)
            runner.finished.connect(self._sync_finished)
        self.can_sync = ctx.session.can(Permission.SYNC) and runner is not None
        self.sync_button.setVisible(self.can_sync)

    def on_shown(self) -> None:
        self.ctx.tasks.run(appinfo.queue_summary, self.ctx.session, on_done=self.show_summary,
                           on_error=lambda exc: self.queue.setText(self.ctx.error_text(exc)), latest_only="sync_queue")
        if self.can_sync:
            self.ctx.tasks.run(overview.link_info, self.ctx.session, on_done=self.show_link,
                               on_error=lambda exc: self.state.setText(self.ctx.error_text(exc)),
                               latest_only="sync_link")
            self.enroll.refresh()
            self.ctx.tasks.run(overview.attention, self.ctx.session, on_done=self.show_attention,
                               on_error=lambda exc: self.attention_help.setText(self.ctx.error_text(exc)),
                               latest_only="sync_attention")
        runner = self.ctx.sync_runner
        if runner is not None:
            self.sync_button.setEnabled(not runner.running)
            if runner.last is not None:
                self._show_report(runner.last)

    # ----- sync runs ---------------------------------------------------------------------
    def sync_now(self) -> None:
        runner = self.ctx.sync_runner
        if runner is not None and runner.run_now():
            self.progress_text.setText(self.tr("正在连接县级平台…"))

    def _sync_started(self) -> None:
        self.sync_button.setEnabled(False)
        self.progress_text.setText(self.tr("正在连接县级平台…"))

    def _sync_progress(self, done: int, total: int, what: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.show()
        self.progress_text.setText(what)

    def _sync_finished(self, result: object) -> None:
        self.sync_button.setEnabled(True)
        self.progress.hide()
        if result is None:
            self.progress_text.setText("")
            self.show_link(overview.LinkInfo(False, ""))
        elif isinstance(result, SyncReport):
            self.progress_text.setText("")
            self._show_report(result)
        else:
            self.progress_text.setText(self.tr("同步出错：{0}").format(self.ctx.error_text(result)))  # type: ignore[arg-type]
        if self.isVisible():
            self.on_shown()

    def _show_report(self, r: SyncReport) -> None:
        when = local_time(r.at) if r.at is not None else ""
        if r.link == "ok":
            self.state.setText(self.tr("已连接县级平台。"))
            self.last_run.setText(self.tr("{0} 同步完成：{1}").format(when, r.message))
        elif r.link == "too_old":
            self.state.setText(self.tr("县级平台要求升级本机软件。"))
            self.last_run.setText(r.message)
        else:
            self.state.setText(self.tr("现在无法连接县级平台。"))
            self.last_run.setText(self.tr("{0}：{1}").format(when, r.message))

    def show_link(self, info: overview.LinkInfo) -> None:
        if not info.enrolled:
            self.state.setText(self.tr("本机尚未在县级平台注册。"))
            self.last_run.setText("")
            self.sync_button.setEnabled(False)
        elif self.ctx.sync_runner is None or self.ctx.sync_runner.last is None:
            self.state.setText(self.tr("本机已注册到县级平台：{0}").format(info.hub_url))

    def _enrolled(self) -> None:
        self.sync_button.setEnabled(False)          # the first sync starts on its own
        self.ctx.events.data_changed.emit()

    def show_attention(self, found: Attention) -> None:
        rows: list[tuple[AttentionItem | PulledConflict, tuple[str, ...]]] = []
        for it in found.refused:
            rows.append((it, (str(it.seq), self.tr("本机报送被退回"), it.kind, it.case_number, it.reason,
                              local_time(it.occurred_at))))
        for c in found.conflicts:
            rows.append((c, (str(c.feed_seq), self.tr("{0}结果与本机不符").format(c.source), c.what, c.case_number,
                             c.reason, local_time(c.pulled_at))))
        self.items = [item for item, _cells in rows]
        self.attention.setRowCount(len(rows))
        for row, (_item, cells) in enumerate(rows):
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.attention.setItem(row, col, cell)
        line = self.attention.fontMetrics().lineSpacing()
        for r in range(len(rows)):                           # three lines: the county's reason, whole as a rule
            self.attention.setRowHeight(r, 3 * line + 8)
        rows_height = len(rows) * (3 * line + 8)             # every row in view, up to 400 px
        self.attention.setFixedHeight(min(400, self.attention.horizontalHeader().height() + rows_height
                                          + 2 * self.attention.frameWidth() + 2))
        self.attention_title.setText(self.tr("需处理：{0} 项").format(len(rows)))
        for w in self.attention_widgets:
            w.setVisible(bool(rows))
        if rows:
            self.attention.selectRow(0)
        self._selection_changed()

    def _selected(self) -> AttentionItem | PulledConflict | None:
        row = self.attention.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _selection_changed(self) -> None:
        item = self._selected()
        self.retry_button.setEnabled(isinstance(item, AttentionItem))
        self.ack_button.setEnabled(isinstance(item, PulledConflict))

    def retry_selected(self) -> None:
        item = self._selected()
        if not isinstance(item, AttentionItem):
            return
        self.ctx.tasks.run(overview.retry, self.ctx.session, item.outbox_id,
                           on_done=lambda _r: self._retried(item),
                           on_error=lambda exc: self._attention_said(self.ctx.error_text(exc), error=True))

    def _retried(self, item: AttentionItem) -> None:
        self.progress_text.setText(self.tr("第 {0} 号记录已放回待同步队列，下次同步时重新报送。").format(item.seq))
        self.ctx.events.data_changed.emit()

    def acknowledge_selected(self) -> None:
        item = self._selected()
        if not isinstance(item, PulledConflict):
            return
        self.ctx.tasks.run(overview.acknowledge_conflict, self.ctx.session, item.key,
                           on_done=lambda _r: self._acknowledged(item),
                           on_error=lambda exc: self._attention_said(self.ctx.error_text(exc), error=True))

    def _acknowledged(self, item: PulledConflict) -> None:
        self._attention_said(self.tr("已知悉：{0}（第 {1} 号）。本机记录未作更改，县级的决定以县级为准。")
                             .format(item.what, item.feed_seq), error=False)
        self.ctx.events.data_changed.emit()

    def export(self) -> None:
        stamp = self.ctx.session.clock.now().astimezone().strftime("%Y%m%d-%H%M")
        path = files.ask_save_file(self, self.ctx.settings, "sync_export", self.tr("导出需处理记录给县级信息管理员"),
                                   self.tr("需处理记录-{0}").format(stamp), self.tr("CSV 表格 (*.csv)"), ".csv")
        if path is None:
            return
        self.ctx.tasks.run(overview.export_attention, self.ctx.session, path, on_done=self._exported,
                           on_error=lambda exc: self._attention_said(self.ctx.error_text(exc), error=True))

    def _exported(self, done: overview.Exported) -> None:
        self._attention_said(self.tr("已导出 {0} 项到 {1}（身份证号、电话已遮蔽），可交县级信息管理员。")
                             .format(done.refused + done.conflicts, done.path), error=False)

    def _attention_said(self, text: str, *, error: bool) -> None:
        self.attention_result.setText(text)
        self.attention_result.setStyleSheet(style.ERROR_TEXT if error else style.OK_TEXT)

    def first_focus(self) -> QWidget:
        return self.kinds

    def _data_changed(self) -> None:
        if self.isVisible():
            self.on_shown()

    def show_summary(self, q: QueueSummary) -> None:
        self.summary = q
        runner = self.ctx.sync_runner
        if q.last_sync_at is not None and (runner is None or runner.last is None):
            self.last_run.setText(self.tr("上次成功同步：{0}").format(local_time(q.last_sync_at)))
        if not q.waiting:
            self.queue.setText(self.tr("待同步：0 项。本机办理的记录都已报送。"))
        elif q.oldest_at is not None:
            self.queue.setText(self.tr("待同步：{0} 项，最早的一项记于 {1}。").format(q.waiting, local_time(q.oldest_at)))
        else:
            self.queue.setText(self.tr("待同步：{0} 项。").format(q.waiting))
        self.kinds.setRowCount(len(q.by_kind))
        for row, (label, n) in enumerate(q.by_kind):
            self.kinds.setItem(row, 0, QTableWidgetItem(label))
            count = QTableWidgetItem(str(n))
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.kinds.setItem(row, 1, count)
        self.kinds.setVisible(bool(q.by_kind))
        self.kinds.setFixedHeight(self.kinds.horizontalHeader().height() + 4
                                  + sum(self.kinds.rowHeight(r) for r in range(len(q.by_kind))))
        parts = []
        if q.files_waiting:
            parts.append(self.tr("另有 {0} 个文件（照片、回复函等）随记录一并报送。").format(q.files_waiting))
        if q.attention:
            parts.append(self.tr("其中 {0} 项被县级平台退回，需要处理。").format(q.attention))
        self.files.setText("".join(parts))
        self.files.setVisible(bool(parts))
