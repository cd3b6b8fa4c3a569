"""The county hub as townships meet it: the real ``yimen-county`` process over HTTPS on PostgreSQL.

Enrollment (one-time codes, a lost answer, another key, expiry, revocation),
version gating, push applied exactly once (duplicates, conflicts, rejects that
block nothing, gaps, gzip, size cap, two pushes racing), the audit chain the
hub holds (continued, forked), and no plaintext ID number in PostgreSQL.
"""

from __future__ import annotations

import gzip
import json
import secrets
import subprocess
import threading

import pytest
import requests
from conftest import TEST_TOWNSHIP
from cryptography.hazmat.primitives.asymmetric import ed25519

from sync.protocol import PushEvent, PushRequest, PushResponse

TOWN = TEST_TOWNSHIP.township_code
_devices = iter(range(100, 999))


def _key() -> str:
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes_raw().hex()


def _enroll(hub, device: str | None = None, key: str | None = None, code: str | None = None):  # type: ignore[no-untyped-def]
    device = device or f"{next(_devices):03d}"
    code = code or hub.code(TOWN, device)
    return device, hub.session().post(f"{hub.url}/enroll", json={
        "enrollment_code": code, "township_code": TOWN, "device_code": device, "public_key": key or _key()},
        timeout=30)


def _device(hub) -> requests.Session:  # type: ignore[no-untyped-def]
    _d, r = _enroll(hub)
    assert r.status_code == 200, r.text
    return hub.session(r.json()["device_token"])


def _push(http: requests.Session, hub, events: list[PushEvent], links=(), gz: bool = False) -> requests.Response:  # type: ignore[no-untyped-def]
    body = PushRequest(events=events, audit=list(links)).model_dump_json().encode()
    headers = {"Content-Type": "application/json"}
    if gz:
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    return http.post(f"{hub.url}/push", data=body, headers=headers, timeout=60)


def _fresh(log) -> list[PushEvent]:  # type: ignore[no-untyped-def]
    """The township's events under new idempotency keys (each test's device pushes its own copy)."""
    import uuid

    return [e.model_copy(update={"idempotency_key": str(uuid.uuid4())}) for e in log.events]


