"""Cold start to the login window against a bare PySide6 window, and memory after sign-in.

Every measurement is a new process (``QT_QPA_PLATFORM=offscreen``): the parent notes the
monotonic clock, starts the child, and the child prints the monotonic clock once its window is
shown — a zero timer after ``show()``, which fires when the event loop has handled the show
events. Bare and Yimen runs alternate, so both see the same machine load and the same disk
cache ("cold" here means a new interpreter, not an empty page cache). Yimen is started through
its real path, ``python -m desktop --quit-after 0`` (cli → ui.app → login window).

Resident memory after sign-in: a child starts the shell on a township, signs in through the
login window, waits until the main window and its home page have loaded, and prints its RSS
(``VmRSS`` in /proc; ``ru_maxrss`` where there is no /proc).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STAMP = "window-shown-monotonic="
RSS_STAMP = "rss-after-sign-in-kib="
TARGET_RATIO = 3.0

BARE_CHILD = f"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
w = QWidget()
w.setWindowTitle("bare")
w.show()
def shown():
    print("{STAMP}%.6f" % time.monotonic(), flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""

RSS_CHILD = f"""
import os, resource, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from desktop.ui.app import Shell, create_app
data_dir, user, password = sys.argv[1], sys.argv[2], sys.stdin.readline().rstrip("\\n")
app = create_app()
shell = Shell(Path(data_dir))
shell.start()
shell.login.username.setText(user)
shell.login.password.setText(password)
shell.login.try_sign_in()
def rss_kib():
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
settled = []
def poll():
    if shell.main is None or shell.tasks.pending():
        QTimer.singleShot(50, poll)
        return
    settled.append(1)
    if len(settled) < 5:          # a few idle rounds: the home page's counts have arrived
        QTimer.singleShot(100, poll)
        return
    print("{RSS_STAMP}%d" % rss_kib(), flush=True)
    app.quit()
QTimer.singleShot(0, poll)
QTimer.singleShot(600_000, lambda: (print("timeout", flush=True), app.exit(1)))
sys.exit(app.exec())
"""


@dataclass(frozen=True)
class StartupResult:
    bare: tuple[float, ...]      # seconds, one per run
    yimen: tuple[float, ...]

    @property
    def ratio(self) -> float:
        return statistics.median(self.yimen) / statistics.median(self.bare)


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def _time_child(args: list[str], cwd: Path) -> float:
    started = time.monotonic()
    out = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)
    stamps = [line.split(STAMP, 1)[1] for line in out.stdout.splitlines() if STAMP in line]
    if out.returncode != 0 or not stamps:
        raise RuntimeError(f"start-up child failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    return float(stamps[-1]) - started


def measure_startup(data_dir: Path, runs: int = 7, say=print) -> StartupResult:  # type: ignore[no-untyped-def]
    """``runs`` bare and ``runs`` Yimen starts, alternating, after one unmeasured warm-up of each."""
    bare_cmd = [sys.executable, "-c", BARE_CHILD]
    yimen_cmd = [sys.executable, "-m", "desktop", "--data-dir", str(data_dir), "--quit-after", "0"]
    _time_child(bare_cmd, data_dir)
    _time_child(yimen_cmd, data_dir)
    bare, yimen = [], []
    for i in range(runs):
        bare.append(_time_child(bare_cmd, data_dir))
        yimen.append(_time_child(yimen_cmd, data_dir))
        say(f"  start-up run {i + 1}/{runs}: bare {bare[-1] * 1000:.0f} ms, yimen {yimen[-1] * 1000:.0f} ms")
    return StartupResult(tuple(bare), tuple(yimen))


def table(result: StartupResult) -> str:
    def row(name: str, xs: tuple[float, ...]) -> str:
        return f"{name:<34} {min(xs) * 1000:>8.0f} {statistics.median(xs) * 1000:>10.0f}"

    verdict = "ok" if result.ratio <= TARGET_RATIO else "OVER TARGET"
    return "\n".join([
        f"{'cold start to first window (ms)':<34} {'min':>8} {'median':>10}",
        row("bare PySide6 window", result.bare),
        row("yimen login window", result.yimen),
        f"ratio (median yimen / median bare): {result.ratio:.2f}x  (target <= {TARGET_RATIO:.0f}x: {verdict}); "
        f"{len(result.bare)} runs each, new process per run",
    ])


def rss_after_sign_in(data_dir: Path, username: str, password: str) -> int:
    """Resident memory (KiB) of a window signed in on ``data_dir`` with its home page loaded."""
    out = subprocess.run([sys.executable, "-c", RSS_CHILD, str(data_dir), username], input=password + "\n",
                         cwd=data_dir, env=_env(), capture_output=True, text=True, timeout=660)
    values = [line.split(RSS_STAMP, 1)[1] for line in out.stdout.splitlines() if RSS_STAMP in line]
    if out.returncode != 0 or not values:
        raise RuntimeError(f"sign-in child failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    return int(values[-1])
