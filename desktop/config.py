"""Where the application keeps its data, and the few settings read at start.

The data directory defaults to the per-user data directory of the OS
(platformdirs); `--data-dir` or the `YIMEN_DATA_DIR` environment variable
override it. Nothing here touches the database.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "Yimen"
DATA_DIR_ENV = "YIMEN_DATA_DIR"
DB_FILENAME = "yimen.db"
KEYSLOTS_FILENAME = "keyslots.json"
BACKUP_DIRNAME = "backups"
DEMO_ACCOUNTS_FILENAME = "DEMO-ACCOUNTS.txt"


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, APP_NAME, roaming=False))


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """CLI flag first, then environment, then the OS default."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()
