"""Key slots (as in LUKS): the random database key, wrapped once per user.

The key slot file (`keyslots.json`, beside the database) holds, for each user,
the database key encrypted with AES-256-GCM under a key derived from that
user's password by Argon2id, plus optionally one slot sealed to the county
recovery public key (X25519 + HKDF-SHA256 + AES-GCM). The plaintext database
key never touches the disk. Adding or removing a user and changing a password
rewrite only this small file; the database is never re-encrypted.

The file also keeps failed-login counters and lockouts, because a failed
login by definition has no key to write into the database. Every slot is
bound to the database id and the user name through AES-GCM associated data,
so a slot copied to another user or another database does not open.

Several processes use the file at once (the window signing in, `yimen user …`,
a second window, a backup). Every change happens under an inter-process lock
(`filelock`, `keyslots.json.lock` beside it; works on Windows too): take the
lock, re-read the file, change, replace it atomically, release. So no change
is lost, a removed slot never comes back, and failed attempts are counted
exactly however many arrive in parallel.

Sign-in says the same for an unknown user and a wrong password, and an
unknown name is counted and locked like a real one, so the window never tells
which accounts exist; the attempt is recorded either way (for the audit log).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from filelock import FileLock, Timeout

from .errors import AccountLocked, KeySlotError, UnknownUser, WrongPassword
from .timekeeping import SYSTEM_CLOCK, Clock

FORMAT = 1
WRONG_CREDENTIALS = "用户名或密码错误。"
UNREADABLE_PASSWORD = "密码中含有无法识别的字符（可能来自粘贴或输入法），请重新输入。"
LOCK_TIMEOUT_SECONDS = 30.0
MAX_RECORDED_ATTEMPTS = 1000   # failed attempts kept between two sign-ins (then counted, not listed)
MAX_UNKNOWN_NAMES = 500        # lockout counters kept for names that have no slot
_DUMMY_SALT = b"yimen-no-such-user"   # an unknown name costs the same Argon2id run as a real one


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The defaults take a few hundred ms on an old office PC."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 2


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_minutes: int = 15


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _derive(password: str | bytes, salt: bytes, p: KdfParams) -> bytes:
    secret = password.encode("utf-8") if isinstance(password, str) else password
    return hash_secret_raw(secret, salt, time_cost=p.time_cost, memory_cost=p.memory_kib,
                           parallelism=p.parallelism, hash_len=32, type=Type.ID)


def _aad(db_id: str, label: str) -> bytes:
    return f"yimen-keyslot|{db_id}|{label}".encode()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same directory, fsync, rename, fsync the directory."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open directories; rename is durable enough there
        return
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def lock_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + ".lock")


class KeySlotFile:
    """In-memory view of `keyslots.json`; every change is made under the file lock on a fresh read."""

    def __init__(self, path: Path, data: dict[str, Any], clock: Clock = SYSTEM_CLOCK) -> None:
        self.path = Path(path)
        self._data = data
        self.clock = clock   # lockouts and failed attempts are timed by the opener's clock
        self._lock = FileLock(str(lock_path(self.path)), timeout=LOCK_TIMEOUT_SECONDS)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            with self._lock:
                yield
        except Timeout:
            raise KeySlotError("密钥槽文件正被另一个程序长时间占用，请稍后再试；"
                               "如一直如此，请重新启动计算机。") from None

    @contextmanager
    def _changing(self) -> Iterator[dict[str, Any]]:
        """Lock, re-read (strictly: a file that is gone or belongs to another database is an error,
        never silently recreated from this view), let the caller change it, save atomically."""
        with self._locked():
            fresh = KeySlotFile.load(self.path, self.clock)
            if fresh.db_id != self.db_id:
                raise KeySlotError("密钥槽文件已被替换为另一个数据库的文件，未作任何修改。请重新登录。")
            self._data = fresh._data
            yield self._data
            self.save()

    # ----- creation and loading -------------------------------------------------
    @classmethod
    def create(cls, path: Path, clock: Clock = SYSTEM_CLOCK) -> KeySlotFile:
        data = {"format": FORMAT, "db_id": secrets.token_hex(16), "slots": {}, "recovery": None,
                "lockout": {}, "failed_logins": [], "failed_logins_dropped": 0}
        ks = cls(path, data, clock)
        with ks._locked():
            if Path(path).exists():
                raise KeySlotError(f"密钥槽文件已存在：{path}，不会覆盖。")
            ks.save()
        return ks

    @classmethod
    def load(cls, path: Path, clock: Clock = SYSTEM_CLOCK) -> KeySlotFile:
        path = Path(path)
        if not path.exists():
            raise KeySlotError(f"找不到密钥槽文件：{path}。请从备份恢复，或联系县级信息管理员。")
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise KeySlotError(f"密钥槽文件无法读取（{exc.__class__.__name__}），请从备份恢复。") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT or "slots" not in data:
            raise KeySlotError("密钥槽文件格式不正确，请从备份恢复。")
        data.setdefault("lockout", {})
        data.setdefault("failed_logins", [])
        data.setdefault("failed_logins_dropped", 0)
        return cls(path, data, clock)

    def reload(self) -> None:
        """Re-read the file: another process (`yimen user …`, a sign-in attempt) may have changed it.

        Every mutation goes through here first, so a view loaded at sign-in never writes
        back a stale copy (dropping a user added meanwhile or reviving a cleared lockout).
        A file that is gone, unreadable or belongs to another database leaves the view as is.
        """
        try:
            fresh = KeySlotFile.load(self.path)
        except KeySlotError:
            return
        if fresh.db_id == self.db_id:
            self._data = fresh._data

    def save(self) -> None:
        atomic_write_bytes(self.path, json.dumps(self._data, ensure_ascii=False, indent=1).encode("utf-8"))

    def to_bytes(self) -> bytes:
        return json.dumps(self._data, ensure_ascii=False, indent=1).encode("utf-8")

    def current_bytes(self) -> bytes:
        """The file as it is now on disk, read under the lock (what a backup must copy)."""
        with self._locked():
            self.reload()
            return self.to_bytes()

    def replace_with(self, content: bytes) -> None:
        """Put another key slot file in place (restore from a backup), under the lock."""
        with self._locked():
            atomic_write_bytes(self.path, content)
            self._data = KeySlotFile.load(self.path, self.clock)._data

    @property
    def db_id(self) -> str:
        return str(self._data["db_id"])

    @property
    def users(self) -> list[str]:
        return sorted(self._data["slots"])

    def has_user(self, username: str) -> bool:
        self.reload()
        return username in self._data["slots"]

    # ----- password slots -------------------------------------------------------
    def add_password_slot(self, username: str, password: str, key: bytes,
                          params: KdfParams | None = None) -> None:
        if not username:
            raise KeySlotError("用户名不能为空。")
        try:
            secret = password.encode("utf-8")
        except UnicodeEncodeError:
            raise KeySlotError(UNREADABLE_PASSWORD) from None
        params = params or KdfParams()
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        wrapped_key = _derive(secret, salt, params)   # the slow part, outside the lock
        with self._changing() as data:
            wrapped = AESGCM(wrapped_key).encrypt(nonce, key, _aad(self.db_id, username))
            data["slots"][username] = {
                "kdf": {"alg": "argon2id", "t": params.time_cost, "m": params.memory_kib,
                        "p": params.parallelism, "salt": _b64(salt)},
                "nonce": _b64(nonce), "wrapped": _b64(wrapped), "created_at": self.clock.now().isoformat(),
            }
            data["lockout"].pop(username, None)

    def remove_slot(self, username: str) -> None:
        with self._changing() as data:
            if username not in data["slots"]:
                raise UnknownUser(f"没有用户“{username}”。")
            del data["slots"][username]
            data["lockout"].pop(username, None)

    def unlock(self, username: str, password: str, policy: LockoutPolicy | None = None,
               now: datetime | None = None) -> bytes:
        """Return the database key, or raise WrongPassword / AccountLocked / UnknownUser.

        An unknown name and a wrong password get the same message and the same count towards a
        lockout (so the window tells nobody which names exist); a locked name is not named. Every
        failed attempt is recorded for the audit log. A failure writes only this file; the database
        is not touched. The Argon2id run happens outside the lock; the count is taken under it.
        """
        policy = policy or LockoutPolicy()
        now = now or self.clock.now()
        self.reload()
        try:
            secret = password.encode("utf-8")
        except UnicodeEncodeError:   # a lone surrogate (or undecodable bytes smuggled in by getpass)
            self._failed(username, policy, now, "unreadable")
        if self._locked_until(username, now) is not None:
            self._failed(username, policy, now, "locked")
        slot = self._data["slots"].get(username)
        if slot is None:
            _derive(secret, _DUMMY_SALT, KdfParams())   # as slow as a real name
            self._failed(username, policy, now, "unknown")
        kdf = slot["kdf"]
        params = KdfParams(time_cost=kdf["t"], memory_kib=kdf["m"], parallelism=kdf["p"])
        try:
            key = AESGCM(_derive(secret, _unb64(kdf["salt"]), params)).decrypt(
                _unb64(slot["nonce"]), _unb64(slot["wrapped"]), _aad(self.db_id, username))
        except InvalidTag:
            self._failed(username, policy, now, "wrong")
        with self._locked():   # parallel attempts may have locked the account while this one ran
            self.reload()
            if self._locked_until(username, now) is not None:
                self._failed(username, policy, now, "locked")
            if username not in self._data["slots"] or self._data["slots"][username]["wrapped"] != slot["wrapped"]:
                self._failed(username, policy, now, "wrong")   # removed or re-wrapped meanwhile
            if self._data["lockout"].get(username):
                self._data["lockout"].pop(username, None)
                self.save()
        return key

    def _locked_until(self, username: str, now: datetime) -> datetime | None:
        until = (self._data["lockout"].get(username) or {}).get("locked_until")
        if until and datetime.fromisoformat(until) > now:
            return datetime.fromisoformat(until)
        return None

    def _failed(self, username: str, policy: LockoutPolicy, now: datetime, kind: str) -> NoReturn:
        """Count and record one failed attempt under the lock on a fresh read, then raise."""
        with self._changing() as data:
            until = self._locked_until(username, now)
            if until is None and kind != "locked":
                lock = data["lockout"].setdefault(username, {"failed": 0, "locked_until": None})
                lock["failed"] = int(lock.get("failed", 0)) + 1
                if lock["failed"] >= policy.max_failures:
                    until = now + timedelta(minutes=policy.lock_minutes)
                    lock["locked_until"], lock["failed"] = until.isoformat(), 0
                    kind = f"{kind}+locked"
                lock["last"] = now.isoformat()
            self._record_attempt(data, username, now, kind)
            self._forget_unknown_names(data)
        if until is not None:
            raise AccountLocked(f"密码连续错误{policy.max_failures}次，此账户已锁定，请于 "
                                f"{_local_hm(until.isoformat())} 后再试，或请管理员解锁。", until.isoformat())
        if kind == "unreadable":
            raise WrongPassword(UNREADABLE_PASSWORD)
        error = UnknownUser if kind == "unknown" else WrongPassword
        raise error(f"{WRONG_CREDENTIALS}连续错误{policy.max_failures}次将锁定{policy.lock_minutes}分钟。")

    @staticmethod
    def _record_attempt(data: dict[str, Any], username: str, now: datetime, kind: str) -> None:
        attempts = data["failed_logins"]
        attempts.append({"user": username[:64], "at": now.isoformat(), "kind": kind})
        if len(attempts) > MAX_RECORDED_ATTEMPTS:
            data["failed_logins_dropped"] = int(data.get("failed_logins_dropped", 0)) + len(attempts) - MAX_RECORDED_ATTEMPTS
            del attempts[:len(attempts) - MAX_RECORDED_ATTEMPTS]

    @staticmethod
    def _forget_unknown_names(data: dict[str, Any]) -> None:
        unknown = [n for n in data["lockout"] if n not in data["slots"]]
        if len(unknown) > MAX_UNKNOWN_NAMES:
            unknown.sort(key=lambda n: str((data["lockout"][n] or {}).get("last", "")))
            for name in unknown[:len(unknown) - MAX_UNKNOWN_NAMES]:
                del data["lockout"][name]

    def failures_for(self, username: str) -> int:
        return int((self._data["lockout"].get(username) or {}).get("failed", 0))

    def lock_state(self, username: str, now: datetime | None = None) -> tuple[int, datetime | None]:
        """(failed attempts since the last success, locked until — None when not locked now)."""
        self.reload()
        now = now or self.clock.now()
        lock = self._data["lockout"].get(username) or {}
        until = lock.get("locked_until")
        locked_until = datetime.fromisoformat(until) if until else None
        if locked_until is not None and locked_until <= now:
            locked_until = None
        return int(lock.get("failed", 0)), locked_until

    def unlock_account(self, username: str) -> None:
        with self._changing() as data:
            data["lockout"].pop(username, None)

    def failed_logins(self) -> list[dict[str, str]]:
        """Failed attempts recorded since they were last written to the audit log; attempts beyond
        what the file keeps come first as one ``{"kind": "dropped", "count": …}`` entry."""
        self.reload()
        events = [dict(e) for e in self._data["failed_logins"]]
        dropped = int(self._data.get("failed_logins_dropped", 0))
        if dropped:
            events.insert(0, {"user": "", "at": "", "kind": "dropped", "count": str(dropped)})
        return events

    def forget_failed_logins(self, taken: list[dict[str, str]]) -> None:
        """Drop the attempts returned by :meth:`failed_logins` once the audit log holds them (called
        after that commit, so a failed commit loses nothing); attempts recorded since stay."""
        dropped = sum(int(e["count"]) for e in taken if e.get("kind") == "dropped")
        listed = [e for e in taken if e.get("kind") != "dropped"]
        if not listed and not dropped:
            return
        with self._changing() as data:
            data["failed_logins_dropped"] = max(0, int(data.get("failed_logins_dropped", 0)) - dropped)
            current = data["failed_logins"]
            n = len(listed) if current[:len(listed)] == listed else 0
            if n == 0 and listed:   # trimmed meanwhile: drop what is still there, one by one
                data["failed_logins"] = [e for e in current if e not in listed]
            else:
                del current[:n]

    # ----- county recovery slot -----------------------------------------------
    def set_recovery_slot(self, county_public_key: bytes, key: bytes) -> None:
        recipient = X25519PublicKey.from_public_bytes(county_public_key)
        eph = X25519PrivateKey.generate()
        eph_pub = eph.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        wrap_key = _hkdf(eph.exchange(recipient), eph_pub + county_public_key)
        nonce = secrets.token_bytes(12)
        with self._changing() as data:
            data["recovery"] = {
                "alg": "x25519-hkdf-sha256-aesgcm", "recipient": _b64(county_public_key),
                "ephemeral": _b64(eph_pub), "nonce": _b64(nonce),
                "wrapped": _b64(AESGCM(wrap_key).encrypt(nonce, key, _aad(self.db_id, "county-recovery"))),
            }

    @property
    def has_recovery_slot(self) -> bool:
        return bool(self._data.get("recovery"))

    def recover(self, county_private_key: bytes) -> bytes:
        slot = self._data.get("recovery")
        if not slot:
            raise KeySlotError("此数据库未配置县级恢复密钥。")
        priv = X25519PrivateKey.from_private_bytes(county_private_key)
        eph_pub = _unb64(slot["ephemeral"])
        recipient = _unb64(slot["recipient"])
        wrap_key = _hkdf(priv.exchange(X25519PublicKey.from_public_bytes(eph_pub)), eph_pub + recipient)
        try:
            return AESGCM(wrap_key).decrypt(_unb64(slot["nonce"]), _unb64(slot["wrapped"]),
                                            _aad(self.db_id, "county-recovery"))
        except InvalidTag:
            raise KeySlotError("县级恢复密钥不匹配。") from None


def _hkdf(shared: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"yimen-recovery|" + info).derive(shared)


def _local_hm(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone().strftime("%H:%M")


def generate_county_recovery_keypair() -> tuple[bytes, bytes]:
    """(private, public) raw X25519 keys — the county keeps the private one offline."""
    priv = X25519PrivateKey.generate()
    return (priv.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                               serialization.NoEncryption()),
            priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