def _statuses(r: requests.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return [i.status for i in PushResponse.model_validate(r.json()).results]


# ------------------------------------------------------------------ TLS and versions

def test_the_hub_speaks_https_verified_against_the_county_ca_only(hub):
    hello = requests.get(f"{hub.url}/hello", verify=hub.ca, timeout=10).json()
    assert hello["protocol"] == 1 and hello["county_name"] == "测试县"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{hub.url}/hello", timeout=10)          # the system's CAs do not know the county CA
    fingerprint = hub.cli("device", "list")
    assert fingerprint.returncode == 0


def test_an_old_client_is_told_in_chinese_and_a_wrong_protocol_is_refused(hub):
    r = hub.session(client="0.0.9").post(f"{hub.url}/push", json={"events": []}, timeout=10)
    assert r.status_code == 426 and r.json()["code"] == "client_too_old"
    assert "过旧" in r.json()["message"] and "离线" in r.json()["message"]
    s = hub.session()
    s.headers["X-Yimen-Protocol"] = "7"
    r = s.post(f"{hub.url}/push", json={"events": []}, timeout=10)
    assert r.status_code == 400 and r.json()["code"] == "protocol_mismatch"


def test_the_openapi_document_describes_push_and_enroll(hub):
    doc = requests.get(f"{hub.url}/openapi.json", verify=hub.ca, timeout=10).json()
    assert {"/api/v1/push", "/api/v1/enroll", "/api/v1/hello"} <= set(doc["paths"])
    assert "events" in json.dumps(doc["paths"]["/api/v1/push"])


# ------------------------------------------------------------------ enrollment

def test_a_code_enrolls_once_a_lost_answer_can_be_retried_and_another_key_is_refused(hub):
    key = _key()
    device = f"{next(_devices):03d}"
    code = hub.code(TOWN, device)
    _d, first = _enroll(hub, device, key, code)
    assert first.status_code == 200 and first.json()["next_expected_seq"] == 1
    _d, again = _enroll(hub, device, key, code)                  # the first answer was lost on the way
    assert again.status_code == 200
    old, new = hub.session(first.json()["device_token"]), hub.session(again.json()["device_token"])
    assert _push(old, hub, []).status_code == 401                # only the token last handed out works
    assert _push(new, hub, []).status_code == 200
    _d, other = _enroll(hub, device, _key(), code)
    assert other.status_code == 409 and "另一台电脑" in other.json()["message"]


def test_codes_are_bound_to_their_township_and_device_and_expire(hub):
    device = f"{next(_devices):03d}"
    code = hub.code(TOWN, device)
    _d, wrong = _enroll(hub, f"{next(_devices):03d}", code=code)
    assert wrong.status_code == 403 and wrong.json()["code"] == "bad_enrollment_code"
    expired = hub.code(TOWN, f"{next(_devices):03d}", hours=0)
    _d, late = _enroll(hub, code=expired)
    assert late.status_code == 403
    _d, typo = _enroll(hub, code="ABCD-EFGH-JKLM")
    assert typo.status_code == 403 and "注册码" in typo.json()["message"]


def test_an_active_device_needs_revoking_before_a_new_code_and_a_revoked_one_is_refused(hub, pg):
    device, r = _enroll(hub)
    http = hub.session(r.json()["device_token"])
    out = hub.cli("code", "issue", "--township", TOWN, "--device", device)
    assert out.returncode == 2 and "请先停用" in out.stderr
    assert hub.cli("device", "revoke", "--township", TOWN, "--device", device).returncode == 0
    refused = _push(http, hub, [])
    assert refused.status_code == 403 and refused.json()["code"] == "device_revoked"
    assert "数据仍完整保存" in refused.json()["message"]
    assert pg.query(hub.dbname, f"select count(*) from devices where device_code = '{device}'")[0][0] == 1


# ------------------------------------------------------------------ push

def test_a_push_is_applied_once_and_a_resend_is_a_success(hub, township_log, pg):
    http = _device(hub)
    events = _fresh(township_log)
    first = _push(http, hub, events)
    assert _statuses(first) == ["accepted"] * len(events)
    assert first.json()["next_expected_seq"] == events[-1].seq + 1 and first.json()["missing_seqs"] == []
    assert _statuses(_push(http, hub, events, gz=True)) == ["duplicate"] * len(events)
    keys = ",".join(f"'{e.idempotency_key}'" for e in events)
    assert pg.query(hub.dbname, f"select count(*) from received_events where idempotency_key in ({keys})")[0][0] \
        == len(events)


def test_same_key_other_content_is_a_conflict_kept_and_never_applied(hub, township_log, pg):
    http = _device(hub)
    events = _fresh(township_log)
    assert _statuses(_push(http, hub, events))[0] == "accepted"
    changed = events[0].model_copy(update={"payload": {**events[0].payload, "address": "改过的地址"}})
    r = _push(http, hub, [changed])
    assert _statuses(r) == ["conflict"] and "保留先收到的内容" in r.json()["results"][0]["reason"]
    _push(http, hub, [changed])                                  # the same conflict again: recorded once
    key = events[0].idempotency_key
    assert pg.query(hub.dbname, f"select count(*) from conflicts where idempotency_key = '{key}'")[0][0] == 1
    kept = pg.query(hub.dbname, f"select payload::text from received_events where idempotency_key = '{key}'")
    assert "改过的地址" not in kept[0][0]


def test_a_bad_item_is_rejected_with_its_reason_and_blocks_nothing(hub, township_log):
    http = _device(hub)
    events = _fresh(township_log)
    bad = events[1].model_copy(update={"payload": {"nonsense": 1}})
    r = _push(http, hub, [events[0], bad, *events[2:]])
    statuses = _statuses(r)
    assert statuses[1] == "rejected" and set(statuses[:1] + statuses[2:]) == {"accepted"}
    assert r.json()["results"][1]["reason"]                       # the Chinese reason for 需处理
    assert r.json()["next_expected_seq"] == events[-1].seq + 1   # a rejected item is accounted for


def test_gaps_are_named_and_filled(hub, township_log):
    http = _device(hub)
    events = _fresh(township_log)
    assert len(events) >= 4
    r = _push(http, hub, [events[0], *events[3:]])
    assert r.json()["missing_seqs"] == [events[1].seq, events[2].seq]
    assert r.json()["next_expected_seq"] == events[1].seq
    r = _push(http, hub, events[1:3])
    assert r.json()["missing_seqs"] == [] and r.json()["next_expected_seq"] == events[-1].seq + 1


def test_two_pushes_of_one_batch_racing_apply_each_event_once(hub, township_log, pg):
    http = _device(hub)
    events = _fresh(township_log)
    out: list[list[str]] = []
    threads = [threading.Thread(target=lambda: out.append(_statuses(_push(http, hub, events)))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(out) == sorted([["accepted"] * len(events), ["duplicate"] * len(events)])
    keys = ",".join(f"'{e.idempotency_key}'" for e in events)
    assert pg.query(hub.dbname, f"select count(*) from received_events where idempotency_key in ({keys})")[0][0] \
        == len(events)


def test_bodies_are_capped_and_bad_gzip_is_named(hub):
    http = _device(hub)
    r = http.post(f"{hub.url}/push", data=gzip.compress(b"{" + b" " * 3_000_000 + b"}"),
                  headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 413 and "分批" in r.json()["message"]
    r = http.post(f"{hub.url}/push", data=b"not gzip", headers={"Content-Encoding": "gzip"}, timeout=30)
    assert r.status_code == 400 and r.json()["code"] == "bad_gzip"
    r = http.post(f"{hub.url}/push", data=b'{"events": [{"seq": 0}]}', timeout=30)
    assert r.status_code == 422 and "不符合协议" in r.json()["message"]


def test_no_plaintext_id_number_reaches_postgresql_yet_the_hub_finds_it(hub, township_log, pg):
    http = _device(hub)
    assert set(_statuses(_push(http, hub, _fresh(township_log)))) == {"accepted"}
    dump = subprocess.run(["pg_dump", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "yimen", hub.dbname],
                          capture_output=True, text=True, check=True).stdout
    assert "received_events" in dump and township_log.id_numbers
    for number in township_log.id_numbers:
        assert number not in dump and number[-6:] + '"' not in dump
    from sync.county.sealing import Sealer

    sealer = Sealer((hub.data_dir / "hub.key").read_bytes())
    wanted = sealer.value_hash("id_number", township_log.id_numbers[0])
    assert pg.query(hub.dbname, f"select count(*) from sealed_values where value_hash = '{wanted}'")[0][0] >= 1


# ------------------------------------------------------------------ the audit chain the hub holds

def test_the_hub_holds_the_chain_and_flags_a_fork(hub, township_log, pg):
    http = _device(hub)
    links = township_log.links
    r = _push(http, hub, _fresh(township_log), links[:-1])
    assert r.json()["audit_status"] == "ok"
    assert _push(http, hub, [], links[-1:]).json()["audit_status"] == "ok"     # continues the held head
    forged = links[-1].model_copy(update={"hash": secrets.token_hex(32)})
    r = _push(http, hub, [], [forged])
    assert r.json()["audit_status"] == "broken" and "不一致" in r.json()["audit_problem"]
    assert pg.query(hub.dbname, "select count(*) from hub_audit where action = 'audit_chain_broken'")[0][0] >= 1


def test_a_chain_that_skips_what_the_hub_holds_is_not_taken_as_continuing(hub, township_log):
    http = _device(hub)
    links = township_log.links
    assert len(links) >= 3
    _push(http, hub, [], links[:1])
    r = _push(http, hub, [], links[2:])
    assert r.json()["audit_status"] == "broken" and "缺少" in r.json()["audit_problem"]
