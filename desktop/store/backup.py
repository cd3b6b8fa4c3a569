"""Encrypted backup and restore.

A backup is a directory `<when>-<label>/` holding `yimen.db` (a fresh
SQLCipher file made by `sqlcipher_export`, encrypted with the same key),
`keyslots.json` (so the same passwords open it) and `manifest.json` (row
counts and a SHA-256 of the file). It is written under a temporary name,
fsynced, reopened and verified (integrity_check, cipher_integrity_check,
row counts, header is not plaintext), and only then renamed into place.
`VACUUM INTO` is never used: it would write an unencrypted copy.

One backup at a time per backup folder (an inter-process lock, `.backup.lock`).
A backup interrupted by a crash or power cut leaves its `.tmp-*` folder (a
full database copy and the key slots of that moment): such folders are removed
when the database is next opened and before the next backup, under the same
lock, so a backup running in another process is never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from filelock import FileLock, Timeout
from sqlalchemy import Engine

from desktop.config import BACKUP_DIRNAME, DB_FILENAME, KEYSLOTS_FILENAME

from . import audit, migrate, openlock, outbox
from .engine import connect_raw
from .errors import BackupError, StoreError
from .keyslots import LOCK_TIMEOUT_SECONDS, KeySlotFile, atomic_write_bytes, fsync_dir, lock_path
from .timekeeping import SYSTEM_CLOCK, Clock


class OpenDatabase(Protocol):
    """What a backup needs of an unlocked database (a :class:`desktop.store.database.Database`).

    Named here rather than imported so that the database can make its pre-migration backup
    without the two modules importing each other."""

    data_dir: Path
    engine: Engine
    keyslots: KeySlotFile
    clock: Clock

    @property
    def key(self) -> bytes: ...

PLAINTEXT_HEADER = b"SQLite format 3\x00"
MANIFEST = "manifest.json"
TMP_PREFIX = ".tmp-"
BACKUP_LOCK = ".backup.lock"
IN_USE_MESSAGE = ("数据库正被另一个程序使用（易门窗口或另一个 yimen 命令），为免把文件从它下面移走，未作任何改动。"
                  "请先关闭所有易门窗口和命令，再从备份恢复。")
BACKUP_LOCK_TIMEOUT_SECONDS = 600.0   # a backup of a large database on an old disk


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: str
    label: str
    counts: dict[str, int]
    sha256: str


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _counts(conn: Any, schema: str = "main") -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: int(conn.execute(f'SELECT count(*) FROM {schema}."{n}"').fetchone()[0]) for n in names}


def default_backup_root(data_dir: Path) -> Path:
    return Path(data_dir) / BACKUP_DIRNAME


def _backup_lock(root: Path, timeout: float = BACKUP_LOCK_TIMEOUT_SECONDS) -> FileLock:
    return FileLock(str(root / BACKUP_LOCK), timeout=timeout)


def _remove_interrupted(root: Path) -> list[Path]:
    """Delete the `.tmp-*` folders of interrupted backups (the caller holds the backup lock)."""
    removed = []
    for d in sorted(root.glob(f"{TMP_PREFIX}*")):
        if d.is_dir():
            shutil.rmtree(d, ignore_errors=True)
            if not d.exists():
                removed.append(d)
    return removed


def clean_interrupted_backups(root: Path) -> list[Path]:
    """At start: remove what interrupted backups left behind, unless a backup is running right now
    (then the next start or backup does it). Returns the folders removed."""
    root = Path(root)
    if not root.is_dir():
        return []
    try:
        with _backup_lock(root, timeout=0):
            return _remove_interrupted(root)
    except Timeout:
        return []


def make_backup(db: OpenDatabase, dest_root: Path | None = None, label: str = "manual") -> BackupInfo:
    root = Path(dest_root) if dest_root else default_backup_root(db.data_dir)
    root.mkdir(parents=True, exist_ok=True)
    try:
        with _backup_lock(root):
            _remove_interrupted(root)
            return _make_backup(db, root, label)
    except Timeout:
        raise BackupError("另一个备份正在进行，请稍后再试。") from None


def _make_backup(db: OpenDatabase, root: Path, label: str) -> BackupInfo:
    made_at = db.clock.now()
    stamp = made_at.strftime("%Y%m%dT%H%M%S%fZ")
    final = root / f"{stamp}-{label}"
    tmp = root / f"{TMP_PREFIX}{stamp}-{secrets.token_hex(4)}"
    tmp.mkdir()
    target = tmp / DB_FILENAME
    try:
        raw = db.engine.raw_connection()
        try:
            conn = raw.driver_connection
            conn.execute("ATTACH DATABASE ? AS bk KEY ?", (str(target), f"x'{db.key.hex()}'"))
            try:
                conn.execute("BEGIN")
                counts = _counts(conn)
                head = conn.execute("SELECT value FROM meta WHERE key = ?", (audit.HEAD_KEY,)).fetchone()
                conn.execute("SELECT sqlcipher_export('bk')").fetchall()
                conn.execute("COMMIT")
            finally:
                conn.execute("DETACH DATABASE bk")
        finally:
            raw.close()
        _fsync_file(target)
        atomic_write_bytes(tmp / KEYSLOTS_FILENAME, db.keyslots.current_bytes())
        digest = _sha256(target)
        manifest = {"format": 1, "created_at": made_at.isoformat(), "label": label,
                    "db_id": db.keyslots.db_id, "schema_revision": migrate.current_revision(db.engine),
                    "counts": counts, "sha256": digest,
                    # an anchor of the audit chain outside the database (see audit.Anchor)
                    "audit_head": _head_of(head[0] if head else "")}
        atomic_write_bytes(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        verify_backup(tmp, db.key)
        os.replace(tmp, final)
        fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BackupInfo(final, manifest["created_at"], label, counts, digest)


def _head_of(value: str) -> dict[str, Any]:
    seq, _, h = value.partition(":")
    return {"seq": int(seq), "hash": h} if seq.isdigit() else {"seq": 0, "hash": audit.GENESIS}


def audit_anchors(data_dir: Path, db_id: str, abandoned: list[tuple[str, str]] = ()) -> list[audit.Anchor]:  # type: ignore[assignment]
    """The audit heads recorded in this database's backups under ``data_dir`` — except those taken
    on a branch given up by a restore (made after the restored backup and before the restore:
    ``abandoned`` spans of ISO times, from :func:`audit.abandoned_spans`)."""
    spans = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in abandoned]
    anchors = []
    for path, manifest in list_backups(data_dir):
        head = manifest.get("audit_head")
        if manifest.get("db_id") != db_id or not isinstance(head, dict):
            continue
        try:
            made = datetime.fromisoformat(str(manifest.get("created_at")))
            seq, h = int(head["seq"]), str(head["hash"])
        except (KeyError, TypeError, ValueError):
            continue
        if any(start < made < end for start, end in spans):
            continue
        anchors.append(audit.Anchor(seq, h, f"备份“{path.name}”"))
    return anchors


def chain_anchors(db: OpenDatabase, session: Any) -> list[audit.Anchor]:
    """Every anchor verification of this database's chain can see: its own backups' manifests and
    the newest head an outbox envelope recorded (the one the county will hold)."""
    anchors = audit_anchors(db.data_dir, db.keyslots.db_id, audit.abandoned_spans(session))
    queued = outbox.audit_anchor(session)
    return anchors if queued is None else [*anchors, queued]


def read_manifest(backup_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((Path(backup_dir) / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"备份目录不完整或已损坏：{backup_dir}") from None


def verify_backup(backup_dir: Path, key: bytes) -> dict[str, int]:
    """Reopen the backup with the key and check it; return its row counts."""
    backup_dir = Path(backup_dir)
    manifest = read_manifest(backup_dir)
    db_file = backup_dir / DB_FILENAME
    if not db_file.exists():
        raise BackupError(f"备份中缺少数据库文件：{db_file}")
    with open(db_file, "rb") as fh:
        if fh.read(16) == PLAINTEXT_HEADER:
            raise BackupError("备份文件未加密（出现明文 SQLite 文件头），已拒绝。")
    if _sha256(db_file) != manifest.get("sha256"):
        raise BackupError("备份文件的校验值与清单不符，备份可能已损坏。")
    try:
        conn = connect_raw(db_file, key, readonly=True)
    except StoreError as exc:
        raise BackupError(f"备份无法打开：{exc.message}") from None
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchall()
        if ok != [("ok",)]:
            raise BackupError(f"备份完整性检查失败：{ok[:3]}")
        cipher = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        if cipher:
            raise BackupError(f"备份加密页校验失败：{cipher[:3]}")
        counts = _counts(conn)
    finally:
        conn.close()
    if counts != manifest.get("counts"):
        raise BackupError("备份的记录数与清单不符。")
    return counts


def list_backups(data_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    root = default_backup_root(data_dir)
    if not root.exists():
        return []
    out = []
    for d in sorted(root.iterdir()):
        if d.is_dir() and not d.name.startswith(".") and (d / MANIFEST).exists():
            out.append((d, read_manifest(d)))
    return out


def restore_backup(data_dir: Path, backup_dir: Path, username: str, password: str,
                   clock: Clock = SYSTEM_CLOCK) -> Path:
    """Replace the database in `data_dir` by a verified backup; the old files are kept aside.

    The password is checked against the backup's own key slots. Returns the folder where the
    replaced files were moved. Who may restore is the caller's business
    (:func:`desktop.services.admin.maintenance.restore_from_backup` requires an administrator)."""
    key = unlock_backup(backup_dir, username, password, clock)
    return restore_backup_with_key(data_dir, backup_dir, key, clock)


def unlock_backup(backup_dir: Path, username: str, password: str, clock: Clock = SYSTEM_CLOCK) -> bytes:
    """The database key of a backup, through the backup's own key slots; the backup is verified."""
    backup_dir = Path(backup_dir)
    slots = KeySlotFile.load(backup_dir / KEYSLOTS_FILENAME, clock)
    key = slots.unlock(username, password)
    verify_backup(backup_dir, key)
    return key


