"""Import policy tables and holiday calendars into the encrypted database; list what was imported.

``yimen policy import FILE`` (administrators only) takes either

- a policy table (the format of ``resources/policy/*.json``: one region from one date), or
- a working-day calendar (the format of ``resources/calendar/cn_workdays.json``: one or more years),

validates it with the same loaders the bundled files go through, and keeps it in ``policy_updates``
(one row per policy table, one per calendar year) with its sha256, where it came from, when and by
whom. A bad file is refused with the loader's Chinese message and nothing is changed. The import is
one write transaction with its audit event; a calendar that brings a year recomputes, in the same
transaction, every running 暂定 due day (:mod:`desktop.services.deadlines.recompute`, audited as one
event with the counts). After the commit the database's registry is reloaded.

A policy table never changes a case already running: cases, clocks, referrals, re-checks and notice
batches keep resolving their rules by the ``policy_ref`` they stored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from desktop.domain.policy import PolicyError, parse_policy_table
from desktop.domain.roles import Permission
from desktop.domain.text_rules import is_invisible
from desktop.domain.workdays import CalendarError, WorkCalendar
from desktop.services.deadlines.recompute import Recomputed, recompute_due_days
from desktop.services.errors import InvalidInput
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.models_policy import PolicyUpdate
from desktop.store.policy_registry import CALENDAR, POLICY, StoredUpdate

__all__ = ["ImportResult", "UpdateRow", "import_file", "import_update", "list_updates"]

MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    kind: str                      # POLICY | CALENDAR
    refs: tuple[str, ...]          # the policy ref, or the calendar years
    recomputed: Recomputed | None  # for a calendar: the due days counted again

    @property
    def summary(self) -> str:
        if self.kind == POLICY:
            return f"已导入政策表 {self.refs[0]}（仅适用于此后受理的案件，已受理案件仍按原政策表办理）"
        text = f"已导入{'、'.join(self.refs)}年节假日安排"
        r = self.recomputed
        if r is not None and r.total:
            text += (f"；重新计算到期日：时限 {r.clocks} 项、案件 {r.cases} 件、公示 {r.batches} 批，"
                     f"其中 {r.confirmed} 项不再是暂定")
        return text


@dataclass(frozen=True)
class UpdateRow:
    kind: str
    ref: str
    sha256: str
    source: str
    imported_at: datetime
    imported_by: str
    in_force: bool                 # the newest row of its kind and ref (the one the registry uses)


def _digest(content: Any) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _shown(name: str) -> str:
    """A file name as a message may show it: control, invisible and surrogate characters escaped."""
    return "".join(c if c.isprintable() and not is_invisible(c) and not 0xD800 <= ord(c) <= 0xDFFF
                   else f"\\u{ord(c):04x}" for c in name)[:120] or "（空）"


def _read(path: Path) -> Any:
    name = _shown(path.name)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"无法读取文件 {name}：找不到该文件，请重新选择。", "file") from None
    except (OSError, ValueError) as exc:   # ValueError: a NUL in the path
        raise InvalidInput(f"无法读取文件 {name}（{type(exc).__name__}），请重新选择。", "file") from None
    if len(raw) > MAX_BYTES:
        raise InvalidInput(f"文件 {name} 过大（超过 2 MB），不是政策表或节假日安排", "file")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"文件 {name} 不是有效的 JSON（{exc}）", "file") from None


def _split(data: Any, origin: str) -> tuple[str, list[StoredUpdate]]:
    """What the file is, as the rows it becomes; the loaders' errors become :class:`InvalidInput`."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{origin}：内容应为 JSON 对象（政策表或节假日安排）", "file")
    try:
        if "years" in data or "covered_years" in data:
            cal = WorkCalendar.from_dict(data, origin=origin)
            rows = []
            for year in cal.covered_years:
                content = {"format": data.get("format"), "source": data.get("source", ""),
                           "covered_years": [year], "years": {str(year): data["years"][str(year)]}}
                WorkCalendar.from_dict(content, origin=origin)   # each stored year stands on its own
                rows.append(StoredUpdate(CALENDAR, str(year), content))
            return CALENDAR, rows
        table = parse_policy_table(data, origin)
        return POLICY, [StoredUpdate(POLICY, table.ref, data)]
    except (PolicyError, CalendarError) as exc:
        raise InvalidInput(exc.message, "file") from None


def import_file(session: AppSession, path: Path | str) -> ImportResult:
    session.require(Permission.MANAGE_SETTINGS)
    p = Path(path)
    return import_update(session, _read(p), source=p.name)


def import_update(session: AppSession, data: Any, *, source: str) -> ImportResult:
    """Validate ``data`` (a policy table or a calendar), store it, recompute, audit — or refuse and
    change nothing. Administrators only."""
    session.require(Permission.MANAGE_SETTINGS)
    origin = f"文件 {source}" if source else "导入内容"
    kind, rows = _split(data, origin)
    registry = session.db.policy
    now = session.clock.now()
    actor = session.user.username
    with session.db.write() as s:
        try:
            state = registry.rebuilt(s, rows)      # the whole registry must still build with it
        except (PolicyError, CalendarError) as exc:
            raise InvalidInput(exc.message, "file") from None
        latest = {(u.kind, u.ref): u.sha256 for u in s.scalars(select(PolicyUpdate).order_by(PolicyUpdate.id))}
        digests = [_digest(r.content) for r in rows]
        if all(latest.get((r.kind, r.ref)) == d for r, d in zip(rows, digests, strict=True)):
            raise InvalidInput(f"{origin} 的内容已经导入过，无需重复导入", "file")
        for r, d in zip(rows, digests, strict=True):
            s.add(PolicyUpdate(kind=r.kind, ref=r.ref, content=r.content, sha256=d, source=source,
                               imported_at=now, imported_by=actor))
        audit.append_event(s, actor=actor, action="policy_imported", entity_type=kind,
                           entity_id=",".join(r.ref for r in rows),
                           detail={"source": source, "refs": [r.ref for r in rows], "sha256": digests})
        recomputed = None
        if kind == CALENDAR:
            recomputed = recompute_due_days(s, state, actor=actor, reason=f"导入{source}")
    registry.reload()
    return ImportResult(kind, tuple(r.ref for r in rows), recomputed)


def list_updates(session: AppSession) -> list[UpdateRow]:
    """Every imported policy table and calendar year, oldest first. Administrators only."""
    session.require(Permission.MANAGE_SETTINGS)
    with session.db.read() as s:
        rows = list(s.scalars(select(PolicyUpdate).order_by(PolicyUpdate.id)))
    newest = {(r.kind, r.ref): r.id for r in rows}
    return [UpdateRow(r.kind, r.ref, r.sha256, r.source, r.imported_at, r.imported_by,
                      newest[(r.kind, r.ref)] == r.id) for r in rows]
