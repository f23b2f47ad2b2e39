#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the SQL tests (SPEC §10), in a temporary folder, run as an
# unprivileged user when started by root. .ci/run starts one before the tests and stops it after.
#   eval "$(Tests/postgres.sh start)"     # exports KIPI_POSTGRES and KIPI_POSTGRES_DIR
#   Tests/postgres.sh stop
set -euo pipefail

postgres_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

case "${1:-}" in
start)
    bin="$(postgres_bin)"
    [ -n "$bin" ] || { echo "postgres: PostgreSQL's server programs are not installed (apt-get install postgresql)" >&2; exit 1; }
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
        -o "-k $dir -p $port -c listen_addresses='' -c fsync=off" start </dev/null >"$dir/pg_ctl.log" 2>&1 \
        || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
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
    echo "usage: Tests/postgres.sh start|stop" >&2
    exit 2
    ;;
esac
