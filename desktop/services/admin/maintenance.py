"""Self-test, audit verification and backups as service calls (used by the CLI and the UI)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import text

from desktop.domain.errors import YimenError
from desktop.domain.roles import Permission, has_permission, parse_role
from desktop.services.deadlines import planner as clocks
from desktop.services.errors import ServiceError
from desktop.services.session import AppSession
from desktop.store import audit, migrate
from desktop.store.backup import (
    BackupInfo,
    backup_user,
    chain_anchors,
    make_backup,
    prune_backups,
    read_manifest,
    restore_backup_with_key,
    unlock_backup,
)
from desktop.store.database import Database
from desktop.store.device import device_info
from desktop.store.engine import DRIVER_ERRORS, translate_error
from desktop.store.errors import StoreError
from desktop.store.timekeeping import SYSTEM_CLOCK, Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def self_test(data_dir: Path, username: str, password: str, today: date | None = None) -> list[Check]:
    """Run every start-up check without changing anything; stop at the first that makes the rest moot."""
    checks: list[Check] = []
    if not Database.db_path(data_dir).exists():
        return [Check("数据库文件", False, f"找不到 {Database.db_path(data_dir)}")]
    checks.append(Check("数据库文件", True, str(Database.db_path(data_dir))))
    try:
        db = Database.unlock(data_dir, username, password, auto_migrate=False)
    except StoreError as exc:
        return checks + [Check("解锁数据库", False, exc.message)]
    checks.append(Check("解锁数据库", True, "密钥正确，SQLCipher 4"))
    try:
        _open_checks(db, today, checks)
    except DRIVER_ERRORS as exc:   # a damaged page met outside the integrity check
        checks.append(Check("读取数据库", False, _damaged(exc)))
    except StoreError as exc:      # the same, translated by the store (DatabaseDamaged)
        checks.append(Check("读取数据库", False, exc.message))
    finally:
        db.close()
    return checks


def _open_checks(db: Database, today: date | None, checks: list[Check]) -> None:
    """The checks on the opened database, in order, onto ``checks``; stops after a failed integrity check."""
    cur, head = migrate.current_revision(db.engine), migrate.head_revision()
    checks.append(Check("数据库结构版本", cur == head,
                        f"当前 {cur}，最新 {head}" + ("" if cur == head else "（需要升级：启动程序时会先备份再升级）")))
    try:
        with db.engine.connect() as conn:
            quick = conn.execute(text("PRAGMA quick_check")).scalar_one()
            cipher = conn.execute(text("PRAGMA cipher_integrity_check")).fetchall()
    except DRIVER_ERRORS as exc:   # a damaged page: SQLite stops the check with an error
        checks.append(Check("数据完整性", False, _damaged(exc)))
        return
    if quick != "ok" or cipher:
        checks.append(Check("数据完整性", False, f"数据库文件已损坏（{quick} {cipher[:3]}）。" + DAMAGED_WAY_OUT))
        return
    checks.append(Check("数据完整性", True, "通过"))
    with db.read() as s:
        report = audit.verify_chain(s, anchors=chain_anchors(db, s))
        checks.append(Check("审计日志哈希链", report.ok, report.message))
        try:
            dev = device_info(s)
            checks.append(Check("设备身份", True, f"{dev.township_name} 设备 {dev.device_code}"))
        except LookupError as exc:
            checks.append(Check("设备身份", False, str(exc)))
            dev = None
    checks.extend(_policy_checks(db, dev.township_code if dev else None, today or db.clock.today()))


DAMAGED_WAY_OUT = "文件未被改动。请联系县级信息管理员；可从备份恢复（yimen restore）。"


def _damaged(exc: Exception) -> str:
    translated = translate_error(exc)
    return translated.message if translated else "检查时出错，数据库文件可能已损坏。" + DAMAGED_WAY_OUT


def _policy_checks(db: Database, township_code: str | None, today: date) -> list[Check]:
    out = []
    try:
        planner = clocks.DeadlinePlanner.of(db.policy)
    except Exception as exc:  # bad bundled or stored data is reported, not raised
        return [Check("政策与日历数据", False, _problem(exc))]
    problem = planner.calendar_problem(today)
    out.append(Check("工作日历", problem is None, problem or f"已覆盖 {today.year} 年"))
    if township_code:
        try:
            table = planner.policy_for(township_code + "000", today)
            out.append(Check("现行政策表", True, f"{table.region} 自 {table.effective_from} 起施行"))
        except Exception as exc:
            out.append(Check("现行政策表", False, _problem(exc)))
    return out


def _problem(exc: Exception) -> str:
    """A known error's Chinese message; anything else is a bug: logged with its traceback, named by class."""
    if isinstance(exc, YimenError):
        return exc.message
    log.error("self-test check failed: %s", exc.__class__.__name__, exc_info=exc)
    return f"程序内部错误（{exc.__class__.__name__}），详情见日志"


def verify_audit(session: AppSession) -> audit.ChainReport:
    session.require(Permission.VIEW_AUDIT)
    with session.db.read() as s:
        report = audit.verify_chain(s, anchors=chain_anchors(session.db, s))
    with session.db.write() as s:
        audit.append_event(s, actor=session.user.username, action="audit_verified",
                           outcome="ok" if report.ok else "failed", detail={"events": report.events})
    return report


def backup_now(session: AppSession, dest: Path | None = None, label: str = "manual") -> BackupInfo:
    session.require(Permission.BACKUP)
    info = make_backup(session.db, dest, label)
    with session.db.write() as s:
        audit.append_event(s, actor=session.user.username, action="backup_made", entity_type="backup",
                           entity_id=info.path.name, detail={"label": label})
    return info


def daily_backup(db: Database, keep: int = 14) -> BackupInfo:
    """The automatic backup taken at start (no role needed: it protects everyone's work)."""
    info = make_backup(db, None, "auto")
    prune_backups(db.data_dir, "auto", keep)
    return info


@dataclass(frozen=True)
class RestoreReport:
    backup: Path
    replaced: Path | None   # where the replaced files were moved; None when there were none
    backup_created_at: str


def restore_from_backup(data_dir: Path, backup_dir: Path, username: str, password: str,
                        clock: Clock = SYSTEM_CLOCK) -> RestoreReport:
    """Put a verified backup in place of the live database — administrators only.

    The user and password are checked against the backup's own key slots, and the user must be an
    active administrator in it; otherwise nothing changes. The replaced files are kept aside (the
    folder is returned), and the restore is written to the restored database's audit log, so its
    chain shows that (and from which backup) the data was rolled back."""
    backup_dir, data_dir = Path(backup_dir), Path(data_dir)
    key = unlock_backup(backup_dir, username, password, clock)
    user = backup_user(backup_dir, key, username)
    role = parse_role(user[0]) if user else None
    if user is None or not user[1] or role is None or not has_permission(role, Permission.RESTORE):
        raise ServiceError("只有管理员可以从备份恢复数据库。未作任何改动。")
    manifest = read_manifest(backup_dir)
    aside = restore_backup_with_key(data_dir, backup_dir, key, clock)
    db = Database.open_with_key(data_dir, key, clock=clock)   # an older backup is upgraded first
    try:
        with db.write() as s:
            audit.append_event(s, actor=username, action=audit.RESTORED_ACTION, entity_type="backup",
                               entity_id=backup_dir.name,
                               detail={"backup_created_at": manifest.get("created_at", ""),
                                       "label": manifest.get("label", ""),
                                       "replaced_files": aside.name if aside.exists() else ""})
    finally:
        db.close()
    return RestoreReport(backup_dir, aside if aside.exists() else None, str(manifest.get("created_at", "")))
