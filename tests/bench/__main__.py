"""`python -m tests.bench [startup]` — prints measurements side by side; asserts nothing about time.

First the time to render a 2,000-row public notice (poster, CSV, HTML — see
`notice_bench`), then cold start to the login window against a bare PySide6
window and resident memory after sign-in on the township (`startup`), then the
search box on the encrypted database against a plain copy, then the monthly
report for one month against the whole year (`report_bench`), and last the sync
figures (`sync_bench`: push over a 256 kbit/s, 300 ms link against PouchDB, 50
devices at once on PostgreSQL). With the argument `startup` only the start-up and
memory part runs; with `sync` only the sync figures.

Environment: YIMEN_BENCH_SYNC_EVENTS (default 10000) the events pushed;
YIMEN_BENCH_HOUSEHOLDS (default 50000) sets the size of the
township; the built database is cached under `.bench-cache/` (per size and
schema revision) and copied for each run.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from desktop.store.database import Database
from desktop.store.models import Case, Household, Person

from . import dataset, notice_bench, report_bench, search_bench, startup, sync_bench
from .plaindb import PlainDatabase, export_plaintext

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".bench-cache"
DEFAULT_HOUSEHOLDS = 50_000
SEED = 7


def _say(msg: str) -> None:
    print(msg, flush=True)


def _startup(data: dataset.BenchData) -> None:
    _say("start-up: new process per run, bare and yimen alternating …")
    result = startup.measure_startup(data.data_dir, say=_say)
    print()
    print(startup.table(result))
    _say("signing in on the township through the login window, waiting for the home page …")
    rss = startup.rss_after_sign_in(data.data_dir, data.username, data.password)
    print(f"resident memory (RSS) after sign-in, {data.households} households: {rss / 1024:.0f} MiB")
    print()


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    only_startup = args == ["startup"]
    if args == ["sync"]:
        print(sync_bench.table(sync_bench.run(say=_say)))
        return 0
    households = int(os.environ.get("YIMEN_BENCH_HOUSEHOLDS", DEFAULT_HOUSEHOLDS))
    started = time.perf_counter()
    _say(f"Yimen bench — {households} households, python {platform.python_version()}, "
         f"{os.cpu_count()} CPU, {platform.machine()}")
    if not only_startup:
        notice = notice_bench.run(say=_say)   # rendering only: needs no township
        print()
        print(notice_bench.table(notice))
        print()
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="work-", dir=CACHE) as tmp:
        work = Path(tmp)
        data = dataset.prepare(CACHE, households, work / "enc", say=_say)
        _say(f"township: {data.source}; "
             + ("reused from cache" if data.reused else f"built in {data.build_seconds:.1f} s"))
        _startup(data)
        if only_startup:
            print(f"bench finished in {time.perf_counter() - started:.1f} s")
            return 0
        enc_db = Database.unlock(data.data_dir, data.username, data.password)
        try:
            t0 = time.perf_counter()
            plain_path = export_plaintext(enc_db, work / "plain.db")
            export_s = time.perf_counter() - t0
            plain_db = PlainDatabase(plain_path)
            try:
                with enc_db.read() as s:
                    n_hh = s.scalar(select(func.count()).select_from(Household))
                    n_p = s.scalar(select(func.count()).select_from(Person))
                    n_c = s.scalar(select(func.count()).select_from(Case))
                with enc_db.engine.connect() as conn:
                    cipher = conn.exec_driver_sql("PRAGMA cipher_version").scalar()
                    sqlite_version = conn.exec_driver_sql("SELECT sqlite_version()").scalar()
                _say(f"data: {n_hh} households, {n_p} persons, {n_c} cases; "
                     f"encrypted {enc_db.path.stat().st_size / 1e6:.1f} MB, plain copy "
                     f"{plain_path.stat().st_size / 1e6:.1f} MB (exported in {export_s:.1f} s); "
                     f"SQLite {sqlite_version}, SQLCipher {cipher} (same driver for both)")
                queries = search_bench.draw_queries(enc_db, SEED)
                _say(f"search: {sum(len(q) for q in queries.values())} queries in {len(queries)} kinds, "
                     f"seed {SEED}, each run on both databases (alternating order) …")
                results = search_bench.run(enc_db, plain_db, queries, say=_say)
                print()
                print(search_bench.table(results))
                print()
                rows, summary = report_bench.run(enc_db, say=_say)
                print(report_bench.table(rows, summary))
            finally:
                plain_db.close()
        finally:
            enc_db.close()
    print()
    print(sync_bench.table(sync_bench.run(say=_say)))
    print(f"\nbench finished in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
