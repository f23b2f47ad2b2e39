#!/usr/bin/env bash
# Every test, on a fresh machine: installs what the tests need when it is missing (PostgreSQL
# from Debian; the DuckDB CLI and Spark from PyPI, Spark with the machine's Java 17), starts a
# throwaway PostgreSQL cluster as an unprivileged user and stops it at the end, then runs the
# test suite, the example host (untrusted formulas under limits, concurrent evaluation) and each
# fuzz harness for a short smoke run under AddressSanitizer. An engine that cannot be installed
# fails the run; the tests never skip one. README's test command; `.ci/run` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v psql >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
command -v duckdb >/dev/null || python3 -m pip install --quiet duckdb-cli
command -v spark-sql >/dev/null || python3 -m pip install --quiet pyspark
if command -v pyenv >/dev/null; then pyenv rehash; fi
command -v java >/dev/null || { echo "tests: Spark needs Java 17, and java is not on PATH" >&2; exit 1; }
for client in duckdb psql spark-sql python3; do
    command -v "$client" >/dev/null || { echo "tests: '$client' is not on PATH after installing it" >&2; exit 1; }
done

# The cluster the PostgreSQL tests use (KIPI_POSTGRES), stopped however the run ends.
eval "$(Tests/postgres.sh start)"
trap 'Tests/postgres.sh stop' EXIT

swift test
swift run --package-path Examples/ServerHost
Fuzz/run.sh all 15
