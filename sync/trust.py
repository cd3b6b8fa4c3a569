"""The county CA as the township trusts it: its SHA-256 fingerprint, as ``yimen-county init`` prints it."""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization


def ca_fingerprint(pem: bytes) -> str:
    """SHA-256 of a PEM certificate's DER, as AB:CD:… (raises ValueError for a file that is not one)."""
    cert = x509.load_pem_x509_certificate(pem)
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def normal_pin(pin: str) -> str:
    """A fingerprint as 64 hex digits, whatever separators or case it was typed with."""
    return "".join(ch for ch in pin.upper() if ch in "0123456789ABCDEF")
