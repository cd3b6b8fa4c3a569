"""A village assistant's villages: given by the administrator, checked, audited, carried by the session."""

from __future__ import annotations

import json

import pytest
from conftest import FAST_KDF, TEST_TOWNSHIP
from sqlalchemy import func, select

from desktop.domain.roles import Role
from desktop.services.admin import accounts
from desktop.services.errors import InvalidInput
from desktop.store.models import AuditEvent, User, UserVillage

EAST, WEST = (code for code, _name in TEST_TOWNSHIP.villages)


def _rows(session):
    with session.db.read() as s:
        return (s.scalar(select(func.count()).select_from(User)), s.scalar(select(func.count()).select_from(UserVillage)),
                s.scalar(select(func.count()).select_from(AuditEvent)))


def test_an_assistant_gets_its_villages_and_signs_in_with_them(admin_session, data_dir):
    info = accounts.add_user(admin_session, "xieli", "王协理", Role.VILLAGE_ASSISTANT, "xieli-pass-1",
                             villages=[WEST, " ", WEST])
    assert info.villages == (WEST,)
    [acc] = [a for a in accounts.list_accounts(admin_session) if a.username == "xieli"]
    assert acc.villages == ((WEST, "西沟村"),)
    session = accounts.sign_in(data_dir, "xieli", "xieli-pass-1", kdf=FAST_KDF)
    try:
        assert session.user.villages == (WEST,) and session.village_scope == {WEST}
        assert session.in_scope(WEST) and not session.in_scope(EAST)
    finally:
        session.close()
    assert admin_session.village_scope is None and admin_session.in_scope(EAST)


@pytest.mark.parametrize("role,villages,expected", [
    (Role.VILLAGE_ASSISTANT, [], "至少一个"),
    (Role.VILLAGE_ASSISTANT, ["620102101299"], "“620102101299”不是本乡镇的村"),
    (Role.CLERK, [EAST], "不能指定村"),
])
def test_wrong_villages_are_refused_and_nothing_is_written(admin_session, role, villages, expected):
    before = _rows(admin_session)
    with pytest.raises(InvalidInput) as err:
        accounts.add_user(admin_session, "newbie", "新人", role, "newbie-pass-1", villages=villages)
    assert expected in err.value.message and err.value.field == "villages"
    assert _rows(admin_session) == before
    assert not admin_session.db.keyslots.has_user("newbie")


def test_changing_an_assistants_villages_is_audited(admin_session, data_dir):
    accounts.add_user(admin_session, "xieli", "王协理", Role.VILLAGE_ASSISTANT, "xieli-pass-1", villages=[EAST])
    assert accounts.set_villages(admin_session, "xieli", [WEST, EAST]) == (EAST, WEST)
    with admin_session.db.read() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "user_villages_changed")).one()
    assert ev.entity_id == "xieli" and json.loads(ev.detail) == {"before": [EAST], "after": [EAST, WEST]}
    before = _rows(admin_session)
    for villages, expected in (([], "至少一个"), (["x"], "不是本乡镇")):
        with pytest.raises(InvalidInput) as err:
            accounts.set_villages(admin_session, "xieli", villages)
        assert expected in err.value.message
    accounts.add_user(admin_session, "clerk2", "李经办", Role.CLERK, "clerk2-pass-1")
    with pytest.raises(InvalidInput) as err:
        accounts.set_villages(admin_session, "clerk2", [EAST])
    assert "只有村协理员" in err.value.message
    assert _rows(admin_session)[1:] == (before[1], before[2] + 1)   # only the clerk's user_added
    session = accounts.sign_in(data_dir, "xieli", "xieli-pass-1", kdf=FAST_KDF)
    try:
        assert session.user.villages == (EAST, WEST)
    finally:
        session.close()
