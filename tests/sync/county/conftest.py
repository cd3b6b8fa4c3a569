"""Fixtures of the hub's tests: a real PostgreSQL cluster, the real hub as a uvicorn process over
HTTPS on loopback (initialised by the real ``yimen-county init``), and a township's real outbox."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from conftest import FAST_KDF, TEST_TOWNSHIP
from factories import complete_application
from sqlalchemy import select

from county.pg import Cluster, free_port
from desktop.domain.roles import Role
from desktop.services.admin import accounts
from desktop.services.admin.accounts import sign_in
from desktop.services.intake.accept import submit_application
from desktop.store.models import AuditEvent, OutboxItem
from sync.protocol import CLIENT_HEADER, PROTOCOL_HEADER, AuditLink, PushEvent

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def pg() -> Iterator[Cluster]:
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


def county(*args: str) -> subprocess.CompletedProcess[str]:
    """The real ``yimen-county`` command."""
    return subprocess.run([sys.executable, "-m", "sync.county.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


@dataclass
class Hub:
    data_dir: Path
    dbname: str
    port: int
    process: subprocess.Popen[bytes]
    database_url: str = ""

    def query(self, sql: str, **params: object) -> list[tuple]:  # type: ignore[type-arg]
        """Read the hub's own database (PostgreSQL or SQLite alike), as county IT would."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(sql), params)]
        finally:
            engine.dispose()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/api/v1"

    @property
    def ca(self) -> str:
        return str(self.data_dir / "ca.pem")

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return county(*args, "--data-dir", str(self.data_dir))

    def code(self, township: str, device: str, hours: int = 72) -> str:
        out = self.cli("code", "issue", "--township", township, "--device", device, "--hours", str(hours))
        assert out.returncode == 0, out.stderr
        return out.stdout.strip().rsplit("：", 1)[1]

    def session(self, token: str = "", client: str = "0.1.0") -> requests.Session:
        http = requests.Session()
        http.trust_env = False        # REQUESTS_CA_BUNDLE in the environment would override verify (requests #3829)
        http.verify = self.ca
        http.headers.update({PROTOCOL_HEADER: "1", CLIENT_HEADER: client})
        if token:
            http.headers["Authorization"] = f"Bearer {token}"
        return http


def _wait(hub: Hub) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            raise RuntimeError(f"the hub exited: {hub.process.stderr.read().decode() if hub.process.stderr else ''}")
        try:
            requests.get(f"{hub.url}/hello", verify=hub.ca, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError("the hub did not answer within 60 s")


def _serve(data_dir: Path, dbname: str, database_url: str) -> Iterator[Hub]:
    out = county("township", "add", TEST_TOWNSHIP.township_code, "测试镇", "--data-dir", str(data_dir))
    assert out.returncode == 0, out.stderr
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sync.county.cli", "serve", "--data-dir", str(data_dir),
                             "--bind", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))
    h = Hub(data_dir, dbname, port, proc, database_url)
    try:
        _wait(h)
        yield h
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def hub(pg: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    data_dir = tmp_path_factory.mktemp("hub")
    dbname = pg.new_database()
    out = county("init", "--data-dir", str(data_dir), "--county-name", "测试县", "--database-url", pg.url(dbname))
    assert out.returncode == 0, out.stderr
    yield from _serve(data_dir, dbname, pg.url(dbname))


@pytest.fixture(scope="module")
def sqlite_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """The same hub on SQLite, as ``yimen-county init`` makes it for a trial (no --database-url)."""
    data_dir = tmp_path_factory.mktemp("hub-sqlite")
    out = county("init", "--data-dir", str(data_dir), "--county-name", "测试县")
    assert out.returncode == 0, out.stderr
    yield from _serve(data_dir, "", f"sqlite:///{(data_dir / 'hub.db').resolve()}")


@dataclass
class TownshipLog:
    events: list[PushEvent]
    links: list[AuditLink]
    id_numbers: list[str]


@pytest.fixture
def township_log(admin_session, data_dir) -> TownshipLog:  # type: ignore[no-untyped-def]
    """A real township database with two accepted applications: its outbox and audit chain as pushed."""
    accounts.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    clerk = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    try:
        app = complete_application(clerk)
        submit_application(clerk, app, "accept")
        with clerk.db.read() as s:
            rows = s.scalars(select(OutboxItem).where(OutboxItem.origin == "township").order_by(OutboxItem.seq))
            events = [PushEvent(seq=r.seq, idempotency_key=r.idempotency_key, event_type=r.event_type,
                                schema_version=r.schema_version, origin="township", entity_type=r.entity_type,
                                entity_uuid=r.entity_uuid, occurred_at=r.occurred_at, audit_seq=r.audit_seq,
                                audit_hash=r.audit_hash, payload=r.payload) for r in rows]
            links = [AuditLink(seq=e.seq, prev_hash=e.prev_hash, hash=e.hash)
                     for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    finally:
        clerk.close()
    return TownshipLog(events, links, [p.id_number for p in app.household.members])
