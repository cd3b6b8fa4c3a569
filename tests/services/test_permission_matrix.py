"""Every public service function × every role: PermissionDenied exactly when the role lacks the permission
the function declares, and then nothing written.

The functions are found by introspection over ``desktop.services`` (a new one is in the matrix without
anyone listing it); a function's declared permission is each ``session.require(Permission.X)`` among the
top-level statements of its body (a require inside an ``if`` is a condition, not the declaration). A
function without one fails the test unless :data:`NO_PERMISSION` lists it with the reason.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FAST_KDF, TEST_TOWNSHIP
from factories import complete_application
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import desktop.services as services_pkg
from desktop.domain.roles import ROLE_PERMISSIONS, Permission, PermissionDenied, Role
from desktop.services.admin import accounts
from desktop.services.admin.setup import create_township
from desktop.services.intake import accept
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.database import Database
from desktop.store.models import AuditEvent, Base, Case

# A signed-in user may always do these; each says why no permission guards it.
NO_PERMISSION: dict[str, str] = {
    "admin.accounts.sign_out": "ends the user's own session",
    "admin.accounts.record_screen_locked": "audits that the user's own window locked",
    "admin.accounts.verify_password": "unlocks the user's own screen with their own password",
    "admin.accounts.change_password": "the user's own password, the old one required",
    "admin.appinfo.installation": "township and window names for the title bar of every role",
    "admin.appinfo.outbox_waiting": "a count of queued items for the status bar (no case data)",
    "admin.appinfo.calendar_warning": "whether the holiday calendar covers the coming weeks (policy data)",
    "admin.appinfo.shell_status": "the status bar of every role: queue count, last sync, calendar warning",
}

# These put a refused attempt itself on record: a denied call writes exactly its audit event (outcome
# "refused") and nothing else; their permissions are the requires anywhere in the body.
AUDITED_REFUSALS: dict[str, str] = {
    "cases.detail.reveal_id": "who tried to see a full ID number is audited even when refused",
}

ROLES = tuple(Role)
PASSWORD = "matrix-pass-1"


def _service_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Public functions of desktop.services whose first parameter is the AppSession (helpers taking an
    open database transaction first run inside a use case that has checked already)."""
    for info in pkgutil.walk_packages(services_pkg.__path__, "desktop.services."):
        mod = importlib.import_module(info.name)
        for name, fn in sorted(vars(mod).items()):
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != mod.__name__:
                continue
            params = list(inspect.signature(fn).parameters.values())
            if params and params[0].annotation in (AppSession, "AppSession"):
                yield info.name.removeprefix("desktop.services.") + "." + name, fn


FUNCTIONS = dict(_service_functions())


Requirement = frozenset[Permission]   # one of these is enough


