"""The rotating log under the data directory: what it writes (UTF-8, tracebacks, rotation) and what it never
holds (ID numbers, keys, passwords), with the excepthooks of the main thread and of other threads."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import logs
from forms.idnumber import check_char

# Valid check digits (GB 11643): computed, not typed, so that a wrong literal cannot make a test vacuous.
ID_X = "11010519491231002X"
ID_DIGIT = "44052418800101001" + check_char("44052418800101001")
OLD_15 = "110105491231002"
KEY_HEX = "8f" * 32


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    path = logs.setup_logging(tmp_path)
    yield path.parent
    logs.uninstall_excepthooks()
    logs.close_logging()


def _text(log_dir: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return (log_dir / logs.LOG_FILENAME).read_text("utf-8")


def test_the_check_digits_are_valid() -> None:
    assert check_char(ID_X[:17]) == "X" and ID_DIGIT[-1].isdigit()


def test_the_log_is_under_the_data_directory(log_dir: Path, tmp_path: Path) -> None:
    assert log_dir == tmp_path / "logs"
    assert logs.log_file() == (tmp_path / "logs" / "yimen.log").resolve()


@pytest.mark.parametrize("text", [
    f"查询 {ID_X} 失败", f"id={ID_DIGIT};", f"王晓燕{ID_X.lower()}（户主）", f"{ID_X[:6]} {ID_X[6:14]} {ID_X[14:]}",
    f"{ID_X[:6]}-{ID_X[6:14]}-{ID_X[14:]}", "".join(chr(ord(c) + 0xFEE0) for c in ID_DIGIT),   # full-width
    f"旧号码{OLD_15}。", f"bank 6222{ID_DIGIT[:15]}",
])
def test_id_numbers_never_reach_the_file(log_dir: Path, text: str) -> None:
    logging.getLogger("yimen.test").warning("lookup: %s", text)
    written = _text(log_dir)
    assert "lookup:" in written and logs.ID_MASK in written or logs.NUMBER_MASK in written
    digits = "".join(c for c in text if c.isdigit())
    squeezed = written.replace(" ", "").replace("-", "")
    assert len(digits) >= 15
    assert not any(digits[i:i + 15] in squeezed for i in range(len(digits) - 14))


def test_a_plain_record_keeps_its_words_and_short_numbers(log_dir: Path) -> None:
    logging.getLogger("yimen.test").info("案件 620102101-007-2026-00012 已受理，共 3 人，金额 1500 元")
    assert "案件 620102101-007-2026-00012 已受理，共 3 人，金额 1500 元" in _text(log_dir)


def test_an_id_in_an_exception_message_inside_a_traceback_is_removed(log_dir: Path) -> None:
    def look_up_household() -> None:
        raise LookupError(f"no household for {ID_X} ({ID_DIGIT})")

    try:
        look_up_household()
    except LookupError:
        logging.getLogger("yimen.test").exception("search failed")
    written = _text(log_dir)
    assert "Traceback" in written and "look_up_household" in written and "LookupError" in written
    assert ID_X not in written and ID_DIGIT not in written
    assert logs.ID_MASK in written


@pytest.mark.parametrize(("text", "secret"), [
    (f"PRAGMA key = \"x'{KEY_HEX}'\"", KEY_HEX), (f"wrapped {KEY_HEX}", KEY_HEX),
    ("password=hunter2-2026 then", "hunter2-2026"), ('{"password": "s3cret pass"}', "s3cret pass"),
    ("口令：mima-2026", "mima-2026"), ("密码=abc12345", "abc12345"),
    ("salt q1W2e3R4t5Y6u7I8o9P0aSdFgHjKlZxCvBnM1234== end", "q1W2e3R4t5Y6u7I8o9P0aSdFgHjKlZxCvBnM1234"),
    ("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIOe\n-----END PRIVATE KEY-----", "MC4CAQAwBQYDK2VwBCIEIOe"),
])
def test_keys_and_passwords_never_reach_the_file(log_dir: Path, text: str, secret: str) -> None:
    logging.getLogger("yimen.test").error("opening: %s", text)
    written = _text(log_dir)
    assert "opening:" in written and secret not in written


def test_a_key_error_is_not_taken_for_a_key() -> None:
    assert logs.redact("KeyError: 'index'") == "KeyError: 'index'"


def test_the_file_is_utf8_chinese_with_time_level_and_logger(log_dir: Path) -> None:
    logging.getLogger("desktop.ui.test").error("打开数据库时出错：东坪村")
    raw = (log_dir / "yimen.log").read_bytes()
    assert "打开数据库时出错：东坪村".encode() in raw
    line = raw.decode("utf-8").strip().splitlines()[-1]
    assert " ERROR desktop.ui.test " in line and line[:4].isdigit() and line[4] == "-"


def test_the_file_rotates(log_dir: Path) -> None:
    chunk = "记录" * 500
    for i in range(logs.MAX_BYTES // len(chunk.encode()) * 2 + 10):
        logging.getLogger("yimen.test").info("%d %s", i, chunk)
    assert (log_dir / "yimen.log.1").is_file()
    assert (log_dir / "yimen.log").stat().st_size <= logs.MAX_BYTES
    assert (log_dir / "yimen.log.1").stat().st_size <= logs.MAX_BYTES


def test_closing_puts_the_root_logger_back(tmp_path: Path) -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    logs.setup_logging(tmp_path / "a")
    logs.setup_logging(tmp_path / "b")          # moves the one file handler
    assert len(root.handlers) == len(handlers) + 1
    assert logs.log_file() == (tmp_path / "b" / "logs" / "yimen.log").resolve()
    logs.close_logging()
    assert (root.level, root.handlers) == (level, handlers) and logs.log_file() is None


def test_an_uncaught_exception_in_a_thread_lands_in_the_log(log_dir: Path) -> None:
    logs.install_excepthooks()

    def worker_body() -> None:
        raise RuntimeError(f"worker bug with {ID_X}")

    thread = threading.Thread(target=worker_body, name="db-worker")
    thread.start()
    thread.join()
    written = _text(log_dir)
    assert "CRITICAL" in written and "db-worker" in written
    assert "worker_body" in written and "RuntimeError" in written and ID_X not in written


def test_the_sys_excepthook_logs_tells_and_calls_the_previous_hook(log_dir: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    previous = lambda *a: seen.append(("previous", a[0]))  # noqa: E731
    monkeypatch.setattr(sys, "excepthook", previous)
    logs.install_excepthooks(notify=lambda exc: seen.append(("notify", type(exc))))
    logs.install_excepthooks(notify=lambda exc: seen.append(("notify", type(exc))))   # again: still one hook

    def slot_body() -> None:
        raise ValueError(f"bad {ID_DIGIT}")

    try:
        slot_body()
    except ValueError:
        sys.excepthook(*sys.exc_info())
    written = _text(log_dir)
    assert "CRITICAL" in written and "slot_body" in written and ID_DIGIT not in written
    assert seen == [("notify", ValueError), ("previous", ValueError)]
    logs.uninstall_excepthooks()
    assert sys.excepthook is previous
