#!/bin/sh
# The county hub's tests run a throwaway PostgreSQL cluster of their own (tests/county/pg.py):
# they need the server binaries. Installs Debian's postgresql when they are missing (CI runs as root).
set -eu
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL server is not installed; as root: apt-get install postgresql" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
ls /usr/lib/postgresql/*/bin/initdb >/dev/null
