"""What the login window needs before any database is opened: files on this PC only.

Kept apart from :mod:`desktop.services.admin.appinfo` on purpose: this module imports no
SQLAlchemy, store or reportlab, so the login window can be shown before any of them is loaded
(see "Start-up" in docs/ARCHITECTURE.md; ``tests/test_startup.py`` holds the line).
"""

from __future__ import annotations

from pathlib import Path

from desktop.config import DB_FILENAME, DEMO_ACCOUNTS_FILENAME, KEYSLOTS_FILENAME
from forms.bundle import resources_dir

TRANSLATIONS_DIRNAME = "translations"
FONTS_DIRNAME = "fonts"
# Primary first: the window's font list is in this order (same files the printed forms use).
UI_FONT_FILES = ("wqy-microhei.ttc", "YimenFallbackHanA.ttf", "YimenFallbackHanB.ttf")


def translations_dir() -> Path:
    """Where our compiled Qt translations (``yimen_<locale>.qm``) ship."""
    return resources_dir() / TRANSLATIONS_DIRNAME


def ui_font_paths() -> list[Path]:
    """The bundled CJK fonts, primary first (loaded into Qt so a PC without Chinese fonts renders)."""
    d = resources_dir() / FONTS_DIRNAME
    return [p for p in (d / name for name in UI_FONT_FILES) if p.exists()]


def database_present(data_dir: Path) -> bool:
    return (Path(data_dir) / DB_FILENAME).exists() and (Path(data_dir) / KEYSLOTS_FILENAME).exists()


def read_demo_accounts(data_dir: Path) -> list[tuple[str, str, str]]:
    """(user name, role label, password) of the demo township, from its DEMO-ACCOUNTS file."""
    path = Path(data_dir) / DEMO_ACCOUNTS_FILENAME
    if not path.exists():
        return []
    out = []
    for line in path.read_text("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and not line.startswith("#"):
            out.append((parts[0], parts[1], parts[2]))
    return out
