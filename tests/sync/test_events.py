"""Every event type of the log round-trips (serialise → parse → equal); bad payloads are refused in Chinese."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from sync import events as ev

AT = datetime(2026, 12, 3, 2, 30, tzinfo=UTC)
CASE = {"case_uuid": "c-1", "case_number": "620102101-007-2026-000001-5"}
REFERRAL = {"referral_uuid": "r-1", **CASE, "department": "medical_insurance", "department_name": "县医保局",
            "categories": ["medical"], "state": "sent", "deadline_working_days": 20, "on_day": date(2026, 12, 2),
            "note": "", "at": AT}
BATCH = {"batch_uuid": "b-1", "batch_number": "GS-2026-0001", "status": "posted", "division_code": "620102101201",
         "category": "dibao", "start_on": date(2026, 12, 1), "end_on": date(2026, 12, 7), "policy_ref": "national@2026"}

# One sample per registered type: a type added to the registry without a sample fails the first test.
SAMPLES: dict[str, dict[str, Any]] = {
    "household.snapshot": {"household_uuid": "h-1", "division_code": "620102101201", "hukou_type": "rural",
                           "address": "东坪村三组12号"},
    "person.snapshot": {"person_uuid": "p-1", "household_uuid": "h-1", "position": 0, "name": "张三明",
                        "id_number": "62010219700101001X", "birth_date": date(1970, 1, 1), "sex": "M",
                        "ethnicity": "汉族", "relation": "self", "health": "chronic", "disability_category": "none",
                        "disability_grade": "none", "labour_capacity": "partial", "employment": "farming",
                        "monthly_income_cents": 52000, "is_obliged_supporter": False, "staff_relative": False},
    "case.created": {**CASE, "household_uuid": "h-1", "applicant_uuid": "p-1", "division_code": "620102101201",
                     "categories": ["dibao", "medical"], "status": "accepted", "reason": "主要劳动力患病",
                     "channel": "walk_in", "emergency": False, "staff_relative": False, "received_at": AT,
                     "accepted_on": date(2026, 12, 3), "policy_ref": "national@2026",
                     "documents_received": ["id_card"], "documents_missing": [], "refusal_reason": "",
                     "contact_phone": "13900000001"},
    "case.status_changed": {**CASE, "transition": "approve", "from_status": "awaiting_decision",
                            "to_status": "approved", "reason": "经核实", "amount_cents": 78000, "at": AT,
                            "notice_batch": "GS-2026-0001", "approved_by": "supervisor"},
    "case.documents_received": {**CASE, "codes": ["hukou_book"], "at": AT},
    "case.home_visit_recorded": {**CASE, "visit_uuid": "v-1", "visited_on": date(2026, 12, 2), "investigators": 2,
                                 "proposed_monthly_cents": 52000, "signed_form_sha256": "ab" * 32},
    "case.economic_check_requested": {**CASE, "check_uuid": "k-1", "requested_on": date(2026, 12, 2),
                                      "requested_to": "县居民家庭经济状况核对中心"},
    "case.economic_check_result_recorded": {**CASE, "check_uuid": "k-1", "result_on": date(2026, 12, 3),
                                            "conclusion": "eligible", "report_sha256": None},
    "case.neighbour_visit_recorded": {**CASE, "visit_uuid": "n-1", "visited_on": date(2026, 12, 2)},
    "case.deliberation_recorded": {**CASE, "deliberation_uuid": "d-1", "held_on": date(2026, 12, 2),
                                   "participants": 9, "result": "agree", "minutes_sha256": "cd" * 32},
    "referral.created": {**REFERRAL, "state": "pending", "on_day": None},
    "referral.backfilled": {**REFERRAL, "note": "补建"},
    "referral.sent": REFERRAL,
    "referral.received": {**REFERRAL, "state": "received"},
    "referral.concluded": {**REFERRAL, "state": "concluded", "result": "approve", "amount_cents": None,
                           "decided_by": "医保局经办人", "reply_sha256": "ef" * 32},
    "referral.returned": {**REFERRAL, "state": "returned", "note": "材料不全"},
    "referral.cancelled": {**REFERRAL, "state": "cancelled", "on_day": None, "note": "withdraw"},
    "referral.reply_attached": {**REFERRAL, "reply_sha256": "ef" * 32, "size": 2048, "media_type": "application/pdf"},
    "emergency_grant.created": {"grant_uuid": "g-1", **CASE, "person_uuid": "p-1", "amount_cents": 100000,
                                "reason": "illness", "route": "township", "granted_on": date(2026, 12, 3),
                                "approved_by": "supervisor", "repeat_of": None},
    "coverage.created": {"coverage_uuid": "cov-1", "household_uuid": "h-1", **CASE, "category": "dibao",
                         "since": date(2026, 12, 3), "monthly_amount_cents": 78000, "recheck_class": "stable",
                         "recheck_due": date(2027, 12, 3)},
    "recheck.recorded": {"recheck_uuid": "rc-1", "coverage_uuid": "cov-1", "household_uuid": "h-1",
                         "category": "dibao", "outcome": "adjust", "done_on": date(2026, 12, 3), "reason": "收入变化",
                         "amount_before_cents": 78000, "amount_after_cents": 60000,
                         "next_due_on": date(2027, 12, 3), "at": AT},
    "notice_batch.posted": {**BATCH, "posting_uuid": "po-1", "posted_on": date(2026, 12, 1), "case_uuids": ["c-1"]},
    "notice_batch.posting_added": {**BATCH, "posting_uuid": "po-2", "posted_on": date(2026, 12, 2)},
    "notice_batch.ended": {**BATCH, "status": "ended", "moved": 1, "not_moved": 0, "ended_on": date(2026, 12, 8)},
    "notice_batch.withdrawn": {**BATCH, "status": "withdrawn", "was": "posted"},
    "notice_batch.objection_recorded": {**BATCH, "objection_uuid": "o-1", **CASE, "channel": "phone",
                                        "anonymous": True, "received_on": date(2026, 12, 2)},
    "notice_batch.objection_handled": {**BATCH, "objection_uuid": "o-1", **CASE, "result": "unfounded"},
    "attachment.added": {"attachment_uuid": "a-1", "owner_type": "notice_batch", "owner_uuid": "b-1",
                         "purpose": "notice_photo", "sha256": "12" * 32, "size": 40960, "media_type": "image/jpeg"},
    "county.case_decided": {**CASE, "decision": "approve", "amount_cents": 65000, "reason": "",
                            "decided_by": "县民政局 张科长", "decided_on": date(2026, 12, 3), "at": AT},
    "county.referral_concluded": {"referral_uuid": "r-1", **CASE, "department": "medical_insurance",
                                  "result": "refuse", "amount_cents": None, "note": "不符合医疗救助条件",
                                  "decided_by": "县医保局", "decided_on": date(2026, 12, 3), "at": AT},
}


def test_every_registered_type_has_a_sample_and_every_sample_a_type():
    assert set(SAMPLES) == set(ev.EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_round_trip(event_type):
    cls = ev.EVENT_TYPES[event_type]
    event = cls(**SAMPLES[event_type])
    assert event.TYPE == event_type and event.entity == event_type.split(".")[0]
    assert event.subject() == SAMPLES[event_type][cls.ENTITY_FIELD]
    wire = json.loads(ev.canonical_json(event))              # what the outbox row and the wire carry
    back = ev.parse_event(event_type, cls.SCHEMA_VERSION, wire)
    assert back == event and type(back) is cls
    assert ev.canonical_json(back) == ev.canonical_json(event)


def test_canonical_json_is_sorted_compact_utf8_and_independent_of_the_offset():
    event = ev.CaseDocumentsReceived(**SAMPLES["case.documents_received"])
    text = ev.canonical_json(event).decode("utf-8")
    assert " " not in text and list(json.loads(text)) == sorted(json.loads(text))
    beijing = ev.CaseDocumentsReceived(**{**SAMPLES["case.documents_received"],
                                          "at": AT.astimezone(timezone(timedelta(hours=8)))})
    assert ev.canonical_json(beijing) == ev.canonical_json(event)   # one instant, one form (UTC)
    assert json.loads(text)["at"] == "2026-12-03T02:30:00Z"
    person = ev.PersonSnapshot(**SAMPLES["person.snapshot"])
    assert "张三明".encode() in ev.canonical_json(person)    # UTF-8, not \\u escapes


def test_events_are_frozen_and_refuse_unknown_fields():
    event = ev.HouseholdSnapshot(**SAMPLES["household.snapshot"])
    with pytest.raises(ValidationError):
        event.address = "别处"   # type: ignore[misc]
    with pytest.raises(ValidationError):
        ev.HouseholdSnapshot(**SAMPLES["household.snapshot"], note="x")


@pytest.mark.parametrize(("event_type", "version", "payload", "words"), [
    ("case.deleted", 1, {}, "未知的事件类型“case.deleted”"),
    ("case.created", 3, {}, "版本 3 不受支持（支持版本 1、2）"),
    ("case.created", ev.LEGACY_VERSION, {}, "升级前的旧格式"),
    ("case.created", 2, ["not", "an", "object"], "内容应为对象"),
    ("case.created", 1, ["not", "an", "object"], "内容应为对象"),
    ("case.documents_received", 1, {**SAMPLES["case.documents_received"], "codes": "hukou_book"}, "“codes”应为列表"),
    ("case.documents_received", 1, {k: v for k, v in SAMPLES["case.documents_received"].items() if k != "at"},
     "“at”缺少"),
    ("case.documents_received", 1, {**SAMPLES["case.documents_received"], "at": "2026-12-03T10:30:00"}, "“at”应带时区"),
    ("household.snapshot", 1, {**SAMPLES["household.snapshot"], "members": []}, "“members”不应有"),
    ("coverage.created", 1, {**json.loads(ev.canonical_json(ev.CoverageCreated(**SAMPLES["coverage.created"]))),
                             "since": "三月", "monthly_amount_cents": "很多"}, "另有1处问题"),
])
def test_bad_events_are_refused_with_a_chinese_reason(event_type, version, payload, words):
    with pytest.raises(ev.EventError) as err:
        ev.parse_event(event_type, version, payload)
    assert words in err.value.message and str(err.value) == err.value.message


def test_a_case_created_of_version_1_is_still_read_without_a_phone():
    """Rows queued before version 2 (the contact phone) stay readable: the phone is "" (not recorded)."""
    v1 = {k: v for k, v in json.loads(ev.canonical_json(ev.CaseCreated(**SAMPLES["case.created"]))).items()
          if k != "contact_phone"}
    old = ev.parse_event("case.created", 1, v1)
    assert isinstance(old, ev.CaseCreated) and old.contact_phone == ""
    with pytest.raises(ev.EventError) as err:                 # version 2 without the phone is incomplete
        ev.parse_event("case.created", 2, v1)
    assert "“contact_phone”缺少" in err.value.message


def test_each_event_names_the_records_queued_before_it():
    person = ev.PersonSnapshot(**SAMPLES["person.snapshot"])
    created = ev.CaseCreated(**SAMPLES["case.created"])
    sent = ev.ReferralSent(**SAMPLES["referral.sent"])
    first = ev.ReferralCreated(**SAMPLES["referral.created"])
    assert person.parents() == (("household", "h-1"),)
    assert created.parents() == (("household", "h-1"), ("person", "p-1"))
    assert first.parents() == (("case", "c-1"),)
    assert sent.parents() == (("case", "c-1"), ("referral", "r-1"))
    assert ev.HouseholdSnapshot(**SAMPLES["household.snapshot"]).parents() == ()
