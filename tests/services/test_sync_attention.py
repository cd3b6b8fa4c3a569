"""需处理 as a service: refused pushes and pulled conflicts listed together, 已知悉 audited and leaving the list,
the export for county IT (CSV, UTF-8 with BOM, Chinese header) with no plain ID number or phone in it,
and enrollment keeping nothing when the hub refuses."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime

import pytest
from conftest import FAST_KDF
from factories import HEAD, WIFE, complete_application, make_id
from sqlalchemy import func, select

from desktop.domain.redaction import redact, redact_text
from desktop.domain.roles import Role
from desktop.services.admin import accounts
from desktop.services.errors import InvalidInput, NotFound, ServiceError
from desktop.services.intake.accept import submit_application
from desktop.services.sync import enrollment, overview, settings
from desktop.store.models import AuditEvent, Case, Meta, OutboxItem
from desktop.store.models_sync import PulledItem
from sync.errors import SyncError

PHONE = "13912345678"
TYPED_ID = make_id("62010219800303003")          # an ID number a clerk typed into a free-text reason
LANDLINE = "0931-5550123"


@pytest.fixture
def clerk(admin_session, data_dir):  # type: ignore[no-untyped-def]
    accounts.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    session = accounts.sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    yield session
    session.close()


def _refused_and_conflict(clerk) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Every record of one accepted application refused by the county, and a pulled county decision that
    no longer fits (as pull.py keeps one); the case uuid and the pulled item's key."""
    app = dataclasses.replace(complete_application(clerk), contact_phone=PHONE,
                              reason=f"申请人称身份证 {TYPED_ID}，联系 {LANDLINE}")
    case_uuid = submit_application(clerk, app, "accept").case_uuid
    with clerk.db.write() as s:
        for row in s.scalars(select(OutboxItem).where(OutboxItem.origin == "township")):
            row.state, row.last_error, row.attempts = "attention", f"县级平台拒收：号码 {HEAD} 与已登记的不符", 1
        s.add(PulledItem(idempotency_key="7d1f9a52-0000-4000-8000-000000000001", feed_seq=7, source="county",
                         device_code="", event_type="county.case_decided", entity_type="county",
                         entity_uuid=case_uuid, outcome="conflict",
                         reason="本机已记录“不予批准”，与县级的审核确认“批准”不符：本机记录未作更改",
                         pulled_at=datetime(2026, 5, 6, 1, 2, 3, tzinfo=UTC)))
    return case_uuid, "7d1f9a52-0000-4000-8000-000000000001"


def test_redaction_masks_id_numbers_and_phones_by_field_and_in_free_text():
    got = redact({"id_number": HEAD, "contact_phone": PHONE, "name": "张三明",
                  "reason": f"号码{TYPED_ID}，电话{PHONE}或{LANDLINE}",
                  "members": [{"id_number": WIFE.lower()}], "case_number": "62010210100320260001234",
                  "division_code": "620102101201", "amount_cents": 65000})
    text = json.dumps(got, ensure_ascii=False)
    for secret in (HEAD, WIFE, WIFE.lower(), TYPED_ID, PHONE, "5550123"):
        assert secret not in text
    assert got["id_number"] == "*" * 14 + HEAD[-4:] and got["contact_phone"] == "139****5678"
    assert got["case_number"] == "62010210100320260001234" and got["division_code"] == "620102101201"
    assert got["name"] == "张三明" and got["amount_cents"] == 65000
    assert redact_text("无") == "无"


def test_attention_lists_refused_pushes_and_pulled_conflicts_and_acknowledging_is_audited(clerk):
    case_uuid, key = _refused_and_conflict(clerk)
    found = overview.attention(clerk)
    assert found.refused and all(it.reason.startswith("县级平台拒收") for it in found.refused)
    with clerk.db.read() as s:
        number = s.get(Case, case_uuid).case_number
    assert any(it.case_number.replace("-", "") == number for it in found.refused)
    [conflict] = found.conflicts
    assert (conflict.key, conflict.source, conflict.what) == (key, "县级", "县级审核确认")
    assert conflict.case_number.replace("-", "") == number and "未作更改" in conflict.reason

    overview.acknowledge_conflict(clerk, key)
    assert overview.attention(clerk).conflicts == [] and overview.pulled_conflicts(clerk) == []
    with clerk.db.read() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == overview.ACK_ACTION)).one()
        assert (ev.actor, ev.entity_id) == ("clerk", key)
        assert s.get(PulledItem, key).outcome == "conflict"        # the record of what came stays as it was
    with pytest.raises(InvalidInput) as again:
        overview.acknowledge_conflict(clerk, key)
    assert "已知悉" in again.value.message
    with pytest.raises(NotFound):
        overview.acknowledge_conflict(clerk, "no-such-key")


