"""SQLAlchemy 2 models of the encrypted case store (one DeclarativeBase).

Records that travel to the county carry a client UUID (`uuid`) made on this
device. Identity numbers are stored in full (the file is encrypted) and
looked up through `id_hash`, an HMAC keyed by a secret kept inside the
database, so an index never holds the number itself.

Enumerations are stored as their stable English codes (see desktop.domain);
JSON columns hold plain lists/dicts, never personal data outside this file.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Instants stored as naive UTC text (SQLite keeps no offset) and read back as aware UTC.

    A naive value given to the database is refused: it would be ambiguous
    between local time and UTC.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def new_uuid() -> str:
    return str(uuidlib.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Meta(Base):
    """Small key/value facts about this database (schema notes, chain head, lookup secret)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Device(Base):
    """This installation: its code within the township and its Ed25519 signing key."""

    __tablename__ = "device"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_code: Mapped[str] = mapped_column(String(3))
    township_code: Mapped[str] = mapped_column(String(9))
    township_name: Mapped[str] = mapped_column(String(64))
    window_name: Mapped[str] = mapped_column(String(64))
    county_name: Mapped[str] = mapped_column(String(64), default="")
    signing_key: Mapped[bytes] = mapped_column(LargeBinary)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class UserVillage(Base):
    """A village a village-assistant account serves (set by the admin; none for other roles)."""

    __tablename__ = "user_villages"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("villages.division_code"), primary_key=True)


class Village(Base):
    __tablename__ = "villages"
    division_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))


class Household(Base):
    __tablename__ = "households"
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    division_code: Mapped[str] = mapped_column(ForeignKey("villages.division_code"), index=True)
    hukou_type: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    members: Mapped[list[Person]] = relationship(back_populates="household", order_by="Person.position")


class Person(Base):
    __tablename__ = "persons"
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    household_uuid: Mapped[str] = mapped_column(ForeignKey("households.uuid"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(64))
    name_initials: Mapped[str] = mapped_column(String(32), index=True, default="")
    id_number: Mapped[str] = mapped_column(String(18))
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_tail: Mapped[str] = mapped_column(String(6), index=True, default="")
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    sex: Mapped[str] = mapped_column(String(1))
    ethnicity: Mapped[str] = mapped_column(String(16), default="汉族")
    relation: Mapped[str] = mapped_column(String(24))
    health: Mapped[str] = mapped_column(String(16))
    disability_category: Mapped[str] = mapped_column(String(16), default="none")
    disability_grade: Mapped[str] = mapped_column(String(8), default="none")
    labour_capacity: Mapped[str] = mapped_column(String(16))
    employment: Mapped[str] = mapped_column(String(16))
    monthly_income_cents: Mapped[int] = mapped_column(Integer, default=0)
    is_obliged_supporter: Mapped[bool] = mapped_column(Boolean, default=False)
    staff_relative: Mapped[bool] = mapped_column(Boolean, default=False)
    household: Mapped[Household] = relationship(back_populates="members")


Index("ix_persons_name", Person.name)


class Case(Base):
    """An application (申请/案件) with its requested categories and status."""

    __tablename__ = "cases"
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_number: Mapped[str] = mapped_column(String(23), unique=True)
    household_uuid: Mapped[str] = mapped_column(ForeignKey("households.uuid"), index=True)
    applicant_uuid: Mapped[str] = mapped_column(ForeignKey("persons.uuid"), index=True)
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # the phone the applicant gave with the application ("" before revision 0010 or when none)
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    channel: Mapped[str] = mapped_column(String(24))
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    staff_relative: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(24), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_due: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    # 暂定: decision_due was counted through a year without an official holiday schedule
    decision_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    policy_ref: Mapped[str] = mapped_column(String(64), default="")
    clerk: Mapped[str] = mapped_column(String(64), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    categories: Mapped[list[CaseCategory]] = relationship(cascade="all, delete-orphan")
    documents: Mapped[list[CaseDocument]] = relationship(cascade="all, delete-orphan")


class CaseCategory(Base):
    __tablename__ = "case_categories"
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class CaseDocument(Base):
    """One line of the document checklist: received or missing."""

    __tablename__ = "case_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    code: Mapped[str] = mapped_column(String(48))
    name: Mapped[str] = mapped_column(String(100))
    received: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    __table_args__ = (UniqueConstraint("case_uuid", "code"),)


class StatusChange(Base):
    """Each applied transition of a case, with who did it and why."""

    __tablename__ = "status_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    transition: Mapped[str] = mapped_column(String(48))
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class Coverage(Base):
    """Assistance a person's household already receives (who is already covered)."""

    __tablename__ = "coverage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    household_uuid: Mapped[str] = mapped_column(ForeignKey("households.uuid"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date, nullable=True)
    monthly_amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    recheck_class: Mapped[str] = mapped_column(String(16), default="stable")
    case_uuid: Mapped[str | None] = mapped_column(ForeignKey("cases.uuid"), nullable=True)


class AuditEvent(Base):
    """Append-only, hash-chained log: each event carries the hash of the previous one."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(32), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OutboxItem(Base):
    """One event of the township's log, written in the same transaction as the change it records.

    The envelope says where it comes from (``township_code``, ``device_code``),
    its place in this device's log (``seq``: a counter that is never reused,
    so the hub sees a gap), what it is (``event_type``, ``schema_version``: see
    ``sync.events``), when it happened (``occurred_at``), its ``idempotency_key``
    and its ``origin`` (``county`` = applied here from the county: never pushed
    back). ``entity_type``/``entity_uuid`` name the record it is about.
    ``audit_seq``/``audit_hash``: the audit chain's recorded head when it was
    queued — an anchor of the chain the county keeps (0/"" on rows older than
    revision 0010).
    ``sqlite_autoincrement``: a deleted row's id is never given again.
    """

    __tablename__ = "outbox"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    event_type: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    township_code: Mapped[str] = mapped_column(String(9))
    device_code: Mapped[str] = mapped_column(String(3))
    origin: Mapped[str] = mapped_column(String(16), default="township")
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_uuid: Mapped[str] = mapped_column(String(36), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_hash: Mapped[str] = mapped_column(String(64), default="")


class OutboxBlob(Base):
    """A file an event refers to by sha256 (signed form, reply letter, notice photo), to upload once.

    The bytes stay where they are kept (inside this encrypted database); this
    row only says the county needs them and whether they went.
    """

    __tablename__ = "outbox_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Sequence(Base):
    """Per-scope counters, e.g. case numbers per year (scope 'case:2026')."""

    __tablename__ = "sequences"
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class PrintRecord(Base):
    """One printed document handed out for a case: original, reprint (副本) or voided.

    ``series`` groups the prints that share one copy counter: both receipt
    formats are the same acceptance notice ("receipt"), a referral slip counts
    per department ("referral_slip:<department code>"), every other kind on
    its own. ``copy_no`` 1 is the original; voiding never frees a number, so
    a paper that left the printer is never outnumbered by a second original.
    ``sha256`` is over the exact PDF bytes; ``detail`` holds codes only
    (e.g. the department), never personal data.
    """

    __tablename__ = "print_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"))  # indexed by the unique key below
    kind: Mapped[str] = mapped_column(String(32))
    series: Mapped[str] = mapped_column(String(64))
    copy_no: Mapped[int] = mapped_column(Integer)
    is_copy: Mapped[bool] = mapped_column(Boolean)
    fmt: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    void_reason: Mapped[str] = mapped_column(Text, default="")
    voided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    __table_args__ = (UniqueConstraint("case_uuid", "series", "copy_no"),)
