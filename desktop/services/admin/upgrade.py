"""The data steps an upgrade needs beyond the schema: run once per database, right after migrations.

``sign_in`` (the window and every CLI command that opens the database) hands these to
``Database.unlock``; the database runs each one it has not had yet (a ``meta`` marker) in its own
write transaction, after the Alembic migrations and before anyone signs in. They are not Alembic
scripts because they count on the policy and the working-day calendar, which the store (where the
migrations live) may not import. Each step audits what it changed, as it did inside sign-in before.

- :data:`backfill.MARKER` — clocks and referrals of open accepted cases from before Step 5;
- :data:`backfill.TOWNSHIP_MARKER` — referrals never sent of township-procedure categories cancelled;
- :data:`RECHECK_CLASSES_MARKER` — the re-check classes release 0.1.0 wrote (``irregular``,
  ``c_class``) renamed to the policy's (``irregular_income``, ``class_c_urban``/``class_c_rural`` by
  the household's hukou), without which the next step and the re-check list could not read them;
- :data:`RECHECKS_MARKER` — the first re-check of every coverage from before the re-check schedule;
- :data:`NAME_INITIALS_MARKER` — the pinyin initials of names holding a character pypinyin lacks
  (``names.RARE_NAME_READINGS``); the marker names the table, so adding a character runs it again.
- :func:`due_days_marker` — once per bundled holiday calendar: every running 暂定 due day (and any
  left open by an older release) counted again on the calendar this release ships, so a release
  that bundles next year's official schedule fixes the old clocks
  (:mod:`desktop.services.deadlines.recompute`). :func:`post_upgrade_steps` is the full list.

A new database runs them too, on nothing, at its first opening (each writes only its marker).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.domain.household import HukouType
from desktop.domain.names import RARE_NAME_READINGS, name_initials
from desktop.domain.policy import RecheckClass
from desktop.services.admin import backfill
from desktop.services.coverage import rechecks
from desktop.store import audit
from desktop.store.migrate import PostUpgradeStep
from desktop.store.models import Coverage, Household, Person
from desktop.store.policy_registry import registry_of
from desktop.store.timekeeping import Clock

__all__ = ["DUE_DAYS_MARKER", "NAME_INITIALS_MARKER", "POST_UPGRADE_STEPS", "RECHECKS_MARKER", "RECHECK_CLASSES_MARKER",
           "due_days_marker", "post_upgrade_steps"]

ACTOR = "system"
RECHECK_CLASSES_MARKER = "upgrade.recheck_classes_0_1"
RECHECKS_MARKER = "upgrade.recheck_schedule"
NAME_INITIALS_MARKER = "upgrade.name_initials:" + hashlib.sha256(
    "".join(sorted(RARE_NAME_READINGS)).encode()).hexdigest()[:12]
DUE_DAYS_MARKER = "upgrade.due_days_recomputed"
# release 0.1.0's codes -> today's; "c_class" depends on the household (see _legacy_recheck_classes)
_RENAMED = {"irregular": RecheckClass.IRREGULAR_INCOME.value}
_LEGACY_C = "c_class"


def _clocks_and_referrals(s: Session, clock: Clock) -> None:
    backfill.backfill(s, actor=ACTOR, today=clock.today())


def _township_referrals(s: Session, clock: Clock) -> None:
    backfill.cancel_township_referrals(s, actor=ACTOR)


def _legacy_recheck_classes(s: Session, clock: Clock) -> None:
    rows = s.execute(select(Coverage, Household.hukou_type).join(Household, Household.uuid == Coverage.household_uuid)
                     .where(Coverage.recheck_class.in_([*_RENAMED, _LEGACY_C]))).all()
    renamed: dict[str, int] = {}
    for cov, hukou in rows:
        if cov.recheck_class == _LEGACY_C:
            new = (RecheckClass.CLASS_C_URBAN if hukou == HukouType.URBAN.value else RecheckClass.CLASS_C_RURAL).value
        else:
            new = _RENAMED[cov.recheck_class]
        key = f"{cov.recheck_class}->{new}"
        renamed[key] = renamed.get(key, 0) + 1
        cov.recheck_class = new
    if renamed:
        s.flush()
        audit.append_event(s, actor=ACTOR, action="coverage.recheck_class_renamed", entity_type="coverage",
                           detail={"renamed": renamed})


def _recheck_schedule(s: Session, clock: Clock) -> None:
    rechecks.schedule_unscheduled(s, actor=ACTOR, today=clock.today())


def _rare_name_initials(s: Session, clock: Clock) -> None:
    if not RARE_NAME_READINGS:
        return
    people = s.scalars(select(Person).where(or_(*(Person.name.contains(ch) for ch in RARE_NAME_READINGS)))).all()
    changed = 0
    for person in people:
        initials = name_initials(person.name)
        if person.name_initials != initials:
            person.name_initials, changed = initials, changed + 1
    if changed:
        s.flush()
        audit.append_event(s, actor=ACTOR, action="person.name_initials_recomputed", entity_type="person",
                           detail={"count": changed})


POST_UPGRADE_STEPS: tuple[PostUpgradeStep, ...] = (
    PostUpgradeStep(backfill.MARKER, _clocks_and_referrals),
    PostUpgradeStep(backfill.TOWNSHIP_MARKER, _township_referrals),
    PostUpgradeStep(RECHECK_CLASSES_MARKER, _legacy_recheck_classes),
    PostUpgradeStep(RECHECKS_MARKER, _recheck_schedule),
    PostUpgradeStep(NAME_INITIALS_MARKER, _rare_name_initials),
)


def due_days_marker() -> str:
    """The marker of the due-day recompute for the calendar this release bundles (its sha256)."""
    from desktop.resources import CALENDAR_FILE, resources_dir  # noqa: PLC0415

    digest = hashlib.sha256((resources_dir() / CALENDAR_FILE).read_bytes()).hexdigest()[:16]
    return f"{DUE_DAYS_MARKER}.{digest}"


def _due_days(s: Session, clock: Clock) -> None:
    from desktop.services.deadlines.recompute import recompute_due_days  # noqa: PLC0415

    recompute_due_days(s, registry_of(s).rebuilt(s), actor=ACTOR, reason="程序升级：按随程序发布的节假日安排重新计算")


def post_upgrade_steps() -> tuple[PostUpgradeStep, ...]:
    """Every post-upgrade step, the due-day recompute of this release's calendar last."""
    return (*POST_UPGRADE_STEPS, PostUpgradeStep(due_days_marker(), _due_days))
