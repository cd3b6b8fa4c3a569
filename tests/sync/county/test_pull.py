"""Pull, end to end: the county's decisions and departments' results entered at the real hub (service and
``yimen-county`` CLI) reach a real township database through its workflow, once, never echoed back; the
feed is paged oldest first, per township, never the asking device's own events; ownership conflicts on both
sides. On PostgreSQL and on SQLite (the same hub code)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FAST_KDF
from factories import accepted_case, to_decision
from sqlalchemy import func, select

from county.test_hub import _fresh, _key, _push, _statuses
from desktop.domain.categories import Category
from desktop.domain.roles import Role
from desktop.services.admin import accounts
from desktop.services.admin.accounts import sign_in
from desktop.services.referrals import lifecycle as referrals
from desktop.services.sync import settings
from desktop.services.sync.enrollment import enroll, link
from desktop.services.sync.pull import pull_pending
from desktop.services.sync.push import next_batch, push_pending
from desktop.services.workflow import transitions as workflow
from desktop.store.models import (
    AuditEvent,
    Case,
    CaseCategory,
    CaseDocument,
    Coverage,
    Device,
    Household,
    OutboxItem,
    Person,
    StatusChange,
)
from desktop.store.models_clock import CaseClock
from desktop.store.models_referral import Referral
from desktop.store.models_sync import PulledItem
from sync.client import HubClient
from sync.protocol import PullResponse
from sync.trust import ca_fingerprint

_towns = iter(range(1, 9999))


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def anyhub(request):  # type: ignore[no-untyped-def]
    return request.getfixturevalue("hub" if request.param == "postgresql" else "sqlite_hub")


def _connect(url: str, ca: Path, pin: str) -> HubClient:
    return HubClient(url, ca, client_version="0.1.0", pin_sha256=pin, sleep=lambda _s: None)


def _new_township(hub) -> str:  # type: ignore[no-untyped-def]
    code = f"6201{next(_towns):05d}"
    out = hub.cli("township", "add", code, f"测试镇{code[-3:]}")
    assert out.returncode == 0, out.stderr
    return code


def _enrolled(hub, admin_session, township: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """This township database enrolled at the hub as device 007 of a township of its own (each test
    its own feed: the feed of one township is every device's of it)."""
    township = township or _new_township(hub)
    with admin_session.db.write() as s:
        s.get(Device, 1).township_code = township
    pem = Path(hub.ca).read_bytes()
    enroll(admin_session, _connect, f"https://127.0.0.1:{hub.port}", pem, ca_fingerprint(pem),
           hub.code(township, "007"))
    return township


def _user(admin_session, data_dir, name: str, role: Role):  # type: ignore[no-untyped-def]
    accounts.add_user(admin_session, name, "王晓燕", role, f"{name}-pass-1")
    return sign_in(data_dir, name, f"{name}-pass-1", kdf=FAST_KDF)


def _client(session) -> HubClient:  # type: ignore[no-untyped-def]
    lk = link(session)
    return HubClient(lk.hub_url, lk.ca_file, client_version="0.1.0", token=lk.token, pin_sha256=lk.ca_pin,
                     sleep=lambda _s: None)


def _sync(session) -> None:  # type: ignore[no-untyped-def]
    report = push_pending(session, _client(session))
    assert report.error == "" and report.attention == 0, report.message


def _number(session, case_uuid: str) -> str:  # type: ignore[no-untyped-def]
    with session.db.read() as s:
        return s.get(Case, case_uuid).case_number


def _intake(session, case_uuid: str) -> dict:  # type: ignore[no-untyped-def]
    """Every intake field of the case, its household and persons (what the township owns)."""
    def row(obj) -> dict:  # type: ignore[no-untyped-def]
        return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}

    with session.db.read() as s:
        case = s.get(Case, case_uuid)
        household = s.get(Household, case.household_uuid)
        keep = {k: v for k, v in row(case).items() if k not in ("status", "updated_at")}
        return {"case": keep, "household": row(household),
                "persons": sorted((row(p) for p in s.scalars(select(Person).where(
                    Person.household_uuid == household.uuid))), key=lambda r: str(r)),
                "categories": sorted(s.scalars(select(CaseCategory.category).where(CaseCategory.case_uuid == case_uuid))),
                "documents": sorted((d.code, d.received) for d in s.scalars(select(CaseDocument).where(
                    CaseDocument.case_uuid == case_uuid)))}


