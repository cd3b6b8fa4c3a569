"""首页: who this window is, what is waiting, and the keys to get to work."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.services.admin import appinfo
from desktop.services.admin.accounts import Permission
from desktop.services.session import AppSession

from . import style
from .context import UiContext
from .notices.period_end import NoticeEndedLine
from .referrals.due_summary import DueSummary
from .sections import visible_sections
from .typography import set_font_scale

WARNING_STYLE = style.WARNING_BANNER


@dataclass(frozen=True)
class HomeData:
    installation: appinfo.Installation
    overview: appinfo.Overview | None      # None for roles that may not see case figures
    calendar_problem: str | None


def load_home(session: AppSession) -> HomeData:
    overview = appinfo.overview(session) if session.can(Permission.VIEW_CASES) else None
    return HomeData(appinfo.installation(session), overview, appinfo.calendar_warning(session, session.clock.today()))


class _Figure(QFrame):
    """One big number with its caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.value = QLabel("—")
        set_font_scale(self.value, 1.8, bold=True)
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label = QLabel(caption)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.value)
        layout.addWidget(label)


class HomePage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("home_page")
        self.data: HomeData | None = None
        user = ctx.session.user
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(12)
        self.title = QLabel(self.tr("正在读取…"))
        self.title.setObjectName("home_title")
        self.title.setWordWrap(True)
        set_font_scale(self.title, 1.6, bold=True)
        layout.addWidget(self.title)
        self.subtitle = QLabel("")
        layout.addWidget(self.subtitle)
        layout.addWidget(QLabel(self.tr("您好，{0}（{1}）。").format(user.display_name, user.role_label)))
        self.calendar = QLabel("")
        self.calendar.setObjectName("calendar_warning")
        self.calendar.setWordWrap(True)
        self.calendar.setStyleSheet(WARNING_STYLE)
        self.calendar.hide()
        layout.addWidget(self.calendar)
        self.figures: dict[str, _Figure] = {}
        self.status_counts: dict[str, QLabel] = {}
        self.due: DueSummary | None = None
        self.review = QLabel("")
        self.review.setObjectName("township_review_waiting")
        self.review.setWordWrap(True)
        self.review.setStyleSheet(WARNING_STYLE)
        self.review.hide()
        layout.addWidget(self.review)
        if ctx.session.can(Permission.VIEW_CASES):
            layout.addWidget(NoticeEndedLine(ctx))     # notices whose period ended, and what moved on
            self.due = DueSummary(ctx)                 # statutory time limits: overdue, today, this week
            layout.addWidget(self.due)
            layout.addLayout(self._build_figures())
            layout.addWidget(self._build_status_box())
        layout.addWidget(self._build_keys_box())
        layout.addStretch(1)
        # another part of the window changed data (e.g. notices ended at sign-in queued their moves):
        # the figures are read again, as the status bar's are, so the two never disagree
        ctx.events.data_changed.connect(self._data_changed)

    def _data_changed(self) -> None:
        if self.isVisible():
            self.on_shown()

    def _build_figures(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for key, caption in (("households", self.tr("登记户数")), ("persons", self.tr("登记人数")),
                             ("waiting", self.tr("待同步（项）"))):
            fig = _Figure(caption)
            self.figures[key] = fig
            row.addWidget(fig)
        return row

    def _build_status_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("案件状态"))
        self.status_grid = QGridLayout(box)
        self.status_grid.setHorizontalSpacing(24)
        return box

    def _build_keys_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("键盘操作"))
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(24)
        rows = [(f"Alt+{s.number}", s.title()) for s in visible_sections(self.ctx.session) if s.id != "home"]
        rows += [("Ctrl+L", self.tr("锁定屏幕（离开座位时）")), ("Tab / Shift+Tab", self.tr("在输入框之间移动"))]
        for i, (keys, what) in enumerate(rows):
            key = QLabel(keys)
            set_font_scale(key, 1.0, bold=True)
            grid.addWidget(key, i // 3, (i % 3) * 2)
            grid.addWidget(QLabel(what), i // 3, (i % 3) * 2 + 1)
        grid.setColumnStretch(grid.columnCount(), 1)
        return box

    # ----- data ----------------------------------------------------------------------
    def on_shown(self) -> None:
        if self.due is not None:
            self.due.refresh()
        self.ctx.tasks.run(load_home, self.ctx.session, on_done=self.show_data, on_error=self._failed,
                           latest_only="home")

    def show_data(self, data: HomeData) -> None:
        self.data = data
        inst = data.installation
        self.title.setText(inst.window_name or inst.township_name)
        self.subtitle.setText(self.tr("{0} {1} · 本机设备编号 {2}").format(
            inst.county_name, inst.township_name, inst.device_code))
        self.calendar.setText(self.tr("注意：{0}。在更新之前，新受理案件的办理期限无法计算。").format(
            data.calendar_problem) if data.calendar_problem else "")
        self.calendar.setVisible(bool(data.calendar_problem))
        ov = data.overview
        if ov is None:
            return
        waiting = ov.township_review if self.ctx.session.can(Permission.TRANSITION_CASE) else 0
        self.review.setText(self.tr("村协理员提交乡镇审查的申请有 {0} 件待处理：请在“案件”中按状态“待乡镇审查”"
                                    "筛选，逐件受理、出具一次性告知书或不予受理。").format(waiting))
        self.review.setVisible(waiting > 0)
        self.figures["households"].value.setText(f"{ov.households:,}")
        self.figures["persons"].value.setText(f"{ov.persons:,}")
        self.figures["waiting"].value.setText(f"{ov.outbox_waiting:,}")
        for i, (label, n) in enumerate(ov.cases_by_status):
            if label not in self.status_counts:
                name = QLabel(label)
                count = QLabel()
                count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.status_grid.addWidget(name, i % 4, (i // 4) * 2)
                self.status_grid.addWidget(count, i % 4, (i // 4) * 2 + 1)
                self.status_counts[label] = count
            self.status_counts[label].setText(self.tr("{0} 件").format(n))

    def _failed(self, exc: BaseException) -> None:
        self.title.setText(self.ctx.error_text(exc))
