#!/usr/bin/env bash
# Every test, on a fresh machine: installs what the tests need when it is missing (`.ci/run
# --install-only`: the SQL engines, failing if one cannot be had), starts a throwaway PostgreSQL
# cluster as an unprivileged user and stops it at the end, then runs the test suite, the example
# host (untrusted formulas under limits, concurrent evaluation) and each fuzz harness for a short
# smoke run under AddressSanitizer. README's test command; `.ci/run` runs it after installing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/run --install-only
if command -v pyenv >/dev/null; then pyenv rehash; fi

# The cluster the PostgreSQL tests use (KIPI_POSTGRES), stopped however the run ends.
eval "$(Tests/postgres.sh start)"
trap 'Tests/postgres.sh stop' EXIT

swift test
swift run kipi fmt --check formulas/*.kpi
swift run --package-path Examples/ServerHost
Fuzz/run.sh all 15
