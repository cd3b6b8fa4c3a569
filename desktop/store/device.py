"""Device identity: a code unique within the township and an Ed25519 key pair.

The private key lives only inside the encrypted database. It signs receipt
QR codes (Step 2) and sync traffic later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Device
from .timekeeping import clock_of


@dataclass(frozen=True)
class DeviceInfo:
    device_code: str
    township_code: str
    township_name: str
    window_name: str
    county_name: str
    public_key: bytes


def validate_device_code(code: str) -> str | None:
    if not re.fullmatch(r"\d{3}", code or "") or code == "000":
        return "设备编号应为 001–999 之间的三位数字。"
    return None


def create_device(session: Session, *, device_code: str, township_code: str, township_name: str,
                  window_name: str, county_name: str = "") -> DeviceInfo:
    if session.scalar(select(Device.id)) is not None:
        raise ValueError("本数据库已登记设备身份，不能重复创建。")
    problem = validate_device_code(device_code)
    if problem:
        raise ValueError(problem)
    if not re.fullmatch(r"\d{9}", township_code):
        raise ValueError("乡镇代码应为9位数字（县级6位 + 乡镇3位）。")
    priv = Ed25519PrivateKey.generate()
    raw_priv = priv.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                  serialization.NoEncryption())
    raw_pub = priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    session.add(Device(id=1, device_code=device_code, township_code=township_code, township_name=township_name,
                       window_name=window_name, county_name=county_name, signing_key=raw_priv,
                       public_key=raw_pub, created_at=clock_of(session).now()))
    return DeviceInfo(device_code, township_code, township_name, window_name, county_name, raw_pub)


def device_info(session: Session) -> DeviceInfo:
    d = session.get(Device, 1)
    if d is None:
        raise LookupError("数据库中没有设备身份。")
    return DeviceInfo(d.device_code, d.township_code, d.township_name, d.window_name, d.county_name,
                      d.public_key)


def sign(session: Session, message: bytes) -> bytes:
    d = session.get(Device, 1)
    if d is None:
        raise LookupError("数据库中没有设备身份。")
    return Ed25519PrivateKey.from_private_bytes(d.signing_key).sign(message)


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
