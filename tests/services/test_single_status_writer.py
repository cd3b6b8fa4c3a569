"""Only the workflow writes a case's status (desktop/services/workflow/).

The scan (``status_writes.py``) reads every module under ``desktop/`` and
reports each assignment to a ``Case``'s ``status`` — or to the ``status`` of
anything it cannot show is another model —, ``Case(status=…)``,
``insert(Case)`` / ``update(Case)`` and SQL text writing ``cases``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from status_writes import scan_source, scan_tree

ROOT = Path(__file__).resolve().parents[2]

# The two entry points of the workflow: transitions (one case at a time, guarded) and history (the bulk
# path for cases with a synthetic past — the demo — which checks each status is where its history ends).
WRITERS = {"desktop/services/workflow/transitions.py", "desktop/services/workflow/history.py"}
# Modules allowed to write a status outside the workflow, each with the reason. Empty: the demo's bulk
# cases go through workflow.history.insert_cases instead of inserting Case rows itself.
EXCEPTIONS: dict[str, str] = {}


def test_only_the_workflow_assigns_case_status() -> None:
    writes = scan_tree(ROOT)
    outside = [w for w in writes if w.path not in WRITERS and w.path not in EXCEPTIONS]
    assert outside == [], "\n".join(f"{w.path}:{w.line}: {w.what}" for w in outside)
    # the scan sees the writers themselves: a scan that found nothing would pass vacuously
    assert {w.path for w in writes} >= WRITERS


FLAGGED = {
    "annotated parameter": "def f(case: Case):\n    case.status = 'approved'\n",
    "optional annotation": "def f(case: 'Case | None'):\n    case.status = 'approved'\n",
    "session get": "def f(s, u):\n    c = s.get(Case, u)\n    c.status, c.updated_at = 'x', 1\n",
    "unknown receiver": "def f(s, u):\n    case, missing = load(s, u)\n    case.status = 'x'\n",
    "helper returning a tuple with Case": (
        "def load(s, u) -> tuple[Case, int]:\n    ...\n"
        "def f(s, u):\n    case, n = load(s, u)\n    case.status = 'x'\n"),
    "loop over cases": "def f(s):\n    for c in s.scalars(select(Case).where(x)):\n        c.status = 'x'\n",
    "subscript receiver": "def f(rows):\n    rows[0].status = 'x'\n",
    "augmented": "def f(case: Case):\n    case.status += ''\n",
    "setattr": "def f(case):\n    setattr(case, 'status', 'x')\n",
    "setattr in a lambda": "def f(case):\n    g = lambda: setattr(case, 'status', 'x')\n",
    "constructor": "def f():\n    s.add(Case(uuid='u', status='accepted'))\n",
    "constructor with kwargs": "def f(row):\n    s.add(Case(**row))\n",
    "bulk insert": "def f(s, rows):\n    s.execute(insert(Case), rows)\n",
    "bulk update": "def f(s):\n    s.execute(update(Case).values(status='x'))\n",
    "raw SQL": "def f(s):\n    s.execute(text(\"UPDATE cases SET status = 'x'\"))\n",
    "module level": "case = session.get(Case, 'u')\ncase.status = 'x'\n",
    "rebound name": "def f(s, u):\n    b = s.get(NoticeBatch, u)\n    b = other(u)\n    b.status = 'x'\n",
}

NOT_FLAGGED = {
    "another model by get": "def f(s, u):\n    b = s.get(NoticeBatch, u)\n    b.status = 'posted'\n",
    "another model by annotation": "def f(row: NoticeObjection):\n    row.status, row.result = 'handled', 'x'\n",
    "another model by helper": ("def load_batch(s, u) -> NoticeBatch:\n    ...\n"
                                "def f(s, u):\n    batch = load_batch(s, u)\n    batch.status = 'ended'\n"),
    "another model constructed": "def f():\n    r = NoticeObjection(status='open')\n",
    "reading a status": "def f(case: Case):\n    return case.status == 'x'\n",
    "an attribute of a widget": "class Page:\n    def f(self):\n        self.status = 'ready'\n",
}


@pytest.mark.parametrize("name", sorted(FLAGGED))
def test_the_scan_reports_what_may_write_a_case_status(name: str) -> None:
    assert scan_source(FLAGGED[name], "m.py"), name


@pytest.mark.parametrize("name", sorted(NOT_FLAGGED))
def test_the_scan_leaves_other_models_alone(name: str) -> None:
    assert scan_source(NOT_FLAGGED[name], "m.py") == [], name


def test_the_scan_finds_the_three_writers_of_before_step_6() -> None:
    """What the code looked like before the workflow was merged: all three writers are reported."""
    old = {
        "cases.py": ("def transition_in(s, session, case_uuid, name):\n"
                     "    case, missing = _load(s, case_uuid)\n    case.status = after.value\n"),
        "notices_data.py": ("def apply_case_transition(s, session, case: Case, name):\n"
                            "    case.status, case.updated_at = after.value, now\n"),
        "emergency.py": "def _apply(s, session, case: Case, name, ctx):\n    case.status, case.updated_at = a, b\n",
    }
    assert all(scan_source(src, rel) for rel, src in old.items())
