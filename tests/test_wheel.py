"""A wheel built from the repository, installed into a fresh virtualenv outside the checkout,
gives a `yimen` that creates the demo, passes its self-test and shows the login window.

This is the check that a frozen or wheel build keeps the whole application: the resources
must come from the installed package ``yimen_resources`` (the run is in a temporary directory
with no PYTHONPATH and no YIMEN_RESOURCES), every page module must be in the wheel (the installed
``desktop.ui.pages`` imports every page class), and the migrations must be there (the demo runs
them).

Speed: the dependencies are installed with ``--no-index`` from a wheelhouse kept under the
user's cache directory (``$YIMEN_WHEELHOUSE`` overrides), filled once with ``pip download`` at
the versions of the running environment; the venv is created without pip and installed into by
this environment's pip (``pip --python``). It is a real install of our wheel and its
dependencies, not a .pth onto the shared site-packages.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from importlib import metadata
from pathlib import Path

import pytest
from platformdirs import user_cache_path

REPO = Path(__file__).resolve().parents[1]
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".bench-cache",
                                     ".demo-data", ".hypothesis", ".pytest_cache", ".ruff_cache",
                                     ".import_linter_cache", ".wheel-cache")
BUILD_REQUIREMENTS = ("setuptools>=68", "wheel")   # as [build-system] requires
NOT_PINNED = {"yimen", "pip", "setuptools", "wheel"}


def _pip(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=timeout)


def _check(out: subprocess.CompletedProcess[str], what: str) -> None:
    assert out.returncode == 0, f"{what} failed ({out.returncode}):\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}"


def _wheelhouse() -> Path:
    env = os.environ.get("YIMEN_WHEELHOUSE")
    path = Path(env) if env else user_cache_path("yimen-tests") / "wheelhouse"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _constraints(path: Path) -> Path:
    """The versions installed here, so the fresh venv gets what the suite was run against."""
    pins = sorted({f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()
                   if d.metadata["Name"] and d.metadata["Name"].lower() not in NOT_PINNED})
    path.write_text("\n".join(pins) + "\n", "utf-8")
    return path


def _install(target_python: Path, wheel: Path, wheelhouse: Path, constraints: Path) -> None:
    def offline() -> subprocess.CompletedProcess[str]:
        return _pip("--python", str(target_python), "install", "-q", "--no-index", "--find-links", str(wheelhouse),
                    "--constraint", str(constraints), str(wheel))

    out = offline()
    if out.returncode != 0:   # first run, or a dependency changed: fill the wheelhouse, then offline again
        _check(_pip("download", "-q", "-d", str(wheelhouse), "--constraint", str(constraints), str(wheel)),
               "pip download")
        for ours in wheelhouse.glob("yimen-*.whl"):   # pip download copies the wheel itself there too
            ours.unlink()
        _check(_pip("download", "-q", "-d", str(wheelhouse), *BUILD_REQUIREMENTS), "pip download (build)")
        out = offline()
    _check(out, "pip install of the wheel")


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


pytestmark = pytest.mark.slow   # ~30 s with a filled wheelhouse; `make test` runs it (nothing deselects slow)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("wheel")
    assert not root.resolve().is_relative_to(REPO.resolve())
    # Build from a copy: pip builds in the source tree, and a stale build/ there could carry files
    # the repository no longer has into the wheel.
    src = root / "src"
    shutil.copytree(REPO, src, ignore=COPY_IGNORE)
    wheelhouse = _wheelhouse()
    dist = root / "dist"
    _check(_pip("wheel", "-q", "--no-deps", "--find-links", str(wheelhouse), "-w", str(dist), str(src)), "pip wheel")
    (wheel,) = dist.glob("yimen-*.whl")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=False, symlinks=os.name != "nt")
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    _install(python, wheel, wheelhouse, _constraints(root / "constraints.txt"))
    run_dir = root / "elsewhere"
    run_dir.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "YIMEN_RESOURCES", "YIMEN_FONTS_DIR", "YIMEN_DATA_DIR", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(root / "config"), HOME=str(root / "home"),
               PATH=os.pathsep.join([str(bin_dir), env.get("PATH", "")]))
    return bin_dir, run_dir, env


def test_installed_code_and_resources_come_from_the_venv_not_the_checkout(installed) -> None:
    bin_dir, run_dir, env = installed
    out = _run([str(bin_dir / "python"), "-c",
                "import desktop, forms.bundle, desktop.ui.pages; print(desktop.__file__); "
                "print(forms.bundle.resources_dir())"], run_dir, env)
    _check(out, "import from the venv")
    code_file, resources = (Path(line) for line in out.stdout.split())
    site = (bin_dir.parent).resolve()
    assert code_file.resolve().is_relative_to(site) and resources.resolve().is_relative_to(site)
    assert resources.name == "yimen_resources"
    for shipped in ("fonts/wqy-microhei.ttc", "translations/yimen_zh_CN.qm", "calendar/cn_workdays.json",
                    "policy/620102-2026-07-01.json"):
        assert (resources / shipped).is_file(), shipped
    assert not (resources / "translations" / "yimen_zh_CN.ts").exists()   # sources stay in the repo


def test_installed_yimen_runs_demo_self_test_and_the_window(installed) -> None:
    bin_dir, run_dir, env = installed
    yimen = str(bin_dir / "yimen")
    data = run_dir / "township"
    demo = _run([yimen, "demo", "--data-dir", str(data), "--households", "30"], run_dir, env)
    _check(demo, "yimen demo")
    assert "演示乡镇已创建" in demo.stdout and "30 户" in demo.stdout
    test = _run([yimen, "self-test", "--data-dir", str(data)], run_dir, env)
    _check(test, "yimen self-test")
    assert "自检通过" in test.stdout and "失败" not in test.stdout
    window = _run([yimen, "--data-dir", str(data), "--quit-after", "0.3"], run_dir, env)
    _check(window, "yimen window")
    assert re.search(r"登录窗口已显示 window-shown-monotonic=\d+\.\d+", window.stdout), window.stdout
    # No fallback was taken for missing fonts or translations.
    assert "not found" not in window.stderr, window.stderr
