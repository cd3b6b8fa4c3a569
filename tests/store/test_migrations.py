"""Migrations walk from empty to head on a real SQLCipher file; a saved release database upgrades."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from desktop.store import audit, migrate
from desktop.store.database import Database
from desktop.store.engine import build_engine
from desktop.store.schema import Base

RELEASES = Path(__file__).resolve().parents[1] / "data" / "releases"
RELEASE_PASSWORD = "release-db-2026"   # see tests/data/releases/README.md


def test_walk_every_revision_from_empty_to_head_and_back(tmp_path):
    engine = build_engine(tmp_path / "walk.db", secrets.token_bytes(32), create=True)
    cfg = migrate.alembic_config()
    revisions = [r.revision for r in reversed(list(ScriptDirectory.from_config(cfg).walk_revisions()))]
    assert revisions[-1] == migrate.head_revision()
    for rev in revisions:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, rev)
        assert migrate.current_revision(engine) == rev
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert migrate.current_revision(engine) is None
    engine.dispose()


def _revision_of(data_dir: Path) -> str | None:
    from desktop.store.keyslots import KeySlotFile

    key = KeySlotFile.load(data_dir / "keyslots.json").unlock("admin", RELEASE_PASSWORD)
    engine = build_engine(data_dir / "yimen.db", key)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def test_saved_release_databases_upgrade_to_head(tmp_path):
    releases = sorted(d for d in RELEASES.iterdir() if (d / "yimen.db").exists())
    assert releases, "at least one saved release database must be kept under tests/data/releases"
    for release in releases:
        work = tmp_path / release.name
        shutil.copytree(release, work)
        saved_revision = _revision_of(work)
        db = Database.unlock(work, "admin", RELEASE_PASSWORD)
        try:
            assert migrate.current_revision(db.engine) == migrate.head_revision()
            if saved_revision != migrate.head_revision():
                # an encrypted backup of the old schema was taken before upgrading
                assert db.backup_before_migration is not None
                assert (db.backup_before_migration / "yimen.db").exists()
            counts = db.table_counts()
            assert counts["households"] > 0 and counts["cases"] > 0
            with db.read() as s:
                assert audit.verify_chain(s).ok
        finally:
            db.close()
