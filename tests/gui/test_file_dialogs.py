"""The window's file dialogs are Chinese throughout and remember their folder per kind of file.

Qt's own zh_CN catalogue leaves "Look in:" and "Files of type:" in English; every file dialog of the
window comes from desktop.ui.files, which sets each label.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

from desktop.ui import files

UI = Path(__file__).resolve().parents[2] / "desktop" / "ui"
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def _visible_texts(dialog: QFileDialog) -> list[str]:
    return [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(QPushButton) if w.text()]


def test_every_label_of_the_dialog_is_chinese(qtbot, tmp_path):
    for save in (True, False):
        dialog = files.make_file_dialog(None, "另存为PDF", save=save, name_filter="PDF 文件 (*.pdf)",
                                        folder=str(tmp_path), file_name="案件-受理通知书.pdf")
        qtbot.addWidget(dialog)
        dialog.show()
        texts = [t.replace("&", "") for t in _visible_texts(dialog)]
        english = [t for t in texts if ENGLISH.search(t.replace("PDF", ""))]
        assert english == [], english
        assert dialog.labelText(QFileDialog.DialogLabel.LookIn) == "查找范围(&I)："
        assert dialog.labelText(QFileDialog.DialogLabel.FileType) == "文件类型(&T)："
        dialog.close()


def test_no_page_opens_a_file_dialog_of_its_own():
    offenders = [str(p.relative_to(UI)) for p in UI.rglob("*.py")
                 if p.name != "files.py" and re.search(r"QFileDialog\b", p.read_text("utf-8"))]
    assert offenders == []


def test_the_folder_is_remembered_per_kind_and_the_suffix_added(qtbot, tmp_path, monkeypatch):
    settings = QSettings(str(tmp_path / "pc.ini"), QSettings.Format.IniFormat)
    chosen = tmp_path / "u盘" / "回执"
    chosen.parent.mkdir()
    seen: list[tuple[str, str]] = []

    def pick(dialog: QFileDialog) -> list[str]:
        seen.append((dialog.directory().absolutePath(), Path(dialog.selectedFiles()[0]).name))
        return [str(chosen)]

    monkeypatch.setattr(files, "run_dialog", pick)
    path = files.ask_save_file(None, settings, "pdf", "另存为PDF", 'a/b:c*-受理通知书', "PDF 文件 (*.pdf)", ".pdf")
    assert path == chosen.with_name("回执.pdf")
    assert seen[-1][1] == "a_b_c_-受理通知书.pdf"                    # a safe name, suffix offered
    files.ask_save_file(None, settings, "pdf", "另存为PDF", "下一份", "PDF 文件 (*.pdf)", ".pdf")
    assert seen[-1][0] == str(chosen.parent)                          # the folder chosen last time
    files.ask_save_file(None, settings, "export", "导出", "报表", "CSV 文件 (*.csv)", ".csv")
    assert seen[-1][0] != str(chosen.parent)                          # another kind keeps its own
    monkeypatch.setattr(files, "run_dialog", lambda dialog: [])
    assert files.ask_save_file(None, settings, "pdf", "另存为PDF", "x", "PDF 文件 (*.pdf)", ".pdf") is None
