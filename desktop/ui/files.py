"""Choosing files: the one place that opens the window's open/save dialogs and names saved documents.

Qt's catalogue for Simplified Chinese leaves parts of its own file dialog in English ("Look in:",
"Files of type:"), so every label is set here through our catalogue. Each kind of file remembers
its last folder on this PC (``files/<kind>``). A document saved from anywhere gets the same name:
:func:`case_document_file_name`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QSplitter, QWidget

UNSAFE = '<>:"/\\|?*\n\r\t'


def safe_file_name(name: str) -> str:
    """A name every file system takes (Windows' reserved characters replaced)."""
    cleaned = "".join("_" if c in UNSAFE or ord(c) < 32 else c for c in name).strip(" .")
    return cleaned or "document"


def case_document_file_name(case_number_display: str, title: str) -> str:
    """The file name (without suffix) of a case's document, wherever it is saved from."""
    return safe_file_name(f"{case_number_display}-{title}")


def make_file_dialog(parent: QWidget | None, title: str, *, save: bool, name_filter: str,
                     folder: str, file_name: str = "") -> QFileDialog:
    """The dialog, with every label in Chinese (also the ones Qt's own catalogue misses)."""
    dialog = QFileDialog(parent, title, folder, name_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)   # the same, Chinese dialog on every PC
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile)
    labels = {
        QFileDialog.DialogLabel.LookIn: QCoreApplication.translate("Files", "查找范围(&I)："),
        QFileDialog.DialogLabel.FileName: QCoreApplication.translate("Files", "文件名(&N)："),
        QFileDialog.DialogLabel.FileType: QCoreApplication.translate("Files", "文件类型(&T)："),
        QFileDialog.DialogLabel.Accept: QCoreApplication.translate("Files", "保存(&S)") if save else QCoreApplication.translate("Files", "打开(&O)"),
        QFileDialog.DialogLabel.Reject: QCoreApplication.translate("Files", "取消"),
    }
    for label, text in labels.items():
        dialog.setLabelText(label, text)
    # names only: the detail columns' file types come from the system in English ("Folder")
    dialog.setViewMode(QFileDialog.ViewMode.List)
    splitter = dialog.findChild(QSplitter)
    if splitter is not None:   # room for "计算机" and folder names in the places list
        splitter.setSizes([160, 640])
    if file_name:
        dialog.selectFile(file_name)
    return dialog


def run_dialog(dialog: QFileDialog) -> list[str]:
    """Show the dialog modally; the chosen paths (none when cancelled). Tests replace this one seam."""
    return dialog.selectedFiles() if dialog.exec() else []


def _folder(settings: QSettings, kind: str) -> str:
    default = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    value = settings.value(f"files/{kind}", default)
    return str(value) if value and Path(str(value)).is_dir() else default


def _remember(settings: QSettings, kind: str, path: Path) -> None:
    settings.setValue(f"files/{kind}", str(path.parent))


def ask_open_file(parent: QWidget | None, settings: QSettings, kind: str, title: str,
                  name_filter: str) -> Path | None:
    dialog = make_file_dialog(parent, title, save=False, name_filter=name_filter, folder=_folder(settings, kind))
    chosen = run_dialog(dialog)
    dialog.deleteLater()
    if not chosen:
        return None
    path = Path(chosen[0])
    _remember(settings, kind, path)
    return path


def ask_save_file(parent: QWidget | None, settings: QSettings, kind: str, title: str, file_name: str,
                  name_filter: str, suffix: str = "") -> Path | None:
    """Where to save; ``file_name`` (made safe) is offered; ``suffix`` is added when the clerk left it off."""
    name = safe_file_name(file_name)
    if suffix and not name.lower().endswith(suffix.lower()):
        name += suffix
    dialog = make_file_dialog(parent, title, save=True, name_filter=name_filter, folder=_folder(settings, kind),
                              file_name=name)
    chosen = run_dialog(dialog)
    dialog.deleteLater()
    if not chosen:
        return None
    path = Path(chosen[0])
    if suffix and path.suffix.lower() != suffix.lower():
        path = path.with_name(path.name + suffix)
    _remember(settings, kind, path)
    return path
