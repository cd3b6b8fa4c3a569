"""One exception root: every error class of desktop/ derives from YimenError, every one of forms/ from
FormsError; forms' refusals cross the service boundary as ServiceErrors with their Chinese message,
which the window shows as is; anything else is a bug (logged, and the clerk told where)."""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

import desktop
import forms
from desktop.domain.errors import YimenError
from desktop.domain.policy import PolicyError, PolicyNotFound
from desktop.domain.roles import PermissionDenied, Role, require
from desktop.domain.workdays import CalendarError, CalendarNotCovered
from desktop.services.documents import issue
from desktop.services.documents.data import DocumentRefused
from desktop.services.errors import InvalidInput, ServiceError
from desktop.services.reporting import reports
from desktop.store.errors import StoreError, WrongPassword
from desktop.ui.context import error_text
from forms.bundle import ResourcesMissing
from forms.errors import FormsError
from forms.fonts import MissingGlyphError
from forms.idnumber import IdNumberError, parse_id

# Exception classes under desktop/ that are not errors a clerk is shown, each with the reason.
INTERNAL: dict[str, str] = {}
SKIP_MODULES = {"desktop.__main__"}      # runs the command line when imported


def _modules(package):  # type: ignore[no-untyped-def]
    yield package
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if info.name not in SKIP_MODULES:
            yield importlib.import_module(info.name)


def _exception_classes(package) -> dict[str, type[BaseException]]:  # type: ignore[no-untyped-def]
    found = {}
    for module in _modules(package):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def test_every_exception_class_under_desktop_derives_from_yimen_error() -> None:
    classes = _exception_classes(desktop)
    # the walk reaches every layer (a walk that found nothing would pass)
    for known in ("desktop.store.errors.StoreError", "desktop.services.errors.ServiceError",
                  "desktop.domain.roles.PermissionDenied", "desktop.domain.workdays.CalendarError",
                  "desktop.services.workflow.history.HistoryMismatch", "desktop.cli.CliError"):
        assert known in classes
    strays = sorted(name for name, cls in classes.items() if not issubclass(cls, YimenError) and name not in INTERNAL)
    assert strays == [], f"exception classes outside the YimenError root: {strays}"
    assert not set(INTERNAL) - set(classes), "INTERNAL names a class that no longer exists"


def test_every_exception_class_of_forms_derives_from_forms_error() -> None:
    classes = _exception_classes(forms)
    assert "forms.idnumber.IdNumberError" in classes
    assert sorted(n for n, c in classes.items() if not issubclass(c, FormsError)) == []
    assert not any(issubclass(c, YimenError) for c in classes.values())     # forms knows nothing of desktop


@pytest.mark.parametrize(("exc", "kept_base"), [
    (CalendarNotCovered(2031), LookupError), (CalendarError("日历有误"), ValueError),
    (PolicyError("政策表有误"), ValueError), (PolicyNotFound("没有政策表"), LookupError),
    (IdNumberError("checksum", "校验位不正确"), ValueError), (ResourcesMissing("找不到资源"), FileNotFoundError),
])
def test_the_standard_bases_callers_catch_are_kept(exc: Exception, kept_base: type[Exception]) -> None:
    assert isinstance(exc, kept_base)
    assert isinstance(exc, (YimenError, FormsError))
    assert exc.message and str(exc) == exc.message


def test_message_and_field() -> None:
    exc = InvalidInput("请填写姓名", "name")
    assert (exc.message, exc.field) == ("请填写姓名", "name")
    assert isinstance(exc, ServiceError) and isinstance(exc, YimenError)
    assert StoreError("数据库已损坏").field == ""
    with pytest.raises(PermissionDenied) as denied:
        require(Role.AUDITOR, "case.transition")
    assert isinstance(denied.value, YimenError) and "无权" in denied.value.message


def _report(village: str) -> reports.MonthlyReport:
    row = reports.ReportRow("620102101201", village, tuple(0 for _ in reports.MEASURES))
    return reports.MonthlyReport(
        township="测试镇", year=2026, month=11, cut=date(2026, 11, 30),
        generated_at=datetime(2026, 12, 1, 2, tzinfo=UTC), by_category=(), by_village=(row,), by_status=(),
        totals=tuple(0 for _ in reports.MEASURES), cases_at_cut=0)


def test_a_forms_refusal_reaches_the_window_as_its_chinese_message(caplog: pytest.LogCaptureFixture) -> None:
    assert reports.report_pdf_bytes(_report("东坪村")).startswith(b"%PDF")       # the control
    with pytest.raises(ServiceError) as refused:
        reports.report_pdf_bytes(_report("东\U000f0000坪村"))      # a character no shipped font has
    assert isinstance(refused.value.__cause__, MissingGlyphError)
    assert "U+F0000" in refused.value.message and "无法打印" in refused.value.message
    with caplog.at_level(logging.DEBUG):
        assert error_text(refused.value) == refused.value.message
    assert caplog.records == []          # a known error is not a bug: nothing logged


def test_any_other_forms_refusal_is_translated_at_the_document_boundary() -> None:
    def render(_copy_label: str | None) -> bytes:
        raise ResourcesMissing("找不到程序资源文件（字体、翻译、政策、日历）")

    with pytest.raises(DocumentRefused) as refused:
        issue._render(render, None)
    assert refused.value.message == "找不到程序资源文件（字体、翻译、政策、日历）"
    assert isinstance(refused.value.__cause__, ResourcesMissing)


def test_an_id_number_refusal_keeps_its_message_and_never_repeats_the_number() -> None:
    with pytest.raises(IdNumberError) as bad:
        parse_id("110105194912310021", today=date(2026, 12, 3))
    assert bad.value.message.startswith("身份证号码校验位不正确") and "110105" not in bad.value.message


def test_anything_else_is_a_bug_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise KeyError("no such column")

    try:
        broken()
    except KeyError as exc:
        with caplog.at_level(logging.ERROR):
            text = error_text(exc)
    assert "程序内部错误" in text
    (record,) = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "broken" in caplog.text and "KeyError" in caplog.text
    # a non-YimenError that merely has a .message is still a bug
    odd = ValueError("x")
    odd.message = "看起来像提示"  # type: ignore[attr-defined]
    assert error_text(odd) != "看起来像提示"
    assert error_text(WrongPassword("密码错误")) == "密码错误"


def test_self_test_reports_a_known_error_as_is_and_a_bug_by_its_class(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from desktop.services.admin import maintenance

    def refused(_policy: object) -> None:
        raise PolicyError("政策表 620102-2026-07-01.json：缺少 deadlines")

    monkeypatch.setattr(maintenance.clocks.DeadlinePlanner, "of", staticmethod(refused))
    with caplog.at_level(logging.ERROR):
        (check,) = maintenance._policy_checks(SimpleNamespace(policy=None), None, date(2026, 12, 3))
    assert (check.ok, check.detail) == (False, "政策表 620102-2026-07-01.json：缺少 deadlines")
    assert caplog.records == []

    def broken(_policy: object) -> None:
        raise AttributeError("'NoneType' object has no attribute 'rules'")

    monkeypatch.setattr(maintenance.clocks.DeadlinePlanner, "of", staticmethod(broken))
    with caplog.at_level(logging.ERROR):
        (check,) = maintenance._policy_checks(SimpleNamespace(policy=None), None, date(2026, 12, 3))
    assert not check.ok and "AttributeError" in check.detail and "程序内部错误" in check.detail
    assert "broken" in caplog.text          # the traceback went to the log
