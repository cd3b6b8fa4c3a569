"""Guards against Qt binding regressions that would crash a clerk's long working day."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal(int)


def test_signal_emit_keeps_reference_counts_balanced():
    # PySide6 6.12.0 on Python 3.11 dropped one reference to True per emit(); after a few
    # thousand background tasks the interpreter aborted with "bool_dealloc". pyproject pins it out.
    o = _Emitter()
    before_true, before_false = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(200):
        o.ping.emit(1)
    assert sys.getrefcount(True) - before_true >= -5
    assert sys.getrefcount(False) - before_false >= -5
