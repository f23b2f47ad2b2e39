#!/usr/bin/env bash
# The SQL engines the tests run on (SPEC §10): installs what is missing, and starts or stops a
# throwaway PostgreSQL cluster in a temporary folder, as an unprivileged user when run as root.
#   Tests/engines.sh install
#   eval "$(Tests/engines.sh start)"     # exports KIPI_POSTGRES and KIPI_POSTGRES_DIR
#   Tests/engines.sh stop
# Any engine that cannot be set up is an error: the tests never skip an engine.
set -euo pipefail

postgres_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

case "${1:-}" in
install)
    if ! command -v duckdb >/dev/null; then
        python3 -m pip install --quiet duckdb-cli >&2
        command -v pyenv >/dev/null && pyenv rehash >&2 || true
    fi
    if [ -z "$(postgres_bin)" ] || ! command -v psql >/dev/null; then
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        else
            sudo apt-get update -qq >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        fi
    fi
    if ! command -v spark-sql >/dev/null; then
        python3 -m pip install --quiet pyspark >&2
        command -v pyenv >/dev/null && pyenv rehash >&2 || true
    fi
    command -v java >/dev/null || { echo "engines: Spark needs Java 17 (java is not on PATH)" >&2; exit 1; }
    for client in duckdb psql spark-sql; do
        command -v "$client" >/dev/null || { echo "engines: '$client' is not on PATH after installing it" >&2; exit 1; }
    done
    [ -n "$(postgres_bin)" ] || { echo "engines: PostgreSQL's server programs are missing" >&2; exit 1; }
    ;;
start)
    bin="$(postgres_bin)"
    dir="$(mktemp -d /tmp/kipi-postgres.XXXXXX)"
    chmod 755 "$dir"
    as_owner=()
    if [ "$(id -u)" = 0 ]; then
        chown nobody "$dir"
        as_owner=(runuser -u nobody --)
    fi
    port=$((20000 + RANDOM % 20000))
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -A trust -U kipi -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $port -c listen_addresses='' -c fsync=off" start >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "export KIPI_POSTGRES='host=$dir port=$port user=kipi dbname=postgres'"
    echo "export KIPI_POSTGRES_DIR='$dir'"
    ;;
stop)
    dir="${KIPI_POSTGRES_DIR:-}"
    [ -n "$dir" ] && [ -d "$dir/data" ] || exit 0
    as_owner=()
    [ "$(id -u)" = 0 ] && as_owner=(runuser -u nobody --)
    "${as_owner[@]}" "$(postgres_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: Tests/engines.sh install|start|stop" >&2
    exit 2
    ;;
esac
