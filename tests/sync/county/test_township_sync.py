"""The township's sync end to end: a real township database enrolls at the real hub and pushes its
outbox — acked exactly once, rejects to 需处理 with the hub's reason, a cut link changes nothing
until the next run, batches sized in bytes; and the same through the `yimen` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ADMIN_PASSWORD, FAST_KDF
from factories import complete_application
from sqlalchemy import func, select

from county.conftest import ROOT
from county.flaky import CuttingProxy
from county.test_hub import TOWN, _devices
from desktop.domain.roles import Role
from desktop.services.admin import accounts
from desktop.services.admin.accounts import sign_in
from desktop.services.errors import ServiceError
from desktop.services.intake.accept import submit_application
from desktop.services.sync import settings
from desktop.services.sync.enrollment import enroll, link
from desktop.services.sync.push import push_pending
from desktop.store.models import Device, Meta, OutboxItem
from sync.client import HubClient, RetryPolicy
from sync.trust import ca_fingerprint


def _connect(url: str, ca: Path, pin: str) -> HubClient:
    return HubClient(url, ca, client_version="0.1.0", pin_sha256=pin, sleep=lambda _s: None)


def _device_code(admin_session) -> str:  # type: ignore[no-untyped-def]
    """Give this township database a device code of its own at the test hub (codes are per device)."""
    code = f"{next(_devices):03d}"
    with admin_session.db.write() as s:
        s.get(Device, 1).device_code = code
    return code


def _enrolled(hub, admin_session) -> None:  # type: ignore[no-untyped-def]
    code = hub.code(TOWN, _device_code(admin_session))
    pem = Path(hub.ca).read_bytes()
    enroll(admin_session, _connect, f"https://127.0.0.1:{hub.port}", pem, ca_fingerprint(pem), code)


def _clerk(admin_session, data_dir):  # type: ignore[no-untyped-def]
    accounts.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    return sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)


def _client_of(session, port: int | None = None, **kw) -> HubClient:  # type: ignore[no-untyped-def]
    lk = link(session)
    url = lk.hub_url if port is None else f"https://127.0.0.1:{port}"
    return HubClient(url, lk.ca_file, client_version="0.1.0", token=lk.token, pin_sha256=lk.ca_pin,
                     sleep=lambda _s: None, **kw)


def _states(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with session.db.read() as s:
        return dict(s.execute(select(OutboxItem.state, func.count()).where(OutboxItem.origin == "township")
                              .group_by(OutboxItem.state)).all())


def test_enrollment_checks_the_fingerprint_first_and_keeps_nothing_on_failure(hub, admin_session):
    code = hub.code(TOWN, _device_code(admin_session))
    pem = Path(hub.ca).read_bytes()
    with pytest.raises(ServiceError) as err:
        enroll(admin_session, _connect, f"https://127.0.0.1:{hub.port}", pem, "AB" * 32, code)
    assert "指纹" in err.value.message
    with pytest.raises(ServiceError) as err:
        enroll(admin_session, _connect, f"https://127.0.0.1:{hub.port}", pem, ca_fingerprint(pem), "WRONG")
    assert "注册码" in err.value.message
    assert not link(admin_session).enrolled and not link(admin_session).ca_file.exists()
    enroll(admin_session, _connect, f"https://127.0.0.1:{hub.port}", pem, ca_fingerprint(pem), code)
    assert link(admin_session).enrolled and link(admin_session).ca_file.read_bytes() == pem


def test_a_clerks_cases_reach_the_hub_once_and_are_acked(hub, admin_session, data_dir, pg):
    _enrolled(hub, admin_session)
    clerk = _clerk(admin_session, data_dir)
    try:
        submit_application(clerk, complete_application(clerk), "accept")
        waiting = _states(clerk)["pending"]
        report = push_pending(clerk, _client_of(clerk), max_bytes=600)     # small batches: several rounds
        assert report.error == "" and report.acked == waiting and report.batches >= 2
        assert report.audit_status == "ok" and _states(clerk) == {"acked": waiting}
        with clerk.db.read() as s:
            keys = [k for (k,) in s.execute(select(OutboxItem.idempotency_key))]
            assert s.get(Meta, "last_sync_at") is not None
        listed = ",".join(f"'{k}'" for k in keys)
        assert pg.query(hub.dbname, f"select count(*) from received_events where idempotency_key in ({listed})"
                        )[0][0] == len(keys)
        again = push_pending(clerk, _client_of(clerk))
        assert again.acked == 0 and again.error == ""
    finally:
        clerk.close()


def test_a_rejected_event_goes_to_attention_with_the_hubs_reason_and_the_rest_flows(hub, admin_session, data_dir):
    _enrolled(hub, admin_session)
    clerk = _clerk(admin_session, data_dir)
    try:
        submit_application(clerk, complete_application(clerk), "accept")
        with clerk.db.write() as s:            # a row the hub cannot read (as a bug would leave one)
            row = s.scalars(select(OutboxItem).order_by(OutboxItem.seq.desc())).first()
            row.payload = {"nonsense": True}
        report = push_pending(clerk, _client_of(clerk))
        assert report.attention == 1 and report.acked == _states(clerk)["acked"]
        with clerk.db.read() as s:
            bad = s.scalars(select(OutboxItem).where(OutboxItem.state == "attention")).one()
            assert bad.last_error and bad.attempts == 1
        assert "1 项需处理" in report.message
    finally:
        clerk.close()


def test_a_cut_link_leaves_everything_pending_and_the_next_run_sends_it_once(hub, admin_session, data_dir, pg):
    _enrolled(hub, admin_session)
    clerk = _clerk(admin_session, data_dir)
    proxy = CuttingProxy(hub.port, cut=10)
    try:
        submit_application(clerk, complete_application(clerk), "accept")
        waiting = _states(clerk)["pending"]
        cut = push_pending(clerk, _client_of(clerk, proxy.port, retry=RetryPolicy(attempts=2)))
        assert cut.error and cut.retryable and _states(clerk) == {"pending": waiting}
        proxy.remaining = 0
        done = push_pending(clerk, _client_of(clerk, proxy.port))
        assert done.acked == waiting and _states(clerk) == {"acked": waiting}
        with clerk.db.read() as s:
            keys = [k for (k,) in s.execute(select(OutboxItem.idempotency_key))]
        listed = ",".join(f"'{k}'" for k in keys)
        assert pg.query(hub.dbname, f"select count(*) from received_events where idempotency_key in ({listed})"
                        )[0][0] == len(keys)
    finally:
        proxy.close()
        clerk.close()


def test_enroll_and_sync_from_the_yimen_command(hub, admin_session, data_dir):
    device = _device_code(admin_session)
    admin_session.close()
    env = {**os.environ, "YIMEN_PASSWORD": ADMIN_PASSWORD}
    pem = Path(hub.ca)

    def yimen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "desktop.cli", *args, "--data-dir", str(data_dir),
                               "--user", "admin"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)

    out = yimen("sync")
    assert out.returncode != 0 and "尚未在县级平台注册" in out.stderr
    out = yimen("enroll", "--hub", f"https://127.0.0.1:{hub.port}", "--ca", str(pem),
                "--fingerprint", ca_fingerprint(pem.read_bytes()), "--code", hub.code(TOWN, device))
    assert out.returncode == 0, out.stderr
    assert "已在测试县县级平台注册" in out.stdout
    out = yimen("sync")
    assert out.returncode == 0, out.stderr
    assert "已上报" in out.stdout
    assert settings.CA_FILENAME in os.listdir(data_dir)
