"""Shared fixtures: real SQLCipher files in temporary directories, cheap Argon2 for speed."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import settings  # noqa: E402

# CI runs the same examples every time (a red CI is then reproducible) and never fails on timing.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

from desktop.services.admin.setup import TownshipSetup, create_township  # noqa: E402
from desktop.services.session import AppSession  # noqa: E402
from desktop.store.keyslots import KdfParams  # noqa: E402

FAST_KDF = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)


def noon(day: date) -> datetime:
    """Local noon of ``day``, aware: where tests move the clock to (``time_machine.move_to(noon(day))``),
    so that the PC's local date is ``day`` whatever its time zone."""
    return datetime.combine(day, time(12)).astimezone()
ADMIN_PASSWORD = "admin-pass-2026"

TEST_TOWNSHIP = TownshipSetup(
    township_code="620102101", township_name="测试镇", county_name="测试县", window_name="测试窗口",
    device_code="007", villages=(("620102101201", "东坪村"), ("620102101202", "西沟村")),
)


@pytest.fixture
def this_checkouts_resources(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The locator as in a checkout without the env override. The shared virtualenv's editable install
    of ``yimen_resources`` may map onto another checkout (a git worktree of the same repository); then
    this checkout is tested as one with no package installed (the checkout fallback of the locator)."""
    from forms import bundle

    monkeypatch.delenv(bundle.ENV_VAR, raising=False)
    here = Path(__file__).resolve().parents[1] / "resources"
    spec = importlib.util.find_spec(bundle.PACKAGE)
    if spec is not None and spec.origin and Path(spec.origin).resolve().parent != here:
        monkeypatch.setattr(bundle, "PACKAGE", f"{bundle.PACKAGE}_of_another_checkout")
    return here


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def admin_session(data_dir: Path) -> Iterator[AppSession]:
    session = create_township(data_dir, TEST_TOWNSHIP, "admin", ADMIN_PASSWORD, kdf=FAST_KDF)
    yield session
    session.close()
