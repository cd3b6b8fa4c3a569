from __future__ import annotations

import pytest

from desktop.domain.roles import (
    PERMISSION_LABELS,
    ROLE_LABELS,
    ROLE_PERMISSIONS,
    Permission,
    PermissionDenied,
    Role,
    has_permission,
    parse_role,
    require,
)

P = Permission

EXPECTED: dict[Role, set[Permission]] = {
    Role.VILLAGE_ASSISTANT: {P.INTAKE, P.PRINT_RECEIPT, P.SYNC},
    Role.AUDITOR: {P.VIEW_AUDIT},
    Role.CLERK: {P.INTAKE, P.PRINT_RECEIPT, P.VIEW_CASES, P.TRANSITION_CASE, P.VIEW_FULL_ID, P.SYNC},
    Role.SUPERVISOR: {
        P.INTAKE, P.PRINT_RECEIPT, P.VIEW_CASES, P.TRANSITION_CASE, P.VIEW_FULL_ID,
        P.DECIDE_CASE, P.APPROVE_EMERGENCY, P.VIEW_AUDIT, P.SYNC,
    },
    Role.ADMIN: {P.MANAGE_USERS, P.BACKUP, P.RESTORE, P.MANAGE_SETTINGS, P.VIEW_AUDIT, P.VIEW_CASES, P.SYNC},
}


def test_labels() -> None:
    assert {r: r.label for r in Role} == {
        Role.CLERK: "经办人",
        Role.VILLAGE_ASSISTANT: "村协理员",
        Role.SUPERVISOR: "审核人",
        Role.ADMIN: "系统管理员",
        Role.AUDITOR: "审计员",
    }
    assert set(ROLE_LABELS) == set(Role)
    assert set(PERMISSION_LABELS) == set(Permission)
    assert len(set(PERMISSION_LABELS.values())) == len(Permission)


def test_every_role_has_an_entry() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("perm", list(Permission))
def test_permission_matrix(role: Role, perm: Permission) -> None:
    expected = perm in EXPECTED[role]
    assert has_permission(role, perm) is expected
    assert has_permission(role.value, perm.value) is expected
    if expected:
        require(role, perm)
    else:
        with pytest.raises(PermissionDenied) as exc:
            require(role, perm)
        assert exc.value.message == f"当前角色“{role.label}”无权执行：{perm.label}"
        assert exc.value.role == role and exc.value.permission == perm


def test_village_assistant_message() -> None:
    with pytest.raises(PermissionDenied) as exc:
        require(Role.VILLAGE_ASSISTANT, Permission.VIEW_FULL_ID)
    assert str(exc.value) == "当前角色“村协理员”无权执行：查看完整身份证号码"


def test_no_one_but_supervisor_decides() -> None:
    deciders = {r for r in Role if has_permission(r, P.DECIDE_CASE) or has_permission(r, P.APPROVE_EMERGENCY)}
    assert deciders == {Role.SUPERVISOR}


def test_unknown_role_or_permission_holds_nothing() -> None:
    assert parse_role("superuser") is None
    assert parse_role("clerk") is Role.CLERK
    assert not has_permission("superuser", P.INTAKE)
    assert not has_permission(Role.ADMIN, "format_disk")
    with pytest.raises(PermissionDenied) as exc:
        require("superuser", P.INTAKE)
    assert "未知角色" in exc.value.message
    with pytest.raises(PermissionDenied) as exc:
        require(Role.SUPERVISOR, "format_disk")
    assert "未知操作" in exc.value.message
