#!/usr/bin/env bash
# README command 2: install everything the tests need, then run the whole suite.
#   bash scripts/test.sh [pytest arguments]
# Installs (when missing) Debian's postgresql, chromium and chromium-driver, makes
# .venv with the project and its test extras, starts a throwaway PostgreSQL
# cluster on a private socket, runs ruff and pytest, and stops the cluster again.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]} (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "==> Python environment (.venv)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

echo "==> throwaway PostgreSQL cluster"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdir=$(mktemp -d /tmp/pilotpuls-pg.XXXXXX)
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$pgdir"
stop_postgres() {
  as_postgres "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap stop_postgres EXIT
as_postgres "$pgbin/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 \
  --locale=C.UTF-8 --no-sync >/dev/null
# no TCP listener: only this machine's socket in $pgdir; durability off, it is thrown away
as_postgres "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w start \
  -o "-k $pgdir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  >/dev/null
export PILOTPULS_TEST_POSTGRES_URL="postgresql://postgres@/postgres?host=$pgdir"

echo "==> ruff"
.venv/bin/ruff check .

echo "==> pytest (SQLite and PostgreSQL; browser tests in headless Chromium)"
.venv/bin/python -m pytest "$@"
