"""Step 2: 劳动能力 is proposed by age from the ID number (policy ages) and says so; the clerk's choice stands."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from .test_intake_support import (
    HEAD_ID,
    key,
    make_id,
    open_page,
    pick,
    search_and_start_new,
    tab_to,
    type_text,
)


def _id_born(day: date, seq: str = "005") -> str:
    return make_id(f"620102{day:%Y%m%d}{seq}")


def _years_before(today: date, years: int) -> date:
    return today.replace(year=today.year - years) if not (today.month == 2 and today.day == 29) \
        else date(today.year - years, 2, 28)


def test_labour_capacity_follows_the_age_until_the_clerk_chooses(qtbot, ui_context_for):  # type: ignore[no-untyped-def]
    ctx = ui_context_for("clerk")
    page = open_page(qtbot, ctx)
    today = ctx.session.clock.today()
    search_and_start_new(qtbot, page, HEAD_ID)
    hh = page.household
    pick(qtbot, hh.village, "东坪村")
    ed = hh.editor
    qtbot.waitUntil(lambda: ed.labour.currentData() == "full")          # the head: 56 years old
    assert "按年龄默认为“有劳动能力”（16至59周岁），可修改" == ed.labour_note.text()

    tab_to(qtbot, hh.add_button, backwards=True)
    key(qtbot, Qt.Key.Key_Space)                                         # a child
    type_text(qtbot, "张小明")
    key(qtbot, Qt.Key.Key_Tab)
    pick(qtbot, ed.relation, "子")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, _id_born(_years_before(today, 8), "011"))
    assert ed.labour.currentData() == "not_applicable"
    assert ed.labour_note.isVisible() and "（未满16周岁）" in ed.labour_note.text()
    assert ed.form().labour_capacity == "not_applicable"

    tab_to(qtbot, hh.add_button, backwards=True)
    key(qtbot, Qt.Key.Key_Space)                                         # a grandmother of 76
    type_text(qtbot, "王秀英")
    key(qtbot, Qt.Key.Key_Tab)
    pick(qtbot, ed.relation, "祖父母")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, _id_born(_years_before(today, 76), "022"))
    assert ed.labour.currentData() == "not_applicable" and "（已满60周岁）" in ed.labour_note.text()
    tab_to(qtbot, ed.labour)
    pick(qtbot, ed.labour, "部分丧失劳动能力")                         # the clerk knows better
    assert not ed.labour_note.isVisible()
    ed.id_number.setFocus()
    key(qtbot, Qt.Key.Key_Backspace)                                     # retyping the number …
    type_text(qtbot, _id_born(_years_before(today, 76), "022")[-1])
    assert ed.labour.currentData() == "partial"                          # … keeps the clerk's choice
    assert hh.form().members[2].labour_capacity == "partial"
    qtbot.waitUntil(lambda: ctx.tasks.pending() == 0)                   # the font check of the names is back
