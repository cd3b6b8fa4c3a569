"""SQLCipher engine: the only place that opens the encrypted database file.

Every connection sends the raw 256-bit key as its first statement, verifies it
at once by reading `sqlite_master`, checks that SQLCipher is major version 4,
then sets WAL, synchronous=FULL, temp_store=MEMORY and a busy timeout.

Write transactions use `BEGIN IMMEDIATE` (see `write_engine`) so that the
audit chain and sequence counters are read and extended under one write lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError as SqlDatabaseError
from sqlalchemy.pool import QueuePool

from .errors import CipherVersionError, DatabaseDamaged, DatabaseFull, DatabaseMissing, StoreError, WrongKey

log = logging.getLogger(__name__)

KEY_BYTES = 32
# what a failing statement raises: sqlcipher3's own errors reach us unwrapped (SQLAlchemy's pysqlite
# dialect wraps only the standard sqlite3 module's), SQLAlchemy's wrapper where it does wrap
DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlcipher3.DatabaseError, SqlDatabaseError)
BUSY_TIMEOUT_MS = 10_000


def key_pragma(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("database key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _is_not_a_database(exc: Exception) -> bool:
    text = str(exc).lower()
    return "file is not a database" in text or "not a database" in text


EMPTY_FILE_MESSAGE = ("数据库文件 {path} 是空的（0 字节），可能是复制或磁盘出错。为保留现场，程序不会打开或改动它。"
                      "请用“从备份恢复”（yimen restore）找回数据，或联系县级信息管理员。")
FULL_MESSAGE = ("磁盘空间不足（数据库已满），本次保存没有完成，已全部撤销，没有保存任何部分。"
                "请清理这台电脑的磁盘空间（或联系县级信息管理员）后再保存一次。")
DAMAGED_MESSAGE = ("数据库文件已损坏，读写时出错，本次操作没有完成。请停止录入，运行 yimen self-test 检查，"
                   "并联系县级信息管理员；可从备份恢复（yimen restore）。")


def translate_error(exc: BaseException) -> StoreError | None:
    """The store error for a SQLite failure a clerk can act on (disk full, damaged file), else None.

    ``exc`` is a sqlcipher3 error or SQLAlchemy's wrapper of one (its ``orig``)."""
    orig = getattr(exc, "orig", None) or exc
    if not isinstance(orig, sqlcipher3.DatabaseError):
        return None
    text = str(orig).lower()
    if "database or disk is full" in text:
        return DatabaseFull(FULL_MESSAGE)
    if "malformed" in text or _is_not_a_database(orig):
        return DatabaseDamaged(DAMAGED_MESSAGE)
    return None


def connect_raw(path: Path, key: bytes, *, create: bool = False, readonly: bool = False) -> sqlcipher3.Connection:
    """Open one DBAPI connection with the key applied and verified.

    Raises DatabaseMissing, WrongKey, DatabaseDamaged or CipherVersionError with
    a Chinese message; never creates a file unless `create` is set. A
    `readonly` connection changes nothing in the file (used to verify backups).
    """
    path = Path(path)
    if not create and not path.exists():
        raise DatabaseMissing(f"找不到数据库文件：{path}。如有备份，请用“从备份恢复”找回数据。")
    if not create and path.stat().st_size == 0:   # SQLite would take it for a new database and fill it
        raise DatabaseDamaged(EMPTY_FILE_MESSAGE.format(path=path))
    target = f"{path.resolve().as_uri()}?mode=ro" if readonly else str(path)
    conn = sqlcipher3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                              isolation_level=None, uri=readonly)
    try:
        conn.execute(key_pragma(key))
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            if _is_not_a_database(exc):
                raise WrongKey("数据库密钥不正确（密钥槽文件与数据库文件不配套，或文件头已损坏），无法打开数据库"
                               "（文件未被改动）。请联系县级信息管理员；可从备份恢复（yimen restore）。") from None
            log.error("opening the database failed: %s", exc)
            raise DatabaseDamaged("数据库文件已损坏，无法打开。为保留现场，文件未被改动。"
                                  "请联系县级信息管理员；可从备份恢复（yimen restore）。") from None
        version = conn.execute("PRAGMA cipher_version").fetchone()
        if not version or not str(version[0]).startswith("4"):
            raise CipherVersionError(f"SQLCipher 版本不符（需要 4.x，实际 {version and version[0]}）。")
        if readonly:
            return conn
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
    except Exception:
        conn.close()
        raise
    return conn


def build_engine(path: Path, key: bytes, *, create: bool = False, pool_size: int = 4) -> Engine:
    """Build the SQLAlchemy engine for an encrypted database file.

    The first connection is opened eagerly so a wrong key or a missing file is
    reported here, before any session is created.
    """
    first = connect_raw(path, key, create=create)
    handed_out: list[sqlcipher3.Connection] = [first]

    def creator() -> Any:
        if handed_out:
            return handed_out.pop()
        return connect_raw(path, key)

    engine = create_engine("sqlite+pysqlite://", creator=creator, poolclass=QueuePool,
                           pool_size=pool_size, max_overflow=2, pool_pre_ping=False)
    _install_transaction_hooks(engine)
    with engine.connect():
        pass
    return engine


def _install_transaction_hooks(engine: Engine) -> None:
    """Let SQLAlchemy emit BEGIN itself (pysqlite's implicit BEGIN is off).

    Connections carrying the execution option `immediate=True` start with
    BEGIN IMMEDIATE, taking the write lock up front.
    """

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        if conn.get_execution_options().get("immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def write_engine(engine: Engine) -> Engine:
    """The same pool, but every transaction starts with BEGIN IMMEDIATE."""
    return engine.execution_options(immediate=True)


ConnectionFactory = Callable[[], sqlcipher3.Connection]
