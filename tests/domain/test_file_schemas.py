"""docs/schemas/*.schema.json: committed up to date, and usable by county IT to check a table before pushing it."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest

from desktop.domain.policy import PolicyError, load_policy_file
from desktop.domain.provisional import load_provisional_rule
from desktop.domain.workdays import CalendarError, load_calendar

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "docs" / "schemas"
POLICY_FILES = sorted((ROOT / "resources" / "policy").glob("*.json"))
CALENDAR_FILE = ROOT / "resources" / "calendar" / "cn_workdays.json"
RULE_FILE = ROOT / "resources" / "calendar" / "provisional_rule.json"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("export_schemas", ROOT / "tools" / "export_schemas.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_committed_schemas_are_current() -> None:
    rendered = _tool().rendered()
    assert sorted(rendered) == ["calendar.schema.json", "policy.schema.json", "provisional_rule.schema.json"]
    for name, text in rendered.items():
        assert (SCHEMAS / name).read_text(encoding="utf-8") == text, f"{name}: run tools/export_schemas.py"


def test_check_mode_notices_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _tool()
    monkeypatch.setattr(tool, "OUT", tmp_path)
    assert tool.main(["--check"]) == 1
    assert tool.main([]) == 0
    assert tool.main(["--check"]) == 0
    (tmp_path / "policy.schema.json").write_text("{}", encoding="utf-8")
    assert tool.main(["--check"]) == 1


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_bundled_tables_pass_the_published_schema(path: Path) -> None:
    _validator("policy.schema.json").validate(json.loads(path.read_text(encoding="utf-8")))


def test_bundled_calendar_passes_the_published_schema() -> None:
    _validator("calendar.schema.json").validate(json.loads(CALENDAR_FILE.read_text(encoding="utf-8")))
    _validator("provisional_rule.schema.json").validate(json.loads(RULE_FILE.read_text(encoding="utf-8")))


BROKEN_TABLES = [
    ("extra field", lambda r: r.update(colour="red")),
    ("bool for a number", lambda r: r["recheck_months"].update(stable=True)),
    ("unknown category", lambda r: r["documents"].update(pension=r["documents"]["dibao"])),
    ("negative days", lambda r: r["deadlines"]["investigation"].update(default=-1)),
    ("bad unit", lambda r: r["notice"]["default"].update(unit="weeks")),
    ("bad region", lambda r: r.update(region="62")),
    ("bad date", lambda r: r.update(effective_from="2024-13-01")),
    ("wrong format", lambda r: r.update(format=2)),
    ("missing field", lambda r: r.pop("deadlines")),
    ("bad department code", lambda r: r["departments"].update({"Civil Affairs": r["departments"]["civil_affairs"]})),
]


@pytest.mark.parametrize("mutate", [b[1] for b in BROKEN_TABLES], ids=[b[0] for b in BROKEN_TABLES])
def test_the_published_schema_rejects_what_the_program_rejects(mutate) -> None:
    raw = json.loads(POLICY_FILES[0].read_text(encoding="utf-8"))
    broken = copy.deepcopy(raw)
    mutate(broken)
    with pytest.raises(jsonschema.ValidationError):
        _validator("policy.schema.json").validate(broken)


def test_the_published_calendar_schema_rejects_a_bad_date_and_an_extra_field() -> None:
    raw = json.loads(CALENDAR_FILE.read_text(encoding="utf-8"))
    validator = _validator("calendar.schema.json")
    for mutate in (lambda r: r["years"]["2025"]["holidays"][0].update(off=["2025-02-30"]),
                   lambda r: r["years"]["2025"].update(colour="red"),
                   lambda r: r["years"].update({"25": r["years"]["2025"]})):
        broken = copy.deepcopy(raw)
        mutate(broken)
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(broken)


# ------------------------------------------------------------------ files that are not JSON at all


@pytest.mark.parametrize(("load", "name", "what", "error"), [
    (load_policy_file, "000000-2024-01-01.json", "政策表", PolicyError),
    (load_calendar, "cn_workdays.json", "工作日历文件", CalendarError),
    (load_provisional_rule, "provisional_rule.json", "暂定节假日规则文件", CalendarError),
], ids=["policy", "calendar", "provisional rule"])
def test_unreadable_garbled_or_broken_files_are_refused_in_chinese(tmp_path: Path, load, name: str, what: str,
                                                                   error: type[Exception]) -> None:
    path = tmp_path / name
    with pytest.raises(error) as exc:
        load(path)
    assert exc.value.message.startswith(f"无法读取{what} {name}：")
    path.write_bytes('{"format": 1,\n "title": "'.encode("gbk") + "政策".encode("gbk") + b'"}')
    with pytest.raises(error) as exc:
        load(path)
    assert exc.value.message == f"{what} {name} 不是 UTF-8 编码的文本（第26个字节）"
    path.write_text('{"format": 1,\n  "title": }', encoding="utf-8")
    with pytest.raises(error) as exc:
        load(path)
    assert exc.value.message == f"{what} {name} 不是有效的 JSON（第2行第12列）"
