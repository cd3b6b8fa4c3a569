"""The receipt QR code: compact signed text the county can verify without this device.

    YM1|62010210100720260000015|2026-02-12T01:30Z|007|<signature>

Fields, separated by ``|``:

1. ``YM1`` — format tag and version;
2. the case number, canonical (22 digits + check character, no separators);
3. the acceptance time in UTC, to the minute, ISO 8601 with ``Z``;
4. the device code (3 digits; must equal digits 10–12 of the case number);
5. the Ed25519 signature of the device key over everything before the last
   ``|`` (UTF-8), base64url without padding (86 characters).

About 140 ASCII characters: a QR code of version 8 at level M, whose modules
stay above 0.5 mm on both receipt formats. Nothing personal is in it — the
name and ID number stay on paper and in the encrypted database.

Pure on purpose (standard library and ``cryptography`` only; no database,
nothing else of ``desktop``), so the county hub can take this module into
``sync/`` as it is. The device signs through ``desktop.store.device.sign``;
here only the message is built and the signature checked.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from desktop.services.errors import ServiceError

__all__ = [
    "PAYLOAD_TAG",
    "InvalidReceipt",
    "VerifiedReceipt",
    "receipt_payload",
    "signed_receipt_payload",
    "verify_receipt_payload",
]

PAYLOAD_TAG = "YM1"
SEPARATOR = "|"
TIME_FORMAT = "%Y-%m-%dT%H:%MZ"
SIGNATURE_BYTES = 64

_CASE_NUMBER = re.compile(r"^[0-9]{22}[0-9X]$")
_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z$")
_DEVICE = re.compile(r"^[0-9]{3}$")
_SIGNATURE = re.compile(r"^[A-Za-z0-9_-]{86}$")


class InvalidReceipt(ServiceError, ValueError):
    """The QR text is not a genuine, unaltered receipt. ``message`` is Chinese, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class VerifiedReceipt:
    case_number: str        # canonical, 23 characters
    accepted_at: datetime   # UTC, to the minute
    device_code: str

    @property
    def township_code(self) -> str:
        return self.case_number[:9]

    @property
    def year(self) -> int:
        return int(self.case_number[12:16])

    @property
    def case_number_display(self) -> str:
        n = self.case_number
        return f"{n[0:9]}-{n[9:12]}-{n[12:16]}-{n[16:22]}-{n[22]}"


def _mod11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2, as desktop.domain.case_number uses (kept here so the hub needs nothing else)."""
    p = 0
    for c in digits:
        p = ((p + int(c)) * 2) % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def _canonical_case_number(text: str) -> str | None:
    compact = "".join(c for c in text.strip().upper() if c not in "- ")
    if not _CASE_NUMBER.match(compact) or _mod11_2(compact[:22]) != compact[22]:
        return None
    return compact


def _minute_utc(at: datetime) -> str:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("accepted_at must carry a time zone")
    return at.astimezone(UTC).strftime(TIME_FORMAT)


def receipt_payload(case_number: str, accepted_at: datetime, device_code: str) -> str:
    """The signed part of the QR text: ``YM1|<case number>|<UTC minute>|<device>``.

    ``case_number`` may be in display form; ``accepted_at`` must be time-zone aware.
    """
    canonical = _canonical_case_number(case_number)
    if canonical is None:
        raise ValueError(f"not a valid case number: {case_number!r}")
    if not _DEVICE.match(device_code) or canonical[9:12] != device_code:
        raise ValueError(f"device code {device_code!r} does not match case number {canonical}")
    return SEPARATOR.join((PAYLOAD_TAG, canonical, _minute_utc(accepted_at), device_code))


def signed_receipt_payload(message: str, signature: bytes) -> str:
    """The full QR text: ``message`` (from :func:`receipt_payload`) and its signature."""
    if len(signature) != SIGNATURE_BYTES:
        raise ValueError("an Ed25519 signature has 64 bytes")
    return message + SEPARATOR + _b64(signature)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def verify_receipt_payload(payload: str, public_key: bytes) -> VerifiedReceipt:
    """Check the QR text against the issuing device's public key.

    Returns what the receipt asserts; raises :class:`InvalidReceipt` when the
    text is malformed, altered in any character, or signed by another key.
    """
    if not isinstance(payload, str) or not payload.startswith(PAYLOAD_TAG + SEPARATOR):
        raise InvalidReceipt("这不是“一门受理”受理通知书的二维码。")
    parts = payload.split(SEPARATOR)
    if len(parts) != 5:
        raise InvalidReceipt("二维码内容不完整或格式不正确，无法核验。")
    _tag, number, when, device, sig_text = parts
    if _canonical_case_number(number) != number:
        raise InvalidReceipt("二维码中的受理编号格式或校验位不正确，回执内容可能被改动。")
    if not _TIME.match(when):
        raise InvalidReceipt("二维码中的受理时间格式不正确，回执内容可能被改动。")
    try:
        accepted_at = datetime.strptime(when, TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidReceipt("二维码中的受理时间不是有效的日期时间，回执内容可能被改动。") from None
    if not _DEVICE.match(device) or number[9:12] != device:
        raise InvalidReceipt("二维码中的设备编号与受理编号不一致，回执内容可能被改动。")
    if not _SIGNATURE.match(sig_text):
        raise InvalidReceipt("二维码中的签名格式不正确，回执内容可能被改动。")
    try:
        signature = base64.urlsafe_b64decode(sig_text + "==")
        key = Ed25519PublicKey.from_public_bytes(public_key)
    except (binascii.Error, ValueError):
        raise InvalidReceipt("签名或设备公钥格式不正确，无法核验。") from None
    if len(signature) != SIGNATURE_BYTES or _b64(signature) != sig_text:
        # 86 characters carry 4 spare bits: only the canonical spelling is accepted
        raise InvalidReceipt("二维码中的签名格式不正确，回执内容可能被改动。")
    message = payload[: payload.rindex(SEPARATOR)]
    try:
        key.verify(signature, message.encode("utf-8"))
    except InvalidSignature:
        raise InvalidReceipt("签名核验失败：回执内容被改动，或不是由该设备开具。") from None
    return VerifiedReceipt(number, accepted_at, device)
