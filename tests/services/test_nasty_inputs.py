"""A corpus of nasty strings through the text fields of intake and search: every one is either taken
(and then printable) or refused with a Chinese message — never a crash, never a partial write."""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
from conftest import FAST_KDF
from factories import complete_application
from sqlalchemy import func, select

from desktop.domain.household import Application
from desktop.domain.roles import Role
from desktop.domain.text_rules import is_invisible
from desktop.services.admin import accounts
from desktop.services.admin.accounts import sign_in
from desktop.services.cases import queries as case_queries
from desktop.services.cases.queries import CaseFilter
from desktop.services.errors import InvalidInput
from desktop.services.intake import search
from desktop.services.intake.accept import submit_application
from desktop.store.models import AuditEvent, Case, OutboxItem, Person
from forms import fonts

CJK_RE = re.compile("[\u4e00-\u9fff]")


def corpus(n: int = 320, seed: int = 20261203) -> list[str]:
    rng = random.Random(seed)
    fixed = ["", " ", "\x00", "\u200b\u200b\u200b", "\u202e张三", "\ufeff", "张\ud800", "\udfff", "😀", "张😀",
             "'; DROP TABLE cases; --", "%", "_", "\\", "%_%_%", "<script>alert(1)</script>", "字" * 16_667,
             "\r\n", "\t张三\t", "Ｚｈａｎｇ", "张" * 31, "１２３", "𠮷", "⿰木木", "\u3000", "\x1b[31m红", "\u2028"]
    pieces = ["张", "三", "𠮷", "·", "\u200d", "\u0301", "\x07", "\ud83d", "a", "1", " ", "%", "'", "\n", "😀",
              "\u202a", "\uE000", "\U0010FFFF", "\u0000", "村", "路", "号"]
    out = list(fixed)
    while len(out) < n:
        out.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))))
    return out


@pytest.fixture
def clerk(admin_session, data_dir):
    accounts.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    s = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    yield s
    s.close()


def _counts(session):
    with session.db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Case, Person, OutboxItem, AuditEvent))


def _chinese_and_clean(message: str) -> bool:
    return bool(CJK_RE.search(message)) and not any(is_invisible(c) for c in message)


def _application(session, **household_changes):
    app = complete_application(session)
    return dataclasses.replace(app, household=dataclasses.replace(app.household, **household_changes))


def _member_named(app: Application, name: str) -> Application:
    members = list(app.household.members)
    members[-1] = dataclasses.replace(members[-1], name=name)
    return dataclasses.replace(app, household=dataclasses.replace(app.household, members=tuple(members)))


def _with_ethnicity(app: Application, ethnicity: str) -> Application:
    members = list(app.household.members)
    members[0] = dataclasses.replace(members[0], ethnicity=ethnicity)
    return dataclasses.replace(app, household=dataclasses.replace(app.household, members=tuple(members)))


def test_intake_fields_take_or_refuse_cleanly(clerk):
    accepted = 0
    for text in corpus():
        for make in (lambda t: _member_named(_application(clerk), t),                      # a member's name
                     lambda t: _application(clerk, address=t),                            # the address
                     lambda t: dataclasses.replace(_application(clerk), reason=t),         # the reason
                     lambda t: _with_ethnicity(_application(clerk), t)):                   # the 民族
            before = _counts(clerk)
            try:
                result = submit_application(clerk, make(text), "accept")
            except InvalidInput as exc:
                assert _chinese_and_clean(exc.message), (text, exc.message)
                assert _counts(clerk) == before, text                      # nothing written
                continue
            accepted += 1
            with clerk.db.read() as s:        # what was taken can be printed
                names = s.scalars(select(Person.name).join(Case, Case.household_uuid == Person.household_uuid)
                                  .where(Case.uuid == result.case_uuid)).all()
            assert all(fonts.covers(n) for n in names)
    assert accepted > 0


def test_the_refusal_reason_is_checked_before_anything_is_written(clerk):
    for text in corpus(120):
        app = _application(clerk)
        before = _counts(clerk)
        try:
            submit_application(clerk, app, "refuse", refusal_reason=text)
        except InvalidInput as exc:
            assert _chinese_and_clean(exc.message), (text, exc.message)
            assert _counts(clerk) == before
    with pytest.raises(InvalidInput, match="无法打印"):
        submit_application(clerk, _application(clerk), "refuse", refusal_reason="户籍不在本乡镇😀")


def test_search_boxes_never_crash(clerk):
    today = clerk.clock.today()
    for text in corpus():
        parsed = search.classify(text, today)
        assert parsed.notice == "" or _chinese_and_clean(parsed.notice)
        try:
            case_queries.count_cases(clerk, CaseFilter(text=text), today=today)
        except InvalidInput as exc:
            assert _chinese_and_clean(exc.message), (text, exc.message)
    assert "过长" in search.classify("字" * 16_667, today).notice
    with pytest.raises(InvalidInput, match="过长"):
        case_queries.count_cases(clerk, CaseFilter(text="字" * 16_667), today=today)
    with pytest.raises(InvalidInput, match="无法识别"):
        case_queries.count_cases(clerk, CaseFilter(text="张\ud800"), today=today)
