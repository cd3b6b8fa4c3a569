"""Creating a township database: device identity, villages, the first administrator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop.domain.roles import Role
from desktop.services.admin.accounts import create_user_row, validate_password, validate_username
from desktop.services.errors import InvalidInput
from desktop.services.session import AppSession, UserInfo
from desktop.store import audit
from desktop.store.database import Database
from desktop.store.device import create_device
from desktop.store.keyslots import KdfParams
from desktop.store.models import Village


@dataclass(frozen=True)
class TownshipSetup:
    township_code: str          # 9 digits: county (6) + township (3)
    township_name: str
    county_name: str
    window_name: str
    device_code: str            # 3 digits, unique within the township (assigned by county IT)
    villages: tuple[tuple[str, str], ...]   # (12-digit division code, name)


def create_township(data_dir: Path, setup: TownshipSetup, admin_username: str, admin_password: str,
                    admin_display_name: str = "系统管理员", kdf: KdfParams | None = None,
                    recovery_public_key: bytes | None = None) -> AppSession:
    problem = validate_username(admin_username) or validate_password(admin_password)
    if problem:
        raise InvalidInput(problem)
    for code, name in setup.villages:
        if len(code) != 12 or not code.isdigit() or not code.startswith(setup.township_code):
            raise InvalidInput(f"村（社区）“{name}”的区划代码应为12位数字，并以乡镇代码 {setup.township_code} 开头。")
    db = Database.create(data_dir, admin_username, admin_password, kdf)
    create_user_row(db, admin_username, admin_display_name, Role.ADMIN)
    with db.write() as s:
        create_device(s, device_code=setup.device_code, township_code=setup.township_code,
                      township_name=setup.township_name, window_name=setup.window_name,
                      county_name=setup.county_name)
        for code, name in setup.villages:
            s.add(Village(division_code=code, name=name))
        audit.append_event(s, actor=admin_username, action="database_created", entity_type="device",
                           entity_id=setup.device_code,
                           detail={"township": setup.township_code, "villages": len(setup.villages)})
    if recovery_public_key is not None:
        db.keyslots.set_recovery_slot(recovery_public_key, db.key)
    return AppSession(db, UserInfo(admin_username, admin_display_name, Role.ADMIN), kdf)
