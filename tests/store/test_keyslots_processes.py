"""keyslots.json changed by several processes at once: nothing lost, nothing revived, counts exact.

A second process signs in, fails sign-ins and adds its own users in a loop while this one adds,
removes and re-keys users; then every slot must be exactly what the last change made it. And
failed attempts arriving in parallel from many processes are each counted.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import FAST_KDF

from desktop.store.errors import AccountLocked, UnknownUser, WrongPassword
from desktop.store.keyslots import KeySlotFile, LockoutPolicy

ROOT = Path(__file__).resolve().parents[2]
KDF = f"KdfParams(time_cost={FAST_KDF.time_cost}, memory_kib={FAST_KDF.memory_kib}, parallelism={FAST_KDF.parallelism})"

# The other process: sign-ins (right and wrong) and its own users, until told to stop.
BUSY_PROCESS = textwrap.dedent(f"""
    import json, sys, time
    from pathlib import Path
    from desktop.store.errors import StoreError
    from desktop.store.keyslots import KdfParams, KeySlotFile, LockoutPolicy
    path, key, stop = Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), Path(sys.argv[3])
    kdf, lenient = {KDF}, LockoutPolicy(max_failures=10**9, lock_minutes=1)
    slots = KeySlotFile.load(path)
    ok = wrong = added = 0
    while not stop.exists() or added < 150:
        assert slots.unlock("base", "base-password-1", lenient) == key
        ok += 1
        try:
            slots.unlock("victim", "not-the-password", lenient)
        except StoreError:
            wrong += 1
        if added < 150:
            slots.add_password_slot(f"c{{added:03d}}", f"child-pass-{{added}}", key, kdf)
            added += 1
    print(json.dumps({{"ok": ok, "wrong": wrong, "added": added}}))
""")

# One failed attempt, started together with the others (they all wait for the go file).
ONE_WRONG_ATTEMPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from desktop.store.errors import StoreError
    from desktop.store.keyslots import KeySlotFile, LockoutPolicy
    path, go, max_failures = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    slots = KeySlotFile.load(path)
    while not go.exists():
        time.sleep(0.005)
    try:
        slots.unlock("victim", "wrong-password-1", LockoutPolicy(max_failures=max_failures, lock_minutes=15))
    except StoreError as exc:
        print(type(exc).__name__)
""")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _slot_file(tmp_path: Path) -> tuple[KeySlotFile, bytes]:
    key = secrets.token_bytes(32)
    slots = KeySlotFile.create(tmp_path / "keyslots.json")
    for name, password in (("base", "base-password-1"), ("victim", "victim-password-1")):
        slots.add_password_slot(name, password, key, FAST_KDF)
    return slots, key


def _opens(path: Path, username: str, password: str, key: bytes) -> bool:
    try:
        return KeySlotFile.load(path).unlock(username, password, LockoutPolicy(max_failures=10**9)) == key
    except (WrongPassword, UnknownUser):
        return False


def test_two_processes_changing_the_slots_lose_nothing(tmp_path):
    slots, key = _slot_file(tmp_path)
    stop = tmp_path / "stop"
    child = subprocess.Popen([sys.executable, "-c", BUSY_PROCESS, str(slots.path), key.hex(), str(stop)],
                             env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.3)   # let it start hammering
        passwords: dict[str, str] = {}
        for i in range(120):
            slots.add_password_slot(f"u{i:03d}", f"first-pass-{i}", key, FAST_KDF)
            passwords[f"u{i:03d}"] = f"first-pass-{i}"
        removed = [f"u{i:03d}" for i in range(0, 120, 3)]          # 40 users
        for name in removed:
            slots.remove_slot(name)
        reset = [f"u{i:03d}" for i in range(1, 120, 3)][:30]       # 30 password resets (of kept users)
        for name in reset:
            slots.add_password_slot(name, f"second-pass-{name}", key, FAST_KDF)
        stop.touch()
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    report = json.loads(out)
    assert report["ok"] > 20 and report["added"] == 150   # the other process really ran alongside

    final = KeySlotFile.load(slots.path)
    expected = ({"base", "victim"} | {f"u{i:03d}" for i in range(120)} - set(removed)
                | {f"c{i:03d}" for i in range(150)})
    assert set(final.users) == expected                       # no slot lost, none revived
    for name in removed:
        assert not _opens(slots.path, name, passwords[name], key)
    for name in reset:
        assert _opens(slots.path, name, f"second-pass-{name}", key)
        assert not _opens(slots.path, name, passwords[name], key)
    for name in ("u002", "u119", "c000", "c149"):
        password = passwords.get(name) or f"child-pass-{int(name[1:])}"
        assert _opens(slots.path, name, password, key)
    # every failed attempt of the other process was counted and recorded
    assert final.failures_for("victim") == report["wrong"]
    recorded = final.failed_logins()
    dropped = sum(int(a["count"]) for a in recorded if a["kind"] == "dropped")
    assert dropped + sum(1 for a in recorded if a["user"] == "victim") == report["wrong"]


@pytest.mark.parametrize(("max_failures", "locked"), [(11, False), (5, True)])
def test_parallel_wrong_passwords_are_each_counted(tmp_path, max_failures, locked):
    slots, key = _slot_file(tmp_path)
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", ONE_WRONG_ATTEMPT, str(slots.path), str(go), str(max_failures)],
                              env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(10)]
    time.sleep(1.0)   # all of them loaded and waiting
    go.touch()
    results = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in results]
    final = KeySlotFile.load(slots.path)
    attempts = [a for a in final.failed_logins() if a["user"] == "victim"]
    assert len(attempts) == 10                                  # none lost
    failed, until = final.lock_state("victim")
    if locked:
        assert until is not None
        assert sum(1 for out, _ in results if out.strip() == "AccountLocked") == 10 - (max_failures - 1)
        with pytest.raises(AccountLocked):
            final.unlock("victim", "victim-password-1", LockoutPolicy(max_failures=max_failures))
    else:
        assert until is None and failed == 10
        assert final.unlock("victim", "victim-password-1", LockoutPolicy(max_failures=max_failures)) == key
