#!/usr/bin/env bash
# One command for a newcomer and for CI: install everything, then run the whole test suite, with the
# quality gates (ruff lint and format, mypy) first. Database tests run on SQLite and, when a
# PostgreSQL server is reachable (HEROES_TEST_POSTGRES_URL, default 127.0.0.1:5432 database 'test'),
# on PostgreSQL as well.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev

# Start a locally installed PostgreSQL that is not running (Debian's cluster tools).
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  done
  for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi
if [ -n "${CI:-}" ] && command -v pg_isready >/dev/null 2>&1; then
  export HEROES_REQUIRE_POSTGRES=1  # in CI a PostgreSQL run that silently skipped would hide failures
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy src/
exec .venv/bin/pytest "$@"
