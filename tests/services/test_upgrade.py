"""The saved release database opened by the CLI and then by the window's sign-in: the post-upgrade
steps run once, before the first login is recorded, each audited once; not inside sign-in."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from desktop.cli import main
from desktop.domain.policy import RecheckClass
from desktop.services.admin import backfill, upgrade
from desktop.services.admin.accounts import sign_in
from desktop.store.models import AuditEvent, Coverage, Meta, OutboxItem
from desktop.store.models_recheck import Recheck
from sync import events as ev

RELEASE = Path(__file__).resolve().parents[1] / "data" / "releases" / "0.1.0"
RELEASE_PASSWORD = "release-db-2026"
STEP_EVENTS = ("clocks_backfilled", "coverage.recheck_class_renamed", "recheck.scheduled")


def test_release_database_upgraded_by_the_cli_then_signed_in_runs_each_step_once(tmp_path, monkeypatch, capsys):
    work = tmp_path / "release"
    shutil.copytree(RELEASE, work)
    monkeypatch.setenv("YIMEN_PASSWORD", RELEASE_PASSWORD)
    assert main(["verify-audit", "--data-dir", str(work), "--user", "admin"]) == 0
    capsys.readouterr()
    session = sign_in(work, "admin", RELEASE_PASSWORD)
    try:
        with session.db.read() as s:
            for step in upgrade.POST_UPGRADE_STEPS:
                assert s.get(Meta, step.marker) is not None, step.marker
            seqs = {action: s.scalars(select(AuditEvent.seq).where(AuditEvent.action == action)).all()
                    for action in (*STEP_EVENTS, "login")}
            for action in STEP_EVENTS:
                assert len(seqs[action]) == 1, action
            # upgraded before anyone signed in: the steps' events precede the first login of this run
            assert max(seq for a in STEP_EVENTS for seq in seqs[a]) < min(seqs["login"][-2:])
            known = {c.value for c in RecheckClass}
            classes = s.scalars(select(Coverage.recheck_class)).all()
            assert classes and set(classes) <= known
            open_coverage = s.scalar(select(func.count()).select_from(Coverage).where(Coverage.until.is_(None)))
            with_recheck = s.scalar(select(func.count(func.distinct(Recheck.coverage_id)))
                                    .where(Recheck.done_on.is_(None)))
            assert open_coverage == with_recheck > 0
            assert backfill.missing_count(s) == 0
            # revision 0008: every coverage has its own uuid; what the steps queued is the typed event log
            uuids = s.scalars(select(Coverage.uuid)).all()
            assert len(set(uuids)) == len(uuids) == len(classes) and all(len(u) == 36 for u in uuids)
            rows = s.scalars(select(OutboxItem).order_by(OutboxItem.seq)).all()
            assert rows and [r.seq for r in rows] == list(range(1, len(rows) + 1))
            for r in rows:
                assert (r.township_code, r.device_code, r.origin, r.schema_version) == ("620102101", "001",
                                                                                        "township", 1)
                assert ev.parse_event(r.event_type, r.schema_version, r.payload).subject() == r.entity_uuid
            assert {r.event_type for r in rows} <= {"referral.backfilled", "referral.cancelled"}
    finally:
        session.close()



def test_names_with_a_character_pypinyin_lacks_get_their_initials_after_the_upgrade(admin_session, data_dir):
    """Databases made before 𠮷 had a reading stored "zx" for 张𠮷祥: the step recomputes them, once."""
    from conftest import FAST_KDF
    from factories import complete_application
    from sqlalchemy import delete, func, select

    from desktop.domain.roles import Role
    from desktop.services.admin import accounts
    from desktop.services.admin.accounts import sign_in
    from desktop.services.admin.upgrade import NAME_INITIALS_MARKER, POST_UPGRADE_STEPS
    from desktop.services.intake.accept import submit_application
    from desktop.store.models import AuditEvent, Meta, Person

    accounts.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    clerk = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    try:
        submit_application(clerk, complete_application(clerk), "accept")
    finally:
        clerk.close()
    db = admin_session.db
    with db.write() as s:   # as an older release stored it
        person = s.scalars(select(Person).limit(1)).one()
        person.name, person.name_initials = "张𠮷祥", "zx"
        s.execute(delete(Meta).where(Meta.key == NAME_INITIALS_MARKER))
    assert NAME_INITIALS_MARKER in db.run_post_upgrade(POST_UPGRADE_STEPS)
    with db.read() as s:
        assert s.scalar(select(Person.name_initials).where(Person.name == "张𠮷祥")) == "zjx"
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "person.name_initials_recomputed")) == 1
    assert NAME_INITIALS_MARKER not in db.run_post_upgrade(POST_UPGRADE_STEPS)   # once
