"""The signed-in session every service call receives: who, on which unlocked database.

This module imports nothing else of ``desktop.services`` so that every use case can depend on it
without an import cycle (sign-in itself lives in :mod:`desktop.services.admin.accounts`).
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.roles import Permission, Role, has_permission, require
from desktop.store.database import Database
from desktop.store.keyslots import KdfParams, LockoutPolicy
from desktop.store.policy_registry import PolicyRegistry
from desktop.store.timekeeping import Clock


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    role: Role

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

    def can(self, permission: Permission) -> bool:
        return has_permission(self.user.role, permission)

    def close(self) -> None:
        self.db.close()
