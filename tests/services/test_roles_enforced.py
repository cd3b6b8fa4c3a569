"""Roles are checked in the services, whatever the UI shows."""

from __future__ import annotations

import pytest
from conftest import FAST_KDF
from factories import villages_of

from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin import maintenance
from desktop.services.admin.accounts import sign_in


@pytest.fixture
def users(admin_session, data_dir):
    for name, role in (("assistant", Role.VILLAGE_ASSISTANT), ("auditor", Role.AUDITOR), ("clerk", Role.CLERK),
                       ("supervisor", Role.SUPERVISOR)):
        auth.add_user(admin_session, name, f"用户{name}", role, f"{name}-pass-1", **villages_of(role))
    return data_dir


def _as(data_dir, name):
    return sign_in(data_dir, name, f"{name}-pass-1", kdf=FAST_KDF)


@pytest.mark.parametrize("name", ["assistant", "auditor", "clerk", "supervisor"])
def test_only_admin_manages_users(users, name):
    s = _as(users, name)
    try:
        with pytest.raises(PermissionDenied) as err:
            auth.add_user(s, "newbie", "新人", Role.CLERK, "newbie-pass-1")
        assert "无权" in err.value.message
        assert not s.db.keyslots.has_user("newbie")
    finally:
        s.close()


@pytest.mark.parametrize("name,allowed", [("assistant", False), ("clerk", False), ("auditor", True),
                                          ("supervisor", True)])
def test_audit_verification_by_role(users, name, allowed):
    s = _as(users, name)
    try:
        if allowed:
            assert maintenance.verify_audit(s).ok
        else:
            with pytest.raises(PermissionDenied):
                maintenance.verify_audit(s)
    finally:
        s.close()


@pytest.mark.parametrize("name", ["assistant", "auditor", "clerk"])
def test_backup_needs_the_backup_permission(users, name):
    s = _as(users, name)
    try:
        with pytest.raises(PermissionDenied):
            maintenance.backup_now(s)
    finally:
        s.close()


def test_admin_cannot_remove_self_or_last_admin(admin_session):
    from desktop.services.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        auth.remove_user(admin_session, "admin")
    assert "当前登录" in err.value.message


def test_deactivated_user_cannot_sign_in(users, admin_session):
    auth.remove_user(admin_session, "clerk")
    from desktop.store.errors import UnknownUser

    with pytest.raises(UnknownUser):
        _as(users, "clerk")
