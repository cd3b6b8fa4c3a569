#!/bin/sh
# The peer `make bench` measures the township's sync against: PouchDB replicating into pouchdb-server.
# Installs Node.js/npm from Debian when missing, then the npm packages into .bench-cache/pouchdb
# (not part of `make test`). Usage: tools/ensure_pouchdb.sh [DIR]
set -e
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${1:-$ROOT/.bench-cache/pouchdb}"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
fi
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || printf '{"name": "yimen-bench-pouchdb", "private": true}\n' > package.json
if [ ! -x node_modules/.bin/pouchdb-server ] || [ ! -d node_modules/pouchdb-adapter-memory ]; then
    npm install --no-audit --no-fund --loglevel=error \
        pouchdb-server@4.2.0 pouchdb-core@9.0.0 pouchdb-adapter-memory@9.0.0 \
        pouchdb-adapter-http@9.0.0 pouchdb-replication@9.0.0
fi
