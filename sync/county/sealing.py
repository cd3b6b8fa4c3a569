"""The hub's secret: ID numbers (and phones) sealed at rest, found by keyed hash; keyed content hashes.

One 32-byte key in the hub's data directory (``hub.key``, made by ``yimen-county init``,
never in the database) gives two subkeys by HKDF: AES-256-GCM for the values,
HMAC-SHA256 for the lookup hashes and the content MAC of each event.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED_FIELDS = frozenset({"id_number", "contact_phone", "phone"})
KEY_BYTES = 32


def _derive(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


class Sealer:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("hub key must be 32 bytes")
        self._aead = AESGCM(_derive(key, b"yimen-hub sealed values v1"))
        self._mac = _derive(key, b"yimen-hub keyed hashes v1")

    def mac(self, data: bytes) -> str:
        return hmac.new(self._mac, data, hashlib.sha256).hexdigest()

    def value_hash(self, field: str, value: str) -> str:
        return self.mac(f"{field}\x00{value.strip().upper()}".encode())

    def seal_value(self, field: str, value: str) -> dict[str, str]:
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, value.encode("utf-8"), field.encode())
        return {"sealed": base64.b64encode(nonce + ct).decode(), "hash": self.value_hash(field, value)}

    def open_value(self, field: str, sealed: dict[str, str]) -> str:
        raw = base64.b64decode(sealed["sealed"])
        return self._aead.decrypt(raw[:12], raw[12:], field.encode()).decode("utf-8")

    def seal(self, payload: Any) -> tuple[Any, list[tuple[str, str]]]:
        """``payload`` with every sealed field replaced, and the (field, hash) pairs found in it."""
        found: list[tuple[str, str]] = []

        def walk(node: Any) -> Any:
            if isinstance(node, dict):
                out = {}
                for k, v in node.items():
                    if k in SEALED_FIELDS and isinstance(v, str) and v:
                        sealed = self.seal_value(k, v)
                        found.append((k, sealed["hash"]))
                        out[k] = sealed
                    else:
                        out[k] = walk(v)
                return out
            if isinstance(node, list):
                return [walk(v) for v in node]
            return node

        return walk(payload), found

    def open(self, payload: Any) -> Any:
        """``payload`` with every sealed value opened again (for a pull answer only, never stored)."""
        if isinstance(payload, dict):
            if set(payload) == {"sealed", "hash"}:
                return payload       # a sealed value outside a sealed field: left as it is
            out = {}
            for k, v in payload.items():
                if k in SEALED_FIELDS and isinstance(v, dict) and "sealed" in v:
                    out[k] = self.open_value(k, v)
                else:
                    out[k] = self.open(v)
            return out
        if isinstance(payload, list):
            return [self.open(v) for v in payload]
        return payload

    def content_mac(self, message: dict[str, Any]) -> str:
        return self.mac(json.dumps(message, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())


def sealed_values(payload: Any) -> Iterator[tuple[str, dict[str, str]]]:
    if isinstance(payload, dict):
        for k, v in payload.items():
            if k in SEALED_FIELDS and isinstance(v, dict) and "sealed" in v:
                yield k, v
            else:
                yield from sealed_values(v)
    elif isinstance(payload, list):
        for v in payload:
            yield from sealed_values(v)


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)
