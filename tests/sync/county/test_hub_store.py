"""The hub's store without HTTP: the migrations build exactly the models on PostgreSQL and on SQLite
(the one-command trial), and the same push logic runs on both."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from county.conftest import county
from sync.county import service
from sync.county.database import HubDatabase, head_revision
from sync.county.models import Base
from sync.county.sealing import Sealer, new_key
from sync.protocol import EnrollRequest, PushEvent, PushRequest

NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


@pytest.fixture(params=["postgresql", "sqlite"])
def hub_db(request, pg, tmp_path):  # type: ignore[no-untyped-def]
    url = pg.url(pg.new_database()) if request.param == "postgresql" else f"sqlite:///{tmp_path}/hub.db"
    db = HubDatabase(url)
    db.migrate()
    yield db
    db.dispose()


def test_the_migrations_build_exactly_the_models(hub_db):
    assert hub_db.revision() == head_revision()
    with hub_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def _event(seq: int, key: str, address: str = "东坪村三组12号") -> PushEvent:
    return PushEvent(seq=seq, idempotency_key=key, event_type="household.snapshot", schema_version=1,
                     origin="township", entity_type="household", entity_uuid="11111111-2222-3333-4444-555555555555",
                     occurred_at=NOW, payload={"household_uuid": "11111111-2222-3333-4444-555555555555",
                                               "division_code": "620102101201", "hukou_type": "rural",
                                               "address": address})


def test_the_same_push_logic_on_both_databases(hub_db):
    sealer = Sealer(new_key())
    with hub_db.write() as s:
        service.add_township(s, "620102101", "测试镇")
        code = service.issue_enrollment_code(s, "620102101", "007", actor="it", now=NOW)
    with hub_db.write() as s:
        token = service.enroll(s, EnrollRequest(enrollment_code=code.lower().replace("-", ""),
                                                township_code="620102101", device_code="007",
                                                public_key="ab" * 32),
                               client_version="0.1.0", now=NOW, county_name="测试县").device_token
    key = str(uuid.uuid4())
    for expected in ("accepted", "duplicate"):
        with hub_db.write() as s:
            device = service.device_for_token(s, token, now=NOW)
            out = service.apply_push(s, device, PushRequest(events=[_event(1, key)]), sealer, NOW)
        assert [r.status for r in out.results] == [expected], out
    with hub_db.write() as s:
        device = service.device_for_token(s, token, now=NOW)
        out = service.apply_push(s, device, PushRequest(events=[_event(1, key, "别处")]), sealer, NOW)
    assert out.results[0].status == "conflict"


def test_an_uninitialised_directory_is_named_and_init_refuses_to_run_twice(tmp_path):
    out = county("device", "list", "--data-dir", str(tmp_path / "none"))
    assert out.returncode == 2 and "yimen-county init" in out.stderr and "Traceback" not in out.stderr
    target = tmp_path / "trial"
    first = county("init", "--data-dir", str(target), "--county-name", "试用县")
    assert first.returncode == 0 and "CA 指纹" in first.stdout and (target / "hub.db").exists()
    again = county("init", "--data-dir", str(target), "--county-name", "试用县")
    assert again.returncode == 2 and "不会覆盖" in again.stderr
    key = (target / "hub.key").stat()
    assert key.st_mode & 0o077 == 0                     # private files are the owner's only
