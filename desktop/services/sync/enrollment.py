"""Enroll this PC at the county hub (county IT, once per PC): the CA checked against its fingerprint,
the one-time code traded for a device token kept inside the encrypted database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.roles import Permission
from desktop.services.errors import ServiceError
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.keyslots import atomic_write_bytes
from desktop.store.models import Device
from sync.errors import SyncError
from sync.protocol import EnrollRequest
from sync.trust import ca_fingerprint, normal_pin

from . import settings
from .port import HubPort

PortFactory = Callable[[str, Path, str], HubPort]    # (hub url, CA file, pin) -> a client


@dataclass(frozen=True)
class Enrolled:
    county_name: str
    township_code: str
    device_code: str


def enroll(session: AppSession, connect: PortFactory, hub_url: str, ca_pem: bytes, ca_pin: str,
           code: str) -> Enrolled:
    """Check the CA against ``ca_pin``, enroll with ``code``, keep the link. Nothing is kept on failure."""
    session.require(Permission.MANAGE_SETTINGS)
    url = hub_url.strip()
    if not url.startswith("https://"):
        raise ServiceError("县级平台地址须以 https:// 开头，例如 https://hub.example.gov.cn:8443", field="hub_url")
    try:
        fingerprint = ca_fingerprint(ca_pem)
    except ValueError:
        raise ServiceError("所给文件不是有效的 CA 证书（PEM 格式）", field="ca") from None
    if len(normal_pin(ca_pin)) != 64 or normal_pin(ca_pin) != normal_pin(fingerprint):
        raise ServiceError("CA 证书的指纹与所填的不符：请核对县级信息管理员给出的指纹", field="ca_pin")
    if not code.strip():
        raise ServiceError("请填写注册码", field="code")
    data_dir = session.db.data_dir
    ca_file = data_dir / settings.CA_FILENAME
    staged = data_dir / (settings.CA_FILENAME + ".new")
    staged.write_bytes(ca_pem)
    with session.db.read() as s:
        device = s.get(Device, 1)
        assert device is not None
        township, device_code, public_key = device.township_code, device.device_code, device.public_key.hex()
    try:
        try:
            answer = connect(url, staged, fingerprint).enroll(EnrollRequest(
                enrollment_code=code.strip(), township_code=township, device_code=device_code,
                public_key=public_key))
        except SyncError as exc:
            raise ServiceError(f"注册失败：{exc.message}") from None
        with session.db.write() as s:
            settings.put(s, settings.HUB_URL, url)
            settings.put(s, settings.CA_PIN, normal_pin(fingerprint))
            settings.put(s, settings.TOKEN, answer.device_token)
            settings.put(s, settings.COUNTY_NAME, answer.county_name)
            audit.append_event(s, actor=session.user.username, action="device_enrolled", entity_type="device",
                               entity_id=device_code, detail={"hub_url": url, "ca_sha256": normal_pin(fingerprint)})
            atomic_write_bytes(ca_file, ca_pem)     # in the transaction: no CA file, no link kept
    finally:
        staged.unlink(missing_ok=True)
    return Enrolled(answer.county_name, answer.township_code, answer.device_code)


def ca_file_fingerprint(pem: bytes) -> str:
    """The SHA-256 fingerprint of a CA file as county IT prints it (AB:CD:…); ServiceError when it is not one."""
    try:
        return ca_fingerprint(pem)
    except ValueError:
        raise ServiceError("所选文件不是有效的 CA 证书（PEM 格式）", field="ca") from None


@dataclass(frozen=True)
class EnrollStatus:
    enrolled: bool
    hub_url: str
    county_name: str             # as the hub named it at enrollment ("" before)
    township_code: str
    township_name: str
    device_code: str             # fixed when the database was set up (yimen init / the first-run setup)


def status(session: AppSession) -> EnrollStatus:
    """What the 同步 page's enrollment block shows (the device's identity is not secret)."""
    session.require(Permission.SYNC)
    with session.db.read() as s:
        lk = settings.link(s, session.db.data_dir)
        county = settings.get(s, settings.COUNTY_NAME)
        device = s.get(Device, 1)
        assert device is not None
        return EnrollStatus(lk.enrolled, lk.hub_url, county or device.county_name, device.township_code,
                            device.township_name, device.device_code)


def link(session: AppSession) -> settings.LinkSettings:
    session.require(Permission.SYNC)
    with session.db.read() as s:
        return settings.link(s, session.db.data_dir)
