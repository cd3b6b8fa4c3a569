"""The 同步 page against the real hub (uvicorn over HTTPS on PostgreSQL), the parts county IT and the
administrator use: the enrollment form (a wrong fingerprint or a used code is said in Chinese and nothing
is kept; the right code enrolls and a first sync starts; a clerk is told who enrolls), and 需处理 with a
pulled conflict — a township 批准 against the county's 不予批准 of the same case — beside the refused push,
已知悉 for the conflict (no retry: the county's decision stands), and 导出给县级 IT with no plain ID number
or phone in the file."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from conftest import FAST_KDF
from factories import accepted_case, to_decision
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from county.test_hub import TOWN, _devices, _key
from desktop.domain.roles import Role
from desktop.services.admin import accounts, appinfo
from desktop.services.sync.enrollment import enroll, link
from desktop.services.sync.overview import ACK_ACTION
from desktop.services.sync.pull import pull_pending
from desktop.services.sync.push import push_pending
from desktop.services.workflow import transitions as workflow
from desktop.store.models import AuditEvent, Case, Device, Meta, OutboxItem, Person
from desktop.ui import files
from desktop.ui.app import install_fonts, install_translators
from desktop.ui.context import UiContext, pc_settings
from desktop.ui.main_window import MainWindow
from desktop.ui.tasks import TaskRunner
from desktop.ui.typography import NORMAL_POINT_SIZE
from sync.client import HubClient
from sync.trust import ca_fingerprint

ROLES = {"clerk": Role.CLERK, "boss": Role.SUPERVISOR}


@pytest.fixture
def session_for(admin_session, data_dir):  # type: ignore[no-untyped-def]
    opened = {}

    def open_session(name: str):  # type: ignore[no-untyped-def]
        if name == "admin":
            return admin_session
        if name not in opened:
            accounts.add_user(admin_session, name, "王晓燕", ROLES[name], f"{name}-pass-1")
            opened[name] = accounts.sign_in(data_dir, name, f"{name}-pass-1", kdf=FAST_KDF)
        return opened[name]

    yield open_session
    for session in opened.values():
        session.close()


@pytest.fixture
def window_for(qtbot, qapp, session_for):  # type: ignore[no-untyped-def]
    install_translators(qapp)
    install_fonts(qapp, NORMAL_POINT_SIZE)
    tasks = TaskRunner()
    windows = []

    def make(name: str) -> MainWindow:
        ctx = UiContext(session_for(name), tasks, pc_settings())
        win = MainWindow(ctx, appinfo.installation(ctx.session))
        qtbot.addWidget(win)
        win.resize(1366, 768)
        win.show()
        qtbot.waitUntil(lambda: win.status is not None)
        windows.append(win)
        return win

    yield make
    for win in windows:
        win.sync_runner.stop()
    tasks.wait()


def _shot(main: MainWindow, name: str) -> None:
    if os.environ.get("YIMEN_SHOTS") == "1":
        main.grab().save(str(Path(__file__).resolve().parents[3] / "docs" / "screenshots" / f"{name}.png"))


def _device(admin) -> str:  # type: ignore[no-untyped-def]
    code = f"{next(_devices):03d}"
    with admin.db.write() as s:
        s.get(Device, 1).device_code = code
    return code


def _sync_meta(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with session.db.read() as s:
        return {m.key: m.value for m in s.scalars(select(Meta)) if m.key.startswith("sync.")}


def _open_sync(qtbot, main):  # type: ignore[no-untyped-def]
    main.show_section("sync")
    page = main.page("sync")
    qtbot.waitUntil(lambda: page.summary is not None and page.enroll.status is not None, timeout=10_000)
    return page


def _submit(qtbot, form, pin: str, code: str) -> str:  # type: ignore[no-untyped-def]
    form.pin.setText(pin)
    form.code.setText(code)
    form.message.setText("")
    qtbot.keyClick(form.code, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: form.submit.isEnabled() and form.message.text() not in ("", "正在连接县级平台注册…"),
                    timeout=60_000)
    return form.message.text()


def test_the_administrator_enrolls_from_the_form_and_refusals_keep_nothing(qtbot, hub, session_for, window_for,
                                                                           monkeypatch):
    admin = session_for("admin")
    device = _device(admin)
    clerk_page = _open_sync(qtbot, window_for("clerk"))          # a clerk is told who enrolls, and sees no form
    qtbot.waitUntil(lambda: "本机尚未注册，请县级信息管理员" in clerk_page.enroll.info.text(), timeout=10_000)
    assert not clerk_page.enroll.form_box.isVisible()

    main = window_for("admin")
    page = _open_sync(qtbot, main)
    form = page.enroll
    qtbot.waitUntil(lambda: form.form_box.isVisible() and main.sync_runner.enrolled is False, timeout=30_000)
    assert device in form.identity.text() and TOWN in form.identity.text()
    form.hub_url.setText(f"https://127.0.0.1:{hub.port}")
    monkeypatch.setattr(files, "run_dialog", lambda dialog: [hub.ca])
    qtbot.mouseClick(form.pick_button, Qt.MouseButton.LeftButton)
    pem = Path(hub.ca).read_bytes()
    fingerprint = ca_fingerprint(pem)
    digits = fingerprint.replace(":", "")
    assert form.file_fingerprint.text().split() == [digits[i:i + 4] for i in range(0, 64, 4)]
    before = _sync_meta(admin)

    wrong = ("AB" * 32)
    form.pin.setText(wrong)
    assert "不一致" in form.match.text()
    said = _submit(qtbot, form, wrong, hub.code(TOWN, device))
    assert "指纹与所填的不符" in said
    assert _sync_meta(admin) == before and not link(admin).ca_file.exists()

    used = hub.code(TOWN, device)                                  # another PC took this code first
    r = hub.session().post(f"{hub.url}/enroll", json={"enrollment_code": used, "township_code": TOWN,
                                                      "device_code": device, "public_key": _key()}, timeout=30)
    assert r.status_code == 200, r.text
    said = _submit(qtbot, form, fingerprint.lower(), used)
    assert "注册失败" in said and "已被另一台电脑使用" in said
    assert _sync_meta(admin) == before and not link(admin).ca_file.exists()

    said = _submit(qtbot, form, " ".join(digits[i:i + 4] for i in range(0, 64, 4)), "NOT-A-CODE")
    assert "注册码无效" in said and _sync_meta(admin) == before

    out = hub.cli("device", "revoke", "--township", TOWN, "--device", device)     # county IT retires the other PC
    assert out.returncode == 0, out.stderr
    form.pin.setText(fingerprint)
    form.code.clear()
    qtbot.keyClicks(form.code, hub.code(TOWN, device))               # typing clears the last refusal
    assert form.message.text() == ""
    assert "一致" in form.match.text() and "不" not in form.match.text()
    _shot(main, "sync-enroll")
    runner = main.sync_runner
    qtbot.keyClick(form.code, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: link(admin).enrolled, timeout=60_000)
    qtbot.waitUntil(lambda: runner.last is not None and not runner.running, timeout=60_000)   # the first sync
    assert runner.last.ok, runner.last.message
    assert link(admin).ca_file.read_bytes() == pem
    qtbot.waitUntil(lambda: "已注册" in form.info.text(), timeout=10_000)
    assert "测试县" in form.info.text() and device in form.info.text() and str(hub.port) in form.info.text()
    assert not form.form_box.isVisible() and form.reenroll_button.isVisible()
    assert page.state.text() == "已连接县级平台。"
    with admin.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "device_enrolled")) == 1
    qtbot.mouseClick(form.reenroll_button, Qt.MouseButton.LeftButton)    # 重新注册 opens the form again
    assert form.form_box.isVisible() and form.hub_url.text() == f"https://127.0.0.1:{hub.port}"


def _client(session) -> HubClient:  # type: ignore[no-untyped-def]
    lk = link(session)
    return HubClient(lk.hub_url, lk.ca_file, client_version="0.1.0", token=lk.token, pin_sha256=lk.ca_pin,
                     sleep=lambda _s: None)


def test_a_pulled_conflict_is_listed_beside_the_refused_push_acknowledged_and_exported_masked(
        qtbot, hub, session_for, window_for, monkeypatch, tmp_path):
    admin = session_for("admin")
    device = _device(admin)
    pem = Path(hub.ca).read_bytes()
    enroll(admin, lambda u, c, p: HubClient(u, c, client_version="0.1.0", pin_sha256=p, sleep=lambda _s: None),
           f"https://127.0.0.1:{hub.port}", pem, ca_fingerprint(pem), hub.code(TOWN, device))
    clerk, boss = session_for("clerk"), session_for("boss")
    case_uuid = accepted_case(clerk, seq=int(device))
    assert to_decision(clerk, case_uuid) == "awaiting_decision"
    assert push_pending(clerk, _client(clerk)).attention == 0
    with clerk.db.read() as s:
        number = s.get(Case, case_uuid).case_number
    out = hub.cli("decide", "--case", number, "--refuse", "--reason", "家庭收入超过低保标准", "--by", "县民政局 张科长")
    assert out.returncode == 0, out.stderr
    # before pulling, the township records the county's paper decision the other way
    workflow.transition(boss, case_uuid, "approve", workflow.TransitionInput(amount_cents=60000))
    assert push_pending(boss, _client(boss)).attention == 1
    pulled = pull_pending(boss, _client(boss))
    assert pulled.conflicts == 1, pulled.message

    main = window_for("boss")
    runner = main.sync_runner
    qtbot.waitUntil(lambda: runner.last is not None and not runner.running, timeout=60_000)
    page = _open_sync(qtbot, main)
    qtbot.waitUntil(lambda: page.attention.rowCount() == 2, timeout=10_000)
    kinds = [page.attention.item(r, 1).text() for r in range(2)]
    assert kinds == ["本机报送被退回", "县级结果与本机不符"]
    assert page.attention.item(1, 2).text() == "县级审核确认"
    assert page.attention.item(1, 3).text().replace("-", "") == number
    assert "不予批准" in page.attention.item(1, 4).text()
    assert "不能重试" in page.attention_help.text()
    page.attention.selectRow(0)
    assert page.retry_button.isEnabled() and not page.ack_button.isEnabled()
    page.attention.selectRow(1)
    assert page.ack_button.isEnabled() and not page.retry_button.isEnabled()     # the county's decision stands
    _shot(main, "sync-attention")

    target = tmp_path / "需处理.csv"
    monkeypatch.setattr(files, "run_dialog", lambda dialog: [str(target)])
    qtbot.keyClick(page.attention, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: "已导出 2 项" in page.attention_result.text(), timeout=10_000)
    text = target.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == ["退回的报送", "县级结果与本机记录不符"]
    with boss.db.read() as s:
        ids = set(s.scalars(select(Person.id_number)))
    assert ids and not any(i in text for i in ids)

    qtbot.keyClick(page.attention, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.attention.rowCount() == 1, timeout=10_000)
    assert "已知悉" in page.attention_result.text()
    with boss.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == ACK_ACTION)) == 1
        assert s.get(Case, case_uuid).status == "approved"                  # nothing changed here
        assert s.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.state == "pending")) == 0
