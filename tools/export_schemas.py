"""Write the JSON Schemas of the policy table, calendar and provisional-rule files to docs/schemas/ (county IT).

    PYTHONPATH=. python tools/export_schemas.py          # rewrite docs/schemas/*.schema.json
    PYTHONPATH=. python tools/export_schemas.py --check  # exit 1 if a committed file is out of date

The schemas are the pydantic models' ``model_json_schema()``: what a file may contain. The checks across
fields (a referral names a defined department, every category is complete, dates inside their year…)
are made by the program on import (``yimen policy import``) and are described in docs/POLICY.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from desktop.domain import calendar_schema, policy_schema
from desktop.domain.schema_errors import Labels

OUT = Path(__file__).resolve().parents[1] / "docs" / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _describe(schema: dict[str, Any], labels: Labels) -> None:
    """Each property gets its Chinese name (the one the error messages use) as description."""
    for part in (schema, *schema.get("$defs", {}).values()):
        for name, prop in part.get("properties", {}).items():
            if name in labels.names:
                prop["description"] = labels.names[name]


def rendered() -> dict[str, str]:
    """File name → the text to commit."""
    out = {}
    for name, model, labels in (("policy.schema.json", policy_schema.PolicyFile, policy_schema.LABELS),
                                ("calendar.schema.json", calendar_schema.CalendarFile, calendar_schema.LABELS),
                                ("provisional_rule.schema.json", calendar_schema.ProvisionalRuleFile,
                                 calendar_schema.PROVISIONAL_LABELS)):
        schema = {"$schema": DIALECT, **model.model_json_schema()}
        _describe(schema, labels)
        out[name] = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    return out


def main(argv: list[str]) -> int:
    stale = []
    for name, text in rendered().items():
        path = OUT / name
        if "--check" in argv:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    if stale:
        print("out of date (run tools/export_schemas.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
