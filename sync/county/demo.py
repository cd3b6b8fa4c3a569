"""``yimen-county demo``: a county hub on SQLite for a one-command trial beside ``make run``.

The first run makes a hub in the data directory exactly as ``init`` would
(keys, county CA, server certificate for localhost, ``hub.toml``, a SQLite
database), adds the demo township that ``yimen demo`` creates (青石镇
620102101) and issues one-time enrollment codes for its device 001 (the
township PC of ``make run``) and 002 (a village assistant's laptop). Later runs
reuse it and issue a new code only for a device not enrolled yet. It prints
the ``yimen enroll`` command to paste, then serves on loopback until Ctrl+C.

Nothing here differs from the real hub but the database: the same code,
migrations and HTTPS — a trial on PostgreSQL is ``init --database-url`` and
``serve``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from sync.trust import ca_fingerprint

from . import config as hub_config
from . import keys, service
from .database import HubDatabase
from .models import Device, Township

DEMO_COUNTY = "示范县"
DEMO_TOWNSHIP = ("620102101", "青石镇")       # what `yimen demo` (desktop/demo/generator.py) creates
DEMO_DEVICES = {"001": "乡镇窗口电脑", "002": "村协理员笔记本"}
DEMO_HOSTS = ("localhost", "127.0.0.1")
ACTOR = "county-demo"


@dataclass(frozen=True)
class DemoHub:
    data_dir: Path
    url: str
    ca_file: Path
    fingerprint: str
    codes: dict[str, str]            # device code -> a fresh enrollment code ("" = already enrolled)
    created: bool


def prepare(data_dir: Path, port: int | None = None) -> DemoHub:
    """The demo hub in ``data_dir``, made on first use; fresh codes for the demo devices not yet enrolled.
    ``port``: where it will listen (default: the one in ``hub.toml``, 8443 when made here)."""
    data_dir = Path(data_dir)
    created = not (data_dir / hub_config.CONFIG_NAME).exists()
    if created:
        keys.create_keys(data_dir, DEMO_COUNTY, list(DEMO_HOSTS))
        cfg = hub_config.HubConfig(data_dir=data_dir, county_name=DEMO_COUNTY,
                                   database_url=f"sqlite:///{(data_dir / 'hub.db').resolve()}",
                                   host="127.0.0.1", port=port or hub_config.DEFAULT_PORT, hosts=DEMO_HOSTS)
        (data_dir / hub_config.CONFIG_NAME).write_text(cfg.to_toml(), encoding="utf-8")
    cfg = hub_config.load(data_dir)
    files = cfg.keys
    db = HubDatabase(cfg.database_url)
    codes: dict[str, str] = {}
    try:
        db.migrate()
        now = service.utc_now()
        with db.write() as s:
            code, name = DEMO_TOWNSHIP
            if s.get(Township, code) is None:
                service.add_township(s, code, name)
            active = set(s.scalars(select(Device.device_code).where(
                Device.township_code == code, Device.revoked_at.is_(None))))
            for device in DEMO_DEVICES:
                codes[device] = "" if device in active else service.issue_enrollment_code(
                    s, code, device, actor=ACTOR, now=now)
    finally:
        db.dispose()
    return DemoHub(data_dir, f"https://localhost:{port or cfg.port}", files.ca_cert,
                   ca_fingerprint(files.ca_cert.read_bytes()), codes, created)


def instructions(hub: DemoHub, township_data_dir: str = ".demo-data") -> list[str]:
    """What to tell the person trying it (Chinese), with the command lines to paste."""
    lines = [f"县级平台演示（{DEMO_COUNTY}，SQLite）{'已创建' if hub.created else '已就绪'}：{hub.data_dir}",
             f"  地址：{hub.url}", f"  CA 证书：{hub.ca_file}", f"  CA 指纹（SHA-256）：{hub.fingerprint}"]
    for device, code in hub.codes.items():
        who = f"{DEMO_TOWNSHIP[1]}{device}号设备（{DEMO_DEVICES[device]}）"
        if not code:
            lines.append(f"  {who}：已注册")
            continue
        lines.append(f"  {who} 的一次性注册码：{code}")
    if hub.codes.get("001"):
        lines += ["在另一个终端为 make run 的演示乡镇注册本机（admin 的密码见演示目录的 DEMO-ACCOUNTS.txt）：",
                  f"  .venv/bin/yimen enroll --data-dir {township_data_dir} --user admin --hub {hub.url} "
                  f"--ca {hub.ca_file} --fingerprint {hub.fingerprint} --code {hub.codes['001']}",
                  f"  然后：.venv/bin/yimen sync --data-dir {township_data_dir} --user clerk"]
    return lines
