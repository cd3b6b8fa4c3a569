"""A township log pushed through the fault-injecting proxy under 100 randomized schedules.

Each schedule (seeded: the seed is in the test's id and in every failure
message; ``YIMEN_FAULT_SEEDS=17,42`` runs only those) is a list of faults, one
per connection, mixed with passes. A fresh copy of one real township database
— its outbox under new idempotency keys, a new device of the module's hub —
pushes with ``push_pending`` through the proxy until nothing is pending, as
the background sync would, run after run. Then PostgreSQL must hold exactly
the township's events for that device: none lost, none twice, and the audit
chain the hub holds unbroken.
"""

from __future__ import annotations

import os
import random
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FAST_KDF, TEST_TOWNSHIP
from factories import complete_application
from sqlalchemy import select

from county.faults_proxy import FAULTS, FaultProxy
from desktop.domain.roles import Role
from desktop.services.admin import accounts
from desktop.services.admin.accounts import sign_in
from desktop.services.admin.setup import create_township
from desktop.services.intake.accept import submit_application
from desktop.services.sync import settings
from desktop.services.sync.enrollment import enroll, link
from desktop.services.sync.push import push_pending
from desktop.store.models import Device, OutboxItem
from sync.client import HubClient, RetryPolicy
from sync.clock import utc_now
from sync.county import service
from sync.county.database import HubDatabase
from sync.trust import ca_fingerprint

SCHEDULES = 100
READ_TIMEOUT = 0.6
RUNS = 40                               # push_pending runs per schedule before we call it stuck
_devices = iter(range(100, 999))


def _seeds() -> list[int]:
    chosen = os.environ.get("YIMEN_FAULT_SEEDS", "")
    return [int(s) for s in chosen.split(",") if s.strip()] or list(range(SCHEDULES))


def schedule(seed: int) -> list[str]:
    """Between 4 and 14 faults, each after 0–2 passes."""
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(rng.randint(4, 14)):
        out += ["pass"] * rng.choice((0, 0, 1, 2))
        out.append(rng.choice(FAULTS))
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real township database with three accepted applications (copied for every schedule)."""
    data_dir = tmp_path_factory.mktemp("township")
    admin = create_township(data_dir, TEST_TOWNSHIP, "admin", "admin-pass-1", kdf=FAST_KDF)
    accounts.add_user(admin, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    admin.close()
    clerk = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    try:
        for _ in range(3):
            submit_application(clerk, complete_application(clerk), "accept")
    finally:
        clerk.close()
    return data_dir


@pytest.fixture(scope="module")
def proxy(hub) -> Iterator[FaultProxy]:  # type: ignore[no-untyped-def]
    p = FaultProxy(hub.port, hub.data_dir, hold_seconds=READ_TIMEOUT + 0.3)
    yield p
    p.close()


@pytest.fixture(scope="module")
def hub_db(hub, pg) -> Iterator[HubDatabase]:  # type: ignore[no-untyped-def]
    db = HubDatabase(pg.url(hub.dbname))
    yield db
    db.dispose()


def _fresh_device(template: Path, where: Path, hub, hub_db: HubDatabase):  # type: ignore[no-untyped-def]
    """A copy of the template under new keys, enrolled as a new device (directly, not through the proxy)."""
    shutil.copytree(template, where)
    admin = sign_in(where, "admin", "admin-pass-1", kdf=FAST_KDF)
    device = f"{next(_devices):03d}"
    with admin.db.write() as s:
        s.get(Device, 1).device_code = device
        for row in s.scalars(select(OutboxItem)):
            row.idempotency_key = str(uuid.uuid4())
    with hub_db.write() as s:
        code = service.issue_enrollment_code(s, TEST_TOWNSHIP.township_code, device, actor="test", now=utc_now())
    pem = Path(hub.ca).read_bytes()
    enroll(admin, lambda url, ca, pin: HubClient(url, ca, client_version="0.1.0", pin_sha256=pin),
           f"https://127.0.0.1:{hub.port}", pem, ca_fingerprint(pem), code)
    return admin, device


@pytest.mark.parametrize("seed", _seeds())
def test_a_schedule_of_faults_loses_nothing_and_duplicates_nothing(seed, template, tmp_path, hub, hub_db, proxy, pg):
    faults = schedule(seed)
    session, device = _fresh_device(template, tmp_path / "t", hub, hub_db)
    try:
        with session.db.read() as s:
            sent = {r.seq: r.idempotency_key for r in s.scalars(
                select(OutboxItem).where(OutboxItem.origin == "township"))}
        lk = link(session)
        proxy.load(faults)
        client = HubClient(f"https://127.0.0.1:{proxy.port}", lk.ca_file, client_version="0.1.0", token=lk.token,
                           pin_sha256=lk.ca_pin, connect_timeout=2.0, read_timeout=READ_TIMEOUT,
                           retry=RetryPolicy(attempts=3, base_seconds=0.01, cap_seconds=0.02),
                           sleep=lambda w: time.sleep(min(w, 0.02)),     # Retry-After: 1 or 2, shortened
                           rng=random.Random(seed).random)
        reports = []
        for _ in range(RUNS):
            report = push_pending(session, client, max_bytes=900)
            reports.append(report)
            with session.db.read() as s:
                left = s.scalars(select(OutboxItem).where(OutboxItem.state != "acked")).all()
            if not left and not report.error:
                break
        why = f"seed={seed} schedule={faults} met={proxy.applied} errors={[r.error for r in reports if r.error]}"
        assert not left, f"{why}: {len(left)} items never acked ({[(r.seq, r.state, r.last_error) for r in left]})"
        proxy.idle()
        with session.db.read() as s:
            audit_pushed = int(settings.get(s, settings.AUDIT_PUSHED, "0") or 0)
        rows = pg.query(hub.dbname, "select e.seq, e.idempotency_key from received_events e join devices d "
                                    f"on d.id = e.device_id where d.device_code = '{device}'")
        assert len(rows) == len(sent), f"{why}: the hub holds {len(rows)} events of {len(sent)}"
        assert dict(rows) == sent, f"{why}: the hub's events differ from the township's"
        chain = pg.query(hub.dbname, "select chain_status, contiguous_seq, (select count(*) from audit_links a "
                                     f"where a.device_id = d.id) from devices d where d.device_code = '{device}'")
        assert chain == [("ok", max(sent), audit_pushed)], f"{why}: the hub's chain {chain}"
    finally:
        session.close()


def test_the_schedules_meet_every_fault_many_times():
    met = [f for seed in range(SCHEDULES) for f in schedule(seed)]
    assert all(met.count(fault) >= 30 for fault in FAULTS), {f: met.count(f) for f in FAULTS}
