"""Cases that arrive with a history already lived: the bulk path of the workflow.

The demo builds thousands of cases with a synthetic past (intake, then the
status each has reached) and must stay fast — 5,000 households in seconds —
so it cannot replay every transition through the guards. It hands its rows to
:func:`insert_cases` instead, which is the only other code that writes a
case's status: it checks what :func:`desktop.services.workflow.transitions.
transition_in` guarantees one case at a time — every case has a history that
begins with intake in an initial status, each step starts where the previous
one ended, and the last one ends in the case's status — and then inserts the
cases and their history rows with executemany. Their audit events and outbox
items are the caller's (the demo chains its own in the same transaction).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from desktop.domain.case_state import INITIAL_STATUSES, CaseStatus
from desktop.services.errors import ServiceError
from desktop.store.models import Case, StatusChange

__all__ = ["HistoryMismatch", "insert_cases"]


class HistoryMismatch(ServiceError, ValueError):
    """The rows handed in do not form a consistent history (a bug in the caller, not bad user input;
    a ServiceError all the same, so that a caller may show it: the message names the case by uuid)."""


def _check(cases: Sequence[Mapping[str, Any]], changes: Sequence[Mapping[str, Any]]) -> None:
    by_case: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for ch in changes:
        by_case[ch["case_uuid"]].append(ch)
    for row in cases:
        status = CaseStatus(row["status"])          # ValueError on an unknown status
        steps = sorted(by_case.pop(row["uuid"], []), key=lambda ch: ch["at"])
        if not steps or steps[0]["transition"] != "intake" or steps[0]["from_status"] is not None \
                or CaseStatus(steps[0]["to_status"]) not in INITIAL_STATUSES:
            raise HistoryMismatch(f"案件 {row['uuid']} 的状态历史必须以受理（初始状态）开始")
        for prev, nxt in zip(steps, steps[1:], strict=False):
            if nxt["from_status"] != prev["to_status"]:
                raise HistoryMismatch(f"案件 {row['uuid']} 的状态历史不连贯：某一步的起始状态不是上一步的结果")
        if steps[-1]["to_status"] != status.value:
            raise HistoryMismatch(f"案件 {row['uuid']} 的当前状态与其状态历史的最后一步不符")
    if by_case:
        raise HistoryMismatch("状态历史中有未一并提交的案件")


def insert_cases(s: Session, cases: Sequence[Mapping[str, Any]], changes: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``cases`` (rows of ``cases``, with their status) and ``changes`` (their ``status_changes``),
    after checking that each case's status is where its history ends."""
    _check(cases, changes)
    if cases:
        s.execute(insert(Case), list(cases))
    if changes:
        s.execute(insert(StatusChange), list(changes))
