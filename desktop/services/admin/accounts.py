"""Signing in, users and roles — permission checks live here, not only in the UI.

A user's password opens their key slot; the role comes from the `users`
table inside the encrypted database. Adding, removing a user or changing a
password rewrites only the key slot file (never re-encrypts the database).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.roles import Permission, Role
from desktop.services import validation
from desktop.services.errors import InvalidInput, NotFound, ServiceError
from desktop.services.session import AppSession, UserInfo
from desktop.store import audit
from desktop.store.database import Database
from desktop.store.engine import DRIVER_ERRORS
from desktop.store.errors import (
    AccountLocked,
    CipherVersionError,
    DatabaseDamaged,
    DatabaseMissing,
    StoreError,
    UnknownUser,
    WrongKey,
    WrongPassword,
)
from desktop.store.keyslots import WRONG_CREDENTIALS, KdfParams, LockoutPolicy
from desktop.store.models import User, UserVillage, Village
from desktop.store.timekeeping import SYSTEM_CLOCK, Clock

MIN_PASSWORD = 8
MAX_DISPLAY_NAME = 64
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")


@dataclass(frozen=True)
class UserAccount:
    """A user as the administrator's list shows it: who, which role, and whether locked out now."""

    username: str
    display_name: str
    role: Role
    failed_attempts: int              # wrong passwords since the last success (reset when locked)
    locked_until: datetime | None     # aware UTC; None when the account is not locked now
    has_key_slot: bool                # False: the database knows the user but no password opens it
    password_changed_at: datetime | None
    villages: tuple[tuple[str, str], ...] = ()   # a village assistant's villages: (division code, name)

    @property
    def role_label(self) -> str:
        return self.role.label

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def validate_password(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码至少{MIN_PASSWORD}位。"
    if password.isdigit() or password.isalpha():
        return "密码需同时包含字母和数字。"
    return None


def validate_username(username: str) -> str | None:
    if not USERNAME_RE.match(username or ""):
        return "用户名应为3–32位小写字母、数字或 _ . -，以字母开头。"
    return None


def sign_in(data_dir: Path, username: str, password: str, *, lockout: LockoutPolicy | None = None,
            kdf: KdfParams | None = None, clock: Clock = SYSTEM_CLOCK) -> AppSession:
    """Unlock the database with this user's password; raise StoreError/ServiceError with a Chinese message.

    Opening the database upgrades it (migrations, then the post-upgrade data steps it has not had,
    :mod:`desktop.services.admin.upgrade`); sign-in itself only checks the user and audits it."""
    # imported here, not at the top: the steps need the deadline and referral services, which the
    # login window should not load before it is shown
    from desktop.services.admin.upgrade import post_upgrade_steps  # noqa: PLC0415

    db = Database.unlock(data_dir, username, password, lockout=lockout, post_upgrade=post_upgrade_steps(),
                         clock=clock)
    try:
        with db.write() as s:
            row = s.scalar(select(User).where(User.username == username))
            if row is None or not row.active:
                audit.append_event(s, actor=username, action="login", outcome="refused",
                                   detail={"reason": "inactive"})
                raise ServiceError(f"账户“{username}”已停用，请联系管理员。")
            failures = _audit_failed_logins(s, db)
            audit.append_event(s, actor=username, action="login", entity_type="user", entity_id=username)
            info = UserInfo(row.username, row.display_name, Role(row.role), _villages_of(s, row.id))
        db.keyslots.forget_failed_logins(failures)
    except BaseException:
        db.close()
        raise
    return AppSession(db, info, kdf, lockout)


def _audit_failed_logins(s: Session, db: Database) -> list[dict[str, str]]:
    """One ``failed_logins`` audit event for the attempts the key slot file holds (wrong password,
    unknown name, locked account, unreadable password); the caller forgets them after the commit."""
    failures = db.keyslots.failed_logins()
    if failures:
        kinds: dict[str, int] = {}
        for f in failures:
            kind = f.get("kind", "wrong").removesuffix("+locked")
            kinds[kind] = kinds.get(kind, 0) + (int(f["count"]) if kind == "dropped" else 1)
        audit.append_event(s, actor="system", action="failed_logins", outcome="refused",
                           detail={"count": sum(kinds.values()), "kinds": kinds,
                                   "users": sorted({f["user"] for f in failures if f.get("user")}),
                                   "locked": sorted({f["user"] for f in failures
                                                     if f.get("kind", "").endswith("+locked")})})
    return failures


class SignInProblem(StrEnum):
    """Why signing in (or unlocking the screen) failed — the window words the way out for each."""

    WRONG_PASSWORD = "wrong_password"   # same message as an unknown name: says when the lockout comes
    UNKNOWN_USER = "unknown_user"       # same message as a wrong password, on purpose
    LOCKED = "locked"
    INACTIVE = "inactive"
    MISSING = "missing"                 # no database file or no key slot file
    KEY_MISMATCH = "key_mismatch"       # the slot opened but the database did not: replaced or damaged
    DAMAGED = "damaged"
    OTHER = "other"


def sign_in_problem(exc: BaseException) -> SignInProblem:
    if isinstance(exc, WrongPassword):
        return SignInProblem.WRONG_PASSWORD
    if isinstance(exc, UnknownUser):
        return SignInProblem.UNKNOWN_USER
    if isinstance(exc, AccountLocked):
        return SignInProblem.LOCKED
    if isinstance(exc, DatabaseMissing):
        return SignInProblem.MISSING
    if isinstance(exc, WrongKey):
        return SignInProblem.KEY_MISMATCH
    if isinstance(exc, (DatabaseDamaged, CipherVersionError, StoreError, *DRIVER_ERRORS)):
        return SignInProblem.DAMAGED
    if isinstance(exc, ServiceError):
        return SignInProblem.INACTIVE
    return SignInProblem.OTHER


def sign_out(session: AppSession) -> None:
    with session.db.write() as s:
        audit.append_event(s, actor=session.user.username, action="logout", entity_type="user",
                           entity_id=session.user.username)
    session.close()


def record_screen_locked(session: AppSession, reason: str) -> None:
    """Audit that the window was locked (``reason``: "idle" or "manual")."""
    with session.db.write() as s:
        audit.append_event(s, actor=session.user.username, action="screen_locked", entity_type="user",
                           entity_id=session.user.username, detail={"reason": reason})


def verify_password(session: AppSession, password: str) -> None:
    """Unlock the screen: the signed-in user's own password, through their key slot.

    Failures are counted and locked out exactly as at sign-in (WrongPassword /
    AccountLocked from the key slot file); a wrong password writes only
    ``keyslots.json``, never the database. Success writes ``screen_unlocked``
    (and any failed attempts since the last sign-in) to the audit log.
    """
    db = session.db
    key = db.keyslots.unlock(session.user.username, password, session.lockout)
    if not hmac.compare_digest(key, db.key):
        raise WrongKey("密钥槽与已打开的数据库不匹配，请退出后重新登录。")
    with db.write() as s:
        failures = _audit_failed_logins(s, db)
        audit.append_event(s, actor=session.user.username, action="screen_unlocked", entity_type="user",
                           entity_id=session.user.username)
    db.keyslots.forget_failed_logins(failures)


def create_user_row(db: Database, username: str, display_name: str, role: Role) -> None:
    """First admin at setup time (no session yet)."""
    with db.write() as s:
        s.add(User(username=username, display_name=display_name, role=role.value, active=True,
                   created_at=db.clock.now(), password_changed_at=db.clock.now()))


def list_users(session: AppSession) -> list[UserInfo]:
    session.require(Permission.MANAGE_USERS)
    with session.db.read() as s:
        rows = s.scalars(select(User).where(User.active.is_(True)).order_by(User.username)).all()
        return [UserInfo(r.username, r.display_name, Role(r.role), _villages_of(s, r.id)) for r in rows]


def village_choices(session: AppSession) -> list[tuple[str, str]]:
    """The township's villages (division code, name) a village assistant can be given."""
    session.require(Permission.MANAGE_USERS)
    with session.db.read() as s:
        return [(v.division_code, v.name) for v in s.scalars(select(Village).order_by(Village.division_code))]


def _villages_of(s: Session, user_id: int) -> tuple[str, ...]:
    return tuple(s.scalars(select(UserVillage.division_code).where(UserVillage.user_id == user_id)
                           .order_by(UserVillage.division_code)))


def _checked_villages(s: Session, role: Role, villages: Iterable[str]) -> tuple[str, ...]:
    """The division codes a user of ``role`` is given, checked: at least one for a village assistant
    (it works for its villages only), none for the other roles (they work for the whole township)."""
    codes = tuple(dict.fromkeys(c.strip() for c in villages if c and c.strip()))
    if role is not Role.VILLAGE_ASSISTANT:
        if codes:
            raise InvalidInput(f"只有村协理员按村（社区）分工；“{role.label}”办理全乡镇的事务，不能指定村。",
                               "villages")
        return ()
    if not codes:
        raise InvalidInput("请为村协理员选择其负责的村（社区），至少一个。", "villages")
    known = set(s.scalars(select(Village.division_code).where(Village.division_code.in_(codes))))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(f"村（社区）代码“{unknown[0]}”不是本乡镇的村（社区）。", "villages")
    return tuple(sorted(codes))


def list_accounts(session: AppSession, now: datetime | None = None) -> list[UserAccount]:
    """Active users with their lockout state from the key slot file (administrators only)."""
    session.require(Permission.MANAGE_USERS)
    slots = session.db.keyslots
    with session.db.read() as s:
        rows = s.scalars(select(User).where(User.active.is_(True)).order_by(User.username)).all()
        names = {code: name for code, name in s.execute(select(Village.division_code, Village.name))}
        users = [(r.username, r.display_name, Role(r.role), r.password_changed_at,
                  tuple((c, names.get(c, c)) for c in _villages_of(s, r.id))) for r in rows]
    accounts = []
    for username, display_name, role, changed, villages in users:
        failed, locked_until = slots.lock_state(username, now)
        accounts.append(UserAccount(username, display_name, role, failed, locked_until,
                                    slots.has_user(username), changed, villages))
    return accounts


def add_user(session: AppSession, username: str, display_name: str, role: Role | str, password: str, *,
             villages: Iterable[str] = ()) -> UserInfo:
    """A new account; a village assistant's needs its ``villages`` (division codes), other roles' none."""
    session.require(Permission.MANAGE_USERS)
    problem = validate_username(username) or validate_password(password)
    if problem:
        raise InvalidInput(problem)
    display_name = validation.text(display_name, "姓名", "display_name", MAX_DISPLAY_NAME)   # lone surrogates crashed
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"未知角色：{role}", "role") from None
    db = session.db
    with db.read() as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None or db.keyslots.has_user(username):
            raise InvalidInput(f"用户名“{username}”已存在。", "username")
        codes = _checked_villages(s, role, villages)
    db.keyslots.add_password_slot(username, password, db.key, session.kdf)
    try:
        with db.write() as s:
            user = User(username=username, display_name=display_name.strip(), role=role.value, active=True,
                        created_at=db.clock.now(), password_changed_at=db.clock.now())
            s.add(user)
            s.flush()
            s.add_all(UserVillage(user_id=user.id, division_code=c) for c in codes)
            audit.append_event(s, actor=session.user.username, action="user_added", entity_type="user",
                               entity_id=username, detail={"role": role.value, **({"villages": list(codes)}
                                                                                   if codes else {})})
    except BaseException:
        db.keyslots.remove_slot(username)
        raise
    return UserInfo(username, display_name.strip(), role, codes)


