"""A restore while another process has the database open refuses with a Chinese message and moves
nothing (it used to swap the live file from under the window); once that process is gone — closed or
killed — the restore goes through."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ADMIN_PASSWORD, FAST_KDF, TEST_TOWNSHIP

from desktop.services.admin.maintenance import restore_from_backup
from desktop.services.admin.setup import create_township
from desktop.store.backup import make_backup
from desktop.store.errors import BackupError

HOLDER = textwrap.dedent("""
    import sys, time
    sys.path[:0] = [sys.argv[2]]
    from conftest import ADMIN_PASSWORD, FAST_KDF
    from desktop.services.admin.accounts import sign_in
    session = sign_in(sys.argv[1], "admin", ADMIN_PASSWORD, kdf=FAST_KDF)
    print("open", flush=True)
    sys.stdin.readline()      # held open until the test says so
    session.close()
    print("closed", flush=True)
""")


def _live_files(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture
def backed_up(tmp_path: Path) -> tuple[Path, Path]:
    data_dir = tmp_path / "data"
    session = create_township(data_dir, TEST_TOWNSHIP, "admin", ADMIN_PASSWORD, kdf=FAST_KDF)
    try:
        backup = make_backup(session.db).path
    finally:
        session.close()
    return data_dir, backup


def _holder(data_dir: Path) -> subprocess.Popen[str]:
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir), str(root / "tests")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
    return proc


def test_restore_refuses_while_another_process_has_the_database_open(backed_up) -> None:  # type: ignore[no-untyped-def]
    data_dir, backup = backed_up
    holder = _holder(data_dir)
    try:
        before = _live_files(data_dir)
        with pytest.raises(BackupError) as caught:
            restore_from_backup(data_dir, backup, "admin", ADMIN_PASSWORD)
        assert "另一个程序" in caught.value.message and "关闭" in caught.value.message
        assert _live_files(data_dir) == before                       # nothing moved
        assert not list(data_dir.glob("replaced-*"))
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "closed"          # the holder never noticed anything
    finally:
        holder.kill()
        holder.wait()
    report = restore_from_backup(data_dir, backup, "admin", ADMIN_PASSWORD)   # now nobody holds it
    assert report.replaced is not None


def test_a_killed_holder_does_not_block_the_restore(backed_up) -> None:  # type: ignore[no-untyped-def]
    data_dir, backup = backed_up
    holder = _holder(data_dir)
    os.kill(holder.pid, signal.SIGKILL)      # its lock file stays behind, its OS lock goes with it
    holder.wait()
    assert list((data_dir / ".open").glob("*.lock"))
    report = restore_from_backup(data_dir, backup, "admin", ADMIN_PASSWORD)
    assert report.replaced is not None
    assert not list((data_dir / ".open").glob("*.lock"))   # the stale one removed, the restore's own released
