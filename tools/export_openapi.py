"""Write the county hub's OpenAPI document (protocol v1) to docs/api/openapi.json.

    PYTHONPATH=. python tools/export_openapi.py          # rewrite the file
    PYTHONPATH=. python tools/export_openapi.py --check  # exit 1 if the committed file is out of date

The document is what a running hub serves at ``GET /api/v1/openapi.json``: FastAPI generates it from
the routes of ``sync/county/app.py`` and the shared models of ``sync/protocol.py``. Building the app
opens no database (a throwaway in-memory SQLite URL and key are given only to satisfy its constructor).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "docs" / "api" / "openapi.json"


def rendered() -> str:
    from sync.county.app import create_app
    from sync.county.database import HubDatabase
    from sync.county.sealing import Sealer

    db = HubDatabase("sqlite://")
    try:
        app = create_app(db, Sealer(bytes(32)), county_name="县级平台", min_client_version="0.1.0")
        doc = app.openapi()
    finally:
        db.dispose()
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = rendered()
    if "--check" in argv:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print("out of date (run tools/export_openapi.py): docs/api/openapi.json", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
