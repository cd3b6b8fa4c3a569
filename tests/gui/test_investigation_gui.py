"""The 调查核实 tab and the 先行救助 dialog, driven through their real widgets on a real encrypted
database (offscreen): records added through the dialogs, refusals kept in the dialog with nothing
saved, attachments viewed and saved byte for byte, the notice action enabled only when the
investigation is complete; emergency aid by a clerk with the supervisor's confirmation, above the
limit to the county, and the repeat warning that must be ticked."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pypdf
import pytest
from factories import sample_application
from PIL import Image
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from desktop.domain.categories import Category
from desktop.domain.household import Application
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.intake import accept as intake
from desktop.services.workflow import transitions as cases
from desktop.ui.cases.detail import CaseDetailView
from desktop.ui.context import UiContext

TODAY = datetime.now().astimezone().date()
VILLAGE = "620102101201"


def one_page_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


PDF = one_page_pdf()


def type_chinese(widget: QWidget, text: str) -> None:
    """What an input method commits (QTest can only type ASCII keys)."""
    widget.setFocus()
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, text))


def make_case(ctx: UiContext, cats=(Category.DIBAO,), *, investigate: bool = True) -> str:
    emergency = Category.TEMP_EMERGENCY in cats
    plan = DeadlinePlanner.bundled().plan(VILLAGE, TODAY, list(cats))
    app = sample_application(categories=cats, emergency=emergency)
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      emergency=emergency, documents_received=tuple(c for c, _n in plan.documents))
    case_uuid = intake.submit_application(ctx.session, app, "accept").case_uuid
    if investigate:
        cases.transition(ctx.session, case_uuid, "start_investigation")
    return case_uuid


@pytest.fixture
def open_detail(qtbot, ui_context_for) -> Callable[..., CaseDetailView]:  # type: ignore[no-untyped-def]
    def make(ctx: UiContext, case_uuid: str) -> CaseDetailView:
        view = CaseDetailView(ctx)
        qtbot.addWidget(view)
        view.resize(1216, 700)
        view.show()
        view.open_case(case_uuid)
        qtbot.waitUntil(lambda: view.detail is not None and view.investigation.view is not None, timeout=10_000)
        return view

    return make


def wait_reloaded(qtbot, view: CaseDetailView, condition: Callable[[], bool]) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not view.loading and view.investigation.view is not None and condition(), timeout=10_000)


def test_investigation_records_through_the_tab(qtbot, ui_context_for, open_detail, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = ui_context_for("clerk")
    case_uuid = make_case(ctx)
    view = open_detail(ctx, case_uuid)
    tab = view.investigation
    view.tabs.setCurrentWidget(tab)
    assert view.tabs.tabText(view.tabs.indexOf(tab)) == "调查核实（缺2项）"
    assert tab.missing.text().startswith("尚缺：入户调查记录") and "家庭经济状况核对报告" in tab.missing.text()
    assert not view.action_buttons["post_notice"].isEnabled()
    assert not tab.buttons["check_result"].isEnabled()

    # one investigator only: the dialog keeps the refusal, nothing is saved
    qtbot.mouseClick(tab.buttons["home_visit"], Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    type_chinese(dialog.investigators, "王晓燕")
    type_chinese(dialog.findings, "住房为土坯房，户主患病")
    before = ctx.session.db.table_counts()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "2名以上" in dialog.error.text() and dialog.isVisible()
    assert ctx.session.db.table_counts() == before
    type_chinese(dialog.investigators, "、李建军")
    type_chinese(dialog.amount, "520")
    form = tmp_path / "入户调查表.pdf"
    form.write_bytes(PDF)
    assert dialog.form_file.set_file(form) == ""
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_reloaded(qtbot, view, lambda: len(tab.view.home_visits) == 1)
    assert tab.missing.text().startswith("尚缺：家庭经济状况核对报告")
    assert tab.table.item(0, 2).text() == "王晓燕、李建军" and "拟月救助 520.00 元" in tab.table.item(0, 3).text()

    # the signed form: viewed and saved exactly
    [attachment] = tab.attachment_buttons.values()
    qtbot.mouseClick(attachment, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.viewer is not None and tab.viewer.isVisible(), timeout=10_000)
    assert tab.viewer.shown_images == 1
    tab.viewer.save_to(tmp_path / "saved.pdf")
    assert (tmp_path / "saved.pdf").read_bytes() == PDF
    tab.viewer.reject()

    # the economic check: request, then its report
    qtbot.mouseClick(tab.buttons["check_request"], Qt.MouseButton.LeftButton)
    request = tab.dialog
    qtbot.mouseClick(request.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not request.isVisible(), timeout=10_000)
    wait_reloaded(qtbot, view, lambda: tab.buttons["check_result"].isEnabled())
    assert not tab.buttons["check_request"].isEnabled()
    qtbot.mouseClick(tab.buttons["check_result"], Qt.MouseButton.LeftButton)
    result = tab.dialog
    result.conclusion.setCurrentIndex(result.conclusion.findData("eligible"))
    type_chinese(result.summary, "无车辆、无商品房，存款低于规定")
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (250, 250, 250)).save(buf, "PNG")
    report = tmp_path / "核对报告.png"
    report.write_bytes(buf.getvalue())
    result.report.set_file(report)
    qtbot.mouseClick(result.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not result.isVisible(), timeout=10_000)
    wait_reloaded(qtbot, view, lambda: tab.view.missing == ())
    assert tab.missing.text().startswith("调查材料已齐全")
    assert view.tabs.tabText(view.tabs.indexOf(tab)) == "调查核实"
    qtbot.waitUntil(lambda: view.action_buttons["post_notice"].isEnabled(), timeout=10_000)

    # a neighbour visit
    qtbot.mouseClick(tab.buttons["neighbour_visit"], Qt.MouseButton.LeftButton)
    visit = tab.dialog
    type_chinese(visit.interviewees, "邻居张某")
    type_chinese(visit.summary, "反映情况属实")
    qtbot.mouseClick(visit.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not visit.isVisible(), timeout=10_000)
    wait_reloaded(qtbot, view, lambda: len(tab.view.neighbour_visits) == 1)
    kinds = [tab.table.item(i, 0).text() for i in range(tab.table.rowCount())]
    assert kinds == ["入户调查", "核对申请", "核对报告", "邻里访问"]


def test_deliberation_required_by_policy_is_asked_for(qtbot, ui_context_for, open_detail) -> None:  # type: ignore[no-untyped-def]
    ctx = ui_context_for("clerk")
    case_uuid = make_case(ctx, (Category.TEMP_EXPENSE,))
    view = open_detail(ctx, case_uuid)
    tab = view.investigation
    assert "民主评议记录" in tab.missing.text() and "本案须评议" in tab.buttons["deliberation"].text()
    assert not tab.buttons["deliberation"].isEnabled()           # 开始民主评议 first
    cases.transition(ctx.session, case_uuid, "start_deliberation")
    view.reload()
    wait_reloaded(qtbot, view, lambda: tab.view.status == "deliberation")
    qtbot.waitUntil(lambda: tab.buttons["deliberation"].isEnabled(), timeout=10_000)
    qtbot.mouseClick(tab.buttons["deliberation"], Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    dialog.participants.setValue(9)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_reloaded(qtbot, view, lambda: len(tab.view.deliberations) == 1)
    assert "民主评议记录" not in tab.missing.text()


def _open_emergency(qtbot, view: CaseDetailView):  # type: ignore[no-untyped-def]
    button = view.action_buttons["grant_emergency_aid"]
    assert button.isEnabled() and button.text() == "先行救助…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = view.emergency_dialog
    qtbot.waitUntil(lambda: dialog.facts is not None, timeout=10_000)
    return dialog


def test_a_clerk_grants_emergency_aid_with_the_supervisors_confirmation(qtbot, ui_context_for, open_detail,
                                                                        test_users) -> None:  # type: ignore[no-untyped-def]
    ctx = ui_context_for("clerk")
    case_uuid = make_case(ctx, (Category.TEMP_EMERGENCY,), investigate=False)
    view = open_detail(ctx, case_uuid)
    dialog = _open_emergency(qtbot, view)
    assert "3,000.00 元" in dialog.limit_line.text()
    qtbot.keyClicks(dialog.amount, "2000")
    assert dialog.route_line.text().startswith("限额内：审核人当场批准") and dialog.supervisor_box.isVisible()
    assert dialog.ok_button.text() == "审核人确认批准"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "审核人输入用户名和密码" in dialog.error.text()
    qtbot.keyClicks(dialog.supervisor_user, "super1")
    qtbot.keyClicks(dialog.supervisor_password, "wrong-password")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "审核人确认未通过" in dialog.error.text(), timeout=10_000)
    assert dialog.isVisible() and dialog.supervisor_password.text() == ""
    qtbot.keyClicks(dialog.supervisor_password, test_users["super1"][2])
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.status == "emergency_aided", timeout=10_000)
    assert "乡镇当场审批" in view.message.text()
    wait_reloaded(qtbot, view, lambda: "先行救助记录" in view.investigation.emergency_line.text())
    line = view.investigation.emergency_line.text()
    assert "2,000.00 元（因病）" in line and "批准：赵立新" in line and "经办：王晓燕" in line

    # the same person, the same reason: a warning to tick before the aid goes through
    again = make_case(ctx, (Category.TEMP_EMERGENCY,), investigate=False)
    supervisor = ui_context_for("supervisor")
    second = open_detail(supervisor, again)
    dialog = _open_emergency(qtbot, second)
    assert dialog.warning.isVisible() and "同一事由" in dialog.warning.text()
    dialog.reason.setCurrentIndex(dialog.reason.findData("accident"))
    assert not dialog.warning.isVisible()
    dialog.reason.setCurrentIndex(dialog.reason.findData("illness"))
    qtbot.keyClicks(dialog.amount, "800")
    assert not dialog.supervisor_box.isVisible() and dialog.ok_button.text() == "批准先行救助"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "已知悉" in dialog.error.text()
    dialog.acknowledge.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_reloaded(qtbot, second, lambda: "先行救助记录" in second.investigation.emergency_line.text())
    assert "重复救助提示已由赵立新确认" in second.investigation.emergency_line.text()


def test_above_the_limit_the_dialog_reports_to_the_county(qtbot, ui_context_for, open_detail) -> None:  # type: ignore[no-untyped-def]
    ctx = ui_context_for("clerk")
    case_uuid = make_case(ctx, (Category.TEMP_EMERGENCY,), investigate=False)
    view = open_detail(ctx, case_uuid)
    dialog = _open_emergency(qtbot, view)
    qtbot.keyClicks(dialog.amount, "5000")
    assert "超过乡镇审批限额" in dialog.route_line.text() and not dialog.supervisor_box.isVisible()
    assert dialog.ok_button.text() == "报县级审批"
    dialog.reason.setCurrentIndex(dialog.reason.findData("disaster"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.status == "awaiting_decision", timeout=10_000)
    assert "报县级审批" in view.message.text()


def test_emergency_aid_follows_an_accepted_emergency_application(qtbot, ui_context_for) -> None:  # type: ignore[no-untyped-def]
    from .test_intake_support import (
        HEAD_ID,
        fill_phone,
        fill_two_members,
        key,
        mark_documents,
        open_page,
        search_and_start_new,
        tab_to,
        type_text,
        wait_step,
        when,
    )

    ctx = ui_context_for("supervisor")
    page = open_page(qtbot, ctx)
    search_and_start_new(qtbot, page, HEAD_ID)
    fill_two_members(qtbot, page)
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, 2)
    req = page.request
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Space)                     # 临时救助（急难型）
    assert req.form().categories == ("temp_emergency",)
    tab_to(qtbot, req.reason)
    type_text(qtbot, "家中失火，房屋烧毁")
    fill_phone(qtbot, page)
    tab_to(qtbot, req.no_relative)
    key(qtbot, Qt.Key.Key_Space)
    key(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    wait_step(qtbot, page, 3)
    mark_documents(qtbot, page, missing=1)           # the incident proof follows with the paperwork
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, 4)
    assert page.confirm.accept_button.isEnabled() and "先行救助" in page.confirm.accept_hint.text()
    key(qtbot, Qt.Key.Key_Return)                    # 受理并打印受理通知书
    when(qtbot, lambda: page.print_dialog is not None and page.print_dialog.isVisible()
         and page.print_dialog.pdf is not None and not page.print_dialog.busy)
    assert "先行救助" in page.search.banner.text() and "补办手续时补交" in page.search.banner.text()
    page.print_dialog.reject()                       # the receipt is handled; the aid comes next
    when(qtbot, lambda: page.emergency_dialog is not None and page.emergency_dialog.facts is not None)
    dialog = page.emergency_dialog
    assert dialog.facts.case_uuid == page.last_result.case_uuid and dialog.facts.can_grant_now
    qtbot.keyClicks(dialog.amount, "1500")
    dialog.reason.setCurrentIndex(dialog.reason.findData("disaster"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    when(qtbot, lambda: not dialog.isVisible())
    assert "已先行救助" in page.search.banner.text()
    assert page.last_result.documents_missing      # still to come, with the paperwork


def test_documents_follow_the_aid_and_the_paperwork_is_completed_from_the_detail(qtbot, ui_context_for,
                                                                                   open_detail) -> None:  # type: ignore[no-untyped-def]
    from desktop.services.emergency import grants as emergency

    ctx = ui_context_for("clerk")
    plan = DeadlinePlanner.bundled().plan(VILLAGE, TODAY, [Category.TEMP_EMERGENCY])
    codes = [c for c, _n in plan.documents]
    app = sample_application(categories=(Category.TEMP_EMERGENCY,), emergency=True)
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      emergency=True, documents_received=tuple(codes[:-1]), documents_missing=(codes[-1],))
    case_uuid = intake.submit_application(ctx.session, app, "accept").case_uuid
    emergency.grant(ui_context_for("supervisor").session, case_uuid, emergency.GrantInput(80000, "illness"))
    view = open_detail(ctx, case_uuid)
    assert view.detail.status == "emergency_aided"
    assert not view.action_buttons["complete_emergency_paperwork"].isEnabled()
    docs = view.documents_tab
    view.tabs.setCurrentWidget(docs)
    assert docs.receive_button.isVisible()
    last = docs.table.item(len(docs.documents) - 1, 0)
    last.setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(docs.receive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "补办先行救助手续" in view.message.text(), timeout=10_000)
    qtbot.waitUntil(lambda: not view.loading and view.action_buttons["complete_emergency_paperwork"].isEnabled(),
                    timeout=10_000)
    qtbot.mouseClick(view.action_buttons["complete_emergency_paperwork"], Qt.MouseButton.LeftButton)
    view.action_dialog.try_accept()
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.status == "approved", timeout=10_000)
    assert emergency.grants(ctx.session, case_uuid)[0].paperwork_completed_at is not None
