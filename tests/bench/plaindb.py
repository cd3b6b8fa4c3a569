"""An unencrypted copy of the case store, and a Database-like object over it (bench only).

The copy is made with `ATTACH … KEY ''` + `sqlcipher_export` on a raw keyed
connection (the pattern of desktop/store/backup.py) and opened through the
same `sqlcipher3` driver with no key, so the only difference measured against
the encrypted file is the encryption itself (same SQLite build, same pragmas,
same pool, same BEGIN handling).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from desktop.store.database import LOOKUP_SECRET_KEY, Database
from desktop.store.engine import BUSY_TIMEOUT_MS
from desktop.store.models import Meta

PLAINTEXT_HEADER = b"SQLite format 3\x00"


def export_plaintext(db: Database, target: Path) -> Path:
    """Write an unencrypted copy of `db` to `target` (which must not exist)."""
    target = Path(target)
    if target.exists():
        raise FileExistsError(target)
    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.execute("ATTACH DATABASE ? AS plaintext KEY ''", (str(target),))
        try:
            conn.execute("SELECT sqlcipher_export('plaintext')").fetchall()
        finally:
            conn.execute("DETACH DATABASE plaintext")
    finally:
        raw.close()
    with open(target, "rb") as fh:
        if fh.read(16) != PLAINTEXT_HEADER:
            raise RuntimeError("the exported copy is not a plain SQLite file")
    return target


def _connect_plain(path: Path) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                              isolation_level=None)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.execute("PRAGMA journal_mode = WAL").fetchone()
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class PlainDatabase:
    """Same `read()`, `write()` and `id_hash()` as desktop.store.database.Database, over a plain file."""

    def __init__(self, path: Path, pool_size: int = 4) -> None:
        self.path = Path(path)
        self.engine: Engine = create_engine("sqlite+pysqlite://", creator=lambda: _connect_plain(self.path),
                                            poolclass=QueuePool, pool_size=pool_size, max_overflow=2,
                                            pool_pre_ping=False)

        @event.listens_for(self.engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("immediate") else "BEGIN")

        self._writer = self.engine.execution_options(immediate=True)
        self._lookup_secret: bytes | None = None

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        with Session(self._writer, expire_on_commit=False) as s, s.begin():
            yield s

    def id_hash(self, id_number: str) -> str:
        if self._lookup_secret is None:
            with self.read() as s:
                meta = s.get(Meta, LOOKUP_SECRET_KEY)
                assert meta is not None, "the copy has no lookup secret"
                self._lookup_secret = bytes.fromhex(meta.value)
        return hmac.new(self._lookup_secret, id_number.encode("ascii"), hashlib.sha256).hexdigest()

    def close(self) -> None:
        self.engine.dispose()
