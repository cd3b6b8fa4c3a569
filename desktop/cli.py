"""`yimen` command: start the window, create the demo, check, back up and restore.

    yimen [--data-dir DIR] [--quit-after S]      start the application (S: quit S seconds
                                                 after the login window is shown: a smoke test)
    yimen demo --data-dir DIR [--households N]   create the demo township
    yimen init ...                               create a real township database
    yimen self-test --data-dir DIR --user U      check everything, change nothing
    yimen verify-audit --data-dir DIR --user U
    yimen backup --data-dir DIR --user U [--to DIR]
    yimen restore --data-dir DIR --from BACKUP --user U
    yimen list-backups --data-dir DIR
    yimen user list|add|reset-password|unlock|remove --data-dir DIR --user ADMIN ...
    yimen user add ... --role village_assistant --villages CODE[,CODE]   an assistant's villages
    yimen user villages --username U --villages CODE[,CODE] ...          change them
    yimen policy import FILE --data-dir DIR --user ADMIN   import a policy table or a holiday calendar
    yimen policy list --data-dir DIR --user ADMIN          what is in force and what was imported
    yimen enroll --data-dir DIR --user ADMIN --hub URL --ca FILE --fingerprint FP --code CODE
    yimen sync --data-dir DIR --user U                     push what is waiting, then pull the county's results

Passwords are read from the terminal, from `--password-stdin`, or from the
YIMEN_PASSWORD environment variable (for scripts); never from an argument.
`user add` and `user reset-password` also need the user's new password: asked
twice on the terminal; with `--password-stdin` it is the second line of stdin
(the acting admin's password first); else YIMEN_NEW_PASSWORD.
Exit status: 0 ok, 1 a check failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop import __version__, logs
from desktop.config import resolve_data_dir
from desktop.domain.errors import YimenError
from desktop.domain.roles import PermissionDenied
from desktop.services.errors import ServiceError
from desktop.store.errors import StoreError
from forms.errors import FormsError

PASSWORD_ENV = "YIMEN_PASSWORD"
NEW_PASSWORD_ENV = "YIMEN_NEW_PASSWORD"

log = logging.getLogger(__name__)


class CliError(YimenError):
    """Bad command-line input: ``message`` is printed, exit status 2."""


def _read_password(args: argparse.Namespace, prompt: str = "密码：") -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise CliError(f"需要密码：请在终端输入，或使用 --password-stdin，或设置环境变量 {PASSWORD_ENV}。")


def _user(args: argparse.Namespace, data_dir: Path) -> str:
    if args.user:
        return str(args.user)
    from desktop.services.admin.local_files import read_demo_accounts

    demo = read_demo_accounts(data_dir)
    if demo:
        return demo[0][0]
    raise CliError("请用 --user 指定用户名。")


def _password_for(args: argparse.Namespace, data_dir: Path, user: str) -> str:
    if not (getattr(args, "password_stdin", False) or os.environ.get(PASSWORD_ENV)) and not args.user:
        from desktop.services.admin.local_files import read_demo_accounts

        for u, _role, pw in read_demo_accounts(data_dir):
            if u == user:
                return pw
    return _read_password(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.demo.generator import create_demo
    from desktop.store.database import Database

    data_dir = resolve_data_dir(args.data_dir)
    if Database.exists(data_dir):
        raise CliError(f"目录中已有数据库：{data_dir}。如需重建演示数据，请先删除该目录。")
    if args.households < 1 or args.households > 200_000:
        raise CliError("户数应在 1 到 200000 之间。")
    result = create_demo(data_dir, args.households, progress=lambda m: print(m, flush=True))
    print(f"演示乡镇已创建：{result.data_dir}")
    print(f"  {result.households} 户，{result.persons} 人，{result.cases} 件申请")
    print("演示账户（只显示这一次；演示目录中的 DEMO-ACCOUNTS.txt 也有一份）：")
    for user, role, pw in result.accounts:
        print(f"  {role:<6}  用户名 {user:<11} 密码 {pw}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from desktop.services.admin.setup import TownshipSetup, create_township

    data_dir = resolve_data_dir(args.data_dir)
    villages = []
    for item in args.village or []:
        code, _, name = item.partition("=")
        villages.append((code.strip(), name.strip()))
    setup = TownshipSetup(args.township_code, args.township_name, args.county_name, args.window_name,
                          args.device_code, tuple(villages))
    recovery = Path(args.recovery_public_key).read_bytes() if args.recovery_public_key else None
    if recovery is not None and len(recovery) != 32:
        raise CliError("县级恢复公钥文件应为32字节的 X25519 原始公钥。")
    password = _read_password(args, "新管理员密码：")
    session = create_township(data_dir, setup, args.admin, password, recovery_public_key=recovery)
    session.close()
    print(f"已创建 {args.township_name} 的数据库：{data_dir}")
    return 0


def cmd_self_test(args: argparse.Namespace) -> int:
    from desktop.services.admin.maintenance import self_test

    data_dir = resolve_data_dir(args.data_dir)
    user = _user(args, data_dir)
    checks = self_test(data_dir, user, _password_for(args, data_dir, user))
    for c in checks:
        print(f"[{'通过' if c.ok else '失败'}] {c.name}：{c.detail}")
    failed = [c for c in checks if not c.ok]
    print("自检通过。" if not failed else f"自检失败：{len(failed)} 项未通过。")
    return 0 if not failed else 1


def _sign_in(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from desktop.services.admin.accounts import sign_in

    data_dir = resolve_data_dir(args.data_dir)
    user = _user(args, data_dir)
    return sign_in(data_dir, user, _password_for(args, data_dir, user))


def cmd_verify_audit(args: argparse.Namespace) -> int:
    from desktop.services.admin.maintenance import verify_audit

    session = _sign_in(args)
    try:
        report = verify_audit(session)
    finally:
        session.close()
    print(report.message)
    return 0 if report.ok else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from desktop.services.admin.maintenance import backup_now

    session = _sign_in(args)
    try:
        info = backup_now(session, Path(args.to) if args.to else None)
    finally:
        session.close()
    print(f"备份完成并已校验：{info.path}（{sum(info.counts.values())} 行）")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop.services.admin.maintenance import restore_from_backup

    data_dir = resolve_data_dir(args.data_dir)
    if not args.user:
        raise CliError("请用 --user 指定备份中的管理员用户名。")
    report = restore_from_backup(data_dir, Path(args.source), args.user, _read_password(args))
    print(f"已从备份恢复：{args.source}（备份时间 {report.backup_created_at}），已记入审计日志。")
    if report.replaced is not None:
        print(f"原数据库文件已移至：{report.replaced}")
    return 0


def cmd_list_backups(args: argparse.Namespace) -> int:
    from desktop.store.backup import list_backups

    data_dir = resolve_data_dir(args.data_dir)
    rows = list_backups(data_dir)
    if not rows:
        print("没有备份。")
    for path, manifest in rows:
        print(f"{path.name}\t{manifest.get('label')}\t{sum(manifest.get('counts', {}).values())} 行")
    return 0


def _read_new_password(args: argparse.Namespace, username: str) -> str:
    """The new password of ``username``: 2nd stdin line, $YIMEN_NEW_PASSWORD, or the terminal twice."""
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        if not line:
            raise CliError("--password-stdin 需要两行：第一行是执行操作的管理员的密码，第二行是新密码。")
        return line.rstrip("\n")
    env = os.environ.get(NEW_PASSWORD_ENV)
    if env:
        return env
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(f"{username} 的新密码：")
        if getpass.getpass("再次输入新密码：") != first:
            raise CliError("两次输入的新密码不一致。")
        return first
    raise CliError(f"需要新密码：请在终端输入，或在 --password-stdin 的第二行给出，或设置环境变量 {NEW_PASSWORD_ENV}。")


def _state(account) -> str:  # type: ignore[no-untyped-def]
    if not account.has_key_slot:
        return "无法登录（没有密码，请重置密码）"
    if account.locked_until is not None:
        return f"已锁定（至 {account.locked_until.astimezone():%Y-%m-%d %H:%M}）"
    if account.failed_attempts:
        return f"正常（密码已连续输错 {account.failed_attempts} 次）"
    return "正常"


def cmd_user(args: argparse.Namespace) -> int:
    from desktop.services.admin import accounts as auth

    if args.user_command is None:
        raise CliError("请指定操作：list、add、villages、reset-password、unlock 或 remove。")
    session = _sign_in(args)
    try:
        if args.user_command == "list":
            for a in auth.list_accounts(session):
                villages = "、".join(name for _code, name in a.villages)
                print(f"{a.username}\t{a.display_name}\t{a.role_label}\t{_state(a)}"
                      + (f"\t负责：{villages}" if villages else ""))
        elif args.user_command == "add":
            villages = _codes(args.villages)
            password = _read_new_password(args, args.username)
            info = auth.add_user(session, args.username, args.name, args.role, password, villages=villages)
            print(f"已新增用户：{info.username}（{info.display_name}，{info.role_label}）"
                  + (f"，负责村（社区）：{'、'.join(info.villages)}" if info.villages else ""))
        elif args.user_command == "villages":
            codes = auth.set_villages(session, args.username, _codes(args.villages))
            print(f"{args.username} 负责的村（社区）：{'、'.join(codes)}（下次登录起生效）")
        elif args.user_command == "reset-password":
            auth.reset_password(session, args.username, _read_new_password(args, args.username))
            print(f"已重置 {args.username} 的密码；原密码已失效，锁定已解除。")
        elif args.user_command == "unlock":
            auth.unlock_account(session, args.username)
            print(f"已解除 {args.username} 的锁定。")
        elif args.user_command == "remove":
            auth.remove_user(session, args.username)
            print(f"已删除用户 {args.username}（经办记录和审计日志保留）。")
    finally:
        session.close()
    return 0


def _codes(values: list[str] | None) -> list[str]:
    """Division codes from ``--villages A,B --villages C`` (commas, spaces or repeats)."""
    return [c for v in values or () for c in v.replace("，", ",").replace(" ", ",").split(",") if c]


_KIND_LABELS = {"policy": "政策表", "calendar": "节假日安排"}


def _years_text(years: tuple[int, ...]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "无")


def cmd_policy(args: argparse.Namespace) -> int:
    from desktop.services.policy import updates

    if args.policy_command is None:
        raise CliError("请指定操作：import 或 list。")
    session = _sign_in(args)
    try:
        if args.policy_command == "import":
            print(updates.import_file(session, Path(args.file)).summary)
            return 0
        rows = updates.list_updates(session)
        state = session.policy.state
        imported = {r.ref for r in rows if r.in_force}
        print(f"节假日安排：正式安排覆盖 {_years_text(state.calendar.covered_years)} 年，其余年份按法定节假日暂定")
        for t in state.book.tables:
            origin = "已导入" if t.ref in imported else "随程序发布"
            print(f"政策表\t{t.ref}\t{t.title}\t{origin}")
        if not rows:
            print("尚未导入任何政策表或节假日安排（使用随程序发布的数据）")
        for r in rows:
            state_text = "在用" if r.in_force else "已被更新的版本取代"
            print(f"{_KIND_LABELS.get(r.kind, r.kind)}\t{r.ref}\t{r.imported_at.astimezone():%Y-%m-%d %H:%M}\t"
                  f"{r.imported_by}\t{r.source}\t{r.sha256[:12]}\t{state_text}")
    finally:
        session.close()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from desktop.ui.app import run_app

    return run_app(resolve_data_dir(args.data_dir), quit_after=getattr(args, "quit_after", None))


def _hub_client(url: str, ca_file: Path, pin: str, token: str = ""):  # type: ignore[no-untyped-def]
    """The composition root's transport: the real client of the wire."""
    from sync.client import HubClient

    return HubClient(url, ca_file, client_version=__version__, token=token, pin_sha256=pin)


