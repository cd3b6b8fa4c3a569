"""Sync figures for `make bench`: the township's push over a slow link, PouchDB as the peer, 50 devices at once.

- A real hub (`yimen-county serve`, uvicorn over HTTPS) on a throwaway PostgreSQL cluster.
- The events: a real township database takes a few applications through the
  real intake (accepted), and its outbox events are the templates; they are
  cloned to ``YIMEN_BENCH_SYNC_EVENTS`` (default 10,000) events with fresh
  UUIDs, valid ID numbers, names and phone numbers drawn at random, so that
  gzip meets the entropy of real data and not copies of one case.
- ``LinkShaper``: a TCP proxy that gives each direction 256 kbit/s and 150 ms
  of one-way delay (300 ms round trip), counting the bytes that cross it
  (TLS included for ours, plain HTTP for PouchDB: the overhead of TLS is ours).
- Push: the events in batches as ``push_pending`` cuts them (``BATCH_BYTES``
  of JSON before gzip), one ``HubClient`` (keep-alive), through the shaper.
  Link use = the time the link needs for the bytes sent (the busier
  direction) / elapsed.
- PouchDB: the same events as documents in an in-memory PouchDB (Node)
  replicated into ``pouchdb-server --in-memory`` through the same shaper.
- 50 devices pushing at once straight to the hub (no shaping): events/s and
  the 95th percentile of the time per batch.
Asserts nothing about time.
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from desktop.demo.names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from desktop.services.sync.push import BATCH_BYTES
from forms.idnumber import check_char
from sync.client import HubClient, RetryPolicy
from sync.protocol import PushEvent, PushRequest

REPO = Path(__file__).resolve().parents[2]
POUCH_DIR = REPO / ".bench-cache" / "pouchdb"
RATE = 256_000 / 8               # bytes per second, each direction
ONE_WAY = 0.150                  # seconds
DEVICES = 50
TOWNSHIP = "620102101"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^1\d{10}$")


# ---------------------------------------------------------------------------------------------- the link

class LinkShaper:
    """TCP on loopback at ``rate`` bytes/s and ``delay`` s each way; ``up``/``down`` count the bytes."""

    def __init__(self, target_port: int, rate: float = RATE, delay: float = ONE_WAY) -> None:
        self.target_port, self.rate, self.delay = target_port, rate, delay
        self.up = self.down = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.up = self.down = 0

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for src, dst, up in ((client, upstream, True), (upstream, client, False)):
                q: collections.deque[tuple[float, bytes]] = collections.deque()
                cv = threading.Condition()
                threading.Thread(target=self._read, args=(src, q, cv, up), daemon=True).start()
                threading.Thread(target=self._send, args=(dst, q, cv), daemon=True).start()

    def _read(self, src: socket.socket, q: collections.deque, cv: threading.Condition, up: bool) -> None:
        try:
            while data := src.recv(4096):
                with self._lock:
                    if up:
                        self.up += len(data)
                    else:
                        self.down += len(data)
                with cv:
                    q.append((time.monotonic() + self.delay, data))
                    cv.notify()
        except OSError:
            pass
        with cv:
            q.append((time.monotonic() + self.delay, b""))
            cv.notify()

    def _send(self, dst: socket.socket, q: collections.deque, cv: threading.Condition) -> None:
        free = 0.0                                   # when the link is next free in this direction
        try:
            while True:
                with cv:
                    while not q:
                        cv.wait()
                    due, data = q.popleft()
                if not data:
                    break
                # the chunk's last bit leaves after its serialisation time; it arrives one delay later
                start = max(free, due - self.delay)
                free = start + len(data) / self.rate
                wait = max(free + self.delay, due) - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------- the hub

@dataclass
class BenchHub:
    root: Path
    port: int
    process: subprocess.Popen[bytes]
    cluster: Any
    dbname: str
    codes: list[str] = field(default_factory=list)

    @property
    def ca(self) -> Path:
        return self.root / "ca.pem"

    def cli(self, *args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "sync.county.cli", *args, "--data-dir", str(self.root)],
                             capture_output=True, text=True, cwd=REPO, timeout=120)
        if out.returncode:
            raise RuntimeError(out.stderr)
        return out.stdout

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.cluster.stop()


def start_hub(root: Path) -> BenchHub:
    sys.path.insert(0, str(REPO / "tests" / "sync"))
    from county.pg import Cluster, free_port  # the test suite's throwaway cluster

    cluster = Cluster().start()
    dbname = cluster.new_database()
    run = [sys.executable, "-m", "sync.county.cli"]
    subprocess.run([*run, "init", "--data-dir", str(root), "--county-name", "示范县", "--database-url",
                    cluster.url(dbname)], check=True, capture_output=True, cwd=REPO)
    subprocess.run([*run, "township", "add", TOWNSHIP, "青石镇", "--data-dir", str(root)], check=True,
                   capture_output=True, cwd=REPO)
    port = free_port()
    proc = subprocess.Popen([*run, "serve", "--data-dir", str(root), "--bind", "127.0.0.1", "--port", str(port)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hub = BenchHub(root, port, proc, cluster, dbname)
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"https://127.0.0.1:{port}/api/v1/hello", verify=str(hub.ca), timeout=2)
            return hub
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def device(hub: BenchHub, code: str, url: str) -> HubClient:
    from sync.protocol import EnrollRequest

    enrollment = hub.cli("code", "issue", "--township", TOWNSHIP, "--device", code).strip().rsplit("：", 1)[1]
    client = HubClient(url, hub.ca, client_version="0.1.0", read_timeout=600,
                       retry=RetryPolicy(attempts=1))
    client.enroll(EnrollRequest(enrollment_code=enrollment, township_code=TOWNSHIP, device_code=code,
                                public_key=os.urandom(32).hex()))
    return client


# ---------------------------------------------------------------------------------------------- the events

def template_events(work: Path, applications: int = 4) -> list[PushEvent]:
    """A real township's outbox after ``applications`` accepted applications."""
    sys.path.insert(0, str(REPO / "tests"))
    from factories import complete_application
    from sqlalchemy import select

    from desktop.domain.roles import Role
    from desktop.services.admin import accounts
    from desktop.services.admin.setup import create_township
    from desktop.services.intake.accept import submit_application
    from desktop.store.models import OutboxItem

    from .dataset import BULK_TOWNSHIP, FAST_KDF

    admin = create_township(work, BULK_TOWNSHIP, "admin", "bench-admin-2026", kdf=FAST_KDF)
    accounts.add_user(admin, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    admin.close()
    clerk = accounts.sign_in(work, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    try:
        for _ in range(applications):
            submit_application(clerk, complete_application(clerk), "accept")
        with clerk.db.read() as s:
            return [PushEvent(seq=r.seq, idempotency_key=r.idempotency_key, event_type=r.event_type,
                              schema_version=r.schema_version, origin="township", entity_type=r.entity_type,
                              entity_uuid=r.entity_uuid, occurred_at=r.occurred_at, audit_seq=0, audit_hash="",
                              payload=r.payload)
                    for r in s.scalars(select(OutboxItem).where(OutboxItem.origin == "township")
                                       .order_by(OutboxItem.seq))]
    finally:
        clerk.close()


class _Varier:
    """New values for one cloned application: the same shape, other people."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.uuids, self.ids = rng, {}, {}

    def value(self, key: str, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: self.value(k, x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(key, x) for x in v]
        if not isinstance(v, str):
            return v
        if UUID_RE.match(v):
            return self.uuids.setdefault(v, str(uuid.UUID(int=self.rng.getrandbits(128), version=4)))
        if ID_RE.match(v):
            return self.ids.setdefault(v, self._id(v[:6]))
        if PHONE_RE.match(v):
            return "1" + "".join(self.rng.choice("0123456789") for _ in range(10))
        if "name" in key and 2 <= len(v) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in v):
            given = GIVEN_FEMALE if self.rng.random() < 0.5 else GIVEN_MALE
            return self.rng.choice(SURNAMES) + "".join(self.rng.choice(given) for _ in range(len(v) - 1))
        return v

    def _id(self, region: str) -> str:
        birth = f"{self.rng.randint(1940, 2015)}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"
        first = region + birth + f"{self.rng.randint(0, 999):03d}"
        return first + check_char(first)


def clone_events(templates: list[PushEvent], n: int, seed: int = 12) -> tuple[list[PushEvent], int]:
    """``n`` events cloned from the templates (whole applications at a time); and how many cases."""
    rng = random.Random(seed)
    out: list[PushEvent] = []
    cases = 0
    while len(out) < n:
        v = _Varier(rng)
        for ev in templates:
            if len(out) == n:
                break
            payload = v.value("", json.loads(json.dumps(ev.payload)))
            out.append(ev.model_copy(update={"seq": len(out) + 1, "idempotency_key": str(uuid.uuid4()),
                                             "entity_uuid": v.value("", ev.entity_uuid), "payload": payload}))
        cases += len({e.entity_uuid for e in templates if e.entity_type == "case"}) or 1
    return out, cases


def batches(events: list[PushEvent], max_bytes: int = BATCH_BYTES) -> list[PushRequest]:
    """Cut as ``push.next_batch`` cuts: JSON bytes before gzip, at most MAX_BATCH_EVENTS."""
    from sync.protocol import MAX_BATCH_EVENTS

    out: list[PushRequest] = []
    cur: list[PushEvent] = []
    size = 0
    for ev in events:
        n = len(ev.model_dump_json())
        if cur and (size + n > max_bytes or len(cur) >= MAX_BATCH_EVENTS):
            out.append(PushRequest(events=cur))
            cur, size = [], 0
        cur.append(ev)
        size += n
    if cur:
        out.append(PushRequest(events=cur))
    return out


# ---------------------------------------------------------------------------------------------- the runs

@dataclass
class LinkRun:
    name: str
    seconds: float
    up: int
    down: int
    requests: int = 0
    note: str = ""

    @property
    def link_seconds(self) -> float:
        return max(self.up, self.down) / RATE

    @property
    def use(self) -> float:
        return self.link_seconds / self.seconds if self.seconds else 0.0


def push_through(hub: BenchHub, events: list[PushEvent], max_bytes: int, code: str,
                 shaped: bool = True) -> LinkRun:
    """Push ``events`` as one device through the shaper (or, ``shaped=False``, straight to the hub:
    what the hub's own work costs, without the link)."""
    shaper = LinkShaper(hub.port)
    try:
        client = device(hub, code, f"https://127.0.0.1:{shaper.port if shaped else hub.port}")
        reqs = batches(events, max_bytes)
        shaper.reset()
        t0 = time.perf_counter()
        accepted = 0
        for req in reqs:
            answer = client.push(req)
            accepted += sum(r.status in ("accepted", "duplicate") for r in answer.results)
        seconds = time.perf_counter() - t0
        client.close()
        if accepted != len(events):
            raise RuntimeError(f"the hub accepted {accepted} of {len(events)}")
        name = f"yimen push ({len(reqs)} batches)" if shaped else "  the same, no link"
        return LinkRun(name, seconds, shaper.up, shaper.down, len(reqs))
    finally:
        shaper.close()


POUCH_SCRIPT = r"""
const PouchDB = require('pouchdb-core').plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http')).plugin(require('pouchdb-replication'));
const fs = require('fs');
(async () => {
  const docs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const local = new PouchDB('local', {adapter: 'memory'});
  for (let i = 0; i < docs.length; i += 1000) await local.bulkDocs(docs.slice(i, i + 1000));
  const remote = new PouchDB(process.argv[3]);
  const t0 = Date.now();
  const info = await local.replicate.to(remote);
  const t1 = Date.now();
  process.stdout.write(JSON.stringify({ms: t1 - t0, written: info.docs_written}) + '\n');
})().catch(e => { console.error(e); process.exit(1); });
"""


def pouch_through(events: list[PushEvent], work: Path, say: Callable[[str], None]) -> LinkRun | str:
    """The same documents replicated by PouchDB into pouchdb-server through a shaper; or why not."""
    if not (POUCH_DIR / "node_modules" / ".bin" / "pouchdb-server").exists():
        out = subprocess.run([str(REPO / "tools" / "ensure_pouchdb.sh")], capture_output=True, text=True)
        if out.returncode:
            return f"PouchDB not available: tools/ensure_pouchdb.sh failed ({out.stderr.strip()[-200:]})"
    sys.path.insert(0, str(REPO / "tests" / "sync"))
    from county.pg import free_port

    port = free_port()
    server = subprocess.Popen([str(POUCH_DIR / "node_modules" / ".bin" / "pouchdb-server"), "--in-memory",
                               "--port", str(port), "--host", "127.0.0.1"], cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shaper = None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.put(f"http://127.0.0.1:{port}/township", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    return "PouchDB not available: pouchdb-server did not start"
                time.sleep(0.3)
        docs = [{"_id": e.idempotency_key, **json.loads(e.model_dump_json(exclude={"idempotency_key"}))}
                for e in events]
        (work / "docs.json").write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
        (work / "replicate.js").write_text(POUCH_SCRIPT, encoding="utf-8")
        shaper = LinkShaper(port)
        env = dict(os.environ, NODE_PATH=str(POUCH_DIR / "node_modules"))
        t0 = time.perf_counter()
        out = subprocess.run(["node", str(work / "replicate.js"), str(work / "docs.json"),
                              f"http://127.0.0.1:{shaper.port}/township"], capture_output=True, text=True,
                             env=env, timeout=7200)
        if out.returncode:
            return f"PouchDB replication failed: {out.stderr.strip()[-300:]}"
        result = json.loads(out.stdout.strip().splitlines()[-1])
        seconds = result["ms"] / 1000
        say(f"  PouchDB wrote {result['written']} documents ({time.perf_counter() - t0:.0f} s with its start)")
        return LinkRun("PouchDB → pouchdb-server", seconds, shaper.up, shaper.down)
    finally:
        if shaper:
            shaper.close()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@dataclass
class Crowd:
    devices: int
    events: int
    seconds: float
    batch_seconds: list[float]

    @property
    def per_second(self) -> float:
        return self.events / self.seconds

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.batch_seconds, n=20)[-1] if len(self.batch_seconds) > 1 else 0.0


def crowd(hub: BenchHub, events: list[PushEvent], say: Callable[[str], None], max_bytes: int) -> Crowd:
    """``DEVICES`` devices, each with its own share of the events (own keys), pushing at once."""
    share = max(1, len(events) // DEVICES)
    clients = [device(hub, f"{500 + i:03d}", f"https://127.0.0.1:{hub.port}") for i in range(DEVICES)]
    work = []
    for i in range(DEVICES):
        part = [e.model_copy(update={"seq": j + 1, "idempotency_key": str(uuid.uuid4())})
                for j, e in enumerate(events[i * share:(i + 1) * share])]
        work.append(batches(part, max_bytes))
    times: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(DEVICES + 1)

    def run(client: HubClient, reqs: list[PushRequest]) -> None:
        start.wait()
        for req in reqs:
            t = time.perf_counter()
            client.push(req)
            with lock:
                times.append(time.perf_counter() - t)

    threads = [threading.Thread(target=run, args=(c, w)) for c, w in zip(clients, work, strict=True)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    for c in clients:
        c.close()
    return Crowd(DEVICES, share * DEVICES, seconds, times)


def run(say: Callable[[str], None], n_events: int | None = None) -> dict[str, Any]:
    n = n_events or int(os.environ.get("YIMEN_BENCH_SYNC_EVENTS", "10000"))
    work = Path(tempfile.mkdtemp(prefix="yimen-sync-bench-"))
    hub = None
    try:
        say("sync: a township takes 4 applications through intake; its events cloned with fresh people …")
        templates = template_events(work / "township")
        events, cases = clone_events(templates, n)
        raw = sum(len(e.model_dump_json()) for e in events)
        say(f"sync: {len(events)} events of {cases} cases ({raw / 1e6:.1f} MB of JSON, "
            f"{len(gzip.compress(b''.join(e.model_dump_json().encode() for e in events))) / 1e6:.1f} MB gzipped "
            "as one stream); starting the hub on PostgreSQL …")
        hub = start_hub(work / "hub")
        say(f"sync: pushing through {RATE * 8 / 1000:.0f} kbit/s, {ONE_WAY * 2000:.0f} ms round trip …")
        ours = push_through(hub, events, BATCH_BYTES, "101")
        say(f"  {ours.seconds:.1f} s, {ours.requests} batches; the same straight to the hub …")
        fresh = [e.model_copy(update={"idempotency_key": str(uuid.uuid4())}) for e in events]
        bare = push_through(hub, fresh, BATCH_BYTES, "102", shaped=False)
        say("sync: PouchDB replicating the same documents into pouchdb-server through the same link …")
        peer = pouch_through(events, work, say)
        say(f"sync: {DEVICES} devices pushing at once, straight to the hub …")
        many = crowd(hub, events, say, BATCH_BYTES)
        return {"events": len(events), "cases": cases, "ours": ours, "bare": bare, "peer": peer, "crowd": many}
    finally:
        if hub:
            hub.stop()
        shutil.rmtree(work, ignore_errors=True)


def table(r: dict[str, Any]) -> str:
    ours: LinkRun = r["ours"]
    peer = r["peer"]
    cases = r["cases"]
    lines = [f"sync — {r['events']} events, {cases} cases, link {RATE * 8 / 1000:.0f} kbit/s each way, "
             f"{ONE_WAY * 2000:.0f} ms round trip",
             f"{'':28}{'elapsed s':>10}{'link s':>9}{'use':>7}{'up kB':>9}{'down kB':>9}{'B/case':>9}"]
    bare: LinkRun = r["bare"]
    for x in [ours, bare] + ([peer] if isinstance(peer, LinkRun) else []):
        if x is bare:
            lines.append(f"{x.name:28}{x.seconds:>10.1f}")
            continue
        lines.append(f"{x.name:28}{x.seconds:>10.1f}{x.link_seconds:>9.1f}{x.use:>7.0%}{x.up / 1000:>9.0f}"
                     f"{x.down / 1000:>9.0f}{(x.up + x.down) / cases:>9.0f}")
    lines.append(f"link use: {ours.use:.0%} of capacity (goal ≥ 80 %); the hub's own work without the link: "
                 f"{bare.seconds:.1f} s of the {ours.seconds:.1f} s")
    if isinstance(peer, LinkRun):
        ratio = (ours.up + ours.down) / (peer.up + peer.down)
        lines.append(f"bytes per case against PouchDB: {ratio:.2f}× (goal ≤ 0.5×); "
                     f"time against PouchDB: {ours.seconds / peer.seconds:.2f}×")
    else:
        lines.append(str(peer))
    c: Crowd = r["crowd"]
    lines.append(f"hub on PostgreSQL, {c.devices} devices at once: {c.events} events in {c.seconds:.1f} s = "
                 f"{c.per_second:.0f} events/s; per batch p95 {c.p95 * 1000:.0f} ms "
                 f"(median {statistics.median(c.batch_seconds) * 1000:.0f} ms, {len(c.batch_seconds)} batches)")
    return "\n".join(lines)


if __name__ == "__main__":
    result = run(print)
    print(table(result))
