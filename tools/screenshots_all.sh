#!/bin/sh
# Every screenshot under docs/screenshots at 1366x768 on a private Xvfb display (make screenshots).
# One demo township is made once; each script gets its own copy, since several of them record
# things (prints, results, postings) into the database they are given.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
SHOT_DIR=${SHOT_DIR:-"$ROOT/.demo-data/screenshots"}
DISPLAY_NO=${DISPLAY_NO:-91}
BASE="$SHOT_DIR/base"
if [ ! -f "$BASE/yimen.db" ]; then
    mkdir -p "$SHOT_DIR"
    "$ROOT/.venv/bin/yimen" demo --data-dir "$BASE" --households 2000
fi
Xvfb ":$DISPLAY_NO" -screen 0 1366x768x24 >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null || true' EXIT INT TERM
sleep 1
export DISPLAY=":$DISPLAY_NO"

for name in screenshots cases investigation notices referrals reports; do
    script="$ROOT/tools/screenshots_$name.py"
    [ "$name" = screenshots ] && script="$ROOT/tools/screenshots.py"
    copy="$SHOT_DIR/run-$name"
    rm -rf "$copy"
    cp -r "$BASE" "$copy"
    echo "== $(basename "$script")"
    "$PY" "$script" --data-dir "$copy"
done
echo "== screenshots_intake.py"
"$PY" "$ROOT/tools/screenshots_intake.py"