def set_villages(session: AppSession, username: str, villages: Iterable[str]) -> tuple[str, ...]:
    """Change which villages a village assistant works for (at least one); audited with old and new.
    Takes effect at the assistant's next sign-in."""
    session.require(Permission.MANAGE_USERS)
    with session.db.write() as s:
        row = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if row is None:
            raise NotFound(f"没有用户“{username}”。")
        role = Role(row.role)
        if role is not Role.VILLAGE_ASSISTANT:
            raise InvalidInput(f"只有村协理员按村（社区）分工；“{username}”是{role.label}。", "villages")
        codes = _checked_villages(s, role, villages)
        before = _villages_of(s, row.id)
        if before == codes:
            return codes
        for old in s.scalars(select(UserVillage).where(UserVillage.user_id == row.id)).all():
            s.delete(old)
        s.flush()
        s.add_all(UserVillage(user_id=row.id, division_code=c) for c in codes)
        audit.append_event(s, actor=session.user.username, action="user_villages_changed", entity_type="user",
                           entity_id=username, detail={"before": list(before), "after": list(codes)})
    return codes


def remove_user(session: AppSession, username: str) -> None:
    session.require(Permission.MANAGE_USERS)
    if username == session.user.username:
        raise InvalidInput("不能停用当前登录的账户。")
    db = session.db
    with db.write() as s:
        row = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if row is None:
            raise NotFound(f"没有用户“{username}”。")
        if row.role == Role.ADMIN.value:
            admins = s.scalar(select(func.count()).select_from(User)
                              .where(User.role == Role.ADMIN.value, User.active.is_(True)))
            if admins <= 1:
                raise InvalidInput("不能停用最后一个系统管理员。")
        row.active = False
        audit.append_event(s, actor=session.user.username, action="user_removed", entity_type="user",
                           entity_id=username)
    if db.keyslots.has_user(username):
        db.keyslots.remove_slot(username)


