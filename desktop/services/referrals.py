"""Referrals (转办/转介) of a case to the county departments that decide it.

Placeholder API used by the case services while the referral step is built;
the referral module replaces the bodies, keeping these signatures.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop.store.models import Case


def create_for_case(s: Session, case: Case, *, actor: str) -> None:
    """A case was just accepted: open its referrals (one per responsible department)."""


def open_referral_count(s: Session, case_uuid: str) -> int:
    """Referrals of the case still waiting for a department's result (guards the case decision)."""
    return 0