def test_the_export_for_county_it_has_every_item_and_no_plain_id_number_or_phone(clerk, tmp_path):
    case_uuid, key = _refused_and_conflict(clerk)
    overview.acknowledge_conflict(clerk, key)
    refused = len(overview.attention(clerk).refused)
    target = tmp_path / "需处理记录.csv"
    done = overview.export_attention(clerk, target)
    assert (done.refused, done.conflicts) == (refused, 1)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                                  # Excel opens it as UTF-8
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == overview.EXPORT_HEADER
    assert len(rows) == 1 + refused + 1
    with clerk.db.read() as s:
        ids = {HEAD, WIFE, TYPED_ID, *s.scalars(select(OutboxItem.payload["id_number"].as_string())
                                                 .where(OutboxItem.event_type == "person.snapshot"))}
        seqs = {str(r) for r in s.scalars(select(OutboxItem.seq).where(OutboxItem.state == "attention"))}
    for secret in (*ids, PHONE, LANDLINE, "5550123"):
        assert secret and secret not in text, secret
    assert "139****5678" in text and "*" * 14 + HEAD[-4:] in text
    assert {r[1] for r in rows[1:] if r[0] == "退回的报送"} == seqs
    [pulled] = [r for r in rows[1:] if r[0] == "县级结果与本机记录不符"]
    assert (pulled[2], pulled[5], pulled[10]) == ("县级审核确认", "已知悉", key)
    assert all(json.loads(r[11]) for r in rows[1:])                          # each envelope is whole
    with clerk.db.read() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "sync_attention_exported")).one()
        assert json.loads(ev.detail)["refused"] == refused


def test_an_export_to_a_place_that_does_not_exist_writes_and_audits_nothing(clerk, tmp_path):
    _refused_and_conflict(clerk)
    with pytest.raises(InvalidInput) as err:
        overview.export_attention(clerk, tmp_path / "no-such-dir" / "x.csv")
    assert "不存在" in err.value.message
    with clerk.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "sync_attention_exported")) == 0


def _ca_pem() -> bytes:
    """A throwaway self-signed CA certificate (the hub's own comes from yimen-county init)."""
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试县 CA")])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(start).not_valid_after(start + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def test_a_file_that_is_not_a_ca_certificate_is_said_in_chinese():
    with pytest.raises(ServiceError) as err:
        enrollment.ca_file_fingerprint(b"not a certificate")
    assert "不是有效的 CA 证书" in err.value.message
    assert len(enrollment.ca_file_fingerprint(_ca_pem()).split(":")) == 32


class _Refusing:
    token = ""

    def __init__(self, error: SyncError) -> None:
        self.error = error

    def enroll(self, req):  # type: ignore[no-untyped-def]
        raise self.error


def _meta(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with session.db.read() as s:
        return {m.key: m.value for m in s.scalars(select(Meta)) if m.key.startswith("sync.")}


@pytest.mark.parametrize("error", [
    SyncError("bad_enrollment_code", "注册码无效、已过期或与该乡镇和设备代码不符，请向县级信息管理员索取新的注册码。",
              retryable=False),
    SyncError("code_used", "该注册码已被另一台电脑使用。", retryable=False),
    SyncError("unreachable", "无法连接县级平台。", retryable=True),
])
def test_a_refused_enrollment_or_re_enrollment_keeps_nothing(admin_session, data_dir, error):
    pem = _ca_pem()
    with pytest.raises(ServiceError):          # first enrollment
        enrollment.enroll(admin_session, lambda url, ca, pin: _Refusing(error), "https://127.0.0.1:9", pem,
                          enrollment.ca_file_fingerprint(pem), "ABCD-EFGH")
    assert _meta(admin_session) == {} and not enrollment.status(admin_session).enrolled
    with admin_session.db.write() as s:        # an enrolled PC: its link survives a refused re-enrollment
        settings.put(s, settings.HUB_URL, "https://hub.example:8443")
        settings.put(s, settings.TOKEN, "old-token")
    (data_dir / settings.CA_FILENAME).write_bytes(b"old ca")
    before = _meta(admin_session)
    with pytest.raises(ServiceError) as err:
        enrollment.enroll(admin_session, lambda url, ca, pin: _Refusing(error), "https://127.0.0.1:9", pem,
                          enrollment.ca_file_fingerprint(pem), "ABCD-EFGH")
    assert err.value.message == f"注册失败：{error.message}"
    assert _meta(admin_session) == before
    assert (data_dir / settings.CA_FILENAME).read_bytes() == b"old ca"
    assert not (data_dir / (settings.CA_FILENAME + ".new")).exists()
    assert enrollment.status(admin_session).hub_url == "https://hub.example:8443"
