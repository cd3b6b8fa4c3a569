"""The look of messages, defined once: errors, confirmations, warnings and notes, as a line of text or as
a banner (a framed box), and the colours tables use for the same meanings.

    self.message.setStyleSheet(style.ERROR_BANNER if error else style.OK_BANNER)

Red is for what went wrong or is overdue, green for what was done, amber for what needs attention,
blue for a neutral note. Pages import these names instead of writing colours of their own
(``tests/gui/test_style.py`` holds the line for the error colour).
"""

from __future__ import annotations

ERROR_COLOR = "#b00020"
OK_COLOR = "#2e7d32"
WARNING_COLOR = "#8a4b00"

ERROR_TEXT = f"color: {ERROR_COLOR};"
ERROR_TEXT_BOLD = f"color: {ERROR_COLOR}; font-weight: bold;"
OK_TEXT = f"color: {OK_COLOR};"
OK_TEXT_BOLD = f"color: {OK_COLOR}; font-weight: bold;"
WARNING_TEXT = f"color: {WARNING_COLOR};"
WARNING_TEXT_BOLD = f"color: {WARNING_COLOR}; font-weight: bold;"

ERROR_BANNER = "background: #fdecea; border: 1px solid #e57373; color: #8b0000; padding: 6px;"
OK_BANNER = "background: #edf7ed; border: 1px solid #81c784; color: #1b5e20; padding: 6px;"
WARNING_BANNER = "background: #fff4e5; border: 1px solid #e0a040; color: #7a4a00; padding: 6px;"
INFO_BANNER = "background: #eaf2fb; border: 1px solid #7aa7d6; color: #1d3f66; padding: 6px;"

BAD_FIELD = f"border: 2px solid {ERROR_COLOR};"      # the input a message is about
