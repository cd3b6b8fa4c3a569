"""`yimen-county demo`: the one-command trial hub on SQLite, and the demo township of `make run` enrolling
with the command it prints, then syncing — the same code as the real hub, only the database differs."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from conftest import FAST_KDF

from county.conftest import ROOT, county
from county.pg import free_port
from desktop.demo.generator import create_demo


def _code_for(out: str, device: str) -> str:
    line = next(ln for ln in out.splitlines() if f"{device}号设备" in ln)
    return line.rsplit("：", 1)[1].strip()


def _wait(url: str, ca: Path, proc: subprocess.Popen[bytes]) -> dict[str, object]:
    for _ in range(300):
        if proc.poll() is not None:
            raise AssertionError(f"the demo hub exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            return requests.get(f"{url}/api/v1/hello", verify=str(ca), timeout=2).json()
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError("the demo hub did not answer")


def test_demo_hub_enrolls_the_demo_township_with_the_printed_command_and_takes_its_cases(tmp_path: Path) -> None:
    hub_dir, town_dir, port = tmp_path / "county-demo", tmp_path / "demo-data", free_port()
    first = county("demo", "--data-dir", str(hub_dir), "--port", str(port), "--no-serve")
    assert first.returncode == 0, first.stderr
    assert "已创建" in first.stdout and (hub_dir / "hub.db").exists() and (hub_dir / "ca.pem").exists()
    codes = {d: _code_for(first.stdout, d) for d in ("001", "002")}
    assert all(len(c.replace("-", "")) == 12 for c in codes.values())

    demo = create_demo(town_dir, 12, kdf=FAST_KDF)
    admin_pw = next(pw for user, _role, pw in demo.accounts if user == "admin")
    clerk_pw = next(pw for user, _role, pw in demo.accounts if user == "clerk")

    proc = subprocess.Popen([sys.executable, "-m", "sync.county.cli", "demo", "--data-dir", str(hub_dir),
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        hello = _wait(f"https://localhost:{port}", hub_dir / "ca.pem", proc)
        assert hello["county_name"] == "示范县"
        served = requests.get(f"https://localhost:{port}/api/v1/openapi.json", verify=str(hub_dir / "ca.pem"),
                              timeout=10).json()
        published = json.loads((ROOT / "docs" / "api" / "openapi.json").read_text(encoding="utf-8"))
        assert served == published, "the running hub serves another OpenAPI document than docs/api/openapi.json"
        # 001 is not enrolled yet: every start prints a fresh code and the enroll line to paste
        again = county("demo", "--data-dir", str(hub_dir), "--port", str(port), "--no-serve")
        enroll_line = next(ln for ln in again.stdout.splitlines() if "yimen enroll" in ln)
        argv = shlex.split(enroll_line.strip())[1:]                      # drop ".venv/bin/yimen"
        argv[argv.index("--data-dir") + 1] = str(town_dir)
        env = {**os.environ, "YIMEN_PASSWORD": admin_pw}
        out = subprocess.run([sys.executable, "-m", "desktop.cli", *argv], capture_output=True, text=True,
                             env=env, cwd=ROOT, timeout=120)
        assert out.returncode == 0, out.stderr
        assert "示范县" in out.stdout
        out = subprocess.run([sys.executable, "-m", "desktop.cli", "sync", "--data-dir", str(town_dir),
                              "--user", "clerk"], capture_output=True, text=True,
                             env={**os.environ, "YIMEN_PASSWORD": clerk_pw}, cwd=ROOT, timeout=300)
        assert out.returncode == 0, out.stderr
        assert "已上报" in out.stdout and "需处理" not in out.stdout, out.stdout
        listed = county("device", "list", "--data-dir", str(hub_dir))
        assert "620102101 001 在用" in listed.stdout and "审计链:ok" in listed.stdout, listed.stdout
        # enrolled now: a later start says so and issues no code for it
        later = county("demo", "--data-dir", str(hub_dir), "--no-serve")
        assert "001号设备（乡镇窗口电脑）：已注册" in later.stdout and "yimen enroll" not in later.stdout
        assert _code_for(later.stdout, "002")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
