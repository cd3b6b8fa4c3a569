"""The look of messages is defined once (desktop/ui/style.py): no page writes the error colour or a message
banner of its own, and the pages that show an error show it in that style."""

from __future__ import annotations

import re
from pathlib import Path

from desktop.ui import style

UI = Path(style.__file__).parent
DEFINED = {name: value for name, value in vars(style).items() if name.isupper() and isinstance(value, str)}
COLOURS = {v.lower() for v in re.findall(r"#[0-9a-fA-F]{6}", " ".join(DEFINED.values()))}


def test_no_page_writes_a_message_colour_of_its_own() -> None:
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        if path.name == "style.py":
            continue
        text = path.read_text("utf-8").lower()
        offenders += [f"{path.relative_to(UI)}: {c}" for c in sorted(COLOURS) if c in text]
    assert "#b00020" in COLOURS and len(COLOURS) >= 8      # the scan looks for something
    assert offenders == []


def test_the_styles_are_stylesheets_of_their_meaning() -> None:
    assert style.ERROR_COLOR in style.ERROR_TEXT and style.ERROR_COLOR in style.ERROR_TEXT_BOLD
    assert "font-weight: bold" in style.ERROR_TEXT_BOLD and style.OK_COLOR in style.OK_TEXT
    assert all(value.rstrip().endswith(";") for name, value in DEFINED.items() if not name.endswith("COLOR"))
