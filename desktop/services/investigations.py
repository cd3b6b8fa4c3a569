"""Investigation of a case (入户调查, 经济状况核对, 邻里访问, 民主评议).

Placeholder API used by the case services while the investigation step is
built; the investigation module replaces the bodies, keeping these signatures.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.store.models import Case
from desktop.store.models_notice import NoticeHomeVisit


def home_visit_investigators(s: Session, case_uuid: str) -> int:
    """Most distinct staff recorded on one home visit of the case."""
    visits = s.scalars(select(NoticeHomeVisit.investigators).where(NoticeHomeVisit.case_uuid == case_uuid)).all()
    return max((len(set(v or [])) for v in visits), default=0)


def missing_before_decision(s: Session, case: Case) -> tuple[str, ...]:
    """What the policy requires recorded before the case may go to notice or to decision
    (Chinese, one item each; empty when complete)."""
    return ()
