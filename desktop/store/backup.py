"""Encrypted backup and restore.

A backup is a directory `<when>-<label>/` holding `yimen.db` (a fresh
SQLCipher file made by `sqlcipher_export`, encrypted with the same key),
`keyslots.json` (so the same passwords open it) and `manifest.json` (row
counts and a SHA-256 of the file). It is written under a temporary name,
fsynced, reopened and verified (integrity_check, cipher_integrity_check,
row counts, header is not plaintext), and only then renamed into place.
`VACUUM INTO` is never used: it would write an unencrypted copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine

from desktop.config import BACKUP_DIRNAME, DB_FILENAME, KEYSLOTS_FILENAME

from . import migrate
from .engine import connect_raw
from .errors import BackupError, StoreError
from .keyslots import KeySlotFile, atomic_write_bytes, fsync_dir
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


def make_backup(db: OpenDatabase, dest_root: Path | None = None, label: str = "manual") -> BackupInfo:
    root = Path(dest_root) if dest_root else default_backup_root(db.data_dir)
    root.mkdir(parents=True, exist_ok=True)
    made_at = db.clock.now()
    stamp = made_at.strftime("%Y%m%dT%H%M%S%fZ")
    final = root / f"{stamp}-{label}"
    tmp = root / f".tmp-{stamp}-{secrets.token_hex(4)}"
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
                conn.execute("SELECT sqlcipher_export('bk')").fetchall()
                conn.execute("COMMIT")
            finally:
                conn.execute("DETACH DATABASE bk")
        finally:
            raw.close()
        _fsync_file(target)
        atomic_write_bytes(tmp / KEYSLOTS_FILENAME, db.keyslots.to_bytes())
        digest = _sha256(target)
        manifest = {"format": 1, "created_at": made_at.isoformat(), "label": label,
                    "db_id": db.keyslots.db_id, "schema_revision": migrate.current_revision(db.engine),
                    "counts": counts, "sha256": digest}
        atomic_write_bytes(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        verify_backup(tmp, db.key)
        os.replace(tmp, final)
        fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BackupInfo(final, manifest["created_at"], label, counts, digest)


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

    The password is checked against the backup's own key slots. Returns the
    folder where the replaced files were moved.
    """
    data_dir = Path(data_dir)
    backup_dir = Path(backup_dir)
    slots = KeySlotFile.load(backup_dir / KEYSLOTS_FILENAME, clock)
    key = slots.unlock(username, password)
    verify_backup(backup_dir, key)
    data_dir.mkdir(parents=True, exist_ok=True)
    aside = data_dir / f"replaced-{clock.now().strftime('%Y%m%dT%H%M%S%fZ')}"
    current = [data_dir / n for n in (DB_FILENAME, DB_FILENAME + "-wal", DB_FILENAME + "-shm", KEYSLOTS_FILENAME)]
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
    return aside


def prune_backups(data_dir: Path, label: str, keep: int) -> list[Path]:
    """Delete the oldest backups with `label`, keeping the newest `keep`."""
    mine = [d for d, m in list_backups(data_dir) if m.get("label") == label]
    doomed = mine[:-keep] if keep > 0 else mine
    for d in doomed:
        shutil.rmtree(d, ignore_errors=True)
    return doomed