def cmd_enroll(args: argparse.Namespace) -> int:
    from desktop.services.sync.enrollment import enroll

    try:
        ca_pem = Path(args.ca).read_bytes()
    except OSError:
        raise CliError(f"读不到 CA 证书文件：{args.ca}") from None
    session = _sign_in(args)
    try:
        done = enroll(session, _hub_client, args.hub, ca_pem, args.fingerprint, args.code)
    finally:
        session.close()
    print(f"本机已在{done.county_name}县级平台注册：乡镇 {done.township_code}，设备 {done.device_code}。")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from desktop.services.sync.enrollment import link
    from desktop.services.sync.pull import pull_pending
    from desktop.services.sync.push import push_pending

    session = _sign_in(args)
    try:
        settings = link(session)
        if not settings.enrolled:
            raise CliError("本机尚未在县级平台注册：请系统管理员先运行 yimen enroll。")
        client = _hub_client(settings.hub_url, settings.ca_file, settings.ca_pin, settings.token)
        try:
            pushed = push_pending(session, client)
            pulled = pull_pending(session, client)
        finally:
            client.close()
    finally:
        session.close()
    print(f"上报：{pushed.message}")
    print(f"接收：{pulled.message}")
    return 0 if not pushed.error and not pulled.error and pushed.audit_status != "broken" else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yimen", description="一门受理 — 乡镇社会救助窗口")
    p.add_argument("--version", action="version", version=f"yimen {__version__}")
    p.add_argument("--data-dir", help="数据目录（默认：系统的用户数据目录，或环境变量 YIMEN_DATA_DIR）")
    p.add_argument("--quit-after", type=float, metavar="SECONDS",
                   help="检查安装用：登录窗口显示后等待这么多秒自动退出")
    sub = p.add_subparsers(dest="command")

    def add(name: str, func, help_text: str, user: bool = False) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        sp = sub.add_parser(name, help=help_text)
        sp.add_argument("--data-dir", dest="data_dir", default=argparse.SUPPRESS)
        if user:
            sp.add_argument("--user", help="用户名")
            sp.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
        sp.set_defaults(func=func)
        return sp

    run = add("run", cmd_run, "启动程序")
    run.add_argument("--quit-after", type=float, metavar="SECONDS", default=argparse.SUPPRESS,
                     help="检查安装用：登录窗口显示后等待这么多秒自动退出")
    d = add("demo", cmd_demo, "创建演示乡镇数据库")
    d.add_argument("--households", type=int, default=5000)
    i = add("init", cmd_init, "为一个乡镇创建新数据库", user=False)
    i.add_argument("--township-code", required=True, help="9位乡镇代码")
    i.add_argument("--township-name", required=True)
    i.add_argument("--county-name", default="")
    i.add_argument("--window-name", default="社会救助“一门受理”窗口")
    i.add_argument("--device-code", required=True, help="本机设备编号（001–999，由县级分配）")
    i.add_argument("--admin", required=True, help="首个管理员用户名")
    i.add_argument("--village", action="append", help="村（社区）：12位代码=名称，可重复")
    i.add_argument("--recovery-public-key", help="县级恢复公钥文件（32字节）")
    i.add_argument("--password-stdin", action="store_true")
    add("self-test", cmd_self_test, "自检：数据库、结构版本、审计链、日历与政策", user=True)
    add("verify-audit", cmd_verify_audit, "校验审计日志哈希链", user=True)
    b = add("backup", cmd_backup, "加密备份", user=True)
    b.add_argument("--to", help="备份存放目录（默认在数据目录的 backups 下）")
    r = add("restore", cmd_restore, "从备份恢复", user=True)
    r.add_argument("--from", dest="source", required=True, help="备份目录")
    add("list-backups", cmd_list_backups, "列出备份")
    e = add("enroll", cmd_enroll, "在县级平台注册本机（须以系统管理员身份 --user 登录）", user=True)
    e.add_argument("--hub", required=True, help="县级平台地址，如 https://hub.example.gov.cn:8443")
    e.add_argument("--ca", required=True, help="县级平台 CA 证书文件（ca.pem）")
    e.add_argument("--fingerprint", required=True, help="CA 证书的 SHA-256 指纹（县级信息管理员提供）")
    e.add_argument("--code", required=True, help="一次性注册码")
    add("sync", cmd_sync, "上报待同步事项，并接收县级的审核确认和转办结果", user=True)
    _add_user_commands(sub)
    _add_policy_commands(sub)
    return p


