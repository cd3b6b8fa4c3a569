"""Event schemas are pinned: a payload's shape never changes under the same version, and the published
JSON Schemas (docs/schemas/events.schema.json, for the hub) are current and accept every sample."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import jsonschema
from test_events import SAMPLES

from sync import events as ev

ROOT = Path(__file__).resolve().parents[2]

# type -> (schema version, fingerprint of the payload's fields). A change here means the hub meets a new
# shape: bump the class's SCHEMA_VERSION (the hub keeps a reader per version), then pin the new pair.
PINNED = {
    "attachment.added": (1, "bc2b8225effc0bea"), "case.created": (2, "91ef268df2339c2b"), "case.deliberation_recorded": (1, "30b992957994fa57"),
    "case.documents_received": (1, "a20a1dcd44b6314a"), "case.economic_check_requested": (1, "a4fd99818af20f02"),
    "case.economic_check_result_recorded": (1, "38202852dda5074e"), "case.home_visit_recorded": (1, "17e850746ae1b724"),
    "case.neighbour_visit_recorded": (1, "9249c89f22b4c3d2"), "case.status_changed": (1, "089ca00a3d186423"), "coverage.created": (1, "662bedd2aa701de1"),
    "emergency_grant.created": (1, "1f29b923bc37806e"), "household.snapshot": (1, "67c8f329c8222bd1"), "notice_batch.ended": (1, "e6717065fb063a76"),
    "notice_batch.objection_handled": (1, "dcad035afa9ab1a1"), "notice_batch.objection_recorded": (1, "7c3fe0a01ecf0a1e"),
    "notice_batch.posted": (1, "49cc7b7d19e456f2"), "notice_batch.posting_added": (1, "46108d1ecc70af42"), "notice_batch.withdrawn": (1, "9dede59dfc67da2c"),
    "person.snapshot": (1, "bd201ca9e924345a"), "recheck.recorded": (1, "7b105f1513b85523"), "referral.backfilled": (1, "e756b9f196d65a79"),
    "referral.cancelled": (1, "e756b9f196d65a79"), "referral.concluded": (1, "0d85fa97a4e3f095"), "referral.created": (1, "e756b9f196d65a79"),
    "referral.received": (1, "e756b9f196d65a79"), "referral.reply_attached": (1, "502214efe0e38e95"), "referral.returned": (1, "e756b9f196d65a79"),
    "referral.sent": (1, "e756b9f196d65a79"),
    "county.case_decided": (1, "2e26f75f0ab9a3fa"), "county.referral_concluded": (1, "5ed7506327b5aec6"),
}


def _fingerprint(cls: type[ev.Event]) -> str:
    schema = cls.model_json_schema()
    shape = {"properties": schema["properties"], "required": sorted(schema.get("required", []))}
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


def test_no_event_changes_shape_without_a_new_schema_version():
    now = {name: (cls.SCHEMA_VERSION, _fingerprint(cls)) for name, cls in ev.EVENT_TYPES.items()}
    assert now == PINNED, "an event's fields changed: bump its SCHEMA_VERSION and pin the new (version, fingerprint)"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("export_event_schemas", ROOT / "tools" / "export_event_schemas.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_published_schemas_are_current_and_accept_every_sample():
    tool = _tool()
    assert tool.OUT.read_text(encoding="utf-8") == tool.rendered(), "run tools/export_event_schemas.py"
    published = json.loads(tool.OUT.read_text(encoding="utf-8"))["event_types"]
    assert set(published) == set(ev.EVENT_TYPES)
    for name, sample in SAMPLES.items():
        entry = published[name]
        assert entry["version"] == ev.EVENT_TYPES[name].SCHEMA_VERSION
        payload = json.loads(ev.canonical_json(ev.EVENT_TYPES[name](**sample)))
        jsonschema.validate(payload, entry["payload"])
        payload["unexpected"] = 1
        try:
            jsonschema.validate(payload, entry["payload"])
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"{name}: the published schema accepts an unknown field")
