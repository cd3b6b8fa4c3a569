"""The `yimen` command end to end on a real encrypted demo database."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from desktop.cli import main
from desktop.services.admin.local_files import read_demo_accounts
from desktop.store.database import Database
from desktop.store.models import AuditEvent


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli") / "demo"
    assert main(["demo", "--data-dir", str(d), "--households", "40"]) == 0
    return d


def test_demo_prints_accounts_once(demo_dir, capsys):
    # the module fixture printed them; a second demo into the same directory is refused
    assert main(["demo", "--data-dir", str(demo_dir), "--households", "5"]) == 2
    assert "已有数据库" in capsys.readouterr().err


def test_self_test_passes_on_a_fresh_demo(demo_dir, capsys):
    assert main(["self-test", "--data-dir", str(demo_dir)]) == 0
    out = capsys.readouterr().out
    assert "自检通过" in out and "审计日志完整" in out


def test_self_test_fails_with_wrong_password(demo_dir, capsys, monkeypatch):
    monkeypatch.setenv("YIMEN_PASSWORD", "definitely-wrong-1")
    assert main(["self-test", "--data-dir", str(demo_dir), "--user", "admin"]) == 1
    assert "用户名或密码错误" in capsys.readouterr().out


def test_self_test_on_missing_database(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("YIMEN_PASSWORD", "whatever-123")
    assert main(["self-test", "--data-dir", str(tmp_path / "none"), "--user", "admin"]) == 1
    assert "找不到" in capsys.readouterr().out


def test_backup_list_and_verify_audit(demo_dir, capsys):
    assert main(["backup", "--data-dir", str(demo_dir)]) == 0
    assert "备份完成并已校验" in capsys.readouterr().out
    assert main(["list-backups", "--data-dir", str(demo_dir)]) == 0
    assert "manual" in capsys.readouterr().out
    assert main(["verify-audit", "--data-dir", str(demo_dir)]) == 0


def test_password_is_required_without_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("YIMEN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", None)
    assert main(["verify-audit", "--data-dir", str(tmp_path), "--user", "admin"]) == 2
    assert "需要密码" in capsys.readouterr().err


def test_tampered_audit_fails_self_test_and_restore_repairs(demo_dir, tmp_path, capsys, monkeypatch):
    import shutil

    work = tmp_path / "copy"
    shutil.copytree(demo_dir, work)
    admin_pw = next(pw for u, _r, pw in read_demo_accounts(work) if u == "admin")
    assert main(["backup", "--data-dir", str(work), "--to", str(tmp_path / "usb")]) == 0
    backup_path = next(p for p in (tmp_path / "usb").iterdir() if not p.name.startswith("."))
    db = Database.unlock(work, "admin", admin_pw)
    with db.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(action="edited"))
    db.close()
    capsys.readouterr()
    assert main(["self-test", "--data-dir", str(work)]) == 1
    assert "第 3 条" in capsys.readouterr().out
    monkeypatch.setenv("YIMEN_PASSWORD", admin_pw)
    assert main(["restore", "--data-dir", str(work), "--from", str(backup_path), "--user", "admin"]) == 0
    assert main(["self-test", "--data-dir", str(work), "--user", "admin"]) == 0


# ----- yimen user … (county IT after `yimen init --admin USER`) ---------------------------------

@pytest.fixture
def township_dir(admin_session, data_dir):
    """A fresh township with only its first admin ("admin"), closed so the CLI opens it itself."""
    admin_session.close()
    return data_dir


def _user_cmd(monkeypatch, data_dir, *args: str, stdin: str | None = None) -> int:
    import io

    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return main(["user", *args, "--data-dir", str(data_dir), "--user", "admin", "--password-stdin"])
    return main(["user", *args, "--data-dir", str(data_dir), "--user", "admin"])


def test_user_add_list_reset_unlock_remove(township_dir, capsys, monkeypatch):
    from conftest import ADMIN_PASSWORD

    from desktop.services.admin.accounts import sign_in
    from desktop.store.errors import AccountLocked, WrongPassword

    d = township_dir
    assert _user_cmd(monkeypatch, d, "add", "--username", "wangxy", "--name", "王晓燕", "--role", "clerk",
                     stdin=f"{ADMIN_PASSWORD}\nclerk-pass-2026\n") == 0
    assert "已新增用户：wangxy（王晓燕，经办人）" in capsys.readouterr().out
    sign_in(d, "wangxy", "clerk-pass-2026").close()

    # the environment variables work the same for scripts
    monkeypatch.setenv("YIMEN_PASSWORD", ADMIN_PASSWORD)
    assert _user_cmd(monkeypatch, d, "list") == 0
    out = capsys.readouterr().out
    assert "wangxy\t王晓燕\t经办人\t正常" in out and "admin\t" in out

    for _ in range(4):
        with pytest.raises(WrongPassword):
            sign_in(d, "wangxy", "wrong-pass-1")
    with pytest.raises(AccountLocked):
        sign_in(d, "wangxy", "wrong-pass-1")
    assert _user_cmd(monkeypatch, d, "list") == 0
    assert "wangxy\t王晓燕\t经办人\t已锁定" in capsys.readouterr().out
    assert _user_cmd(monkeypatch, d, "unlock", "--username", "wangxy") == 0
    assert "已解除 wangxy 的锁定" in capsys.readouterr().out
    sign_in(d, "wangxy", "clerk-pass-2026").close()

    monkeypatch.setenv("YIMEN_NEW_PASSWORD", "fresh-pass-2026")
    assert _user_cmd(monkeypatch, d, "reset-password", "--username", "wangxy") == 0
    assert "已重置 wangxy 的密码" in capsys.readouterr().out
    with pytest.raises(WrongPassword):
        sign_in(d, "wangxy", "clerk-pass-2026")
    sign_in(d, "wangxy", "fresh-pass-2026").close()

    assert _user_cmd(monkeypatch, d, "remove", "--username", "wangxy") == 0
    assert "已删除用户 wangxy" in capsys.readouterr().out
    assert _user_cmd(monkeypatch, d, "list") == 0
    assert "wangxy" not in capsys.readouterr().out


def test_user_add_refuses_bad_input_in_chinese(township_dir, capsys, monkeypatch):
    from conftest import ADMIN_PASSWORD

    d = township_dir
    assert _user_cmd(monkeypatch, d, "add", "--username", "wangxy", "--name", "王晓燕", "--role", "clerk",
                     stdin=f"{ADMIN_PASSWORD}\nshort1\n") == 1
    assert "密码至少8位" in capsys.readouterr().err
    assert _user_cmd(monkeypatch, d, "add", "--username", "admin", "--name", "重名", "--role", "admin",
                     stdin=f"{ADMIN_PASSWORD}\nadmin-pass-2027\n") == 1
    assert "已存在" in capsys.readouterr().err
    # only one line on stdin: the new password is missing, nothing is asked of a terminal
    assert _user_cmd(monkeypatch, d, "add", "--username", "wangxy", "--name", "王晓燕", "--role", "clerk",
                     stdin=f"{ADMIN_PASSWORD}\n") == 2
    assert "第二行是新密码" in capsys.readouterr().err
    assert _user_cmd(monkeypatch, d, "remove", "--username", "admin", stdin=f"{ADMIN_PASSWORD}\n") == 1
    assert "不能停用当前登录的账户" in capsys.readouterr().err
    assert _user_cmd(monkeypatch, d, "list", stdin=f"{ADMIN_PASSWORD}\n") == 0
    assert "wangxy" not in capsys.readouterr().out
    with pytest.raises(SystemExit):      # an unknown role is refused by the parser, with the choices
        main(["user", "add", "--username", "x1y", "--name", "某", "--role", "boss"])


def test_user_villages_of_a_village_assistant(township_dir, capsys, monkeypatch):
    from conftest import ADMIN_PASSWORD

    d = township_dir
    add = ("add", "--username", "cunxie", "--name", "李协理", "--role", "village_assistant")
    assert _user_cmd(monkeypatch, d, *add, stdin=f"{ADMIN_PASSWORD}\nvillage-pass-1\n") == 1
    assert "至少一个" in capsys.readouterr().err
    assert _user_cmd(monkeypatch, d, *add, "--villages", "620102101201,620102101999",
                     stdin=f"{ADMIN_PASSWORD}\nvillage-pass-1\n") == 1
    assert "“620102101999”不是本乡镇的村" in capsys.readouterr().err
    assert _user_cmd(monkeypatch, d, *add, "--villages", "620102101201",
                     stdin=f"{ADMIN_PASSWORD}\nvillage-pass-1\n") == 0
    assert "620102101201" in capsys.readouterr().out
    assert _user_cmd(monkeypatch, d, "villages", "--username", "cunxie", "--villages", "620102101201",
                     "--villages", "620102101202", stdin=f"{ADMIN_PASSWORD}\n") == 0
    capsys.readouterr()
    assert _user_cmd(monkeypatch, d, "list", stdin=f"{ADMIN_PASSWORD}\n") == 0
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("cunxie")]
    assert line.endswith("负责：东坪村、西沟村")
    assert _user_cmd(monkeypatch, d, "add", "--username", "wangxy", "--name", "王晓燕", "--role", "clerk",
                     "--villages", "620102101201", stdin=f"{ADMIN_PASSWORD}\nclerk-pass-1\n") == 1
    assert "不能指定村" in capsys.readouterr().err


def test_user_commands_need_an_admin(township_dir, capsys, monkeypatch):
    from conftest import ADMIN_PASSWORD

    d = township_dir
    assert _user_cmd(monkeypatch, d, "add", "--username", "wangxy", "--name", "王晓燕", "--role", "clerk",
                     stdin=f"{ADMIN_PASSWORD}\nclerk-pass-2026\n") == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("clerk-pass-2026\n"))
    assert main(["user", "list", "--data-dir", str(d), "--user", "wangxy", "--password-stdin"]) == 1
    assert "无权执行：管理用户" in capsys.readouterr().err


def test_restore_refuses_a_village_assistant_and_changes_nothing(township_dir, tmp_path, monkeypatch, capsys):
    """`yimen restore` once ran for a village assistant and silently rolled the database back."""
    from conftest import ADMIN_PASSWORD

    d = township_dir
    assert _user_cmd(monkeypatch, d, "add", "--username", "cunxie", "--name", "李协理", "--role",
                     "village_assistant", "--villages", "620102101201",
                     stdin=f"{ADMIN_PASSWORD}\nvillage-pass-1\n") == 0
    monkeypatch.setenv("YIMEN_PASSWORD", ADMIN_PASSWORD)
    assert main(["backup", "--data-dir", str(d), "--to", str(tmp_path / "usb"), "--user", "admin"]) == 0
    backup = next(p for p in (tmp_path / "usb").iterdir() if not p.name.startswith("."))
    live = Database.db_path(d).read_bytes()
    capsys.readouterr()
    monkeypatch.setenv("YIMEN_PASSWORD", "village-pass-1")
    assert main(["restore", "--data-dir", str(d), "--from", str(backup), "--user", "cunxie"]) == 1
    assert "只有管理员" in capsys.readouterr().err
    assert Database.db_path(d).read_bytes() == live and not list(d.glob("replaced-*"))
    monkeypatch.setenv("YIMEN_PASSWORD", ADMIN_PASSWORD)
    assert main(["restore", "--data-dir", str(d), "--from", str(backup), "--user", "admin"]) == 0
    assert "已记入审计日志" in capsys.readouterr().out
