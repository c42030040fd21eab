#!/usr/bin/env bash
# One command for a newcomer: install, then start the web app on http://127.0.0.1:8000 with SQLite
# in ./data and the shipped models. The first start creates an 'admin' account and prints how to
# sign in.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export HEROES_DATA_DIR="${HEROES_DATA_DIR:-$PWD/data}"
exec .venv/bin/heroes serve "$@"
