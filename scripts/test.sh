#!/usr/bin/env bash
# The test suite. PostgreSQL tests run when DONDOC_TEST_POSTGRES_URL is set
# (.ci/run sets it to the local server); elsewhere they are skipped with the reason shown.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
exec .venv/bin/python -m pytest "$@"
