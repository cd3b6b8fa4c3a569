"""A preview is not a print (a poster is recorded only when printed or saved, as those bytes); a case
the guard would refuse is not offered as ready."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from test_notices_setup import POSTED, VILLAGE, add_users, family, login, make_case

from desktop.services.investigation import records as investigations
from desktop.services.notices import batches as notices
from desktop.services.notices.batches import PostingInput
from desktop.services.notices.data import NoticeRefused


@pytest.fixture
def env(admin_session, data_dir):
    add_users(admin_session)
    clerk = login(data_dir, "clerk")
    yield clerk
    clerk.close()


def test_preview_records_nothing_and_printing_records_those_bytes(env):
    clerk = env
    f = family(clerk)
    batch = notices.create_batch(clerk, VILLAGE, "dibao", [f["a"], f["b"]], start_on=POSTED)
    before = clerk.db.table_counts()
    preview = notices.print_poster(clerk, batch.uuid, "A3", "landscape", preview=True)
    assert preview.data.startswith(b"%PDF") and preview.record_uuid == "" and preview.batch_version is not None
    assert clerk.db.table_counts() == before            # no print row, no audit event
    assert notices.prints(clerk, batch.uuid) == []
    with pytest.raises(notices.InvalidInput, match="尚未打印公示海报"):
        notices.post_batch(clerk, batch.uuid, PostingInput(POSTED, "村务公开栏", "马春花"), today=POSTED)
    doc = notices.record_print(clerk, batch.uuid, preview)
    [row] = notices.prints(clerk, batch.uuid)
    assert (row.kind, row.fmt, row.copy_no, row.rows) == ("poster", "A3-landscape", 1, 2)
    assert row.sha256 == hashlib.sha256(preview.data).hexdigest() == doc.sha256
    notices.post_batch(clerk, batch.uuid, PostingInput(POSTED, "村务公开栏", "马春花"), today=POSTED)


def test_a_preview_of_a_changed_batch_is_not_recorded(env):
    clerk = env
    f = family(clerk)
    batch = notices.create_batch(clerk, VILLAGE, "dibao", [f["a"], f["b"]], start_on=POSTED)
    preview = notices.print_poster(clerk, batch.uuid, preview=True)
    notices.remove_case(clerk, batch.uuid, f["b"])     # the preview still lists both
    before = clerk.db.table_counts()
    with pytest.raises(NoticeRefused, match="预览之后有变动"):
        notices.record_print(clerk, batch.uuid, preview)
    assert clerk.db.table_counts() == before
    exported = notices.export_csv(clerk, batch.uuid)    # an export is not a preview
    with pytest.raises(notices.InvalidInput):
        notices.record_print(clerk, batch.uuid, exported)


def test_a_candidate_without_its_economic_check_is_not_offered_as_ready(env):
    """The notice guard refuses a case whose investigation lacks the check the policy requires, so the
    candidate list says so (and the 公示 page does not let it be ticked)."""
    clerk = env
    case = make_case(clerk, "孙立新", "19770707", 91)
    investigations.record_home_visit(clerk, case, investigations.HomeVisitInput(date(2026, 9, 15), ("王喆", "李明"), "入户核实家庭情况", 86000))
    [cand] = [c for c in notices.list_candidates(clerk, VILLAGE, "dibao", POSTED) if c.case_uuid == case]
    assert cand.problems == ("调查材料不全：家庭经济状况核对报告",) and not cand.ready
    check = investigations.request_economic_check(clerk, case, investigations.CheckRequestInput(
        date(2026, 9, 15), "县居民家庭经济状况核对中心"), today=date(2026, 9, 15))
    investigations.record_check_result(clerk, check, investigations.CheckResultInput(
        date(2026, 9, 16), "eligible", "收入、财产符合条件"), today=date(2026, 9, 16))
    [cand] = [c for c in notices.list_candidates(clerk, VILLAGE, "dibao", POSTED) if c.case_uuid == case]
    assert cand.ready
