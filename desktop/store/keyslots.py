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
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
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

from .errors import AccountLocked, KeySlotError, UnknownUser, WrongPassword
from .timekeeping import SYSTEM_CLOCK, Clock

FORMAT = 1
WRONG_CREDENTIALS = "用户名或密码错误。"


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


def _derive(password: str, salt: bytes, p: KdfParams) -> bytes:
    return hash_secret_raw(password.encode("utf-8"), salt, time_cost=p.time_cost, memory_cost=p.memory_kib,
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


class KeySlotFile:
    """In-memory view of `keyslots.json`; every mutation is saved atomically."""

    def __init__(self, path: Path, data: dict[str, Any], clock: Clock = SYSTEM_CLOCK) -> None:
        self.path = Path(path)
        self._data = data
        self.clock = clock   # lockouts and failed attempts are timed by the opener's clock

    # ----- creation and loading -------------------------------------------------
    @classmethod
    def create(cls, path: Path, clock: Clock = SYSTEM_CLOCK) -> KeySlotFile:
        data = {"format": FORMAT, "db_id": secrets.token_hex(16), "slots": {}, "recovery": None,
                "lockout": {}, "failed_logins": []}
        ks = cls(path, data, clock)
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
        self.reload()
        params = params or KdfParams()
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        wrapped = AESGCM(_derive(password, salt, params)).encrypt(nonce, key, _aad(self.db_id, username))
        self._data["slots"][username] = {
            "kdf": {"alg": "argon2id", "t": params.time_cost, "m": params.memory_kib,
                    "p": params.parallelism, "salt": _b64(salt)},
            "nonce": _b64(nonce), "wrapped": _b64(wrapped), "created_at": self.clock.now().isoformat(),
        }
        self._data["lockout"].pop(username, None)
        self.save()

    def remove_slot(self, username: str) -> None:
        self.reload()
        if username not in self._data["slots"]:
            raise UnknownUser(f"没有用户“{username}”。")
        del self._data["slots"][username]
        self._data["lockout"].pop(username, None)
        self.save()

    def unlock(self, username: str, password: str, policy: LockoutPolicy | None = None,
               now: datetime | None = None) -> bytes:
        """Return the database key, or raise WrongPassword / AccountLocked / UnknownUser.

        A failure writes only this file (the failure counter); the database is
        not touched.
        """
        policy = policy or LockoutPolicy()
        now = now or self.clock.now()
        self.reload()
        slot = self._data["slots"].get(username)
        if slot is None:
            raise UnknownUser(WRONG_CREDENTIALS)
        lock = self._data["lockout"].get(username) or {}
        until = lock.get("locked_until")
        if until and datetime.fromisoformat(until) > now:
            raise AccountLocked(
                f"账户“{username}”因多次密码错误已被锁定，请于 {_local_hm(until)} 后再试，或请管理员解锁。", until)
        kdf = slot["kdf"]
        params = KdfParams(time_cost=kdf["t"], memory_kib=kdf["m"], parallelism=kdf["p"])
        try:
            key = AESGCM(_derive(password, _unb64(kdf["salt"]), params)).decrypt(
                _unb64(slot["nonce"]), _unb64(slot["wrapped"]), _aad(self.db_id, username))
        except InvalidTag:
            self._record_failure(username, policy, now)
        if lock:
            self._data["lockout"].pop(username, None)
            self.save()
        return key

    def _record_failure(self, username: str, policy: LockoutPolicy, now: datetime) -> NoReturn:
        lock = self._data["lockout"].setdefault(username, {"failed": 0, "locked_until": None})
        lock["failed"] = int(lock.get("failed", 0)) + 1
        self._data["failed_logins"].append({"user": username, "at": now.isoformat()})
        self._data["failed_logins"] = self._data["failed_logins"][-200:]
        locked = lock["failed"] >= policy.max_failures
        if locked:
            lock["locked_until"] = (now + timedelta(minutes=policy.lock_minutes)).isoformat()
            lock["failed"] = 0
        self.save()
        if locked:
            raise AccountLocked(
                f"密码连续错误{policy.max_failures}次，账户“{username}”已锁定{policy.lock_minutes}分钟。",
                lock["locked_until"])
        left = policy.max_failures - lock["failed"]
        raise WrongPassword(f"{WRONG_CREDENTIALS}再错{left}次账户将被锁定。")

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
        self.reload()
        self._data["lockout"].pop(username, None)
        self.save()

    def take_failed_logins(self) -> list[dict[str, str]]:
        """Failed attempts recorded since the last successful unlock (for the audit log)."""
        self.reload()
        events = list(self._data["failed_logins"])
        if events:
            self._data["failed_logins"] = []
            self.save()
        return events

    # ----- county recovery slot -----------------------------------------------
    def set_recovery_slot(self, county_public_key: bytes, key: bytes) -> None:
        self.reload()
        recipient = X25519PublicKey.from_public_bytes(county_public_key)
        eph = X25519PrivateKey.generate()
        eph_pub = eph.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        wrap_key = _hkdf(eph.exchange(recipient), eph_pub + county_public_key)
        nonce = secrets.token_bytes(12)
        self._data["recovery"] = {
            "alg": "x25519-hkdf-sha256-aesgcm", "recipient": _b64(county_public_key),
            "ephemeral": _b64(eph_pub), "nonce": _b64(nonce),
            "wrapped": _b64(AESGCM(wrap_key).encrypt(nonce, key, _aad(self.db_id, "county-recovery"))),
        }
        self.save()

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
