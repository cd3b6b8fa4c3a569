"""The policy registry of a database: lazily built from the bundled files (+ stored updates),
handed to every session the database opens (``registry_of``), reloadable; records resolve their
rules by the ``policy_ref`` they stored."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from desktop.domain.policy import PolicyNotFound
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.store.policy_registry import PolicyRegistry, PolicyState, registry_of


def test_every_session_of_a_database_carries_its_registry(admin_session):
    db = admin_session.db
    assert admin_session.policy is db.policy
    with db.read() as s:
        assert registry_of(s) is db.policy
    with db.write() as s:
        assert registry_of(s) is db.policy
    assert registry_of(None) is not db.policy          # no database: the bundled files only


def test_the_registry_is_built_on_first_use_and_rebuilt_after_reload():
    calls = []
    bundled = DeadlinePlanner.bundled()

    def load() -> PolicyState:
        calls.append(1)
        return PolicyState(bundled.book, bundled.calendar)

    registry = PolicyRegistry(bundled=load)
    assert calls == []                                  # nothing read when it is made (sign-in stays fast)
    assert registry.calendar.covered_years == (2024, 2025, 2026)
    assert registry.book is registry.book and calls == [1]
    registry.reload()
    assert calls == [1]
    registry.policy_for("620102101201", date(2026, 7, 1))
    assert calls == [1, 1]


def test_a_record_resolves_its_rules_by_its_stored_ref_never_by_place_and_date(admin_session):
    planner = DeadlinePlanner.of(admin_session)
    old = planner.policy_for("620102101201", date(2026, 6, 30))
    assert old.ref == "000000@2024-01-01"
    case = SimpleNamespace(policy_ref=old.ref, division_code="620102101201", accepted_on=date(2026, 12, 1))
    assert planner.policy_of(case) is old           # the county table in force since 2026-07-01 is not used
    assert admin_session.policy.policy_by_ref(old.ref) is old
    with pytest.raises(PolicyNotFound) as exc:
        planner.policy_of(SimpleNamespace(policy_ref="620102@2019-01-01", division_code="620102101201",
                                          accepted_on=date(2026, 12, 1)))
    assert "620102@2019-01-01" in exc.value.message and "政策表" in exc.value.message
    # only a row that never stored a ref (release 0.1.0) falls back to its place and acceptance day
    legacy = SimpleNamespace(policy_ref="", division_code="620102101201", accepted_on=date(2026, 8, 1))
    assert planner.policy_of(legacy).ref == "620102@2026-07-01"