def change_password(session: AppSession, old_password: str, new_password: str) -> None:
    """The signed-in user changes their own password (old one required)."""
    problem = validate_password(new_password)
    if problem:
        raise InvalidInput(problem, "new_password")
    if new_password == old_password:
        raise InvalidInput("新密码不能与原密码相同。", "new_password")
    db = session.db
    try:   # a wrong old password counts towards the lockout, as at sign-in
        db.keyslots.unlock(session.user.username, old_password, session.lockout)
    except (WrongPassword, UnknownUser) as exc:
        raise InvalidInput(f"原密码不正确。{exc.message.removeprefix(WRONG_CREDENTIALS)}",
                           "old_password") from None
    _rewrap(session, session.user.username, new_password, "password_changed")


def reset_password(session: AppSession, username: str, new_password: str) -> None:
    """An administrator sets a new password for another user."""
    session.require(Permission.MANAGE_USERS)
    problem = validate_password(new_password)
    if problem:
        raise InvalidInput(problem, "new_password")
    with session.db.read() as s:
        if s.scalar(select(User.id).where(User.username == username, User.active.is_(True))) is None:
            raise NotFound(f"没有用户“{username}”。")
    _rewrap(session, username, new_password, "password_reset")


def unlock_account(session: AppSession, username: str) -> None:
    session.require(Permission.MANAGE_USERS)
    with session.db.read() as s:
        if s.scalar(select(User.id).where(User.username == username, User.active.is_(True))) is None:
            raise NotFound(f"没有用户“{username}”。")
    session.db.keyslots.unlock_account(username)
    with session.db.write() as s:
        audit.append_event(s, actor=session.user.username, action="account_unlocked", entity_type="user",
                           entity_id=username)


def _rewrap(session: AppSession, username: str, new_password: str, action: str) -> None:
    db = session.db
    db.keyslots.add_password_slot(username, new_password, db.key, session.kdf)
    with db.write() as s:
        row = s.scalar(select(User).where(User.username == username))
        if row is not None:
            row.password_changed_at = db.clock.now()
        audit.append_event(s, actor=session.user.username, action=action, entity_type="user",
                           entity_id=username)
