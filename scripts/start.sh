#!/usr/bin/env bash
# README command 1: set everything up and start the dashboard on SQLite.
#   bash scripts/start.sh [--port 8050]
# Makes .venv, installs Pilotpuls, creates/upgrades the database, loads two years
# of demo data the first time (and creates one demo user per role, printing their
# passwords), then starts the dashboard on http://127.0.0.1:8050/.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> Python environment (.venv)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .

echo "==> database"
.venv/bin/pilotpuls db upgrade

echo "==> demo data (first run only)"
.venv/bin/pilotpuls demo --if-empty

echo "==> dashboard"
exec .venv/bin/pilotpuls serve "$@"
