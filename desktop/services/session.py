"""The signed-in session every service call receives: who, on which unlocked database.

This module imports nothing else of ``desktop.services`` so that every use case can depend on it
without an import cycle (sign-in itself lives in :mod:`desktop.services.admin.accounts`).
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.roles import OutsideVillages, Permission, Role, has_permission, require
from desktop.store.database import Database
from desktop.store.keyslots import KdfParams, LockoutPolicy
from desktop.store.policy_registry import PolicyRegistry
from desktop.store.timekeeping import Clock


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    role: Role
    villages: tuple[str, ...] = ()   # a village assistant's villages (division codes); () for other roles

    @property
    def role_label(self) -> str:
        return self.role.label


@dataclass
class AppSession:
    """A signed-in user on an unlocked database. Passed to every service call."""

    db: Database
    user: UserInfo
    kdf: KdfParams | None = None
    lockout: LockoutPolicy | None = None   # the policy sign-in used; screen unlock counts failures the same way

    @property
    def clock(self) -> Clock:
        """The one clock (``now()`` aware UTC, ``today()`` the PC's local date): the database's."""
        return self.db.clock

    @property
    def policy(self) -> PolicyRegistry:
        """The policy tables and calendar in force on this database (bundled + stored updates)."""
        return self.db.policy

    def require(self, permission: Permission) -> None:
        require(self.user.role, permission)

    def require_any(self, *permissions: Permission) -> None:
        """Raise PermissionDenied (naming the first) unless the role holds one of ``permissions``."""
        if not any(has_permission(self.user.role, p) for p in permissions):
            require(self.user.role, permissions[0])

    def can(self, permission: Permission) -> bool:
        return has_permission(self.user.role, permission)

    @property
    def village_scope(self) -> frozenset[str] | None:
        """The villages this user works in: a village assistant's own (set by the administrator);
        None — the whole township — for every other role."""
        if self.user.role is Role.VILLAGE_ASSISTANT:
            return frozenset(self.user.villages)
        return None

    def in_scope(self, division_code: str | None) -> bool:
        scope = self.village_scope
        return scope is None or division_code in scope

    def require_village(self, division_code: str | None) -> None:
        """Raise OutsideVillages (a PermissionDenied) unless ``division_code`` is one of this user's villages."""
        if not self.in_scope(division_code):
            raise OutsideVillages(self.user.role)

    def close(self) -> None:
        self.db.close()
