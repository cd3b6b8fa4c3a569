"""Save a small demo database of the current release for upgrade tests.

Run once per release: `.venv/bin/python tests/data/releases/make_release_db.py 0.1.0`.
The admin password is the fixed test password in tests/store/test_migrations.py;
all data is synthetic.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from desktop.demo.generator import create_demo
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.admin.local_files import read_demo_accounts
from desktop.store.keyslots import KdfParams

RELEASE_PASSWORD = "release-db-2026"


def main(version: str) -> None:
    target = Path(__file__).resolve().parent / version
    if target.exists():
        raise SystemExit(f"{target} exists")
    work = Path(tempfile.mkdtemp()) / "demo"
    kdf = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)
    create_demo(work, households=30, today=date(2026, 11, 24), kdf=kdf)
    admin_pw = next(pw for u, _r, pw in read_demo_accounts(work) if u == "admin")
    session = sign_in(work, "admin", admin_pw, kdf=kdf)
    auth.reset_password(session, "admin", RELEASE_PASSWORD)
    session.close()
    target.mkdir(parents=True)
    for name in ("yimen.db", "keyslots.json"):
        shutil.copyfile(work / name, target / name)
    print(f"saved {target}")


if __name__ == "__main__":
    main(sys.argv[1])