def _counts(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with session.db.read() as s:
        return {t.__name__: s.scalar(select(func.count()).select_from(t)) for t in
                (StatusChange, OutboxItem, PulledItem, AuditEvent, Coverage, CaseClock)}


def _waiting_case(anyhub, admin_session, data_dir):  # type: ignore[no-untyped-def]
    _enrolled(anyhub, admin_session)
    clerk = _user(admin_session, data_dir, "clerk", Role.CLERK)
    case_uuid = accepted_case(clerk)
    assert to_decision(clerk, case_uuid) == "awaiting_decision"
    _sync(clerk)
    return clerk, case_uuid


# ------------------------------------------------------------------ county decisions

def test_a_county_decision_reaches_the_case_through_the_workflow_once_and_never_echoes(anyhub, admin_session,
                                                                                        data_dir):
    clerk, case_uuid = _waiting_case(anyhub, admin_session, data_dir)
    try:
        number = _number(clerk, case_uuid)
        assert anyhub.query("select status from hub_cases where uuid = :u", u=case_uuid) == [("awaiting_decision",)]
        before = _intake(clerk, case_uuid)
        with clerk.db.read() as s:
            assert s.scalars(select(CaseClock.kind).where(CaseClock.case_uuid == case_uuid,
                                                          CaseClock.state == "open")).all()
        out = anyhub.cli("decide", "--case", number, "--approve", "--amount", "650.00", "--by", "县民政局 张科长")
        assert out.returncode == 0, out.stderr
        assert "已录入" in out.stdout and "650.00" in out.stdout
        again = anyhub.cli("decide", "--case", number, "--approve", "--amount", "650", "--by", "县民政局 张科长")
        assert again.returncode == 0 and "此前已录入" in again.stdout            # the same decision twice is one
        assert anyhub.query("select count(*) from feed where entity_uuid = :u and source = 'county'", u=case_uuid) == [(1,)]

        report = pull_pending(clerk, _client(clerk))
        assert report.error == "" and report.applied == 1 and report.conflicts == 0, report.message
        assert "已接收县级结果 1 项" in report.message
        with clerk.db.read() as s:
            case = s.get(Case, case_uuid)
            assert case.status == "approved"
            last = s.scalars(select(StatusChange).where(StatusChange.case_uuid == case_uuid)
                             .order_by(StatusChange.id.desc())).first()
            assert (last.transition, last.actor) == ("approve", "county")
            assert s.scalar(select(Coverage.monthly_amount_cents).where(Coverage.case_uuid == case_uuid)) == 65000
            assert s.scalars(select(CaseClock.kind).where(CaseClock.case_uuid == case_uuid,
                                                          CaseClock.state == "open")).all() == []
            pulled = s.scalars(select(PulledItem)).one()
            assert (pulled.outcome, pulled.source, pulled.entity_uuid) == ("applied", "county", case_uuid)
            mine = s.scalars(select(OutboxItem).where(OutboxItem.event_type == "case.status_changed",
                                                      OutboxItem.origin == "county")).one()
            assert mine.state == "acked" and mine.payload["approved_by"] == "县民政局 张科长"
            batch = next_batch(s)
            assert all(e.idempotency_key != mine.idempotency_key for e in batch.events)
        assert _intake(clerk, case_uuid) == before                           # the county touched no intake field

        _sync(clerk)                                                         # no echo: the hub never gets it back
        assert anyhub.query("select count(*) from received_events where idempotency_key = :k",
                            k=mine.idempotency_key) == [(0,)]
        assert anyhub.query("select status, decision, decided_source from hub_cases where uuid = :u",
                            u=case_uuid) == [("approved", "approve", "county")]

        counts = _counts(clerk)                                              # applying twice changes nothing
        with clerk.db.write() as s:
            settings.put(s, settings.PULL_CURSOR, "0")
        twice = pull_pending(clerk, _client(clerk))
        assert twice.applied == 0 and twice.already >= 1 and twice.error == ""
        assert _counts(clerk) == counts
    finally:
        clerk.close()


def test_a_county_refusal_needs_its_reason_and_bad_cli_input_stores_nothing(anyhub, admin_session, data_dir):
    clerk, case_uuid = _waiting_case(anyhub, admin_session, data_dir)
    try:
        number = _number(clerk, case_uuid)
        feed = anyhub.query("select count(*) from feed")
        for args, words in ((("--refuse",), "请填写不予批准的理由"),
                            (("--approve", "--amount", "6五0"), "金额"),
                            (("--approve", "--amount", "-3"), "金额"),
                            (("--approve", "--refuse", "--reason", "x"), "其中之一"),
                            (("--approve", "--on", "2999-01-01"), "不能晚于今天"),
                            (("--approve", "--on", "昨天"), "日期"),
                            (("--refuse", "--amount", "10", "--reason", "x"), "不能填写金额")):
            out = anyhub.cli("decide", "--case", number, "--by", "张科长", *args)
            assert out.returncode == 2 and words in out.stderr, (args, out.stderr)
        out = anyhub.cli("decide", "--case", "620102101999202600000", "--approve", "--by", "张科长")
        assert out.returncode == 2 and "没有案件" in out.stderr
        assert anyhub.query("select count(*) from feed") == feed
        out = anyhub.cli("decide", "--case", number, "--refuse", "--reason", "家庭收入超过低保标准", "--by", "张科长")
        assert out.returncode == 0, out.stderr
        report = pull_pending(clerk, _client(clerk))
        assert report.applied == 1, report.message
        with clerk.db.read() as s:
            assert s.get(Case, case_uuid).status == "refused"
            last = s.scalars(select(StatusChange).where(StatusChange.case_uuid == case_uuid)
                             .order_by(StatusChange.id.desc())).first()
            assert last.reason == "家庭收入超过低保标准" and last.actor == "county"
    finally:
        clerk.close()


# ------------------------------------------------------------------ referral results

def test_a_department_result_reaches_the_referral_and_its_clock_is_met(anyhub, admin_session, data_dir):
    _enrolled(anyhub, admin_session)
    clerk = _user(admin_session, data_dir, "clerk", Role.CLERK)
    try:
        case_uuid = accepted_case(clerk, categories=(Category.MEDICAL,))
        with clerk.db.read() as s:
            ref = s.scalars(select(Referral).where(Referral.case_uuid == case_uuid)).one()
            day = s.get(Case, case_uuid).accepted_on
        number = _number(clerk, case_uuid)
        out = anyhub.cli("referral-result", "--case", number, "--department", ref.department_name, "--approve",
                         "--by", "县医保局 李四")
        assert out.returncode == 2 and "没有案件" in out.stderr             # not pushed yet: the hub has no case
        referrals.mark_sent(clerk, ref.uuid, day, today=day)
        _sync(clerk)
        out = anyhub.cli("referral-result", "--case", number, "--department", "县财政局", "--approve", "--by", "李四")
        assert out.returncode == 2 and "没有转给" in out.stderr
        out = anyhub.cli("referral-result", "--case", number, "--department", ref.department_name, "--refuse",
                         "--note", "不符合医疗救助条件", "--by", "县医保局 李四")
        assert out.returncode == 0, out.stderr
        report = pull_pending(clerk, _client(clerk))
        assert report.applied == 1 and report.conflicts == 0, report.message
        with clerk.db.read() as s:
            got = s.scalars(select(Referral).where(Referral.uuid == ref.uuid)).one()
            assert (got.state, got.result, got.result_reason) == ("concluded", "refuse", "不符合医疗救助条件")
            assert (got.decided_by, got.concluded_by) == ("县医保局 李四", "county")
            clock = s.scalar(select(CaseClock).where(CaseClock.subject_uuid == ref.uuid))
            assert clock.state != "open"
            mine = s.scalars(select(OutboxItem).where(OutboxItem.event_type == "referral.concluded")).one()
            assert (mine.origin, mine.state) == ("county", "acked")
        _sync(clerk)
        assert anyhub.query("select count(*) from received_events where event_type = 'referral.concluded' "
                            "and entity_uuid = :u", u=ref.uuid) == [(0,)]
        out = anyhub.cli("referral-result", "--case", number, "--department", ref.department_name, "--approve",
                         "--by", "县医保局 李四")
        assert out.returncode == 2 and "已有办理结果" in out.stderr
    finally:
        clerk.close()


# ------------------------------------------------------------------ ownership

def test_a_township_outcome_against_the_countys_is_a_conflict_on_both_sides(anyhub, admin_session, data_dir):
    clerk, case_uuid = _waiting_case(anyhub, admin_session, data_dir)
    boss = _user(admin_session, data_dir, "boss", Role.SUPERVISOR)
    try:
        number = _number(clerk, case_uuid)
        out = anyhub.cli("decide", "--case", number, "--approve", "--amount", "650.00", "--by", "县民政局 张科长")
        assert out.returncode == 0, out.stderr
        # before pulling, the township records a refusal of its own
        workflow.transition(boss, case_uuid, "refuse", workflow.TransitionInput(reason="收入超标"))
        report = push_pending(boss, _client(boss))
        assert report.attention == 1
        with boss.db.read() as s:
            bad = s.scalars(select(OutboxItem).where(OutboxItem.state == "attention")).one()
            assert bad.event_type == "case.status_changed" and "县级已对案件" in bad.last_error
        assert anyhub.query("select kind, reason from conflicts where idempotency_key = :k",
                            k=bad.idempotency_key)[0][0] == "ownership"
        assert anyhub.query("select decision, decided_source from hub_cases where uuid = :u",
                            u=case_uuid) == [("approve", "county")]
        counts = _counts(boss)
        pulled = pull_pending(boss, _client(boss))
        assert pulled.conflicts == 1 and pulled.applied == 0 and "需处理" in pulled.message
        with boss.db.read() as s:
            assert s.get(Case, case_uuid).status == "refused"                # nothing changed here
            item = s.scalars(select(PulledItem)).one()
            assert item.outcome == "conflict" and "与县级的审核确认“批准”" in item.reason
            assert int(settings.get(s, settings.PULL_CURSOR)) == pulled.cursor > 0     # the cursor moved on
        after = _counts(boss)
        assert after["StatusChange"] == counts["StatusChange"] and after["OutboxItem"] == counts["OutboxItem"]
    finally:
        boss.close()
        clerk.close()


def test_the_townships_record_of_a_paper_decision_comes_first_and_the_countys_later_entry_is_refused(
        anyhub, admin_session, data_dir):
    clerk, case_uuid = _waiting_case(anyhub, admin_session, data_dir)
    boss = _user(admin_session, data_dir, "boss", Role.SUPERVISOR)
    try:
        workflow.transition(boss, case_uuid, "approve", workflow.TransitionInput(amount_cents=60000))
        _sync(boss)
        assert anyhub.query("select decision, decided_source from hub_cases where uuid = :u",
                            u=case_uuid) == [("approve", "township")]
        feed = anyhub.query("select count(*) from feed")
        out = anyhub.cli("decide", "--case", _number(boss, case_uuid), "--approve", "--by", "张科长")
        assert out.returncode == 2 and "已审核确认" in out.stderr and "乡镇录入" in out.stderr
        assert anyhub.query("select count(*) from feed") == feed
    finally:
        boss.close()
        clerk.close()


def test_a_county_decision_for_a_withdrawn_case_changes_nothing_and_is_listed(anyhub, admin_session, data_dir):
    clerk, case_uuid = _waiting_case(anyhub, admin_session, data_dir)
    try:
        out = anyhub.cli("decide", "--case", _number(clerk, case_uuid), "--approve", "--by", "张科长")
        assert out.returncode == 0, out.stderr
        workflow.transition(clerk, case_uuid, "withdraw", workflow.TransitionInput(reason="申请人撤回"))
        report = pull_pending(clerk, _client(clerk))
        assert report.conflicts == 1
        with clerk.db.read() as s:
            assert s.get(Case, case_uuid).status == "withdrawn"
            assert "已撤回" in s.scalars(select(PulledItem)).one().reason
    finally:
        clerk.close()


# ------------------------------------------------------------------ the feed over HTTP

def _device_of(hub, township: str, device: str):  # type: ignore[no-untyped-def]
    r = hub.session().post(f"{hub.url}/enroll", json={"enrollment_code": hub.code(township, device),
                                                      "township_code": township, "device_code": device,
                                                      "public_key": _key()}, timeout=30)
    assert r.status_code == 200, r.text
    return hub.session(r.json()["device_token"])


def _pull(http, hub, cursor: int, limit: int = 200) -> PullResponse:  # type: ignore[no-untyped-def]
    r = http.get(f"{hub.url}/pull", params={"cursor": cursor, "limit": limit}, timeout=30)
    assert r.status_code == 200, r.text
    return PullResponse.model_validate(r.json())


def test_the_feed_pages_oldest_first_per_township_never_the_askers_own(anyhub, township_log):
    town, other = _new_township(anyhub), _new_township(anyhub)
    a, b, c = _device_of(anyhub, town, "001"), _device_of(anyhub, town, "002"), _device_of(anyhub, other, "001")
    events = [e.model_copy(update={"payload": {**e.payload}}) for e in _fresh(township_log)]
    assert set(_statuses(_push(a, anyhub, events))) == {"accepted"}
    seen, cursor, pages = [], 0, 0
    while True:
        page = _pull(b, anyhub, cursor, limit=2)
        assert len(page.items) <= 2
        seen += page.items
        pages += 1
        cursor = page.cursor
        if not page.has_more:
            break
    assert pages >= len(events) // 2
    assert [i.idempotency_key for i in seen] == [e.idempotency_key for e in events]      # oldest first, all
    assert [i.feed_seq for i in seen] == sorted(i.feed_seq for i in seen)
    assert {(i.source, i.device_code) for i in seen} == {("township", "001")}
    ids = [i.payload["id_number"] for i in seen if i.event_type == "person.snapshot"]
    assert sorted(ids) == sorted(township_log.id_numbers)          # opened again for the same township only
    assert _pull(a, anyhub, 0).items == []                          # never its own
    assert _pull(c, anyhub, 0).items == []                          # never another township's
    assert _pull(b, anyhub, cursor).items == []                     # nothing after the cursor
    stored = anyhub.query("select payload from feed where township_code = :t", t=town)
    assert not any(n in str(row) for row in stored for n in township_log.id_numbers)   # sealed at rest


def test_bad_cursor_or_limit_is_refused_in_chinese_and_a_revoked_device_cannot_pull(anyhub):
    town = _new_township(anyhub)
    http = _device_of(anyhub, town, "001")
    for params in ({"cursor": "-1"}, {"cursor": "abc"}, {"limit": "0"}, {"limit": "501"}, {"cursor": "１"}):
        r = http.get(f"{anyhub.url}/pull", params=params, timeout=30)
        assert r.status_code == 422 and r.json()["code"] == "bad_request", params
        assert "须为" in r.json()["message"] or "最多" in r.json()["message"]
    assert anyhub.cli("device", "revoke", "--township", town, "--device", "001").returncode == 0
    r = http.get(f"{anyhub.url}/pull", timeout=30)
    assert r.status_code == 403 and r.json()["code"] == "device_revoked"


def test_another_devices_events_stop_the_pull_before_them_and_none_is_skipped(anyhub, admin_session,
                                                                               township_log):
    town = _enrolled(anyhub, admin_session)
    laptop = _device_of(anyhub, town, "002")          # a village assistant's laptop of the same township
    assert set(_statuses(_push(laptop, anyhub, _fresh(township_log)))) == {"accepted"}
    report = pull_pending(admin_session, _client(admin_session))
    assert report.waiting == 1 and report.applied == 0 and report.cursor == 0 and report.error == ""
    assert "其他设备" in report.message
    with admin_session.db.read() as s:
        assert settings.get(s, settings.PULL_CURSOR, "0") == "0"
        assert s.scalar(select(func.count()).select_from(PulledItem)) == 0
