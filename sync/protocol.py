"""Protocol v1 between a township device and the county hub: the messages, shared by both sides.

Pure pydantic v2 (the hub validates requests with these models, the client
builds them): nothing here knows a database or a transport. ``sync/PROTOCOL.md``
says how they are used; the hub's OpenAPI document (``/api/v1/openapi.json``)
is generated from the same models.

Every request carries :data:`PROTOCOL_HEADER` (the protocol version) and
:data:`CLIENT_HEADER` (the application's version); the hub answers a client
older than its ``min_client_version`` with 426 and code ``client_too_old``.
Every error is an :class:`ErrorBody` with a stable ``code`` and a Chinese
``message`` a clerk can read.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "API_PREFIX", "CLIENT_HEADER", "MAX_BATCH_BYTES", "MAX_BATCH_EVENTS", "PROTOCOL_HEADER", "PROTOCOL_VERSION",
    "AuditLink", "EnrollRequest", "EnrollResponse", "ErrorBody", "HelloResponse", "ItemResult", "ItemStatus",
    "MAX_PULL_ITEMS", "PullItem", "PullResponse", "PushEvent", "PushRequest", "PushResponse", "parse_version",
    "version_at_least",
]

PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"
PROTOCOL_HEADER = "X-Yimen-Protocol"
CLIENT_HEADER = "X-Yimen-Client"          # the application's version, e.g. "0.1.0"
MAX_BATCH_BYTES = 1_000_000               # the hub refuses a (decompressed) push body larger than this
MAX_BATCH_EVENTS = 500
MAX_PULL_ITEMS = 500                      # the most items one pull answer carries

_HEX64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
_UUID = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
TownshipCode = Annotated[str, StringConstraints(pattern=r"^\d{9}$")]
DeviceCode = Annotated[str, StringConstraints(pattern=r"^\d{3}$")]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorBody(_Message):
    """Every refusal: a stable code for programs, a Chinese sentence for people."""

    code: str
    message: str
    detail: dict[str, Any] = Field(default_factory=dict)


class HelloResponse(_Message):
    """``GET /api/v1/hello`` (no token): what the hub speaks, before anything else is sent."""

    protocol: int
    hub_version: str
    min_client_version: str
    county_name: str
    server_time: AwareDatetime


class EnrollRequest(_Message):
    """``POST /api/v1/enroll``: a one-time code county IT issued for (township, device code),
    with this device's Ed25519 public key (32 bytes, hex)."""

    enrollment_code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    township_code: TownshipCode
    device_code: DeviceCode
    public_key: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class EnrollResponse(_Message):
    device_token: str
    township_code: str
    device_code: str
    county_name: str
    next_expected_seq: int          # 1 for a new device; after a lost answer the same again


class PushEvent(_Message):
    """One outbox row: the envelope and the event's payload (``sync.events``)."""

    seq: Annotated[int, Field(ge=1)]
    idempotency_key: _UUID
    event_type: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    schema_version: Annotated[int, Field(ge=0)]
    origin: Literal["township"]
    entity_type: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    entity_uuid: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    occurred_at: AwareDatetime
    audit_seq: Annotated[int, Field(ge=0)] = 0
    audit_hash: Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{64})?$")] = ""
    payload: dict[str, Any]


class AuditLink(_Message):
    """One link of the device's audit chain: its number and hashes only — the hub never needs the
    event's content to see whether the chain it is sent continues the one it holds."""

    seq: Annotated[int, Field(ge=1)]
    prev_hash: _HEX64
    hash: _HEX64


class PushRequest(_Message):
    """``POST /api/v1/push`` (gzip allowed): events in this device's order and the audit links since
    the last push. The device is known from its token, never from the body."""

    events: Annotated[list[PushEvent], Field(max_length=MAX_BATCH_EVENTS)]
    audit: list[AuditLink] = Field(default_factory=list)


ItemStatus = Literal["accepted", "duplicate", "conflict", "rejected"]


class ItemResult(_Message):
    """What became of one pushed event. ``duplicate`` (same key, same content) is a success;
    ``conflict`` (same key, other content) is kept at the hub, never overwritten; ``rejected``
    carries the Chinese ``reason`` and is not to be sent again unchanged."""

    idempotency_key: str
    seq: int
    status: ItemStatus
    reason: str = ""


class PushResponse(_Message):
    results: list[ItemResult]
    next_expected_seq: int                        # every seq below it is at the hub
    missing_seqs: list[int] = Field(default_factory=list)   # gaps below the highest seq received
    audit_status: Literal["ok", "broken", "none"] = "none"
    audit_problem: str = ""


class PullItem(_Message):
    """One item of the township's feed at the hub, after the device's cursor.

    ``feed_seq`` is the item's place in its township's feed (a counter per
    township, given under the township's row lock, so a cursor never skips an
    item committed later). ``source`` says who wrote it: ``county`` (a county
    decision or a department's referral result, ``device_code`` ""), or
    ``township`` (an event another device of the same township pushed — a
    village assistant's laptop — with that device's ``device_code`` and
    ``seq``). ``idempotency_key`` is the event's own key: applying an item whose
    key the township already holds changes nothing. ``payload`` is the event of
    ``sync.events`` (ID numbers in plain text again: only an enrolled device of
    the same township receives them, over the county's TLS)."""

    feed_seq: Annotated[int, Field(ge=1)]
    source: Literal["county", "township"]
    device_code: Annotated[str, StringConstraints(pattern=r"^(\d{3})?$")] = ""
    seq: Annotated[int, Field(ge=0)] = 0
    idempotency_key: _UUID
    event_type: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    schema_version: Annotated[int, Field(ge=1)]
    entity_type: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    entity_uuid: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    occurred_at: AwareDatetime
    payload: dict[str, Any]


class PullResponse(_Message):
    """``GET /api/v1/pull?cursor=N&limit=M``: the township's feed items after ``cursor`` (oldest
    first, at most ``limit`` ≤ :data:`MAX_PULL_ITEMS`), never the asking device's own events.
    ``cursor`` is where the next pull starts (the last item's ``feed_seq``, or the one sent when
    there is nothing new); ``has_more`` says to pull again at once."""

    items: list[PullItem]
    cursor: Annotated[int, Field(ge=0)]
    has_more: bool


_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def parse_version(text: str) -> tuple[int, int, int] | None:
    m = _VERSION.match(text.strip())
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def version_at_least(text: str, minimum: str) -> bool:
    """``text`` is a release at or above ``minimum`` (an unreadable version is not)."""
    have, need = parse_version(text), parse_version(minimum)
    return have is not None and need is not None and have >= need
