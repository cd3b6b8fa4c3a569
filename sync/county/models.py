"""The hub's tables (one DeclarativeBase; the same code on PostgreSQL and on SQLite).

No plaintext ID number is stored: every payload field named in
``sealing.SEALED_FIELDS`` is replaced by its ciphertext (AES-GCM under the hub's
key) and a keyed hash (HMAC) to find it by. ``content_mac`` is a keyed hash of
the event as sent, the thing "same key, same content" is compared on — a plain
sha256 of a payload holding an ID number could be reversed by trying numbers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Instant = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class HubMeta(Base):
    __tablename__ = "hub_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Township(Base):
    __tablename__ = "townships"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    # the last feed_seq given in this township's feed: raised under this row's lock (SELECT … FOR UPDATE),
    # so feed_seq is in commit order and a cursor never skips an item committed later
    feed_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class EnrollmentCode(Base):
    """A one-time code for (township, device code); only its hash is kept."""

    __tablename__ = "enrollment_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    township_code: Mapped[str] = mapped_column(ForeignKey("townships.code"))
    device_code: Mapped[str] = mapped_column(String(3))
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(Instant)
    expires_at: Mapped[datetime] = mapped_column(Instant)
    used_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)


class Device(Base):
    """An enrolled township PC: its Ed25519 public key, the hash of its token, where its log stands."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    township_code: Mapped[str] = mapped_column(ForeignKey("townships.code"))
    device_code: Mapped[str] = mapped_column(String(3))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(Instant)
    revoked_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    client_version: Mapped[str] = mapped_column(String(32), default="")
    contiguous_seq: Mapped[int] = mapped_column(Integer, default=0)    # every seq up to it is here
    max_seq: Mapped[int] = mapped_column(Integer, default=0)
    chain_status: Mapped[str] = mapped_column(String(16), default="none")   # none | ok | broken
    chain_problem: Mapped[str] = mapped_column(Text, default="")


class ReceivedEvent(Base):
    """One event as a device sent it, applied once by its idempotency key."""

    __tablename__ = "received_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64), index=True)
    schema_version: Mapped[int] = mapped_column(Integer)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_uuid: Mapped[str] = mapped_column(String(36), index=True)
    occurred_at: Mapped[datetime] = mapped_column(Instant)
    received_at: Mapped[datetime] = mapped_column(Instant)
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_hash: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[dict] = mapped_column(JSON)        # sealed: no plaintext ID number
    content_mac: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))    # accepted | legacy | rejected | conflict (ownership)
    reason: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (UniqueConstraint("device_id", "seq"),)


class SealedValue(Base):
    """Where a sealed value occurs, by keyed hash: finds every event naming one ID number."""

    __tablename__ = "sealed_values"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("received_events.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    value_hash: Mapped[str] = mapped_column(String(64), index=True)


class Conflict(Base):
    """Same idempotency key (or same device seq) with other content: kept, never applied, for county IT."""

    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))       # same_key | same_seq | ownership
    existing_event_id: Mapped[int] = mapped_column(ForeignKey("received_events.id"))
    content_mac: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)         # sealed, as sent
    received_at: Mapped[datetime] = mapped_column(Instant)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")   # Chinese, for county IT
    __table_args__ = (UniqueConstraint("idempotency_key", "content_mac"),)


class AuditLinkRow(Base):
    """A device's audit chain as the hub holds it: numbers and hashes, never content."""

    __tablename__ = "audit_links"
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(Instant)


class HubAudit(Base):
    """What happened at the hub (enrollments, codes, revocations, chain alerts)."""

    __tablename__ = "hub_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Instant)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[dict] = mapped_column(JSON)


class FeedItem(Base):
    """One item of a township's feed, what its devices pull: a county decision or result (``source``
    county), or an event one of its devices pushed (``source`` township, with that device). The payload
    is sealed as in ``received_events``; it is opened only to answer a pull of the same township."""

    __tablename__ = "feed"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    township_code: Mapped[str] = mapped_column(ForeignKey("townships.code"))
    feed_seq: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))             # county | township
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    device_code: Mapped[str] = mapped_column(String(3), default="")
    seq: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_uuid: Mapped[str] = mapped_column(String(36), index=True)
    occurred_at: Mapped[datetime] = mapped_column(Instant)
    payload: Mapped[dict] = mapped_column(JSON)                 # sealed: no plaintext ID number
    __table_args__ = (UniqueConstraint("township_code", "feed_seq"),)


class HubCase(Base):
    """The hub's projection of a township case, kept from the accepted events (and the county's own
    decisions) in the same transaction: what the county decides on and its web desk lists."""

    __tablename__ = "hub_cases"
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    township_code: Mapped[str] = mapped_column(ForeignKey("townships.code"), index=True)
    case_number: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(24))
    categories: Mapped[list] = mapped_column(JSON)
    route: Mapped[str] = mapped_column(String(40), default="")      # the transition that brought it to its status
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)   # approve | refuse, once decided
    amount_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_source: Mapped[str | None] = mapped_column(String(16), nullable=True)   # county | township
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(Instant)


class HubReferral(Base):
    """The hub's projection of a referral: its state and, once concluded, the result and who gave it."""

    __tablename__ = "hub_referrals"
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("hub_cases.uuid"), index=True)
    township_code: Mapped[str] = mapped_column(ForeignKey("townships.code"))
    department: Mapped[str] = mapped_column(String(64))
    department_name: Mapped[str] = mapped_column(String(100), default="")
    categories: Mapped[list] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(String(16), nullable=True)
    amount_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(Instant)
