"""The hub's keys and certificates, made once by ``yimen-county init`` in its data directory.

- ``ca.pem``/``ca.key``: the county CA (ECDSA P-256, 10 years). Township setup
  trusts ``ca.pem`` (or pins its SHA-256 fingerprint); nothing else is trusted.
- ``server.pem``/``server.key``: the hub's TLS certificate for its host names and
  addresses, signed by the CA (2 years; ``yimen-county init --renew-server``).
- ``signing.key``: the county's Ed25519 key (policy updates, return bundles).
- ``recovery.key``: the X25519 key townships seal their database key to.
- ``hub.key``: 32 bytes for sealed values and keyed hashes (:mod:`sealing`).
Private files are written 0600; nothing here is ever logged.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sync.clock import utc_now

from .sealing import new_key


@dataclass(frozen=True)
class KeyFiles:
    root: Path

    @property
    def ca_cert(self) -> Path:
        return self.root / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.root / "ca.key"

    @property
    def server_cert(self) -> Path:
        return self.root / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.root / "server.key"

    @property
    def signing_key(self) -> Path:
        return self.root / "signing.key"

    @property
    def recovery_key(self) -> Path:
        return self.root / "recovery.key"

    @property
    def hub_key(self) -> Path:
        return self.root / "hub.key"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _server_cert(ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, hosts: list[str],
                 now: datetime) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for h in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            names.append(x509.DNSName(h))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=730))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM), _pem_key(key)


def create_keys(root: Path, county_name: str, hosts: list[str]) -> KeyFiles:
    """Every key and certificate of a new hub; refuses to overwrite an existing one."""
    files = KeyFiles(root)
    existing = [p for p in (files.ca_key, files.hub_key, files.signing_key, files.recovery_key) if p.exists()]
    if existing:
        raise FileExistsError(f"已有密钥文件 {existing[0].name}，不会覆盖（已初始化过？）")
    root.mkdir(parents=True, exist_ok=True)
    now = utc_now()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{county_name} 社会救助县级平台 CA")])
    ca = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
          .not_valid_after(now + timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    _write_private(files.ca_key, _pem_key(ca_key))
    files.ca_cert.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert, key = _server_cert(ca, ca_key, hosts, now)
    files.server_cert.write_bytes(cert)
    _write_private(files.server_key, key)
    _write_private(files.signing_key, ed25519.Ed25519PrivateKey.generate().private_bytes_raw())
    _write_private(files.recovery_key, x25519.X25519PrivateKey.generate().private_bytes_raw())
    _write_private(files.hub_key, new_key())
    return files


def public_keys(files: KeyFiles) -> dict[str, str]:
    """The public halves townships need (hex): the county's signing key and recovery key."""
    sign = ed25519.Ed25519PrivateKey.from_private_bytes(files.signing_key.read_bytes())
    rec = x25519.X25519PrivateKey.from_private_bytes(files.recovery_key.read_bytes())
    return {"signing_public_key": sign.public_key().public_bytes_raw().hex(),
            "recovery_public_key": rec.public_key().public_bytes_raw().hex()}
