"""Every section's page is imported statically: a missing page module fails at start, loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QWidget

from desktop.ui.pages import PAGE_FACTORIES
from desktop.ui.sections import SECTIONS

REPO = Path(__file__).resolve().parents[2]

# Imports the main window with one page module made unimportable, as a frozen or wheel build
# that lost it would be.
BLOCKED_CHILD = """
import importlib.abc, sys
class Lost(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == sys.argv[1]:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Lost())
try:
    import desktop.ui.main_window
except ModuleNotFoundError as exc:
    print("IMPORT-ERROR", exc.name)
    sys.exit(3)
print("IMPORTED")
"""


def test_every_section_has_a_page_class_and_nothing_else() -> None:
    assert list(PAGE_FACTORIES) == [s.id for s in SECTIONS]
    for section_id, factory in PAGE_FACTORIES.items():
        assert isinstance(factory, type) and issubclass(factory, QWidget), section_id


def _import_main_window_without(module: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-c", BLOCKED_CHILD, module], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_a_lost_page_module_is_an_import_error_at_start_not_a_placeholder() -> None:
    for module in ("desktop.ui.reports.page",):
        out = _import_main_window_without(module)
        assert out.returncode == 3, out.stdout + out.stderr
        assert f"IMPORT-ERROR {module}" in out.stdout


def test_control_nothing_lost_imports_fine() -> None:
    out = _import_main_window_without("no.such.module.blocked")
    assert out.returncode == 0 and "IMPORTED" in out.stdout, out.stdout + out.stderr


def test_each_page_is_built_for_a_role_that_sees_it(qtbot, main_window_for) -> None:  # type: ignore[no-untyped-def]
    built = set()
    for role in ("clerk", "auditor"):        # together they see every section
        main = main_window_for(role)
        for section_id in main.section_ids():
            assert main.show_section(section_id)
            assert isinstance(main.page(section_id), PAGE_FACTORIES[section_id]), section_id
            built.add(section_id)
    assert built == set(PAGE_FACTORIES)
