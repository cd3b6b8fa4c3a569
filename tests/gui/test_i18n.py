"""Every Chinese string of the window goes through Qt's translation system; Qt's own dialogs are Chinese.

The source-code check keeps everyone honest: a CJK string literal under
desktop/ui must be the source-text argument of ``tr()`` /
``QCoreApplication.translate()`` / ``QT_TRANSLATE_NOOP()`` / ``QT_TR_NOOP()``
(docstrings excepted). An f-string cannot be translated at all, so none may
hold Chinese; use ``self.tr("…{0}…").format(value)``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "desktop" / "ui"
TS = ROOT / "resources" / "translations" / "yimen_zh_CN.ts"
CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]")

# Which argument holds the source text, by function name.
SOURCE_ARG = {"tr": 0, "QT_TR_NOOP": 0, "translate": 1, "QT_TRANSLATE_NOOP": 1}

# (path relative to desktop/ui, literal) -> why it may stay untranslated. Keep this short.
ALLOWED: dict[tuple[str, str], str] = {}


def _func_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return ""


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def untranslated_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    docs = _docstrings(tree)
    rel = path.relative_to(UI).as_posix() if path.is_relative_to(UI) else path.name
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _func_name(node) in SOURCE_ARG:
            index = SOURCE_ARG[_func_name(node)]
            if len(node.args) > index and isinstance(node.args[index], ast.JoinedStr):
                problems.append(f"{rel}:{node.lineno}: f-string passed to {_func_name(node)}() cannot be translated")
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)):
            continue
        if id(node) in docs or (rel, node.value) in ALLOWED:
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Call) and _func_name(parent) in SOURCE_ARG:
            index = SOURCE_ARG[_func_name(parent)]
            if len(parent.args) > index and parent.args[index] is node:
                continue
        problems.append(f"{rel}:{node.lineno}: {node.value!r} is not passed through tr()/translate()")
    return problems


def test_every_chinese_literal_under_desktop_ui_is_translatable():
    problems = []
    for path in sorted(UI.rglob("*.py")):
        problems += untranslated_literals(path)
    hint = ("\nlupdate extracts only literal text given straight to tr() / QCoreApplication.translate() / "
            "QT_TRANSLATE_NOOP(); a helper like _t(text) hides it from the catalogue.")
    assert not problems, "\n".join(problems) + hint


def test_the_checker_catches_what_it_should(tmp_path):
    bad = tmp_path / "probe.py"
    bad.write_text('"""文档。"""\nX = "未翻译"\nY = f"你好{1}"\n'
                   'def f(self):\n    return self.tr("好"), self.tr(f"坏{1}"), translate("C", "可")\n', "utf-8")
    problems = untranslated_literals(bad)
    lines = sorted({int(p.split(":")[1]) for p in problems})
    assert lines == [2, 3, 5], problems     # the plain literal, the f-string, tr(f"…"); not the docstring
    assert not any("'好'" in p or "'可'" in p for p in problems)


def test_catalogue_is_up_to_date(tmp_path):
    """Run tools/update_translations.sh after adding strings: every tr() string is in the .ts."""
    fresh = tmp_path / "fresh.ts"
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    files = sorted(str(p) for p in UI.rglob("*.py"))
    subprocess.run([str(lupdate), "-silent", "-no-obsolete", "-locations", "none", "-source-language", "zh_CN",
                    "-target-language", "zh_CN", *files, "-ts", str(fresh)], check=True, timeout=120)
    pattern = re.compile(r"<source>(.*?)</source>", re.S)
    wanted = set(pattern.findall(fresh.read_text("utf-8")))
    have = set(pattern.findall(TS.read_text("utf-8")))
    missing = sorted(wanted - have)
    assert not missing, "run tools/update_translations.sh; missing: " + ", ".join(missing[:10])
    compiled = tmp_path / "check.qm"
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), "-silent", str(TS), "-qm", str(compiled)], check=True, timeout=120)
    assert compiled.read_bytes() == TS.with_suffix(".qm").read_bytes(), "the .qm is older than the .ts"


def test_qt_own_dialogs_are_chinese(yimen_app):
    box = QMessageBox(QMessageBox.Icon.Question, "t", "x",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "取消"
    assert box.button(QMessageBox.StandardButton.Ok).text() == "确定"


def test_our_catalogue_is_loaded(yimen_app):
    from desktop.ui.app import install_translators

    assert len(install_translators(yimen_app)) == 2
    assert QCoreApplication.translate("Sections", "受理") == "受理"