def declared_permissions(fn: Callable[..., Any], *, anywhere: bool = False) -> set[Requirement]:
    """``session.require(Permission.X)`` → {X}; ``session.require_any(Permission.X, Permission.Y)`` → {X, Y}:
    the role must meet every requirement."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    stmts = list(ast.walk(tree.body[0])) if anywhere else body
    out = set()
    for stmt in stmts:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr in ("require", "require_any") and call.args):
            continue
        perms = [a.attr for a in call.args if isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name)
                 and a.value.id == "Permission"]
        if len(perms) == len(call.args) and (call.func.attr == "require_any" or len(perms) == 1):
            out.add(frozenset(Permission[p] for p in perms))
    return out


def _declared(name: str) -> set[Requirement]:
    return declared_permissions(FUNCTIONS[name], anywhere=name in AUDITED_REFUSALS)


def _holds(role: Role, needed: set[Requirement]) -> bool:
    return all(req & ROLE_PERMISSIONS[role] for req in needed)


def test_the_matrix_finds_the_service_functions():
    assert len(FUNCTIONS) > 100
    assert "workflow.transitions.options" in FUNCTIONS and "documents.issue.window_contact" in FUNCTIONS
    assert set(NO_PERMISSION) <= set(FUNCTIONS), "NO_PERMISSION names a function that does not exist"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_service_function_declares_its_permission(name):
    declared = _declared(name)
    if name in NO_PERMISSION:
        assert not declared, f"{name} checks {declared} but is listed as needing no permission"
    else:
        assert declared, f"{name} takes an AppSession but states no permission (session.require(Permission.…))"


def test_a_function_without_its_require_is_caught():
    """The declaration is read from the source: the same function without its require() declares nothing."""
    def list_users(session: AppSession) -> list:
        with session.db.read() as s:
            return list(s.scalars(select(Base.metadata.tables["users"].c.username)))

    assert declared_permissions(accounts.list_users) == {frozenset({Permission.MANAGE_USERS})}
    assert declared_permissions(list_users) == set()


# ----------------------------------------------------------------------------- calling each for each role

class World:
    def __init__(self, data_dir: Path, sessions: dict[Role, AppSession], case_uuid: str, person_uuid: str,
                 household_uuid: str) -> None:
        self.data_dir, self.sessions = data_dir, sessions
        self.case_uuid, self.person_uuid, self.household_uuid = case_uuid, person_uuid, household_uuid


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("matrix") / "data"
    admin = create_township(data_dir, TEST_TOWNSHIP, "admin", PASSWORD, kdf=FAST_KDF)
    village = TEST_TOWNSHIP.villages[0][0]
    for role in ROLES:
        if role is not Role.ADMIN:
            accounts.add_user(admin, role.value.replace("_", "-"), f"测试{role.label}", role, PASSWORD,
                              **({"villages": [village]} if role is Role.VILLAGE_ASSISTANT else {}))
    admin.close()
    sessions = {role: accounts.sign_in(data_dir, "admin" if role is Role.ADMIN else role.value.replace("_", "-"),
                                       PASSWORD, kdf=FAST_KDF) for role in ROLES}
    clerk = sessions[Role.CLERK]
    result = accept.submit_application(clerk, complete_application(clerk), "accept")
    with clerk.db.read() as s:
        case = s.get(Case, result.case_uuid)
        person_uuid, household_uuid = case.applicant_uuid, case.household_uuid
    yield World(data_dir, sessions, result.case_uuid, person_uuid, household_uuid)
    for s in sessions.values():
        s.close()


def _arguments(fn: Callable[..., Any], w: World) -> dict[str, Any]:
    """Plausible values for the required parameters: the real case, its household and applicant; for
    everything else a value of the right kind that a permitted role gets a clear refusal for (a
    non-existent user, an empty form), so that the permitted calls change nothing either."""
    today = w.sessions[Role.CLERK].clock.today()
    by_name: dict[str, Any] = {
        "case_uuid": w.case_uuid, "person_uuid": w.person_uuid, "household_uuid": w.household_uuid,
        "case_uuids": [w.case_uuid], "division_code": TEST_TOWNSHIP.villages[0][0], "categories": ["dibao"],
        "category": "dibao", "today": today, "start_on": today, "sent_on": today, "received_on": today,
        "returned_on": today, "year": today.year, "month": today.month, "username": "nobody-here",
        "display_name": "", "role": "no-such-role", "password": "x", "old_password": "x", "new_password": "x",
        "reason": "", "name": "no-such-action", "codes": [], "query": "", "id_number": "",
        "path": w.data_dir / "no-such-dir" / "out.bin", "data": b"", "source": "", "status": "accepted",
        "docs": [], "outcome": "no-such-outcome", "handling": "", "result": "no-such-result",
    }
    out: dict[str, Any] = {}
    for p in list(inspect.signature(fn).parameters.values())[1:]:
        if p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        out[p.name] = by_name.get(p.name, f"no-such-{p.name}")
    return out


def _snapshot(w: World, but: frozenset[str] = frozenset()) -> str:
    """Everything a call could write: every table's rows (``but`` these) and every file beside the database."""
    digest = hashlib.sha256()
    with w.sessions[Role.ADMIN].db.read() as s:
        assert isinstance(s, Session)
        for table in Base.metadata.sorted_tables:
            if table.name in but:
                continue
            for row in s.execute(select(table)).all():
                if table.name == "meta" and "audit_events" in but and row[0] == audit.HEAD_KEY:
                    continue   # the chain head moves with the audit event
                digest.update(repr(tuple(row)).encode())
    for f in sorted(w.data_dir.rglob("*")):
        if f.is_file() and not f.name.startswith(Database.db_path(w.data_dir).name):
            digest.update(f"{f.relative_to(w.data_dir)}:{f.stat().st_size}".encode())
            digest.update(hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


def _audit_count(w: World) -> int:
    with w.sessions[Role.ADMIN].db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - set(NO_PERMISSION)))
def test_permission_denied_exactly_when_the_role_lacks_it(world, name):
    fn = FUNCTIONS[name]
    needed = _declared(name)
    assert needed
    kwargs = _arguments(fn, world)
    but = frozenset({"audit_events"}) if name in AUDITED_REFUSALS else frozenset()
    before, events_before = _snapshot(world, but), _audit_count(world)
    denied = [role for role in ROLES if not _holds(role, needed)]
    for role in denied:
        with pytest.raises(PermissionDenied) as err:
            fn(world.sessions[role], **kwargs)
        assert "无权" in err.value.message
    assert _snapshot(world, but) == before, f"{name}: a refused call wrote something"
    if but:
        with world.sessions[Role.ADMIN].db.read() as s:
            new = s.scalars(select(AuditEvent.outcome).order_by(AuditEvent.seq).offset(events_before)).all()
        assert new == ["refused"] * len(denied)
    for role in ROLES:
        if role in denied:
            continue
        try:
            fn(world.sessions[role], **kwargs)
        except PermissionDenied as exc:   # noqa: PERF203
            pytest.fail(f"{name} refused {role.value}, who holds {needed}: {exc.message}")
        except Exception:   # noqa: BLE001, S110 — past the check: the plausible-but-wrong input is refused
            pass

