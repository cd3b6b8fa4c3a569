"""The application's log: one rotating file under the data directory, redacted as it is written.

    setup_logging(data_dir)     # DATA_DIR/logs/yimen.log (+ yimen.log.1 … .5), UTF-8
    install_excepthooks()       # uncaught exceptions (main thread, other threads) land in it

No Qt here: the window (desktop/ui/app.py) and the command line (desktop/cli.py) call both once
the data directory is known. What reaches the file passes :class:`RedactingFormatter`, which
formats the record — message, arguments, traceback, exception messages inside it — and then
removes from the whole text what must never be on disk in clear (:func:`redact`): identity
numbers (18 digits, 17 + X, 15-digit old ones, also spaced or full-width, and any longer digit
run such as a bank card), raw keys (64+ hex digits, SQLCipher ``x'…'`` literals, long base64,
bytes literals), and the values of ``password=``/``口令``/``密码``/``key=`` and the like.
A name next to an ID number is thus left without its number.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

__all__ = [
    "BACKUP_COUNT", "LOG_DIRNAME", "LOG_FILENAME", "MAX_BYTES", "RedactingFormatter", "close_logging",
    "install_excepthooks", "log_file", "redact", "setup_logging", "uninstall_excepthooks",
]

LOG_DIRNAME = "logs"
LOG_FILENAME = "yimen.log"
MAX_BYTES = 1024 * 1024          # one file ≈ 1 MiB
BACKUP_COUNT = 5                 # yimen.log.1 … yimen.log.5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"

ID_MASK = "[身份证号已隐去]"
NUMBER_MASK = "[长号码已隐去]"
KEY_MASK = "[密钥已隐去]"
SECRET_MASK = "***"

log = logging.getLogger(__name__)

_D = r"[0-9０-９]"                 # ASCII and full-width digits (\d would take every script's digits)
_X = r"[0-9０-９XxＸｘ]"
_SEP = r"[ \t\u3000\-]?"
_PATTERNS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # PEM blocks (a private key written out) before anything looks inside them
    (re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)", re.S),
     KEY_MASK),
    # SQLCipher raw key literal x'…' (also inside PRAGMA key = "x'…'")
    (re.compile(r"(?<![A-Za-z0-9_])[xX]'[0-9A-Fa-f]{16,}'?"), KEY_MASK),
    # password=…, "password": "…", 口令：…, 密码=…, key=…, secret=…, token=… (a quoted value whole)
    (re.compile(r"(?i)((?:(?:password|passwd|passphrase|pwd|secret|token|口令|密码|密钥)\w*|\b(?:api_?)?key\b)"
                r"[\"']?\s*(?:=|:|：|是|为)\s*)(\"[^\"\n]*\"?|'[^'\n]*'?|[^\s\"',;)}\]]+)"),
     lambda m: m.group(1) + _quoted(m.group(2), SECRET_MASK)),
    # raw keys as hex (a 32-byte key is 64 hex digits)
    (re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64,}(?![0-9A-Fa-f])"), KEY_MASK),
    # bytes literals with many escapes: b'\x8f\x12…' (a key handed to a function, in a repr)
    (re.compile(r"b(['\"])(?:\\x[0-9a-f]{2}|[^'\"\\\n]){0,8}(?:\\x[0-9a-f]{2}(?:[^'\"\\\n]{0,3})){8,}"
                r"[^'\"\n]*\1?"), KEY_MASK),
    # ID numbers: 6 + 8 + 3 + check, with optional spaces or hyphens between the groups
    (re.compile(rf"(?<![0-9０-９]){_D}{{6}}{_SEP}{_D}{{8}}{_SEP}{_D}{{3}}{_X}(?![0-9０-９])"), ID_MASK),
    (re.compile(rf"(?<![0-9０-９]){_D}{{17}}{_X}(?![0-9０-９])"), ID_MASK),
    # 15-digit old numbers and any longer run of digits (bank cards, numbers run together)
    (re.compile(rf"(?<![0-9０-９]){_D}{{15}}(?![0-9０-９])"), ID_MASK),
    (re.compile(rf"(?<![0-9０-９]){_D}{{14,}}{_X}(?![0-9０-９])"), NUMBER_MASK),
)
def _quoted(value: str, mask: str) -> str:
    quote = value[:1] if value[:1] in "\"'" else ""
    return f"{quote}{mask}{quote}"


_BASE64 = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])")


def _base64_key(m: re.Match[str]) -> str:
    text = m.group(0)
    looks_random = (any(c.isdigit() for c in text) and any(c.islower() for c in text)
                    and any(c.isupper() for c in text))
    return KEY_MASK if looks_random else text


def redact(text: str) -> str:
    """``text`` without ID numbers, long digit runs, keys and password values."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _BASE64.sub(_base64_key, text)


