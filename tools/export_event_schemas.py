"""Write the JSON Schema of every event type of the township's log to docs/schemas/events.schema.json (the hub).

    PYTHONPATH=. python tools/export_event_schemas.py          # rewrite the file
    PYTHONPATH=. python tools/export_event_schemas.py --check  # exit 1 if the committed file is out of date

One entry per ``sync.events.EVENT_TYPES`` type: its schema version and the pydantic model's
``model_json_schema()`` (the payload of an outbox row / a pushed item of that type and version).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sync.events import EVENT_TYPES

OUT = Path(__file__).resolve().parents[1] / "docs" / "schemas" / "events.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def rendered() -> str:
    types = {name: {"version": cls.SCHEMA_VERSION, "payload": cls.model_json_schema()}
             for name, cls in sorted(EVENT_TYPES.items())}
    doc = {"$schema": DIALECT, "title": "Yimen township event log", "event_types": types}
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = rendered()
    if "--check" in argv:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print("out of date (run tools/export_event_schemas.py): events.schema.json", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
