"""Schema migrations (Alembic), shipped inside the package and applied at start.

`upgrade_to_head` runs on an already-keyed connection: Alembic never opens the
encrypted file itself.

Data that an upgrade must fill in from rules of a higher layer (clocks counted
on the working-day calendar, referrals under the policy of the day…) cannot be
an Alembic script, which lives in the store and sees only SQL. Such work is a
:class:`PostUpgradeStep`: the caller that opens the database names them
(``Database.unlock(..., post_upgrade=...)``) and the database runs each one it
has not had yet right after the migrations, once per database, recorded by a
``meta`` marker written in the step's own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from .timekeeping import Clock

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class PostUpgradeStep:
    """One data step run once per database after the migrations (see the module docstring)."""

    marker: str                              # ``meta`` key; its value is the instant the step ran
    run: Callable[[Session, Clock], object]  # inside the step's write transaction; audits its own work


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def upgrade_to_head(engine: Engine) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