class RedactingFormatter(logging.Formatter):
    """Formats the whole record (with its traceback), then redacts the resulting text."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _Redact(logging.Filter):
    """Also redacts the record itself (message with its arguments, and the traceback text), so that a
    second handler on the same logger never sees the clear text either."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — a bad format string still gets logged, as is
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _Utf8RotatingFileHandler(RotatingFileHandler):
    """Rotates by the bytes written: the standard handler counts characters, so a file of Chinese text
    would grow to about three times ``maxBytes``."""

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 — the logging API's name
        if self.maxBytes <= 0:
            return False
        if self.stream is None:
            self.stream = self._open()
        size = len((self.format(record) + self.terminator).encode("utf-8", "replace"))
        self.stream.seek(0, 2)
        return self.stream.tell() + size > self.maxBytes and self.stream.tell() > 0


_handler: RotatingFileHandler | None = None
_root_level: list[int] = []      # the root logger's level before setup_logging lowered it


def log_file() -> Path | None:
    """The file the log is written to, None before :func:`setup_logging`."""
    return Path(_handler.baseFilename) if _handler is not None else None


def setup_logging(data_dir: str | Path, level: int = logging.INFO) -> Path:
    """Write the log to ``data_dir/logs/yimen.log`` (rotating); again with another directory moves it."""
    global _handler
    folder = Path(data_dir) / LOG_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILENAME
    root = logging.getLogger()
    if _handler is not None:
        if Path(_handler.baseFilename) == path.resolve():
            return path.resolve()
        root.removeHandler(_handler)
        _handler.close()
    handler = _Utf8RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8",
                                  delay=True)
    handler.setLevel(level)
    handler.setFormatter(RedactingFormatter(FORMAT))
    handler.addFilter(_Redact())
    root.addHandler(handler)
    if not _root_level:
        _root_level.append(root.level)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    _handler = handler
    return Path(handler.baseFilename)


def close_logging() -> None:
    """Detach and close the file (tests, and a data directory that goes away)."""
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
        _handler = None
    if _root_level:
        root.setLevel(_root_level.pop())


_hook_state: dict[str, object] = {}


def _sys_hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if not issubclass(exc_type, KeyboardInterrupt):
        log.critical("uncaught exception: %s", exc_type.__name__, exc_info=(exc_type, exc, tb))
        notify = _hook_state.get("notify")
        if callable(notify):
            try:
                notify(exc)
            except Exception:  # noqa: BLE001 — telling the clerk must not raise out of the hook
                log.exception("could not show the error to the user")
    previous = _hook_state.get("sys")
    if callable(previous) and previous is not _sys_hook:
        previous(exc_type, exc, tb)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    log.critical("uncaught exception in thread %s: %s", name, args.exc_type.__name__,
                 exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def install_excepthooks(notify: Callable[[BaseException], None] | None = None) -> None:
    """Uncaught exceptions are logged CRITICAL with their traceback: ``sys.excepthook`` (then the previous
    hook runs) and ``threading.excepthook``. ``notify(exc)`` (the window's message to the clerk) is
    called for the main thread's. Installing again replaces ``notify`` and keeps one hook."""
    if sys.excepthook is not _sys_hook:
        _hook_state["sys"] = sys.excepthook
        sys.excepthook = _sys_hook
    if threading.excepthook is not _thread_hook:
        _hook_state["thread"] = threading.excepthook
        threading.excepthook = _thread_hook
    _hook_state["notify"] = notify


def uninstall_excepthooks() -> None:
    """Put back the hooks found by :func:`install_excepthooks` (tests)."""
    if sys.excepthook is _sys_hook:
        sys.excepthook = _hook_state.get("sys") or sys.__excepthook__  # type: ignore[assignment]
    if threading.excepthook is _thread_hook:
        threading.excepthook = _hook_state.get("thread") or threading.__excepthook__  # type: ignore[assignment]
    _hook_state.clear()
