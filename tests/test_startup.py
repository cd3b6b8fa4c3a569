"""Start-up: the login window is on screen before anything sign-in or documents need is imported.

Each check runs the real entry (``desktop.cli.main`` → ``desktop.ui.app`` → login window, with
``--quit-after 0``) in a fresh interpreter and looks at ``sys.modules`` once the login window
has been shown: behaviour, not timing (``make bench`` measures the time). A control run imports
the signed-in side and sees those same modules, so the names checked are the real ones.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.config import DEMO_ACCOUNTS_FILENAME

REPO = Path(__file__).resolve().parents[1]
# What signing in (database, migrations) and documents (PDF, pinyin search, Excel, preview) need.
LATE = ("reportlab", "pypinyin", "alembic", "openpyxl", "pypdfium2", "sqlalchemy", "sqlcipher3", "argon2")

LOGIN_CHILD = """
import sys
from desktop.cli import main
rc = main(["--data-dir", sys.argv[1], "--quit-after", "0"])
late = sys.argv[2].split(",")
print("LOADED=" + ",".join(m for m in late if m in sys.modules))
sys.exit(rc)
"""

SIGNED_IN_SIDE_CHILD = """
import sys
import desktop.ui.main_window, desktop.ui.login
desktop.ui.login.open_session   # what the worker calls on sign-in
from desktop.services.admin import accounts
print("LOADED=" + ",".join(m for m in sys.argv[2].split(",") if m in sys.modules))
"""


def _run(code: str, data_dir: Path, tmp_path: Path) -> tuple[str, set[str]]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    out = subprocess.run([sys.executable, "-c", code, str(data_dir), ",".join(LATE)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stdout + out.stderr
    (line,) = [x for x in out.stdout.splitlines() if x.startswith("LOADED=")]
    return out.stdout, {m for m in line.removeprefix("LOADED=").split(",") if m}


@pytest.fixture
def township(admin_session, data_dir: Path) -> Path:
    # A real database plus a demo accounts file, so the login window builds its demo table too.
    (data_dir / DEMO_ACCOUNTS_FILENAME).write_text("# demo\nadmin\t系统管理员\tadmin-pass-2026\n", "utf-8")
    return data_dir


def test_login_window_is_shown_before_sign_in_and_document_code_is_imported(township: Path,
                                                                          tmp_path: Path) -> None:
    stdout, loaded = _run(LOGIN_CHILD, township, tmp_path)
    assert "登录窗口已显示" in stdout
    assert loaded == set(), f"imported before the login window: {sorted(loaded)}"


def test_login_window_without_a_database_imports_no_database_code_either(tmp_path: Path) -> None:
    stdout, loaded = _run(LOGIN_CHILD, tmp_path / "nothing-here", tmp_path)
    assert "登录窗口已显示" in stdout
    assert loaded == set(), f"imported before the login window: {sorted(loaded)}"


def test_control_the_signed_in_side_does_load_them(tmp_path: Path) -> None:
    _stdout, loaded = _run(SIGNED_IN_SIDE_CHILD, tmp_path, tmp_path)
    assert {"reportlab", "pypinyin", "alembic", "pypdfium2", "sqlalchemy", "sqlcipher3"} <= loaded
