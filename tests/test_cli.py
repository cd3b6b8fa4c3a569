"""The `yimen` command end to end on a real encrypted demo database."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from desktop.cli import main
from desktop.services.demo import read_demo_accounts
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
    backup_path = next((tmp_path / "usb").iterdir())
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
