"""``yimen-county``: set up and run the county hub.

    yimen-county init --data-dir DIR --county-name 名称 [--database-url URL] [--host NAME ...]
    yimen-county migrate --data-dir DIR
    yimen-county serve --data-dir DIR [--port N]
    yimen-county township add CODE 名称 --data-dir DIR
    yimen-county code issue --township CODE --device NNN --data-dir DIR [--hours 72]
    yimen-county device revoke --township CODE --device NNN --data-dir DIR
    yimen-county device list --data-dir DIR
    yimen-county demo [--data-dir DIR] [--port N] [--no-serve]
    yimen-county decide --case 编号 (--approve [--amount 650.00] | --refuse --reason 理由) --by 决定人
                        [--on YYYY-MM-DD] [--township CODE] --data-dir DIR
    yimen-county referral-result --case 编号 --department 部门 (--approve [--amount 元] | --refuse --note 理由)
                        --by 经办人 [--on YYYY-MM-DD] [--township CODE] --data-dir DIR

``init`` makes the keys and certificates (see ``keys``), writes ``hub.toml``
and migrates the database (default: SQLite in the data directory, for a trial;
``--database-url postgresql+psycopg://user@host/db`` for the real hub). It
prints the CA fingerprint and the public keys township setup asks for.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import select

from sync.trust import ca_fingerprint

from . import config as hub_config
from . import decisions, keys, service
from .database import HubDatabase
from .errors import HubError
from .models import Device

ACTOR = "county-it"


class CliError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _open(data_dir: Path) -> tuple[hub_config.HubConfig, HubDatabase]:
    cfg = hub_config.load(data_dir)
    return cfg, HubDatabase(cfg.database_url)


def cmd_init(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir)
    if (data_dir / hub_config.CONFIG_NAME).exists():
        raise CliError(f"{data_dir} 已初始化过（已有 {hub_config.CONFIG_NAME}），不会覆盖。")
    url = args.database_url or f"sqlite:///{(data_dir / 'hub.db').resolve()}"
    hosts = tuple(args.host or ["localhost", "127.0.0.1"])
    try:
        files = keys.create_keys(data_dir, args.county_name, list(hosts))
    except FileExistsError as exc:
        raise CliError(str(exc)) from None
    cfg = hub_config.HubConfig(data_dir=data_dir, county_name=args.county_name, database_url=url, hosts=hosts)
    (data_dir / hub_config.CONFIG_NAME).write_text(cfg.to_toml(), encoding="utf-8")
    db = HubDatabase(url)
    try:
        db.migrate()
    finally:
        db.dispose()
    print(f"县级平台已初始化：{data_dir}")
    print(f"  CA 证书：{files.ca_cert}")
    print(f"  CA 指纹（SHA-256）：{ca_fingerprint(files.ca_cert.read_bytes())}")
    for name, value in keys.public_keys(files).items():
        print(f"  {name}: {value}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    _cfg, db = _open(Path(args.data_dir))
    try:
        db.migrate()
        print(f"数据库已是最新版本（{db.revision()}）。")
    finally:
        db.dispose()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .sealing import Sealer

    cfg, db = _open(Path(args.data_dir))
    db.migrate()
    app = create_app(db, Sealer(cfg.keys.hub_key.read_bytes()), county_name=cfg.county_name,
                     min_client_version=cfg.min_client_version)
    uvicorn.run(app, host=args.bind or cfg.host, port=args.port or cfg.port,
                ssl_certfile=str(cfg.keys.server_cert), ssl_keyfile=str(cfg.keys.server_key),
                log_level="warning", access_log=False)
    return 0


def cmd_township(args: argparse.Namespace) -> int:
    _cfg, db = _open(Path(args.data_dir))
    with db.write() as s:
        service.add_township(s, args.code, args.name)
    print(f"已添加乡镇 {args.code} {args.name}")
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    _cfg, db = _open(Path(args.data_dir))
    with db.write() as s:
        code = service.issue_enrollment_code(s, args.township, args.device, actor=ACTOR, now=service.utc_now(),
                                             hours=args.hours)
    print(f"注册码（{args.hours} 小时内有效，只能使用一次）：{code}")
    return 0


def cmd_device(args: argparse.Namespace) -> int:
    _cfg, db = _open(Path(args.data_dir))
    if args.device_command == "revoke":
        with db.write() as s:
            service.revoke_device(s, args.township, args.device, actor=ACTOR, now=service.utc_now())
        print(f"已停用乡镇 {args.township} {args.device} 号设备；其数据仍保留。")
        return 0
    with db.read() as s:
        for d in s.scalars(select(Device).order_by(Device.township_code, Device.device_code)):
            state = "已停用" if d.revoked_at else "在用"
            print(f"{d.township_code} {d.device_code} {state} 已收到至第{d.contiguous_seq}号 审计链:{d.chain_status}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from . import demo

    hub = demo.prepare(Path(args.data_dir), args.port)
    for line in demo.instructions(hub):
        print(line)
    if args.no_serve:
        return 0
    print("县级平台演示运行中（按 Ctrl+C 停止）…", flush=True)
    return cmd_serve(argparse.Namespace(data_dir=args.data_dir, port=args.port, bind="127.0.0.1"))


_YUAN = re.compile(r"^\d{1,9}(\.\d{1,2})?$")


def yuan_to_cents(text: str | None) -> int | None:
    """"650.00" (元, as printed) → 65000 分; None when not given."""
    if text is None:
        return None
    value = text.strip().removesuffix("元").strip()
    if not _YUAN.match(value):
        raise CliError(f"金额“{text[:20]}”格式不对：请按元填写，例如 650.00。")
    whole, _, part = value.partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


def _day(text: str | None) -> date:
    if not text:
        return service.utc_now().astimezone().date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"日期“{text[:20]}”格式不对：请按 2026-12-03 的格式填写。") from None


def _outcome(args: argparse.Namespace) -> str:
    if args.approve == args.refuse:
        raise CliError("请指定 --approve（批准）或 --refuse（不予批准）其中之一。")
    return "approve" if args.approve else "refuse"


def cmd_decide(args: argparse.Namespace) -> int:
    outcome, amount, day = _outcome(args), yuan_to_cents(args.amount), _day(args.on)
    cfg, db = _open(Path(args.data_dir))
    from .sealing import Sealer

    sealer = Sealer(cfg.keys.hub_key.read_bytes())
    try:
        with db.write() as s:
            done = decisions.record_case_decision(
                s, sealer, case_number=args.case, decision=outcome, amount_cents=amount, reason=args.reason or "",
                decided_by=args.by, decided_on=day, actor=ACTOR, now=service.utc_now(), township_code=args.township)
    finally:
        db.dispose()
    label = "批准" if outcome == "approve" else "不予批准"
    if done.already:
        print(f"案件 {done.case_number} 的审核确认（{label}）此前已录入，未重复记录。")
    else:
        print(f"已录入案件 {done.case_number} 的审核确认：{label}"
              f"{'' if amount is None else f'，金额 {amount // 100}.{amount % 100:02d} 元'}；乡镇下次同步时收到。")
    return 0


def cmd_referral_result(args: argparse.Namespace) -> int:
    outcome, amount, day = _outcome(args), yuan_to_cents(args.amount), _day(args.on)
    cfg, db = _open(Path(args.data_dir))
    from .sealing import Sealer

    sealer = Sealer(cfg.keys.hub_key.read_bytes())
    try:
        with db.write() as s:
            done = decisions.record_referral_result(
                s, sealer, case_number=args.case, department=args.department, result=outcome, amount_cents=amount,
                note=args.note or "", decided_by=args.by, decided_on=day, actor=ACTOR, now=service.utc_now(),
                township_code=args.township)
    finally:
        db.dispose()
    label = "批准" if outcome == "approve" else "不予批准"
    if done.already:
        print(f"案件 {done.case_number} 该转办的办理结果（{label}）此前已录入，未重复记录。")
    else:
        print(f"已录入案件 {done.case_number} 的转办办理结果：{label}；乡镇下次同步时收到。")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yimen-county", description="一门受理 县级平台")
    sub = p.add_subparsers(dest="command", required=True)

    def with_dir(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--data-dir", required=True)
        return sp

    init = with_dir(sub.add_parser("init", help="创建密钥、证书、配置和数据库"))
    init.add_argument("--county-name", required=True)
    init.add_argument("--database-url")
    init.add_argument("--host", action="append", help="服务器的主机名或地址（可多次）")
    init.set_defaults(func=cmd_init)
    with_dir(sub.add_parser("migrate", help="升级数据库")).set_defaults(func=cmd_migrate)
    serve = with_dir(sub.add_parser("serve", help="启动县级平台（HTTPS）"))
    serve.add_argument("--port", type=int)
    serve.add_argument("--bind")
    serve.set_defaults(func=cmd_serve)
    town = sub.add_parser("township").add_subparsers(dest="township_command", required=True)
    add = with_dir(town.add_parser("add"))
    add.add_argument("code")
    add.add_argument("name")
    add.set_defaults(func=cmd_township)
    code = sub.add_parser("code").add_subparsers(dest="code_command", required=True)
    issue = with_dir(code.add_parser("issue"))
    issue.add_argument("--township", required=True)
    issue.add_argument("--device", required=True)
    issue.add_argument("--hours", type=int, default=service.DEFAULT_CODE_HOURS)
    issue.set_defaults(func=cmd_code)
    dev = sub.add_parser("device").add_subparsers(dest="device_command", required=True)
    rev = with_dir(dev.add_parser("revoke"))
    rev.add_argument("--township", required=True)
    rev.add_argument("--device", required=True)
    rev.set_defaults(func=cmd_device)
    with_dir(dev.add_parser("list")).set_defaults(func=cmd_device)
    demo = sub.add_parser("demo", help="在本机以 SQLite 试用县级平台（配合 make run 的演示乡镇）")
    demo.add_argument("--data-dir", default=".county-demo")
    demo.add_argument("--port", type=int, help="端口（默认 8443）")
    demo.add_argument("--no-serve", action="store_true", help="只准备，不启动")
    demo.set_defaults(func=cmd_demo)
    for name, func, help_text in (("decide", cmd_decide, "录入县级审核确认结果"),
                                  ("referral-result", cmd_referral_result, "录入转办部门的办理结果")):
        sp = with_dir(sub.add_parser(name, help=help_text))
        sp.add_argument("--case", required=True, help="案件编号（如打印在受理回执上）")
        if name == "referral-result":
            sp.add_argument("--department", required=True, help="转办部门（代码或名称）")
            sp.add_argument("--note", help="不予批准的理由或备注")
        else:
            sp.add_argument("--reason", help="不予批准的理由")
        sp.add_argument("--approve", action="store_true")
        sp.add_argument("--refuse", action="store_true")
        sp.add_argument("--amount", help="金额（元），例如 650.00")
        sp.add_argument("--by", required=True, help="作出决定的人或科室")
        sp.add_argument("--on", help="决定日期 YYYY-MM-DD（默认今天）")
        sp.add_argument("--township", help="乡镇代码（案件编号重复时）")
        sp.set_defaults(func=func)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (CliError, HubError, hub_config.ConfigError) as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