def _add_policy_commands(sub) -> None:  # type: ignore[no-untyped-def]
    pol = sub.add_parser("policy", help="政策表与节假日安排（须以系统管理员身份 --user 登录）")
    pol.set_defaults(func=cmd_policy, policy_command=None)
    commands = pol.add_subparsers(dest="policy_command")
    for name, help_text in (("import", "导入政策表或节假日安排文件（JSON），校验后写入加密数据库"),
                            ("list", "列出在用的政策表、日历覆盖年份和已导入的更新")):
        sp = commands.add_parser(name, help=help_text)
        sp.add_argument("--data-dir", dest="data_dir", default=argparse.SUPPRESS)
        sp.add_argument("--user", help="执行操作的系统管理员用户名")
        sp.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
        if name == "import":
            sp.add_argument("file", help="政策表（resources/policy 格式）或节假日安排（cn_workdays.json 格式）")


def _add_user_commands(sub) -> None:  # type: ignore[no-untyped-def]
    from desktop.domain.roles import Role

    u = sub.add_parser("user", help="用户管理（须以系统管理员身份 --user 登录）")
    u.set_defaults(func=cmd_user, user_command=None)
    commands = u.add_subparsers(dest="user_command")
    for name, help_text in (("list", "列出用户、角色、锁定状态和村协理员负责的村"), ("add", "新增用户"),
                            ("villages", "更改村协理员负责的村（社区）"),
                            ("reset-password", "重置用户密码（同时解除锁定）"),
                            ("unlock", "解除因密码错误造成的锁定"), ("remove", "删除（停用）用户")):
        sp = commands.add_parser(name, help=help_text)
        sp.add_argument("--data-dir", dest="data_dir", default=argparse.SUPPRESS)
        sp.add_argument("--user", help="执行操作的系统管理员用户名")
        sp.add_argument("--password-stdin", action="store_true",
                        help="从标准输入读取密码（add/reset-password：第一行管理员密码，第二行新密码）")
        if name != "list":
            sp.add_argument("--username", required=True, help="要操作的用户名")
        if name == "add":
            sp.add_argument("--name", required=True, help="姓名")
            sp.add_argument("--role", required=True, choices=[r.value for r in Role],
                            help="角色：" + "，".join(f"{r.value}={r.label}" for r in Role))
        if name in ("add", "villages"):
            sp.add_argument("--villages", action="append", required=name == "villages", metavar="CODE[,CODE]",
                            help="村协理员负责的村（社区）的12位区划代码，逗号分隔（村协理员必填，其他角色不填）")


