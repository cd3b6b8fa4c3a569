"""The encrypted case store as one object: data directory, key slots, engine, sessions.

    db = Database.create(data_dir, admin_username, admin_password)   # new township
    db = Database.unlock(data_dir, username, password)               # every start

`unlock` derives the key from the user's slot, opens and verifies the
database, makes an encrypted backup if migrations are pending, then upgrades
and runs the post-upgrade data steps the caller names that this database has
not had yet (:class:`desktop.store.migrate.PostUpgradeStep`). A wrong password
raises before the database file is opened at all.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from desktop.config import DB_FILENAME, KEYSLOTS_FILENAME

from . import migrate
from . import schema as _schema  # noqa: F401  (every table registered before a session runs)
from .backup import clean_interrupted_backups, default_backup_root, make_backup
from .engine import DRIVER_ERRORS, build_engine, translate_error, write_engine
from .errors import DatabaseMissing, KeySlotError
from .keyslots import LOCK_TIMEOUT_SECONDS, KdfParams, KeySlotFile, LockoutPolicy, lock_path
from .models import Meta
from .openlock import OpenLock
from .policy_registry import SESSION_KEY as POLICY_KEY
from .policy_registry import PolicyRegistry, newest_update_id, stored_updates
from .timekeeping import SESSION_KEY, SYSTEM_CLOCK, Clock

log = logging.getLogger(__name__)

LOOKUP_SECRET_KEY = "id_lookup_secret"


def _register_open(data_dir: Path) -> OpenLock:
    """This Database's open-lock, taken under the key-slot lock (which a restore holds from its check
    of the open-locks to the swap of the files)."""
    with FileLock(str(lock_path(Database.keyslots_path(data_dir))), timeout=LOCK_TIMEOUT_SECONDS):
        return OpenLock(data_dir)


WAL_HEADER_BYTES = 32
WAL_FRAME_HEADER_BYTES = 24


def keep_partial_wal(db_path: Path, clock: Clock = SYSTEM_CLOCK) -> Path | None:
    """Copy aside a write-ahead log that ends in a partial frame, before SQLite opens the database.

    SQLite recovers up to the last complete commit and then checkpoints and deletes the log: what was
    cut off (a crash between a frame's header and its page, or a damaged/truncated copy) would be gone.
    The copy (``yimen.db-wal.partial-<time>``) is kept for the IT person; opening goes on."""
    wal = db_path.with_name(db_path.name + "-wal")
    try:
        size = wal.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    with wal.open("rb") as f:
        header = f.read(WAL_HEADER_BYTES)
    page_size = int.from_bytes(header[8:12], "big") if len(header) == WAL_HEADER_BYTES else 0
    if page_size and (size - WAL_HEADER_BYTES) % (page_size + WAL_FRAME_HEADER_BYTES) == 0:
        return None
    copy = wal.with_name(f"{wal.name}.partial-{clock.now().strftime('%Y%m%d-%H%M%S-%f')}")
    shutil.copy2(wal, copy)
    log.warning("write-ahead log ends in a partial frame (%d bytes); a copy was kept: %s", size, copy.name)
    return copy


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except DRIVER_ERRORS as exc:
        translated = translate_error(exc)
        if translated is None:
            raise
        log.error("database error: %s", translated.__class__.__name__)
        raise translated from exc


class Database:
    def __init__(self, data_dir: Path, engine: Engine, key: bytes, keyslots: KeySlotFile,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self.data_dir = Path(data_dir)
        self.clock = clock   # handed to every session it opens (store.timekeeping.clock_of)
        self.engine = engine
        self._writer = write_engine(engine)
        self._key = key
        self.keyslots = keyslots
        self._lookup_secret: bytes | None = None
        self.backup_before_migration: Path | None = None
        self._open_lock: OpenLock | None = None   # held while open: a restore elsewhere refuses (store/openlock)
        # the policy and calendar in force (bundled files + stored updates), read on first use
        self.policy = PolicyRegistry(self._stored_policy_updates, version=self._newest_policy_update)

    # ----- paths ----------------------------------------------------------------
    @staticmethod
    def db_path(data_dir: Path) -> Path:
        return Path(data_dir) / DB_FILENAME

    @staticmethod
    def keyslots_path(data_dir: Path) -> Path:
        return Path(data_dir) / KEYSLOTS_FILENAME

    @staticmethod
    def exists(data_dir: Path) -> bool:
        return Database.db_path(data_dir).exists()

    @property
    def path(self) -> Path:
        return self.db_path(self.data_dir)

    @property
    def key(self) -> bytes:
        """The raw database key — only for backup/export and adding key slots."""
        return self._key

    # ----- opening ----------------------------------------------------------------
    @classmethod
    def create(cls, data_dir: Path, admin_username: str, admin_password: str,
               kdf: KdfParams | None = None, clock: Clock = SYSTEM_CLOCK) -> Database:
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        if cls.db_path(data_dir).exists() or cls.keyslots_path(data_dir).exists():
            raise KeySlotError(f"目录中已有数据库：{data_dir}，不会覆盖。")
        key = secrets.token_bytes(32)
        slots = KeySlotFile.create(cls.keyslots_path(data_dir), clock)
        slots.add_password_slot(admin_username, admin_password, key, kdf)
        opened = _register_open(data_dir)
        try:
            engine = build_engine(cls.db_path(data_dir), key, create=True)
            migrate.upgrade_to_head(engine)
        except BaseException:
            opened.release()
            raise
        db = cls(data_dir, engine, key, slots, clock)
        db._open_lock = opened
        with db.write() as s:
            s.add(Meta(key=LOOKUP_SECRET_KEY, value=secrets.token_hex(32)))
        return db

    @classmethod
    def unlock(cls, data_dir: Path, username: str, password: str, *,
               lockout: LockoutPolicy | None = None, auto_migrate: bool = True,
               post_upgrade: Sequence[migrate.PostUpgradeStep] = (), clock: Clock = SYSTEM_CLOCK) -> Database:
        data_dir = Path(data_dir)
        if not cls.db_path(data_dir).exists():
            raise DatabaseMissing(
                f"找不到数据库文件：{cls.db_path(data_dir)}。如有备份，请用“从备份恢复”（yimen restore）找回数据。")
        slots = KeySlotFile.load(cls.keyslots_path(data_dir), clock)
        key = slots.unlock(username, password, lockout)
        return cls.open_with_key(data_dir, key, slots, auto_migrate=auto_migrate, post_upgrade=post_upgrade,
                                 clock=clock)

    @classmethod
    def open_with_key(cls, data_dir: Path, key: bytes, slots: KeySlotFile | None = None, *,
                      auto_migrate: bool = True, post_upgrade: Sequence[migrate.PostUpgradeStep] = (),
                      clock: Clock = SYSTEM_CLOCK) -> Database:
        """Open with the key; with ``auto_migrate``, upgrade the schema (after a backup) and then run
        the ``post_upgrade`` steps this database has not had yet."""
        data_dir = Path(data_dir)
        slots = slots or KeySlotFile.load(cls.keyslots_path(data_dir), clock)
        opened = _register_open(data_dir)
        try:
            keep_partial_wal(cls.db_path(data_dir), clock)
            engine = build_engine(cls.db_path(data_dir), key)
        except BaseException:
            opened.release()
            raise
        db = cls(data_dir, engine, key, slots, clock)
        db._open_lock = opened
        clean_interrupted_backups(default_backup_root(data_dir))   # what a crash mid-backup left
        if auto_migrate:
            try:
                if migrate.needs_upgrade(engine):
                    db.migrate_with_backup()
                db.run_post_upgrade(post_upgrade)
            except BaseException:
                db.close()
                raise
        return db

    def migrate_with_backup(self) -> None:
        if migrate.current_revision(self.engine) is not None:
            self.backup_before_migration = make_backup(self, label="before-migration").path
        migrate.upgrade_to_head(self.engine)

    def run_post_upgrade(self, steps: Sequence[migrate.PostUpgradeStep]) -> list[str]:
        """Run each step whose ``meta`` marker is missing, each in its own write transaction together
        with its marker, so it happens exactly once per database even with two processes opening it
        (the marker is checked again under the write lock). Returns the markers of the steps run."""
        if not steps:
            return []
        with self.read() as s:   # the usual case: everything done, no write lock taken
            done = set(s.scalars(select(Meta.key).where(Meta.key.in_([step.marker for step in steps]))))
        ran = []
        for step in steps:
            if step.marker in done:
                continue
            with self.write() as s:
                if s.get(Meta, step.marker) is not None:
                    continue
                step.run(s, self.clock)
                s.add(Meta(key=step.marker, value=self.clock.now().isoformat()))
            ran.append(step.marker)
            log.info("post-upgrade step %s done", step.marker)
        return ran

    def close(self) -> None:
        """Let SQLite refresh its planner statistics (cheap, per the SQLite docs), then close."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA optimize")
        except Exception:  # closing must not fail because statistics could not be written
            log.warning("PRAGMA optimize failed at close", exc_info=False)
        self.engine.dispose()
        if self._open_lock is not None:
            self._open_lock.release()

    # ----- sessions ------------------------------------------------------------------
    def _info(self) -> dict[str, object]:
        """What every session carries: the clock (``clock_of``) and the policy registry (``registry_of``)."""
        return {SESSION_KEY: self.clock, POLICY_KEY: self.policy}

    def _stored_policy_updates(self):  # type: ignore[no-untyped-def]
        with self.read() as s:
            return stored_updates(s)

    def _newest_policy_update(self) -> int:
        with self.engine.connect() as conn:   # one cheap indexed read: has anyone imported since?
            return newest_update_id(conn)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One read transaction. A damaged file raises DatabaseDamaged (Chinese message), not SQLite's error."""
        with _translated(), Session(self.engine, expire_on_commit=False, info=self._info()) as s, s.begin():
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE): commits on success, rolls back on error.

        A full disk raises DatabaseFull and a damaged file DatabaseDamaged (after the rollback: nothing
        of the transaction remains); other errors pass unchanged."""
        with _translated(), Session(self._writer, expire_on_commit=False, info=self._info()) as s, s.begin():
            yield s

    # ----- keyed lookup of identity numbers ---------------------------------------------
    def id_hash(self, id_number: str) -> str:
        if self._lookup_secret is None:
            with self.read() as s:
                meta = s.get(Meta, LOOKUP_SECRET_KEY)
                if meta is None:
                    raise KeySlotError("数据库缺少查询密钥，请运行 yimen self-test 检查。")
                self._lookup_secret = bytes.fromhex(meta.value)
        return hmac.new(self._lookup_secret, id_number.encode("ascii"), hashlib.sha256).hexdigest()

    def table_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            names = [r[0] for r in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))]
            return {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()) for n in names}
