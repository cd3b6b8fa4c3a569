"""调查核实 tab of the case detail: what the investigation recorded and what it still lacks.

One table lists the home visits, the economic check (request and result),
the neighbour visits and the 民主评议 in date order, each with its
attachment (查看 opens it; the viewer saves it). Above it one line says
what the policy still requires before notice or decision ("尚缺：…", from
``investigations.missing_before_decision``), and buttons add each kind of
record. For an emergency case the 先行救助 grants are listed below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.services.emergency import grants as emergency
from desktop.services.investigation import records as inv
from desktop.services.investigation.records import AttachmentInfo, InvestigationView

from .. import style
from ..context import UiContext
from .dialogs import yuan_text
from .investigation_dialogs import (
    AttachmentViewer,
    CheckRequestDialog,
    CheckResultDialog,
    DeliberationDialog,
    HomeVisitDialog,
    NeighbourVisitDialog,
    load_attachment,
)
from .tabs import MUTED_COLOR, _item, _table

MISSING_STYLE = style.WARNING_BANNER
COMPLETE_STYLE = style.OK_BANNER


class InvestigationTab(QWidget):
    """``changed`` after a record was saved (the detail reloads its actions); ``title`` for the tab."""

    changed = Signal()
    title = Signal(str)
    loaded = Signal()

    def __init__(self, ctx: UiContext, today: Callable[[], date]) -> None:
        super().__init__()
        self.setObjectName("investigation_tab")
        self.ctx, self.today = ctx, today
        self.case_uuid = ""
        self.emergency_case = False
        self.view: InvestigationView | None = None
        self.grants: list[emergency.GrantInfo] = []
        self.dialog: QWidget | None = None
        self.viewer: AttachmentViewer | None = None
        layout = QVBoxLayout(self)
        self.missing = QLabel("")
        self.missing.setObjectName("investigation_missing")
        self.missing.setWordWrap(True)
        layout.addWidget(self.missing)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (
                ("home_visit", self.tr("登记入户调查…"), self.add_home_visit),
                ("check_request", self.tr("登记核对申请…"), self.add_check_request),
                ("check_result", self.tr("登记核对报告…"), self.add_check_result),
                ("neighbour_visit", self.tr("登记邻里访问…"), self.add_neighbour_visit),
                ("deliberation", self.tr("登记民主评议…"), self.add_deliberation)):
            button = QPushButton(label)
            button.setObjectName(f"add_{key}")
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[key] = button
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.table = _table("investigation_table", [
            self.tr("事项"), self.tr("日期"), self.tr("人员／对象"), self.tr("情况／结论"), self.tr("附件")])
        self.table.setWordWrap(True)
        layout.addWidget(self.table, 1)
        self.emergency_line = QLabel("")
        self.emergency_line.setObjectName("emergency_grants")
        self.emergency_line.setWordWrap(True)
        self.emergency_line.hide()
        layout.addWidget(self.emergency_line)
        self.attachment_buttons: dict[str, QPushButton] = {}

    # ----- loading -------------------------------------------------------------------------
    def show_case(self, case_uuid: str, emergency_case: bool) -> None:
        self.case_uuid, self.emergency_case = case_uuid, emergency_case
        self.reload()

    def reload(self) -> None:
        if not self.case_uuid:
            return
        self.ctx.tasks.run(self._read, self.ctx.session, self.case_uuid, self.emergency_case,
                           on_done=self._show, on_error=lambda exc: self._say(self.ctx.error_text(exc), True),
                           latest_only="investigation_tab")

    @staticmethod
    def _read(session: object, case_uuid: str, emergency_case: bool) -> tuple[InvestigationView,
                                                                           list[emergency.GrantInfo]]:
        view = inv.investigation(session, case_uuid)  # type: ignore[arg-type]
        grants = emergency.grants(session, case_uuid) if emergency_case else []  # type: ignore[arg-type]
        return view, grants

    def _say(self, text: str, problem: bool) -> None:
        self.missing.setText(text)
        self.missing.setStyleSheet(MISSING_STYLE if problem else COMPLETE_STYLE)
        self.missing.setVisible(bool(text))

    def _show(self, result: tuple[InvestigationView, list[emergency.GrantInfo]]) -> None:
        view, grants = result
        if view.case_uuid != self.case_uuid:
            return
        self.view, self.grants = view, grants
        needs = []
        if view.economic_check_required:
            needs.append(self.tr("家庭经济状况核对"))
        if view.deliberation_required:
            needs.append(self.tr("民主评议"))
        policy = self.tr("按政策本案须：入户调查（{0}名以上工作人员）{1}。").format(
            view.home_visit_min_investigators, "".join(self.tr("、{0}").format(n) for n in needs))
        if view.missing:
            self._say(self.tr("尚缺：{0}。{1}").format(self.tr("；").join(view.missing), policy), True)
        elif view.can_record:
            self._say(self.tr("调查材料已齐全，可以公示或提交审核。{0}").format(policy), False)
        else:
            self._say(policy, False)
        pending = [c for c in view.checks if c.conclusion is None]
        for key, button in self.buttons.items():
            enabled = view.can_record and view.status in ("investigating", "deliberation")
            if key in ("check_request", "check_result"):
                enabled = view.can_record
            if key == "check_request":
                enabled = enabled and not pending
            if key == "check_result":
                enabled = enabled and bool(pending)
            button.setEnabled(enabled)
        self.buttons["deliberation"].setEnabled(view.can_record and view.status == "deliberation")
        self.buttons["deliberation"].setToolTip("" if view.status == "deliberation"
                                                else self.tr("先办理“开始民主评议”，再登记评议结果"))
        self.buttons["deliberation"].setText(self.tr("登记民主评议…（本案须评议）") if view.deliberation_required
                                             else self.tr("登记民主评议…"))
        self._fill_table(view)
        self._show_grants(grants)
        n = len(view.missing)
        self.title.emit(self.tr("调查核实（缺{0}项）").format(n) if n else self.tr("调查核实"))
        self.loaded.emit()

    def _rows(self, view: InvestigationView) -> list[tuple[date, str, str, str, AttachmentInfo | None, bool]]:
        rows = []
        for v in view.home_visits:
            amount = self.tr("；拟月救助 {0} 元").format(yuan_text(v.proposed_monthly_cents)) \
                if v.proposed_monthly_cents is not None else ""
            stale = "" if v.counts else self.tr("（异议或退回前的调查，不再计入）")
            rows.append((v.visited_on, self.tr("入户调查") + stale, self.tr("、").join(v.investigators),
                         v.findings + amount, v.form, not v.counts))
        for c in view.checks:
            rows.append((c.requested_on, self.tr("核对申请"), c.requested_to, c.request_note or self.tr("已申请"),
                         None, False))
            if c.result_on is not None:
                rows.append((c.result_on, self.tr("核对报告"), c.requested_to,
                             self.tr("{0}：{1}").format(c.conclusion_label, c.summary), c.report, False))
        for n in view.neighbour_visits:
            rows.append((n.visited_on, self.tr("邻里访问"), n.interviewees, n.summary, None, False))
        for d in view.deliberations:
            rows.append((d.held_on, self.tr("民主评议"), self.tr("{0}人参加").format(d.participants),
                         self.tr("{0}").format(d.result_label) + (self.tr("：{0}").format(d.summary) if d.summary
                                                                 else ""), d.minutes, False))
        return sorted(rows, key=lambda r: r[0])

    def _fill_table(self, view: InvestigationView) -> None:
        rows = self._rows(view)
        self.table.setRowCount(len(rows))
        self.attachment_buttons.clear()
        for i, (day, kind, who, what, attachment, stale) in enumerate(rows):
            color = MUTED_COLOR if stale else None
            for col, text in enumerate((kind, day.isoformat(), who, what)):
                self.table.setItem(i, col, _item(text, color, tip=text if col == 3 else ""))
            if attachment is not None:
                button = QPushButton(self.tr("查看附件"))
                button.setObjectName(f"attachment_{i}")
                button.setToolTip(self.tr("{0}：{1}").format(attachment.purpose_label, attachment.file_name))
                button.clicked.connect(lambda _=False, a=attachment.uuid: self.open_attachment(a))
                self.table.setCellWidget(i, 4, button)
                self.attachment_buttons[attachment.uuid] = button
            else:
                self.table.setItem(i, 4, _item(self.tr("—"), MUTED_COLOR))
        self.table.clearSpans()
        if not rows:
            self.table.setRowCount(1)
            self.table.setItem(0, 0, _item(self.tr("尚无调查记录：入户调查后点“登记入户调查…”"), MUTED_COLOR))
            self.table.setSpan(0, 0, 1, self.table.columnCount())
            return
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(3, max(320, min(self.table.columnWidth(3), 560)))
        self.table.resizeRowsToContents()

    def _show_grants(self, grants: list[emergency.GrantInfo]) -> None:
        lines = []
        for g in grants:
            done = self.tr("手续已补齐") if g.paperwork_completed_at is not None else self.tr("待补办手续")
            repeat = self.tr("；重复救助提示已由{0}确认").format(g.repeat_acknowledged_by) if g.repeat_acknowledged_by \
                else ""
            lines.append(self.tr("{0} 先行救助 {1} 元（{2}）— {3}，批准：{4}，经办：{5}；{6}{7}").format(
                g.granted_on.isoformat(), yuan_text(g.amount_cents), g.reason_label, g.route_label, g.approved_by,
                g.recorded_by, done, repeat))
        self.emergency_line.setText(self.tr("先行救助记录：\n{0}").format("\n".join(lines)) if lines else "")
        self.emergency_line.setVisible(bool(lines))

    # ----- adding records ------------------------------------------------------------------
    def _open(self, dialog: QWidget) -> QWidget:
        dialog.accepted.connect(self._saved)  # type: ignore[attr-defined]
        self.dialog = dialog
        dialog.open()  # type: ignore[attr-defined]
        return dialog

    def _saved(self) -> None:
        self.changed.emit()

    def add_home_visit(self) -> QWidget:
        return self._open(HomeVisitDialog(self.ctx, self.case_uuid, self.today(), self))

    def add_check_request(self) -> QWidget:
        return self._open(CheckRequestDialog(self.ctx, self.case_uuid, self.today(), self))

    def add_check_result(self) -> QWidget | None:
        pending = [c for c in self.view.checks if c.conclusion is None] if self.view is not None else []
        if not pending:
            return None
        return self._open(CheckResultDialog(self.ctx, pending[-1].uuid, self.today(), self))

    def add_neighbour_visit(self) -> QWidget:
        return self._open(NeighbourVisitDialog(self.ctx, self.case_uuid, self.today(), self))

    def add_deliberation(self) -> QWidget:
        return self._open(DeliberationDialog(self.ctx, self.case_uuid, self.today(), self))

    # ----- attachments ---------------------------------------------------------------------
    def open_attachment(self, attachment_uuid: str) -> None:
        self.ctx.tasks.run(load_attachment, self.ctx.session, attachment_uuid, on_done=self._show_attachment,
                           on_error=lambda exc: self._say(self.ctx.error_text(exc), True))

    def _show_attachment(self, loaded: tuple) -> None:  # type: ignore[type-arg]
        info, data, pages = loaded
        self.viewer = AttachmentViewer(info, data, pages, self)
        self.viewer.open()