@contextmanager
def _logging_to(data_dir: Path) -> Iterator[None]:
    """Warnings to stderr, and — where the data directory exists — the rotating log file in it, with the
    excepthooks; both redacted (desktop/logs.py). A bug escaping the command is logged with its traceback
    before it goes on to the terminal. Everything is put back afterwards (main runs many times in tests)."""
    root = logging.getLogger()
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(logs.RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(stderr)
    to_file = data_dir.is_dir()
    if to_file:
        logs.setup_logging(data_dir)
        logs.install_excepthooks()
    try:
        yield
    except (Exception, KeyboardInterrupt) as exc:
        if not isinstance(exc, (YimenError, KeyboardInterrupt)):
            log.critical("command failed: %s", exc.__class__.__name__, exc_info=exc)
        raise
    finally:
        root.removeHandler(stderr)
        if to_file:
            logs.uninstall_excepthooks()
            logs.close_logging()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not hasattr(args, "data_dir"):
        args.data_dir = None
    func = getattr(args, "func", cmd_run)
    try:
        with _logging_to(resolve_data_dir(args.data_dir)):
            return int(func(args))
    except CliError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    except (StoreError, ServiceError, PermissionDenied) as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 1
    except (YimenError, FormsError) as exc:     # domain and forms errors: bad input (a division code…)
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
