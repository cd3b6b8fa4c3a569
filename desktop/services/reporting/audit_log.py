"""Reading the audit log (审计日志): filtered, paged newest first, labelled in Chinese, verified, exported.

Only roles holding ``VIEW_AUDIT`` (审计员, 审核人, 系统管理员) may call these. Reading and
verifying write nothing; exporting to CSV records one ``audit_exported`` event (as
report exports do), whose detail carries the filter and the count, never the free text.
Details were written without ID numbers by the writers; nothing here adds any.

Paging is by sequence number (``before_seq``: the last row already shown), so a page
deep in 200,000 events costs the same as the first; ``offset`` is accepted for callers
that have no row yet.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import TRANSITIONS_BY_NAME
from desktop.domain.roles import Permission
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.backup import chain_anchors
from desktop.store.models import AuditEvent, Case, User
from desktop.store.models_referral import Referral

ACTION_LABELS: dict[str, str] = {
    "database_created": "建立数据库",
    "demo_created": "生成演示数据",
    "login": "登录",
    "logout": "退出登录",
    "failed_logins": "登录失败（密码错误）",
    "screen_locked": "锁定屏幕",
    "screen_unlocked": "解锁屏幕",
    "user_added": "新增用户",
    "user_removed": "停用用户",
    "password_changed": "修改本人密码",
    "password_reset": "重置密码",
    "account_unlocked": "解除账户锁定",
    "window_contact_changed": "修改窗口联系方式",
    "backup_made": "备份数据库",
    "audit_verified": "校验审计日志",
    "audit_exported": "导出审计日志",
    "search_by_id": "按身份证号查询",
    "id_revealed": "查看完整身份证号",
    "household_opened_for_intake": "打开家庭信息以受理",
    "case_created": "受理登记",
    "documents_received": "补收材料",
    "document_printed": "打印文书",
    "document_voided": "作废打印件",
    "emergency_aid_granted": "先行救助",
    "home_visit_recorded": "登记入户调查",
    "economic_check_requested": "申请经济状况核对",
    "economic_check_result_recorded": "登记核对结果",
    "neighbour_visit_recorded": "登记邻里访问",
    "deliberation_recorded": "登记民主评议",
    "investigation_attachment_opened": "查看调查附件",
    "notice_batch_created": "建立公示批次",
    "notice_posted": "张贴公示",
    "notice_posting_added": "补记张贴地点",
    "notice_photo_added": "添加公示照片",
    "notice_start_changed": "修改公示开始日",
    "notice_case_removed": "移出公示批次",
    "notice_objection_recorded": "登记公示异议",
    "notice_objection_handled": "处理公示异议",
    "notice_ended": "公示期满",
    "notice_withdrawn": "撤回公示",
    "referral.created": "建立转办",
    "referral.sent": "转出",
    "referral.received": "部门已接收",
    "referral.concluded": "录入部门办理结果",
    "referral.returned": "部门退回",
    "referral.cancelled": "撤销转办",
    "referral.reply_attached": "附上部门回函",
    "referral.reply_read": "查看部门回函",
    "referrals_township_cancelled": "撤销乡镇办理类别的转办",
    "clocks_backfilled": "补建办理时限",
    "coverage.created": "开始享受救助",
    "recheck.scheduled": "安排复核",
    "recheck.recorded": "录入复核结果",
    "report.exported": "导出统计报表",
}

#: groups offered above the single actions in the action filter: (prefix, label)
ACTION_GROUPS: tuple[tuple[str, str], ...] = (
    ("case.", "案件办理（全部状态变更）"),
    ("referral.", "转办（全部）"),
    ("notice_", "公示（全部）"),
)

ENTITY_LABELS = {"case": "案件", "referral": "转办", "user": "用户", "notice_batch": "公示批次", "backup": "备份",
                 "audit": "审计日志", "household": "家庭", "report": "报表", "coverage": "救助对象",
                 "recheck": "复核", "emergency_grant": "先行救助"}
OUTCOME_LABELS = {"ok": "成功", "failed": "失败", "refused": "被拒绝"}
_CASE_NUMBER_TEXT = re.compile(r"^[0-9Xx\-\s]{6,}$")
CSV_HEADER = ("序号", "时间", "操作人账号", "操作人", "操作", "操作代码", "对象", "对象类型", "对象编号", "结果", "详情")


def action_label(action: str) -> str:
    """The Chinese name of an action; an unknown one is shown as its code."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    if action.startswith("case."):
        t = TRANSITIONS_BY_NAME.get(action.removeprefix("case."))
        if t is not None:
            return t.label_zh
    return action


@dataclass(frozen=True)
class AuditFilter:
    date_from: date | None = None      # local days, both ends included
    date_to: date | None = None
    actor: str = ""                    # user name, exact
    action: str = ""                   # an action code, or a prefix ending in "." / "_" (a group)
    text: str = ""                     # entity id, user name or case number (digits, dashes allowed)
    outcome: str = ""


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: str                  # stored UTC ISO text
    local_time: str          # YYYY-MM-DD HH:MM:SS in the PC's time zone
    actor: str
    actor_name: str          # display name, or the user name if the user is unknown
    action: str
    action_label: str
    entity_type: str
    entity_id: str
    entity_label: str        # "案件 620102101-…" for cases and their referrals, else type and id
    outcome: str
    outcome_label: str
    detail: str              # compact JSON
    detail_pretty: str
    prev_hash: str
    hash: str


