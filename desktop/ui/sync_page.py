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
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.roles import Permission
from desktop.services.admin import appinfo
from desktop.services.admin.appinfo import QueueSummary
from desktop.services.sync import overview
from desktop.services.sync.overview import AttentionItem
from desktop.services.sync.run import SyncReport

from .cases.tabs import local_time
from .context import UiContext
from .typography import set_font_scale


class SyncPage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("sync_page")
        self.summary: QueueSummary | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel(self.tr("同步"))
        set_font_scale(title, 1.5, bold=True)
        layout.addWidget(title)
        self.state = QLabel(self.tr("本机尚未连接县级平台。"))
        self.state.setObjectName("sync_state")
        self.state.setWordWrap(True)
        set_font_scale(self.state, 1.2, bold=True)
        layout.addWidget(self.state)
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
        self.attention_title = QLabel(self.tr("需处理：县级平台退回的记录"))
        self.attention_title.setObjectName("sync_attention_title")
        set_font_scale(self.attention_title, 1.15, bold=True)
        layout.addSpacing(8)
        layout.addWidget(self.attention_title)
        self.attention_help = QLabel(self.tr("退回的记录不会自动重发。请按县级平台给出的原因核对；"
                                             "县级信息管理员处理后，选中该记录按“重试”，下次同步时重新报送。"))
        self.attention_help.setWordWrap(True)
        layout.addWidget(self.attention_help)
        self.attention = QTableWidget(0, 4)
        self.attention.setObjectName("sync_attention")
        self.attention.setHorizontalHeaderLabels([self.tr("序号"), self.tr("记录类别"), self.tr("县级平台的原因"),
                                                  self.tr("记于")])
        self.attention.verticalHeader().setVisible(False)
        self.attention.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.attention.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.attention.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.attention.setColumnWidth(0, 70)
        self.attention.setColumnWidth(1, 160)
        self.attention.setColumnWidth(3, 150)
        self.attention.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.attention, 1)
        self.retry_button = QPushButton(self.tr("重试(&R)"))
        self.retry_button.setObjectName("sync_retry")
        self.retry_button.clicked.connect(self.retry_selected)
        retry_row = QHBoxLayout()
        retry_row.addWidget(self.retry_button)
        retry_row.addStretch(1)
        layout.addLayout(retry_row)
        self.items: list[AttentionItem] = []
        for w in (self.attention_title, self.attention_help, self.attention, self.retry_button):
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
            self.ctx.tasks.run(overview.attention_items, self.ctx.session, on_done=self.show_attention,
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
            self.last_run.setText(self.tr("注册由系统管理员办理：向县级信息管理员索取县级平台地址、CA 证书及其指纹和一次性注册码，"
                                          "然后运行 yimen enroll。注册前本机照常办理业务。"))
            self.sync_button.setEnabled(False)
        elif self.ctx.sync_runner is None or self.ctx.sync_runner.last is None:
            self.state.setText(self.tr("本机已注册到县级平台：{0}").format(info.hub_url))

    def show_attention(self, items: list[AttentionItem]) -> None:
        self.items = items
        self.attention.setRowCount(len(items))
        for row, it in enumerate(items):
            cells = (str(it.seq), it.kind, it.reason, local_time(it.occurred_at))
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.attention.setItem(row, col, cell)
        for w in (self.attention_title, self.attention_help, self.attention, self.retry_button):
            w.setVisible(bool(items))
        if items:
            self.attention.selectRow(0)

    def retry_selected(self) -> None:
        row = self.attention.currentRow()
        if not 0 <= row < len(self.items):
            return
        item = self.items[row]
        self.ctx.tasks.run(overview.retry, self.ctx.session, item.outbox_id,
                           on_done=lambda _r: self._retried(item),
                           on_error=lambda exc: self.attention_help.setText(self.ctx.error_text(exc)))

    def _retried(self, item: AttentionItem) -> None:
        self.progress_text.setText(self.tr("第 {0} 号记录已放回待同步队列，下次同步时重新报送。").format(item.seq))
        self.ctx.events.data_changed.emit()

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
