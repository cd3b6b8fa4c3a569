#!/bin/sh
# Regenerate the Qt translation catalogue of the window from the source code.
#
#   tools/update_translations.sh
#
# 1. pyside6-lupdate scans every .py under desktop/ui (new files of any page are
#    picked up automatically) into resources/translations/yimen_zh_CN.ts;
#    strings no longer in the code are dropped.
# 2. The source language is Simplified Chinese, so a new zh_CN entry is filled
#    with its own source text (an identity catalogue); an entry someone has
#    reworded in the .ts keeps that wording.
# 3. pyside6-lrelease compiles yimen_zh_CN.qm, which desktop/ui/app.py loads.
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
VENV_BIN=${VENV_BIN:-$ROOT/.venv/bin}
TS=$ROOT/resources/translations/yimen_zh_CN.ts
QM=$ROOT/resources/translations/yimen_zh_CN.qm
cd "$ROOT"
mkdir -p "$(dirname "$TS")"
# Sorted list of sources so the catalogue does not depend on directory order.
LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
find desktop/ui -name '*.py' -not -path '*/__pycache__/*' | LC_ALL=C sort > "$LIST"
"$VENV_BIN/pyside6-lupdate" -silent -no-obsolete -locations none \
    -source-language zh_CN -target-language zh_CN "@$LIST" -ts "$TS"
"$VENV_BIN/python" - "$TS" <<'PY'
import re
import sys

path = sys.argv[1]
text = open(path, encoding="utf-8").read()


def fill(match: re.Match) -> str:
    block = match.group(0)
    source = re.search(r"<source>(.*?)</source>", block, re.S)
    if source is None or '<translation type="unfinished"></translation>' not in block:
        return block
    return block.replace('<translation type="unfinished"></translation>',
                         f"<translation>{source.group(1)}</translation>")


text = re.sub(r"<message>.*?</message>", fill, text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
PY
"$VENV_BIN/pyside6-lrelease" -silent "$TS" -qm "$QM"
echo "translations: $(grep -c '<message>' "$TS") strings -> $QM"
