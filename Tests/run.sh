#!/usr/bin/env bash
# The project's test command (README.md; .ci/run runs it): installs the SQL engines the tests
# run on and starts a throwaway PostgreSQL cluster, then runs the test suite, the example host,
# and a short smoke run of each fuzz harness under AddressSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
Tests/engines.sh install
eval "$(Tests/engines.sh start)"
trap 'Tests/engines.sh stop' EXIT
swift test
swift run --package-path Examples/ServerHost
Fuzz/run.sh all 15
