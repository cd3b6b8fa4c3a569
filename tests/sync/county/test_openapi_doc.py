"""The hub's OpenAPI document is published in docs/api/openapi.json and kept current (a running hub
serving the same is checked in test_county_demo.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("export_openapi", ROOT / "tools" / "export_openapi.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_published_openapi_is_current() -> None:
    tool = _tool()
    assert tool.OUT.read_text(encoding="utf-8") == tool.rendered(), \
        "docs/api/openapi.json is out of date: run PYTHONPATH=. python tools/export_openapi.py"


def test_the_document_names_every_route_and_the_shared_messages() -> None:
    doc = json.loads(_tool().OUT.read_text(encoding="utf-8"))
    assert {"/api/v1/hello", "/api/v1/enroll", "/api/v1/push"} <= set(doc["paths"])
    schemas = set(doc["components"]["schemas"])
    assert {"PushResponse", "ItemResult", "EnrollRequest", "EnrollResponse", "HelloResponse",
            "ErrorBody"} <= schemas, schemas
    body = doc["paths"]["/api/v1/push"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["title"] == "PushRequest" and {"PushEvent", "AuditLink"} <= set(body["$defs"])  # read raw (gzip)
