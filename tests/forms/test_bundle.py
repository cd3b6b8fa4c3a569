"""The one locator of the shipped files: override, PyInstaller bundle, installed package, checkout."""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from forms import bundle, fonts

REPO_RESOURCES = Path(__file__).resolve().parents[2] / "resources"


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, this_checkouts_resources: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.delenv("YIMEN_FONTS_DIR", raising=False)
    # A package imported by a test (from a temporary site-packages) must not outlive it.
    before = sys.modules.pop(bundle.PACKAGE, None)
    yield monkeypatch
    sys.modules.pop(bundle.PACKAGE, None)
    if before is not None:
        sys.modules[bundle.PACKAGE] = before


def _fake_package(where: Path) -> Path:
    pkg = where / bundle.PACKAGE
    (pkg / "fonts").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", "utf-8")
    return pkg


def test_source_checkout_or_editable_install_finds_the_repository_folder(clean) -> None:
    # Run from a checkout: either yimen_resources is an editable install mapped onto resources/, or
    # (PYTHONPATH=checkout, not installed) the checkout fallback finds the same folder.
    assert bundle.resources_dir() == REPO_RESOURCES
    assert fonts.fonts_dir() == REPO_RESOURCES / "fonts"


def test_installed_package_is_found_through_importlib_resources(clean, tmp_path: Path) -> None:
    pkg = _fake_package(tmp_path / "site-packages")
    clean.syspath_prepend(str(tmp_path / "site-packages"))
    assert bundle.resources_dir() == pkg
    assert fonts.fonts_dir() == pkg / "fonts"


def test_environment_override_wins_over_the_installed_package(clean, tmp_path: Path) -> None:
    _fake_package(tmp_path / "site-packages")
    clean.syspath_prepend(str(tmp_path / "site-packages"))
    clean.setenv(bundle.ENV_VAR, str(tmp_path / "mine"))
    assert bundle.resources_dir() == (tmp_path / "mine").resolve()
    assert fonts.fonts_dir() == (tmp_path / "mine").resolve() / "fonts"


def test_pyinstaller_bundle_wins_over_the_installed_package(clean, tmp_path: Path) -> None:
    _fake_package(tmp_path / "site-packages")
    clean.syspath_prepend(str(tmp_path / "site-packages"))
    clean.setattr(sys, "frozen", True, raising=False)
    clean.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    assert bundle.resources_dir() == tmp_path / "bundle" / "resources"


def test_a_zipped_install_is_refused_with_a_clear_message(clean, tmp_path: Path) -> None:
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"{bundle.PACKAGE}/__init__.py", "")
        z.writestr(f"{bundle.PACKAGE}/fonts/x.ttf", "x")
    clean.syspath_prepend(str(archive))
    with pytest.raises(bundle.ResourcesMissing, match="未解压安装在磁盘上"):
        bundle.resources_dir()


def test_nothing_found_says_so_in_chinese(clean, tmp_path: Path) -> None:
    clean.setattr(bundle, "PACKAGE", "yimen_resources_not_installed_anywhere")
    clean.setattr(bundle, "__file__", str(tmp_path / "forms" / "bundle.py"))   # as if no checkout around
    with pytest.raises(bundle.ResourcesMissing, match="找不到程序资源文件") as exc:
        bundle.resources_dir()
    assert isinstance(exc.value, FileNotFoundError)


def test_the_window_loads_the_same_font_files_the_printed_forms_use(clean) -> None:
    from desktop.services.admin import local_files

    assert local_files.UI_FONT_FILES == (fonts.PRIMARY_FILE, fonts.FALLBACK_A_FILE, fonts.FALLBACK_FILE)
    assert [p.name for p in local_files.ui_font_paths()] == list(local_files.UI_FONT_FILES)
    assert local_files.translations_dir() == REPO_RESOURCES / "translations"
