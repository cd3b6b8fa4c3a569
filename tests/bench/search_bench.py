"""The search box, timed on the encrypted database and on a plain copy in the same run.

Queries are drawn from the data with a fixed seed: ~50 per kind. Each query
runs once against each database, alternating which goes first, after a short
warm-up; the table shows median and p95 latency per kind and the ratio
encrypted / plain. Results of both databases are compared (same households
in the same order) so the two sides are known to do the same work.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from desktop.domain.case_number import format_case_number
from desktop.domain.roles import Role
from desktop.services.intake.search import SearchResults, search
from desktop.services.session import AppSession, UserInfo
from desktop.store.models import Case, Person

PER_KIND = 50
WARMUP = 5


@dataclass(frozen=True)
class KindResult:
    kind: str
    n: int
    enc_ms: tuple[float, ...]
    plain_ms: tuple[float, ...]
    avg_households: float
    truncated: int
    same_results: bool


def draw_queries(db: Any, seed: int, per_kind: int = PER_KIND) -> dict[str, list[str]]:
    rng = random.Random(seed)
    with db.read() as s:
        people = s.execute(select(Person.id_number, Person.name, Person.name_initials).order_by(Person.uuid)).all()
        cases = s.scalars(select(Case.case_number).order_by(Case.case_number)).all()

    def pick(k: int) -> list[Any]:
        return rng.sample(people, min(k, len(people)))

    long_names = [p for p in people if len(p.name) >= 3]
    return {
        "ID full (18, audited)": [p.id_number for p in pick(per_kind)],
        "ID last 4": [p.id_number[-4:] for p in pick(per_kind)],
        "ID last 6": [p.id_number[-6:] for p in pick(per_kind)],
        "name (full)": [p.name for p in pick(per_kind)],
        "name (given only)": [p.name[1:] for p in rng.sample(long_names, min(per_kind, len(long_names)))],
        "pinyin initials": [p.name_initials for p in pick(per_kind)],
        "case number": [format_case_number(c) for c in rng.sample(list(cases), min(per_kind, len(cases)))],
    }


def _session(db: Any) -> AppSession:
    return AppSession(db, UserInfo("bench", "基准测试", Role.CLERK))


def _key(r: SearchResults) -> tuple[Any, ...]:
    return (r.query_kind, tuple(h.household_uuid for h in r.households), r.truncated)


def run(enc_db: Any, plain_db: Any, queries: dict[str, list[str]],
        say: Callable[[str], None] = print) -> list[KindResult]:
    enc, plain = _session(enc_db), _session(plain_db)
    for qs in queries.values():
        for q in qs[:WARMUP]:
            search(enc, q)
            search(plain, q)
    out = []
    for kind, qs in queries.items():
        enc_ms: list[float] = []
        plain_ms: list[float] = []
        households = truncated = 0
        same = True
        for i, q in enumerate(qs):
            order = ((enc, enc_ms), (plain, plain_ms)) if i % 2 == 0 else ((plain, plain_ms), (enc, enc_ms))
            got = []
            for session, sink in order:
                t0 = time.perf_counter()
                r = search(session, q)
                sink.append((time.perf_counter() - t0) * 1000)
                got.append(_key(r))
            same = same and got[0] == got[1]
            households += len(r.households)
            truncated += r.truncated
        out.append(KindResult(kind, len(qs), tuple(enc_ms), tuple(plain_ms), households / max(1, len(qs)),
                              truncated, same))
        say(f"  {kind}: done")
    return out


def p95(xs: tuple[float, ...]) -> float:
    s = sorted(xs)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def table(results: list[KindResult]) -> str:
    head = (f"{'query kind':<24}{'n':>4}  {'enc med':>8}{'enc p95':>9}  {'plain med':>9}{'plain p95':>10}"
            f"  {'ratio med':>9}{'ratio p95':>10}  {'hh/query':>8}{'trunc':>6}  same")
    lines = [head, "-" * len(head)]
    for r in results:
        em, ep = statistics.median(r.enc_ms), p95(r.enc_ms)
        pm, pp = statistics.median(r.plain_ms), p95(r.plain_ms)
        lines.append(f"{r.kind:<24}{r.n:>4}  {em:>8.2f}{ep:>9.2f}  {pm:>9.2f}{pp:>10.2f}"
                     f"  {em / pm:>8.2f}x{ep / pp:>9.2f}x  {r.avg_households:>8.1f}{r.truncated:>6}  "
                     f"{'yes' if r.same_results else 'NO'}")
    lines.append("(latencies in ms per search() call, including grouping and the batched member/case/coverage "
                 "queries; 'ID full' includes its audit-log write with synchronous=FULL)")
    return "\n".join(lines)
