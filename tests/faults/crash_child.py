"""The writer that the kill test (test_kill9.py) kills: a zygote that imports everything once, then forks
one writer per run. Not a test module.

    python tests/faults/crash_child.py DATA_DIR        (stdin: one line per run: "<kind> <seed>")

For each line the zygote forks a writer and prints ``pid <pid>``. The writer signs in as the clerk
(each run continues on the same database), prints ``ready <pid>`` and then loops writes of its kind
(``intake``, ``notice``, ``referral``), printing ``ack <pid> <what> <key>`` right AFTER each write
returned — what the clerk would have been told was saved. The test kills it with SIGKILL; the zygote
reaps it and prints ``dead <pid>`` (after every line the writer wrote, as the pipe keeps order).
A line ``check`` makes the zygote fork a checker that prints ``checked <json>`` (what is in the
database, and what is wrong with it) and exits."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "services")]

from factories import complete_application, make_id  # noqa: E402
from faultkit import sign_in_clerk, sound, township_with_clerk  # noqa: E402
from sqlalchemy import select  # noqa: E402

from desktop.domain.categories import Category  # noqa: E402
from desktop.domain.household import Person, Relation  # noqa: E402
from desktop.services.deadlines.planner import DeadlinePlanner  # noqa: E402
from desktop.services.intake.accept import submit_application  # noqa: E402
from desktop.services.investigation import records as investigations  # noqa: E402
from desktop.services.notices import batches as notices  # noqa: E402
from desktop.services.referrals import lifecycle as referrals  # noqa: E402
from desktop.services.referrals.lifecycle import ResultInput  # noqa: E402
from desktop.services.workflow import transitions  # noqa: E402
from desktop.store.models import Case  # noqa: E402
from desktop.store.models_notice import NoticeBatch  # noqa: E402
from desktop.store.models_referral import Referral  # noqa: E402

VILLAGE = "620102101201"


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())   # unbuffered: a line is in the pipe before the next write starts


def _application(session, rng: random.Random, categories=(Category.DIBAO,)):  # type: ignore[no-untyped-def]
    app = complete_application(session, categories)
    body = f"6201021970{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
    head = Person("赵" + "明华志强"[rng.randrange(4)], make_id(body), Relation.SELF)
    hh = dataclasses.replace(app.household, members=(head,))
    plan = DeadlinePlanner.of(session).plan(VILLAGE, session.clock.today(), list(categories))
    return dataclasses.replace(app, household=hh, applicant_id_number=head.id_number,
                               documents_received=tuple(c for c, _n in plan.documents if c not in plan.conditional))


def intake(session, ack, rng: random.Random, rounds: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(rounds):
        number = submit_application(session, _application(session, rng), "accept").case_number
        ack("case", number)


def notice(session, ack, rng: random.Random, rounds: int) -> None:  # type: ignore[no-untyped-def]
    today = session.clock.today()
    for _ in range(rounds):
        case_uuid = submit_application(session, _application(session, rng), "accept").case_uuid
        transitions.transition(session, case_uuid, "start_investigation")
        on = today
        investigations.record_home_visit(session, case_uuid, investigations.HomeVisitInput(
            on, ("王喆", "李明"), "入户核实家庭情况", 86000), today=on)
        check = investigations.request_economic_check(session, case_uuid, investigations.CheckRequestInput(
            on, "县居民家庭经济状况核对中心"), today=on)
        investigations.record_check_result(session, check, investigations.CheckResultInput(
            on, "eligible", "收入、财产符合条件"), today=on)
        ack("investigated", case_uuid)
        batch = notices.create_batch(session, VILLAGE, Category.DIBAO, [case_uuid], start_on=today)
        ack("batch", batch.uuid)


def referral(session, ack, rng: random.Random, rounds: int) -> None:  # type: ignore[no-untyped-def]
    today = session.clock.today()
    for _ in range(rounds):
        app = _application(session, rng, (Category.EDUCATION, Category.MEDICAL))
        case_uuid = submit_application(session, app, "accept").case_uuid
        with session.db.read() as s:
            refs = list(s.scalars(select(Referral.uuid).where(Referral.case_uuid == case_uuid)))
        for ref in refs:
            referrals.mark_sent(session, ref, today)
            ack("sent", ref)
            referrals.mark_received(session, ref, today)
            ack("received", ref)
            referrals.record_result(session, ref, ResultInput("approve", today, "县教育局"))
            ack("decided", ref)


def check(data_dir: Path) -> dict[str, object]:
    session = sign_in_clerk(data_dir)
    try:
        with session.db.read() as s:
            cases = {c.uuid: (c.case_number, c.status) for c in s.scalars(select(Case))}
            batches = list(s.scalars(select(NoticeBatch.uuid)))
            refs = {r.uuid: r.state for r in s.scalars(select(Referral))}
        investigated = [u for u, (_n, status) in cases.items() if status != "accepted"]
        return {"problems": sound(session), "case": [n for n, _s in cases.values()], "batch": batches,
                "investigated": investigated, "referral": refs}
    finally:
        session.close()


WRITERS = {"intake": intake, "notice": notice, "referral": referral}


def run(data_dir: Path, kind: str, seed: int) -> None:
    pid = os.getpid()
    session = sign_in_clerk(data_dir)
    say(f"ready {pid}")
    WRITERS[kind](session, lambda what, key: say(f"ack {pid} {what} {key}"), random.Random(seed), 10**9)


def warm_up() -> None:
    """One round of each writer on a scratch township, so the forked writers find the policy files,
    the calendar and the lazily imported modules loaded (the first intake of a process takes ~1.5 s)."""
    with tempfile.TemporaryDirectory() as scratch:
        session = township_with_clerk(Path(scratch) / "data")
        try:
            for writer in WRITERS.values():
                writer(session, lambda _what, _key: None, random.Random(0), 1)
        finally:
            session.close()


def main() -> None:
    data_dir = Path(sys.argv[1])
    warm_up()
    say("zygote ready")
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        child = os.fork()
        if child == 0:
            try:
                if words[0] == "check":
                    say("checked " + json.dumps(check(data_dir), ensure_ascii=True))
                else:
                    run(data_dir, words[0], int(words[1]))
            except BaseException as exc:   # noqa: BLE001 — reported to the test, which fails on it
                say(f"error {os.getpid()} {type(exc).__name__}: {exc!r}"[:2000])
                os._exit(3)
            os._exit(0)
        say(f"pid {child}")
        _pid, status = os.waitpid(child, 0)
        say(f"dead {child} {status}")


if __name__ == "__main__":
    main()
