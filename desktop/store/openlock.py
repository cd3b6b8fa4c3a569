"""Who has the database open: every open :class:`~desktop.store.database.Database` holds a lock file of
its own in ``DATA_DIR/.open/`` for as long as it is open, so a restore can tell that another window or
command still uses the live file and refuse instead of moving it from under that process.

The locks are ``filelock`` locks (an OS file lock, released by the OS when the process dies, also on
Windows). Taking one is done under the key-slot lock, which the restore holds from its check to the
swap: a process that opens the database meanwhile either is seen by the check or opens the restored
file. A lock file whose lock can be taken belongs to a process that ended without closing (a crash)
and is removed."""

from __future__ import annotations

import contextlib
import logging
import uuid
from pathlib import Path

from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

OPEN_DIR = ".open"


class OpenLock:
    """The lock of one open Database; ``release()`` when it closes."""

    def __init__(self, data_dir: Path) -> None:
        folder = Path(data_dir) / OPEN_DIR
        folder.mkdir(exist_ok=True)
        self.path = folder / f"{uuid.uuid4().hex}.lock"
        self._lock = FileLock(str(self.path), timeout=0, thread_local=False)   # closed from any thread
        self._lock.acquire()

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()
            with contextlib.suppress(OSError):
                self.path.unlink()


def holders(data_dir: Path, mine: OpenLock | None = None) -> int:
    """How many open Databases (in any process) hold the data folder, besides ``mine``; stale lock
    files of crashed processes are removed on the way."""
    folder = Path(data_dir) / OPEN_DIR
    count = 0
    for path in sorted(folder.glob("*.lock")) if folder.is_dir() else ():
        if mine is not None and path == mine.path:
            continue
        probe = FileLock(str(path), timeout=0, thread_local=False)
        try:
            probe.acquire()
        except Timeout:
            count += 1
            continue
        probe.release()
        with contextlib.suppress(OSError):
            path.unlink()
    return count
