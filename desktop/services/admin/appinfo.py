"""What the window needs to know about the installation, without importing lower layers into the UI.

What the login window needs before a database is open (fonts, translations, demo accounts, is
there a database) is in :mod:`.local_files`, light enough to import before the first window;
it is re-exported here for the signed-in side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from desktop.domain.case_state import CaseStatus
from desktop.domain.roles import Permission
from desktop.services.deadlines import planner as clocks
from desktop.services.session import AppSession
from desktop.store import migrate
from desktop.store.backup import list_backups
from desktop.store.device import device_info
from desktop.store.models import Case, Household, Meta, OutboxBlob, OutboxItem, Person
from desktop.store.outbox import waiting_count

# Written by the sync service (Step 6) after a completed run: ISO 8601 with time zone.
LAST_SYNC_META_KEY = "last_sync_at"
CALENDAR_HORIZON_DAYS = 60


@dataclass(frozen=True)
class Overview:
    township_name: str
    window_name: str
    device_code: str
    households: int
    persons: int
    cases_by_status: tuple[tuple[str, int], ...]   # (Chinese label, count)
    outbox_waiting: int
    township_review: int = 0      # applications village assistants sent on (待乡镇审查), for the clerk's home page


def overview(session: AppSession) -> Overview:
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        dev = device_info(s)
        hh = s.scalar(select(func.count()).select_from(Household)) or 0
        persons = s.scalar(select(func.count()).select_from(Person)) or 0
        rows = dict(s.execute(select(Case.status, func.count()).group_by(Case.status)).all())
        waiting = waiting_count(s)
    by_status = tuple((st.label, int(rows.get(st.value, 0))) for st in CaseStatus)
    return Overview(dev.township_name, dev.window_name, dev.device_code, int(hh), int(persons), by_status, waiting,
                    int(rows.get(CaseStatus.TOWNSHIP_REVIEW.value, 0)))


@dataclass(frozen=True)
class Installation:
    """Who this window is: fetched once at sign-in, for the window title and the home page."""

    township_name: str
    window_name: str
    county_name: str
    device_code: str


def installation(session: AppSession) -> Installation:
    with session.db.read() as s:
        dev = device_info(s)
    return Installation(dev.township_name, dev.window_name, dev.county_name, dev.device_code)


def outbox_waiting(session: AppSession) -> int:
    """Items not yet accepted by the county (pending, sent, needing attention)."""
    with session.db.read() as s:
        return waiting_count(s)


def calendar_warning(session: AppSession, today: date, horizon_days: int = CALENDAR_HORIZON_DAYS) -> str | None:
    """Why deadlines from today to ``horizon_days`` ahead are not official (暂定) or cannot be computed,
    or None when the official calendar covers them all."""
    planner = clocks.DeadlinePlanner.of(session)
    for year in range(today.year, (today + timedelta(days=horizon_days)).year + 1):
        problem = planner.calendar_problem(max(today, date(year, 1, 1)))
        if problem:
            return problem
    return None


@dataclass(frozen=True)
class ShellStatus:
    """What the status bar shows; refreshed every minute and after background work."""

    outbox_waiting: int
    last_sync_at: datetime | None      # None: never synced
    calendar_problem: str | None       # None: the working-day calendar covers the next 60 days


def shell_status(session: AppSession, today: date | None = None) -> ShellStatus:
    with session.db.read() as s:
        waiting = waiting_count(s)
        meta = s.get(Meta, LAST_SYNC_META_KEY)
        last = meta.value if meta is not None else None
    try:
        last_at = datetime.fromisoformat(last) if last else None
    except ValueError:
        last_at = None
    return ShellStatus(waiting, last_at, calendar_warning(session, today or session.clock.today()))


@dataclass(frozen=True)
class AboutInfo:
    """The read-only "about this PC" block of the settings page (administrators only)."""

    device_code: str
    township_name: str
    county_name: str
    data_dir: Path
    database_path: Path
    schema_version: str
    schema_head: str
    backups: int
    last_backup: str        # folder name of the newest backup, "" when none


def about(session: AppSession) -> AboutInfo:
    session.require(Permission.MANAGE_SETTINGS)
    with session.db.read() as s:
        dev = device_info(s)
    backups = list_backups(session.db.data_dir)
    return AboutInfo(dev.device_code, dev.township_name, dev.county_name, session.db.data_dir, session.db.path,
                     migrate.current_revision(session.db.engine) or "", migrate.head_revision(), len(backups),
                     backups[-1][0].name if backups else "")


# What a queued record is, in the words of the window (by the event's entity).
QUEUE_KINDS: tuple[tuple[str, str], ...] = (
    ("household", "家庭登记"), ("person", "家庭成员信息"), ("case", "案件受理与办理"), ("referral", "转办"),
    ("emergency_grant", "先行救助"), ("coverage", "救助待遇"), ("recheck", "复核"), ("notice_batch", "公示"),
    ("attachment", "附件（照片、回复函等）"),
)


@dataclass(frozen=True)
class QueueSummary:
    """The 同步 page: what this PC keeps for the county, not sent yet."""

    waiting: int                                  # records (events) not yet accepted by the county
    by_kind: tuple[tuple[str, int], ...]          # (Chinese kind, count), most first
    oldest_at: datetime | None                    # when the oldest waiting record was made (UTC)
    attention: int                                # refused by the county, with a reason (none before Step 8)
    files_waiting: int                            # files the records name (photos, replies), to upload once
    last_sync_at: datetime | None                 # None: never connected


def queue_summary(session: AppSession) -> QueueSummary:
    session.require(Permission.VIEW_CASES)
    waiting_states = ("pending", "sent", "attention")
    own = (OutboxItem.origin == "township", OutboxItem.state.in_(waiting_states))
    with session.db.read() as s:
        counts = dict(s.execute(select(OutboxItem.entity_type, func.count()).where(*own)
                                .group_by(OutboxItem.entity_type)).all())
        oldest = s.scalar(select(func.min(OutboxItem.occurred_at)).where(*own))
        attention = int(s.scalar(select(func.count()).select_from(OutboxItem)
                                 .where(OutboxItem.origin == "township", OutboxItem.state == "attention")) or 0)
        files = int(s.scalar(select(func.count()).select_from(OutboxBlob).where(OutboxBlob.state == "pending")) or 0)
        meta = s.get(Meta, LAST_SYNC_META_KEY)
    labels = dict(QUEUE_KINDS)
    by_kind = sorted(((labels.get(kind, "其他记录"), int(n)) for kind, n in counts.items()), key=lambda kv: -kv[1])
    merged: dict[str, int] = {}
    for label, n in by_kind:
        merged[label] = merged.get(label, 0) + n
    try:
        last = datetime.fromisoformat(meta.value) if meta is not None and meta.value else None
    except ValueError:
        last = None
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return QueueSummary(sum(merged.values()), tuple(merged.items()), oldest, attention, files, last)
