"""The one locator of the files that ship with Yimen (fonts, translations, policy, calendar).

Every reader asks :func:`resources_dir` — the printed forms for their fonts, the window for its
fonts and translations, the policy and calendar loaders (through ``desktop.resources``, which
re-exports it). It lives in ``forms`` because that is the lowest layer all of them may import:
``forms`` imports nothing of ``desktop``.

Where the files are, first match wins:

1. ``$YIMEN_RESOURCES`` — an operator's or a test's override;
2. ``sys._MEIPASS/resources`` in a PyInstaller bundle (the installer of Step 10);
3. the installed package ``yimen_resources`` (a wheel, or an editable install), found through
   :mod:`importlib.resources`;
4. ``resources/`` of a source checkout that was put on ``sys.path`` without being installed
   (``PYTHONPATH=checkout``), recognised by its ``resources/__init__.py``.

The files must be real files on disk (reportlab and Qt open fonts by file name): a wheel is
installed unzipped and PyInstaller unpacks into ``_MEIPASS``, so that holds; a zipped install
is refused with a clear message rather than failing later on a font.
"""

from __future__ import annotations

import importlib.resources
import os
import sys
from pathlib import Path

from forms.errors import FormsError

__all__ = ["ENV_VAR", "PACKAGE", "ResourcesMissing", "resources_dir"]

ENV_VAR = "YIMEN_RESOURCES"
PACKAGE = "yimen_resources"
FROZEN_SUBDIR = "resources"


class ResourcesMissing(FormsError, FileNotFoundError):
    """The shipped files cannot be found: the installation is incomplete."""


def resources_dir() -> Path:
    """The folder holding ``fonts/``, ``translations/``, ``policy/`` and ``calendar/``."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    frozen_base = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and frozen_base:
        return Path(frozen_base) / FROZEN_SUBDIR
    try:
        installed = importlib.resources.files(PACKAGE)
    except ModuleNotFoundError:
        installed = None
    if installed is not None:
        if not isinstance(installed, Path):
            raise ResourcesMissing(f"程序资源文件（{PACKAGE}）未解压安装在磁盘上，无法读取字体和政策文件；"
                                   "请用 pip 重新安装 yimen。")
        return installed
    checkout = Path(__file__).resolve().parents[1] / "resources"
    if (checkout / "__init__.py").is_file():
        return checkout
    raise ResourcesMissing(f"找不到程序资源文件（字体、翻译、政策、日历）：既没有安装 {PACKAGE}，"
                           f"也没有设置环境变量 {ENV_VAR}；请重新安装 yimen。")
