"""kill -9 on both ends of the wire, then again: the same final state, exactly once.

- The township's ``yimen sync`` (a real subprocess) killed at random points —
  in its start, while its batch is on the wire (the answers trickle through the
  fault proxy, so the hub may have applied what the client never hears), while
  it applies the answer — then run again until it finishes.
- The hub's uvicorn process killed while a township pushes batch after batch,
  then restarted on the same database.

After each: every event at the hub once (counted in PostgreSQL), every row
acked at the township, the township file's integrity and audit chain intact,
and the audit chain the hub holds for the device unbroken. ``YIMEN_FAULT_SEED``
replays a run's choice of kill points (the seed is in the failure message).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import ADMIN_PASSWORD, FAST_KDF, TEST_TOWNSHIP
from factories import complete_application
from faults.faultkit import sign_in_clerk, sound, township_with_clerk
from sqlalchemy import select

from county.conftest import ROOT, _wait
from county.faults_proxy import FaultProxy
from desktop.services.admin.accounts import sign_in
from desktop.services.intake.accept import submit_application
from desktop.services.sync.enrollment import enroll, link
from desktop.services.sync.push import PushReport, push_pending
from desktop.store.models import Device, OutboxItem
from sync.client import HubClient, RetryPolicy
from sync.trust import ca_fingerprint

SEED = int(os.environ.get("YIMEN_FAULT_SEED", str(random.randrange(10**6))))
CLIENT_KILLS = 6
HUB_KILLS = 3


def _township(data_dir: Path, applications: int) -> None:
    clerk = township_with_clerk(data_dir)
    try:
        for _ in range(applications):
            submit_application(clerk, complete_application(clerk), "accept")
    finally:
        clerk.close()


def _enroll(data_dir: Path, hub, device: str, url: str) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in(data_dir, "admin", ADMIN_PASSWORD, kdf=FAST_KDF)
    try:
        with admin.db.write() as s:
            s.get(Device, 1).device_code = device
        pem = Path(hub.ca).read_bytes()
        enroll(admin, lambda u, ca, pin: HubClient(u, ca, client_version="0.1.0", pin_sha256=pin),
               url, pem, ca_fingerprint(pem), hub.code(TEST_TOWNSHIP.township_code, device))
    finally:
        admin.close()


def _check(data_dir: Path, hub, pg, device: str, why: str) -> None:  # type: ignore[no-untyped-def]
    clerk = sign_in_clerk(data_dir)
    try:
        with clerk.db.read() as s:
            rows = s.scalars(select(OutboxItem).where(OutboxItem.origin == "township")).all()
            sent = {r.seq: r.idempotency_key for r in rows}
            states = {r.state for r in rows}
        assert states == {"acked"}, f"{why}: township rows in {states}"
        assert sound(clerk) == [], f"{why}: {sound(clerk)}"
    finally:
        clerk.close()
    held = pg.query(hub.dbname, "select e.seq, e.idempotency_key from received_events e join devices d "
                                f"on d.id = e.device_id where d.device_code = '{device}'")
    assert len(held) == len(sent) and dict(held) == sent, f"{why}: the hub holds {len(held)} of {len(sent)}"
    chain = pg.query(hub.dbname, f"select chain_status, contiguous_seq from devices where device_code = '{device}'")
    assert chain == [("ok", max(sent))], f"{why}: the hub's chain {chain}"


def test_yimen_sync_killed_anywhere_and_run_again_sends_everything_once(hub, pg, tmp_path):  # type: ignore[no-untyped-def]
    rng = random.Random(SEED)
    data_dir = tmp_path / "township"
    _township(data_dir, 3)
    proxy = FaultProxy(hub.port, hub.data_dir, trickle_bytes=40, trickle_delay=0.02)
    env = {**os.environ, "YIMEN_PASSWORD": ADMIN_PASSWORD}
    argv = [sys.executable, "-m", "desktop.cli", "sync", "--data-dir", str(data_dir), "--user", "admin"]
    kills: list[str] = []
    try:
        _enroll(data_dir, hub, "901", f"https://127.0.0.1:{proxy.port}")
        for i in range(CLIENT_KILLS):
            proxy.load(["trickle"] * 100)                  # every answer takes a while to arrive
            seen = proxy.connections
            child = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i % 3 == 0:                                 # anywhere: start, sign-in, push, apply
                time.sleep(rng.uniform(0.5, 4.0))
                kills.append("anywhere")
            else:                                          # once its batch is on the wire
                deadline = time.monotonic() + 60
                while proxy.connections == seen and child.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.005)
                time.sleep(rng.uniform(0.0, 0.6))
                kills.append("on the wire")
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            proxy.idle()
        proxy.load([])
        done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"seed={SEED}: {done.stderr}"
        _check(data_dir, hub, pg, "901", f"seed={SEED} kills={kills}")
    finally:
        proxy.close()


def _serve(hub) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    return subprocess.Popen([sys.executable, "-m", "sync.county.cli", "serve", "--data-dir", str(hub.data_dir),
                             "--bind", "127.0.0.1", "--port", str(hub.port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))


def test_the_hub_killed_mid_batch_and_restarted_holds_every_event_once(hub, pg, tmp_path):  # type: ignore[no-untyped-def]
    rng = random.Random(SEED + 1)
    data_dir = tmp_path / "township"
    _township(data_dir, 1)
    _enroll(data_dir, hub, "902", f"https://127.0.0.1:{hub.port}")
    clerk = sign_in_clerk(data_dir)
    restarted: list[subprocess.Popen[bytes]] = []
    cut: list[PushReport] = []
    try:
        lk = link(clerk)
        client = HubClient(lk.hub_url, lk.ca_file, client_version="0.1.0", token=lk.token, pin_sha256=lk.ca_pin,
                           retry=RetryPolicy(attempts=1), read_timeout=30)
        for _ in range(HUB_KILLS):
            for _ in range(2):
                submit_application(clerk, complete_application(clerk), "accept")
            pusher = threading.Thread(target=lambda: cut.append(push_pending(clerk, client, max_bytes=500)))
            pusher.start()
            time.sleep(rng.uniform(0.05, 0.3))               # batches of one or two events: the hub is mid-batch
            hub.process.send_signal(signal.SIGKILL)
            hub.process.wait(timeout=30)
            pusher.join(timeout=120)
            hub.process = _serve(hub)
            restarted.append(hub.process)
            _wait(hub)
        final = push_pending(clerk, client)
        assert final.error == "", f"seed={SEED + 1}: {final.error}"
        client.close()
    finally:
        clerk.close()
    assert any(r.error for r in cut), f"seed={SEED + 1}: no kill landed during a push ({cut})"
    try:
        _check(data_dir, hub, pg, "902", f"seed={SEED + 1}")
    finally:
        last = restarted[-1]
        last.send_signal(signal.SIGTERM)
        try:
            last.wait(timeout=20)
        except subprocess.TimeoutExpired:
            last.kill()
