"""Where this PC's link to the county is kept: ``meta`` rows of the encrypted database (the device
token never leaves it) and the county CA certificate beside it (public, for TLS)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.store.models import Meta

HUB_URL = "sync.hub_url"
CA_PIN = "sync.ca_sha256"
TOKEN = "sync.device_token"
COUNTY_NAME = "sync.county_name"          # as the hub named itself at enrollment
AUDIT_PUSHED = "sync.audit_pushed_seq"
HUB_CHAIN = "sync.hub_chain_status"
PULL_CURSOR = "sync.pull_cursor"          # the last feed item of the county applied here (in its transaction)
CA_FILENAME = "county-ca.pem"


@dataclass(frozen=True)
class LinkSettings:
    hub_url: str
    ca_file: Path
    ca_pin: str
    token: str

    @property
    def enrolled(self) -> bool:
        return bool(self.hub_url and self.token)


def get(s: Session, key: str, default: str = "") -> str:
    row = s.get(Meta, key)
    return row.value if row is not None else default


def put(s: Session, key: str, value: str) -> None:
    s.merge(Meta(key=key, value=value))


def link(s: Session, data_dir: Path) -> LinkSettings:
    return LinkSettings(get(s, HUB_URL), data_dir / CA_FILENAME, get(s, CA_PIN), get(s, TOKEN))
