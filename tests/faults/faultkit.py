"""What the fault tests share: a township with a clerk, and the checks after a fault."""

from __future__ import annotations

from pathlib import Path

from conftest import ADMIN_PASSWORD, FAST_KDF, TEST_TOWNSHIP
from sqlalchemy import func, select, text

from desktop.domain.roles import Role
from desktop.services.admin import accounts
from desktop.services.admin.setup import create_township
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.models import OutboxItem

CLERK, CLERK_PASSWORD = "clerk", "clerk-pass-1"


def township_with_clerk(data_dir: Path) -> AppSession:
    """A new township in ``data_dir`` (admin / ADMIN_PASSWORD) and the signed-in clerk's session."""
    admin = create_township(data_dir, TEST_TOWNSHIP, "admin", ADMIN_PASSWORD, kdf=FAST_KDF)
    try:
        accounts.add_user(admin, CLERK, "王晓燕", Role.CLERK, CLERK_PASSWORD)
    finally:
        admin.close()
    return sign_in_clerk(data_dir)


def sign_in_clerk(data_dir: Path) -> AppSession:
    return accounts.sign_in(data_dir, CLERK, CLERK_PASSWORD, kdf=FAST_KDF)


def sound(session: AppSession) -> list[str]:
    """What is wrong with the database after a fault: integrity, the audit chain, outbox sequence."""
    problems = []
    with session.db.read() as s:
        integrity = s.execute(text("PRAGMA integrity_check")).scalar_one()
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        report = audit.verify_chain(s)
        if not report.ok:
            problems.append(f"audit chain: {report.message}")
        seqs = s.scalar(select(func.count(OutboxItem.seq)))
        distinct = s.scalar(select(func.count(func.distinct(OutboxItem.seq))))
        if seqs != distinct:
            problems.append(f"outbox seq duplicates: {seqs} rows, {distinct} distinct")
    return problems
