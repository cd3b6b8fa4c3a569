"""Main window: navigation by section, status bar with user, role and sync queue."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services import appinfo
from desktop.services.auth import AppSession, sign_out


class MainWindow(QMainWindow):
    SECTIONS = ("首页", "受理", "案件", "转办", "公示", "同步", "统计", "设置")

    def __init__(self, session: AppSession) -> None:
        super().__init__()
        self.session = session
        info = appinfo.overview(session)
        self.setWindowTitle(self.tr("一门受理 — {0}").format(info.window_name))
        central = QWidget()
        row = QHBoxLayout(central)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(150)
        self.pages = QStackedWidget()
        for name in self.SECTIONS:
            self.nav.addItem(self.tr(name))
            self.pages.addWidget(self._home(info) if name == "首页" else self._not_built(name))
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        bar = self.statusBar()
        bar.addWidget(QLabel(self.tr("当前用户：{0}（{1}）").format(session.user.display_name,
                                                               session.user.role_label)))
        bar.addPermanentWidget(QLabel(self.tr("待同步：{0} 项").format(info.outbox_waiting)))
        bar.addPermanentWidget(QLabel(self.tr("上次同步：从未同步")))

    def _home(self, info: appinfo.Overview) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        title = QLabel(f"{info.township_name} · {info.window_name}")
        title.setStyleSheet("font-size: 20px; font-weight: bold;")
        v.addWidget(title)
        v.addWidget(QLabel(self.tr("本机设备编号：{0}    户数：{1}    人数：{2}").format(
            info.device_code, info.households, info.persons)))
        lines = "\n".join(f"{label}：{n} 件" for label, n in info.cases_by_status)
        v.addWidget(QLabel(self.tr("案件状态：") + "\n" + lines))
        v.addStretch(1)
        return w

    def _not_built(self, name: str) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        label = QLabel(self.tr("“{0}”功能尚未建成，将在后续版本提供。").format(self.tr(name)))
        label.setStyleSheet("font-size: 16px;")
        v.addWidget(label)
        v.addStretch(1)
        return w

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        sign_out(self.session)
        super().closeEvent(event)
