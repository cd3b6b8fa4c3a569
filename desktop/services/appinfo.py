"""What the window needs to know about the installation, without importing lower layers into the UI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from desktop.config import KEYSLOTS_FILENAME
from desktop.domain.case_state import CaseStatus
from desktop.store.device import device_info
from desktop.store.models import Case, Household, Person
from desktop.store.outbox import waiting_count

from .auth import AppSession
from .demo import read_demo_accounts


def ui_font_paths() -> list[Path]:
    """The bundled CJK fonts, primary first (loaded into Qt so a PC without Chinese fonts renders)."""
    from forms.fonts import FALLBACK_A_FILE, FALLBACK_FILE, PRIMARY_FILE, fonts_dir

    d = fonts_dir()
    return [p for p in (d / PRIMARY_FILE, d / FALLBACK_A_FILE, d / FALLBACK_FILE) if p.exists()]


def demo_accounts(data_dir: Path) -> list[tuple[str, str, str]]:
    return read_demo_accounts(data_dir)


def database_present(data_dir: Path) -> bool:
    return (Path(data_dir) / "yimen.db").exists() and (Path(data_dir) / KEYSLOTS_FILENAME).exists()


@dataclass(frozen=True)
class Overview:
    township_name: str
    window_name: str
    device_code: str
    households: int
    persons: int
    cases_by_status: tuple[tuple[str, int], ...]   # (Chinese label, count)
    outbox_waiting: int


def overview(session: AppSession) -> Overview:
    with session.db.read() as s:
        dev = device_info(s)
        hh = s.scalar(select(func.count()).select_from(Household)) or 0
        persons = s.scalar(select(func.count()).select_from(Person)) or 0
        rows = dict(s.execute(select(Case.status, func.count()).group_by(Case.status)).all())
        waiting = waiting_count(s)
    by_status = tuple((st.label, int(rows.get(st.value, 0))) for st in CaseStatus)
    return Overview(dev.township_name, dev.window_name, dev.device_code, int(hh), int(persons), by_status, waiting)
