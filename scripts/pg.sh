#!/usr/bin/env bash
# A private PostgreSQL cluster for the demo and the tests, owned by the `postgres` user.
#
#   scripts/pg.sh start [DB...]   create the cluster if needed, start it, create the databases; prints nothing
#   scripts/pg.sh url DB          print the connection URL of database DB
#   scripts/pg.sh stop            stop the cluster
#   scripts/pg.sh restart         restart it (fast shutdown: sessions are cut, as in a server restart); the fault
#                                 tests use it on a cluster of their own (never on the shared one)
#
# Where: LEVELFUNNEL_PG_DIR (default /var/lib/levelfunnel/pg), port LEVELFUNNEL_PG_PORT (default 54329),
# listening only on a Unix socket in $LEVELFUNNEL_PG_DIR/run. The cluster is reused on the next run.
set -euo pipefail
dir=${LEVELFUNNEL_PG_DIR:-/var/lib/levelfunnel/pg}
port=${LEVELFUNNEL_PG_PORT:-54329}
data=$dir/data
sock=$dir/run
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
options="-k $sock -p $port -c listen_addresses='' -c max_connections=100 -c shared_buffers=256MB -c work_mem=64MB -c fsync=off -c synchronous_commit=off"

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

url() { echo "postgresql:///$1?host=$sock&port=$port&user=postgres"; }

# The server must not keep the caller's descriptors open: a caller waiting for them to close (Swift's Process
# watches a socket it hands to the child) would wait for the server's whole life. 255 is bash's own script.
close_inherited_fds() {
  local fd
  for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] && [ "$fd" -ne 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

start() {
  [ -n "$bin" ] || { echo "pg.sh: PostgreSQL server binaries not found (run scripts/setup.sh)" >&2; exit 1; }
  mkdir -p "$dir" "$sock"
  chown postgres:postgres "$dir" "$sock" 2>/dev/null || true
  if [ ! -s "$data/PG_VERSION" ]; then
    as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    close_inherited_fds
    as_postgres "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 -o "$options" start >/dev/null \
      || { tail -n 20 "$dir/server.log" >&2; exit 1; }
  fi
  for db in "$@"; do
    exists=$(psql -X -A -t "$(url postgres)" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")
    [ "$exists" = 1 ] || psql -X -q "$(url postgres)" -c "CREATE DATABASE \"$db\"" >/dev/null
  done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  url) url "${2:?usage: pg.sh url DB}" ;;
  stop) as_postgres "$bin/pg_ctl" -D "$data" -m fast stop ;;
  restart)
    # Only a cluster named explicitly: the default one is shared (the demo, other people's tests).
    [ -n "${LEVELFUNNEL_PG_DIR:-}" ] || { echo "pg.sh: restart needs LEVELFUNNEL_PG_DIR (a cluster of your own)" >&2; exit 2; }
    close_inherited_fds
    as_postgres "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 -m fast -o "$options" restart >/dev/null \
      || { tail -n 20 "$dir/server.log" >&2; exit 1; } ;;
  *) echo "usage: scripts/pg.sh start [DB...] | url DB | stop | restart" >&2; exit 2 ;;
esac