def _local_time(at: str) -> str:
    try:
        return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at


def _utc_text(day: date) -> str:
    """The stored text of the first instant of a local day."""
    start = datetime.combine(day, time()).astimezone()
    return start.astimezone(UTC).isoformat(timespec="microseconds")


def _is_group(action: str) -> bool:
    return action.endswith(".") or action.endswith("_")


def _conditions(s: Session, f: AuditFilter) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if f.date_from is not None:
        out.append(AuditEvent.at >= _utc_text(f.date_from))
    if f.date_to is not None:
        out.append(AuditEvent.at < _utc_text(f.date_to + timedelta(days=1)))
    if f.actor:
        out.append(AuditEvent.actor == f.actor)
    if f.action:
        if _is_group(f.action):   # a range, so the action index is used
            upper = f.action[:-1] + chr(ord(f.action[-1]) + 1)
            out.append(and_(AuditEvent.action >= f.action, AuditEvent.action < upper))
        else:
            out.append(AuditEvent.action == f.action)
    if f.outcome:
        out.append(AuditEvent.outcome == f.outcome)
    text = f.text.strip()
    if text:
        ids = {text}
        if _CASE_NUMBER_TEXT.match(text):
            digits = re.sub(r"[\s\-]", "", text).upper()
            escaped = digits.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            case_ids = list(s.scalars(select(Case.uuid).where(Case.case_number.like(f"%{escaped}%", escape="\\"))
                                      .limit(200)))
            ids.update(case_ids)
            if case_ids:   # the case's referrals are logged under their own ids
                ids.update(s.scalars(select(Referral.uuid).where(Referral.case_uuid.in_(case_ids))))
        out.append(AuditEvent.entity_id.in_(sorted(ids)))
    return out


def _names(s: Session) -> dict[str, str]:
    names = {"system": "系统"}   # start-up work done by the program itself (backfills)
    names.update({u: n for u, n in s.execute(select(User.username, User.display_name))})
    return names


def _case_of(ev: Any, parsed: Any) -> str | None:
    if ev.entity_type == "case":
        return str(ev.entity_id)
    if ev.entity_type == "referral" and isinstance(parsed, dict) and isinstance(parsed.get("case"), str):
        return parsed["case"]
    return None


def _rows(s: Session, events: list[Any]) -> list[AuditRow]:
    """Rows of one page: display names and case numbers looked up once for the page."""
    names = _names(s)
    parsed = [_parse(ev.detail) for ev in events]
    wanted = {c for ev, p in zip(events, parsed, strict=True) if (c := _case_of(ev, p))}
    numbers: dict[str, str] = {}
    if wanted:
        for uuid, number in s.execute(select(Case.uuid, Case.case_number).where(Case.uuid.in_(sorted(wanted)))):
            numbers[uuid] = number
    referrals = sorted({ev.entity_id for ev in events if ev.entity_type == "referral"})
    departments: dict[str, str] = {}
    if referrals:
        for uuid, name in s.execute(select(Referral.uuid, Referral.department_name)
                                    .where(Referral.uuid.in_(referrals))):
            departments[uuid] = name
    return [_row(ev, p, names, numbers, departments) for ev, p in zip(events, parsed, strict=True)]


def _parse(detail: str | None) -> Any:
    try:
        return json.loads(detail or "{}")
    except ValueError:
        return None


def _entity_label(ev: Any, parsed: Any, numbers: dict[str, str], departments: dict[str, str]) -> str:
    kind = ENTITY_LABELS.get(ev.entity_type, ev.entity_type)
    case = _case_of(ev, parsed)
    if case and case in numbers:
        try:
            label = f"案件 {format_case_number(numbers[case])}"
        except ValueError:
            label = f"案件 {numbers[case]}"
        if ev.entity_type == "referral":
            department = departments.get(ev.entity_id) or (parsed.get("department") if isinstance(parsed, dict)
                                                           else None)
            if department:
                label += f"（{department}）"
        return label
    return f"{kind} {ev.entity_id}".strip()


