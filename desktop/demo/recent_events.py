"""The demo's recent work not yet carried to the county, queued as the event log would hold it.

The bulk cases of the demo are inserted without going through intake, so
their events are queued here, in the same transaction: for each case received
in the last days, its household and members (once each), then the case as
received, then — when its demo history moved it on — that status change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.services.intake import snapshots
from desktop.store import outbox
from desktop.store.models import Household, Person
from sync import events as ev

__all__ = ["queue_recent"]


def queue_recent(s: Session, recent: list[dict[str, Any]], cat_rows: Iterable[Mapping[str, Any]],
                 doc_rows: Iterable[Mapping[str, Any]], change_rows: Iterable[Mapping[str, Any]]) -> int:
    """Queue the events of the ``recent`` case rows (as inserted), given all the demo's category,
    document and status-change rows; returns how many events were queued."""
    wanted = {r["uuid"] for r in recent}
    cats: dict[str, list[str]] = {u: [] for u in wanted}
    docs: dict[str, tuple[list[str], list[str]]] = {u: ([], []) for u in wanted}
    steps: dict[str, list[Mapping[str, Any]]] = {u: [] for u in wanted}
    for c in cat_rows:
        if c["case_uuid"] in wanted:
            cats[c["case_uuid"]].append(c["category"])
    for d in doc_rows:
        if d["case_uuid"] in wanted:
            docs[d["case_uuid"]][0 if d["received"] else 1].append(d["code"])
    for ch in change_rows:
        if ch["case_uuid"] in wanted:
            steps[ch["case_uuid"]].append(ch)
    return _queue(s, recent, cats, docs, steps)


def _queue(s: Session, cases: Iterable[Mapping[str, Any]], categories: Mapping[str, list[str]],
           documents: Mapping[str, tuple[list[str], list[str]]],
           changes: Mapping[str, list[Mapping[str, Any]]]) -> int:
    queued = 0
    households: set[str] = set()
    for row in cases:
        hh_uuid = row["household_uuid"]
        if hh_uuid not in households:
            households.add(hh_uuid)
            hh = s.get(Household, hh_uuid)
            assert hh is not None
            outbox.enqueue(s, snapshots.household_event(hh))
            for p in s.scalars(select(Person).where(Person.household_uuid == hh_uuid).order_by(Person.position)):
                outbox.enqueue(s, snapshots.person_event(p))
                queued += 1
            queued += 1
        steps = changes[row["uuid"]]
        got, missing = documents[row["uuid"]]
        outbox.enqueue(s, ev.CaseCreated(
            case_uuid=row["uuid"], case_number=row["case_number"], household_uuid=hh_uuid,
            applicant_uuid=row["applicant_uuid"], division_code=row["division_code"],
            categories=categories[row["uuid"]], status=steps[0]["to_status"], reason=row["reason"],
            channel=row["channel"], emergency=row["emergency"], staff_relative=row["staff_relative"],
            received_at=row["received_at"], accepted_on=row["accepted_on"], policy_ref=row["policy_ref"],
            documents_received=got, documents_missing=missing, refusal_reason=steps[0]["reason"]))
        queued += 1
        for ch in steps[1:]:
            outbox.enqueue(s, ev.CaseStatusChanged(
                case_uuid=row["uuid"], case_number=row["case_number"], transition=ch["transition"],
                from_status=ch["from_status"], to_status=ch["to_status"], reason=ch["reason"], amount_cents=None,
                at=ch["at"]))
            queued += 1
    return queued
