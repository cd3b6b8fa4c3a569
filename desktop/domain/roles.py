"""Roles and permissions, enforced at the service layer (not only in the UI).

- 村协理员 (village assistant) takes applications on a family's behalf and
  prints the receipt — nothing else: no case list, no full ID numbers.
- 审计员 (auditor) reads the audit log and nothing else.
- 系统管理员 (admin) runs the installation (users, backups, settings) and may
  look at cases, but never moves or decides one.
- 经办人 (clerk) works cases; 审核人 (supervisor) also decides them.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from .errors import YimenError

__all__ = [
    "PERMISSION_LABELS",
    "ROLE_LABELS",
    "ROLE_PERMISSIONS",
    "Permission",
    "OutsideVillages",
    "PermissionDenied",
    "Role",
    "has_permission",
    "parse_role",
    "require",
]


class Role(StrEnum):
    CLERK = "clerk"
    VILLAGE_ASSISTANT = "village_assistant"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.CLERK: "经办人",
    Role.VILLAGE_ASSISTANT: "村协理员",
    Role.SUPERVISOR: "审核人",
    Role.ADMIN: "系统管理员",
    Role.AUDITOR: "审计员",
}


class Permission(StrEnum):
    INTAKE = "intake"
    PRINT_RECEIPT = "print_receipt"
    VIEW_CASES = "view_cases"
    VIEW_FULL_ID = "view_full_id"
    TRANSITION_CASE = "transition_case"
    DECIDE_CASE = "decide_case"
    APPROVE_EMERGENCY = "approve_emergency"
    MANAGE_USERS = "manage_users"
    BACKUP = "backup"
    RESTORE = "restore"
    VIEW_AUDIT = "view_audit"
    MANAGE_SETTINGS = "manage_settings"
    SYNC = "sync"

    @property
    def label(self) -> str:
        return PERMISSION_LABELS[self]


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.INTAKE: "受理申请",
    Permission.PRINT_RECEIPT: "打印受理回执",
    Permission.VIEW_CASES: "查看案件",
    Permission.VIEW_FULL_ID: "查看完整身份证号码",
    Permission.TRANSITION_CASE: "办理案件流转",
    Permission.DECIDE_CASE: "审核确认（批准或不予批准）",
    Permission.APPROVE_EMERGENCY: "批准先行救助",
    Permission.MANAGE_USERS: "管理用户",
    Permission.BACKUP: "备份数据库",
    Permission.RESTORE: "从备份恢复数据库",
    Permission.VIEW_AUDIT: "查看审计日志",
    Permission.MANAGE_SETTINGS: "修改系统设置",
    Permission.SYNC: "与县级平台同步",
}

_CLERK = frozenset(
    {
        Permission.INTAKE,
        Permission.PRINT_RECEIPT,
        Permission.VIEW_CASES,
        Permission.TRANSITION_CASE,
        Permission.VIEW_FULL_ID,
        Permission.SYNC,
    }
)

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.VILLAGE_ASSISTANT: frozenset({Permission.INTAKE, Permission.PRINT_RECEIPT, Permission.SYNC}),
    Role.AUDITOR: frozenset({Permission.VIEW_AUDIT}),
    Role.CLERK: _CLERK,
    Role.SUPERVISOR: _CLERK
    | {Permission.DECIDE_CASE, Permission.APPROVE_EMERGENCY, Permission.VIEW_AUDIT},
    Role.ADMIN: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.BACKUP,
            Permission.RESTORE,
            Permission.MANAGE_SETTINGS,
            Permission.VIEW_AUDIT,
            Permission.VIEW_CASES,
            Permission.SYNC,
        }
    ),
}


class PermissionDenied(YimenError):
    """The actor's role does not hold the permission. ``message`` is Chinese."""

    def __init__(self, role: Role | str, permission: Permission | str, message: str) -> None:
        super().__init__(message)
        self.role = role
        self.permission = permission
        self.message = message


class OutsideVillages(PermissionDenied):
    """A village assistant reached for a household, case or village that is not one of its villages."""

    def __init__(self, role: Role | str, message: str = "") -> None:
        super().__init__(role, Permission.INTAKE, message or
                         "该户不属于您负责的村（社区）：村协理员只能办理、查看本村（社区）的申请。")


def parse_role(value: Role | str) -> Role | None:
    """The Role for a code (or Role); None for anything unknown."""
    if isinstance(value, Role):
        return value
    try:
        return Role(value)
    except ValueError:
        return None


def _parse_permission(value: Permission | str) -> Permission | None:
    if isinstance(value, Permission):
        return value
    try:
        return Permission(value)
    except ValueError:
        return None


def has_permission(role: Role | str, permission: Permission | str) -> bool:
    """Unknown roles and unknown permissions hold nothing."""
    r = parse_role(role)
    p = _parse_permission(permission)
    if r is None or p is None:
        return False
    return p in ROLE_PERMISSIONS[r]


def require(role: Role | str, permission: Permission | str) -> None:
    """Raise PermissionDenied unless ``role`` holds ``permission``."""
    if has_permission(role, permission):
        return
    r = parse_role(role)
    p = _parse_permission(permission)
    role_text = r.label if r is not None else f"未知角色（{role}）"
    perm_text = p.label if p is not None else f"未知操作（{permission}）"
    raise PermissionDenied(role, permission, f"当前角色“{role_text}”无权执行：{perm_text}")