def _row(ev: Any, parsed: Any, names: dict[str, str], numbers: dict[str, str],
         departments: dict[str, str]) -> AuditRow:
    try:
        if parsed is None:
            raise ValueError(ev.detail)
        compact = json.dumps(parsed, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        pretty = json.dumps(parsed, ensure_ascii=False, sort_keys=True, indent=2)
    except ValueError:
        compact = pretty = ev.detail or ""
    if compact == "{}":
        compact = ""
    return AuditRow(seq=ev.seq, at=ev.at, local_time=_local_time(ev.at), actor=ev.actor,
                    actor_name=names.get(ev.actor, ev.actor), action=ev.action, action_label=action_label(ev.action),
                    entity_type=ev.entity_type, entity_id=ev.entity_id,
                    entity_label=_entity_label(ev, parsed, numbers, departments), outcome=ev.outcome,
                    outcome_label=OUTCOME_LABELS.get(ev.outcome, ev.outcome), detail=compact, detail_pretty=pretty,
                    prev_hash=ev.prev_hash, hash=ev.hash)


def _select(s: Session, f: AuditFilter, before_seq: int | None, offset: int, limit: int) -> list[Any]:
    conds = _conditions(s, f)
    if before_seq is not None:
        conds.append(AuditEvent.seq < before_seq)
        offset = 0
    q = select(AuditEvent).where(*conds).order_by(AuditEvent.seq.desc()).limit(limit)
    if offset:
        q = q.offset(offset)
    return list(s.scalars(q))


def list_events(session: AppSession, f: AuditFilter | None = None, offset: int = 0, limit: int = 200,
                before_seq: int | None = None) -> list[AuditRow]:
    """Events under the filter, newest first; pass ``before_seq`` (the last seq shown) for the next page."""
    session.require(Permission.VIEW_AUDIT)
    f = f or AuditFilter()
    with session.db.read() as s:
        return _rows(s, _select(s, f, before_seq, offset, limit))


def count_events(session: AppSession, f: AuditFilter | None = None) -> int:
    session.require(Permission.VIEW_AUDIT)
    with session.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent).where(*_conditions(s, f or AuditFilter())))
                   or 0)


@dataclass(frozen=True)
class EventPage:
    total: int
    rows: list[AuditRow]


def first_page(session: AppSession, f: AuditFilter | None = None, limit: int = 200) -> EventPage:
    """Count and first page in one snapshot (the window's first answer)."""
    session.require(Permission.VIEW_AUDIT)
    f = f or AuditFilter()
    with session.db.read() as s:
        total = int(s.scalar(select(func.count()).select_from(AuditEvent).where(*_conditions(s, f))) or 0)
        return EventPage(total, _rows(s, _select(s, f, None, 0, limit)))


def action_choices(session: AppSession) -> list[tuple[str, str]]:
    """(value, label) for the action filter: the groups first, then each action present, by label."""
    session.require(Permission.VIEW_AUDIT)
    with session.db.read() as s:
        present = list(s.scalars(select(AuditEvent.action).distinct()))
    groups = [(p, label) for p, label in ACTION_GROUPS if any(a.startswith(p) for a in present)]
    singles = sorted(((a, f"{action_label(a)}（{a}）" if action_label(a) != a else a) for a in present),
                     key=lambda pair: pair[1])
    return groups + singles


def actor_choices(session: AppSession) -> list[tuple[str, str]]:
    """(user name, "display name（user name）") of everyone who appears in the log."""
    session.require(Permission.VIEW_AUDIT)
    with session.db.read() as s:
        present = list(s.scalars(select(AuditEvent.actor).distinct()))
        names = _names(s)
    return sorted(((a, f"{names[a]}（{a}）" if a in names else a) for a in present), key=lambda pair: pair[0])


def verify(session: AppSession) -> audit.ChainReport:
    """Walk the whole chain (read-only) and report the first broken link."""
    session.require(Permission.VIEW_AUDIT)
    with session.db.read() as s:
        return audit.verify_chain(s, anchors=chain_anchors(session.db, s))


def verify_with_head(session: AppSession) -> tuple[audit.ChainReport, tuple[int, str]]:
    """The chain report and the head it ended at (sequence number, hash), from one snapshot."""
    session.require(Permission.VIEW_AUDIT)
    with session.db.read() as s:
        return audit.verify_chain(s, anchors=chain_anchors(session.db, s)), audit.chain_head(s)


def _iter_all(session: AppSession, f: AuditFilter, batch: int = 2000) -> Iterator[AuditRow]:
    before: int | None = None
    while True:
        rows = list_events(session, f, limit=batch, before_seq=before)
        yield from rows
        if len(rows) < batch:
            return
        before = rows[-1].seq


def _cell(value: str) -> str:
    """Keep spreadsheet programs from reading a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(session: AppSession, f: AuditFilter | None, path: Path) -> int:
    """Write the filtered events (newest first) to ``path`` as UTF-8 CSV with BOM; returns the count."""
    session.require(Permission.VIEW_AUDIT)
    f = f or AuditFilter()
    count = 0
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8-sig", newline="") as out:
        w = csv.writer(out)
        w.writerow(CSV_HEADER)
        for r in _iter_all(session, f):
            w.writerow([str(r.seq), r.local_time, _cell(r.actor), _cell(r.actor_name), _cell(r.action_label),
                        r.action, _cell(r.entity_label), r.entity_type, _cell(r.entity_id), r.outcome_label, _cell(r.detail)])
            count += 1
    tmp.replace(path)
    described = {k: (str(v) if isinstance(v, date) else v) for k, v in asdict(f).items() if k != "text" and v}
    if f.text.strip():
        described["text"] = True   # what was typed may be anything; say only that it was used
    with session.db.write() as s:
        audit.append_event(s, actor=session.user.username, action="audit_exported", entity_type="audit",
                           detail={"filter": described, "events": count})
    return count
