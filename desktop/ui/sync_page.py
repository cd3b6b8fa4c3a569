"""The 同步 section: what this PC keeps for the county platform, in the clerk's words.

This PC is not connected to the county platform yet. The page says so and what it means
— nothing is lost: every record made here is kept in the queue until it is sent — and shows
the queue: how many records wait, of which kinds, since when, and how many files they name.
There is no sync button: there is nothing to press until the connection exists.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from desktop.services.admin import appinfo
from desktop.services.admin.appinfo import QueueSummary

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
        set_font_scale(self.state, 1.2, bold=True)
        layout.addWidget(self.state)
        text = QLabel(self.tr("这不影响在本机办理业务：本机办理的每一项（受理、调查、公示、审批、转办……）都已保存在本机，"
                              "同时记入下面的待同步队列，不会丢失。连接县级平台后，队列中的记录将按办理顺序全部报送，"
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
        layout.addStretch(1)
        ctx.events.data_changed.connect(self._data_changed)

    def on_shown(self) -> None:
        self.ctx.tasks.run(appinfo.queue_summary, self.ctx.session, on_done=self.show_summary,
                           on_error=lambda exc: self.queue.setText(self.ctx.error_text(exc)), latest_only="sync_queue")

    def first_focus(self) -> QWidget:
        return self.kinds

    def _data_changed(self) -> None:
        if self.isVisible():
            self.on_shown()

    def show_summary(self, q: QueueSummary) -> None:
        self.summary = q
        if q.last_sync_at is not None:
            self.state.setText(self.tr("上次与县级平台同步：{0}").format(local_time(q.last_sync_at)))
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