def backup_user(backup_dir: Path, key: bytes, username: str) -> tuple[str, bool] | None:
    """(role, active) of a user inside a backup, read without changing it; None when absent."""
    conn = connect_raw(Path(backup_dir) / DB_FILENAME, key, readonly=True)
    try:
        row = conn.execute("SELECT role, active FROM users WHERE username = ?", (username,)).fetchone()
    finally:
        conn.close()
    return (str(row[0]), bool(row[1])) if row else None


def restore_backup_with_key(data_dir: Path, backup_dir: Path, key: bytes, clock: Clock = SYSTEM_CLOCK) -> Path:
    data_dir = Path(data_dir)
    backup_dir = Path(backup_dir)
    verify_backup(backup_dir, key)
    data_dir.mkdir(parents=True, exist_ok=True)
    aside = data_dir / f"replaced-{clock.now().strftime('%Y%m%dT%H%M%S%fZ')}"
    current = [data_dir / n for n in (DB_FILENAME, DB_FILENAME + "-wal", DB_FILENAME + "-shm", KEYSLOTS_FILENAME)]
    try:   # no sign-in or `yimen user` in another process may change the key slots meanwhile
        with FileLock(str(lock_path(data_dir / KEYSLOTS_FILENAME)), timeout=LOCK_TIMEOUT_SECONDS):
            if openlock.holders(data_dir):   # the window or a command has it open: never move it from under them
                raise BackupError(IN_USE_MESSAGE)
            if any(p.exists() for p in current):
                aside.mkdir()
                for p in current:
                    if p.exists():
                        os.replace(p, aside / p.name)
            tmp = data_dir / f".{DB_FILENAME}.restore-tmp"
            shutil.copyfile(backup_dir / DB_FILENAME, tmp)
            _fsync_file(tmp)
            os.replace(tmp, data_dir / DB_FILENAME)
            atomic_write_bytes(data_dir / KEYSLOTS_FILENAME, (backup_dir / KEYSLOTS_FILENAME).read_bytes())
            fsync_dir(data_dir)
    except Timeout:
        raise BackupError("密钥槽文件正被另一个程序占用（可能有人正在登录），请关闭其他窗口后再恢复。") from None
    return aside


def prune_backups(data_dir: Path, label: str, keep: int) -> list[Path]:
    """Delete the oldest backups with `label`, keeping the newest `keep`."""
    mine = [d for d, m in list_backups(data_dir) if m.get("label") == label]
    doomed = mine[:-keep] if keep > 0 else mine
    for d in doomed:
        shutil.rmtree(d, ignore_errors=True)
    return doomed
