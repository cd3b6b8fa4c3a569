"""The replay fold: a log builds the township model; an incomplete or disordered log is refused in Chinese."""

from __future__ import annotations

from datetime import date

import pytest
from test_events import SAMPLES

from sync import events as ev
from sync.replay import ReplayError, replay


def _e(event_type: str, **changes) -> ev.Event:
    return ev.EVENT_TYPES[event_type](**{**SAMPLES[event_type], **changes})


def _family_and_case() -> list[ev.Event]:
    return [_e("household.snapshot"), _e("person.snapshot"), _e("case.created", documents_missing=["hukou_book"])]


def test_a_log_builds_households_persons_cases_referrals_and_coverage():
    log = _family_and_case() + [
        _e("case.documents_received"),
        _e("case.status_changed", from_status="accepted", to_status="investigating", transition="start_investigation"),
        _e("referral.created"), _e("referral.sent"), _e("referral.concluded"),
        _e("coverage.created"), _e("recheck.recorded", outcome="stop"),
        _e("household.snapshot", address="东坪村五组3号"),      # the township changed it: the later snapshot wins
    ]
    model = replay(log)
    assert model.households["h-1"]["address"] == "东坪村五组3号"
    assert model.persons["p-1"]["id_number"] == SAMPLES["person.snapshot"]["id_number"]
    case = model.cases["c-1"]
    assert (case.status, case.categories, case.documents_missing, case.transitions) == (
        "investigating", ["dibao", "medical"], [], ["start_investigation"])
    assert case.contact_phone == "13900000001"           # the phone given with the application travels
    ref = model.referrals["r-1"]
    assert (ref.state, ref.result, ref.department) == ("concluded", "approve", "medical_insurance")
    cov = model.coverages["cov-1"]
    assert (cov.until, cov.monthly_amount_cents) == (date(2026, 12, 3), 60000)
    assert model.blobs == {"ef" * 32}


def test_an_event_before_its_parent_is_refused():
    with pytest.raises(ReplayError, match="所属的家庭尚未出现"):
        replay([_e("person.snapshot"), _e("household.snapshot")])
    with pytest.raises(ReplayError, match="第4个事件（referral.sent）所属的转办尚未出现"):
        replay(_family_and_case() + [_e("referral.sent")])


def test_a_status_change_that_does_not_start_where_the_case_stands_is_refused():
    log = _family_and_case() + [_e("case.status_changed", from_status="in_notice", to_status="approved")]
    with pytest.raises(ReplayError, match="状态应为“in_notice”，记录中为“accepted”"):
        replay(log)


def test_a_case_created_twice_is_refused():
    with pytest.raises(ReplayError, match="重复创建"):
        replay(_family_and_case() + [_e("case.created")])
