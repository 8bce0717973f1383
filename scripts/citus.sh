#!/usr/bin/env bash
# A private Citus cluster for the distributed tests: a coordinator and two workers on this machine, beside the
# private PostgreSQL of scripts/pg.sh, owned by the `postgres` user.
#
#   scripts/citus.sh install       install Citus when missing: its package may be installed already, else it is
#                                  built from LEVELFUNNEL_CITUS_SOURCE (default ../shared/vendor/citus, its build.sh);
#                                  clusters of the project started before (which run a replaced server) are restarted
#   scripts/citus.sh start [DB...] install, create the nodes if needed, start them, create the databases on every node
#                                  with the extension, and register the workers in each; prints nothing
#   scripts/citus.sh recreate DB   drop database DB on every node, then start as above (make test-citus)
#   scripts/citus.sh url DB        print the connection URL of database DB on the coordinator
#   scripts/citus.sh installed     exit 0 when Citus is installed (citus.so in PostgreSQL's library directory)
#   scripts/citus.sh stop          stop the three nodes
#   scripts/citus.sh clean         stop them and remove their data
#
# Where: LEVELFUNNEL_CITUS_DIR (default /var/lib/levelfunnel/citus); ports LEVELFUNNEL_CITUS_PORT (default 54339,
# the coordinator) and the next two (the workers), listening only on a Unix socket in $LEVELFUNNEL_CITUS_DIR/run.
# The nodes are reused on the next run. Tables are distributed into 8 shards (Citus's default is 32): each test
# schema makes its own.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${LEVELFUNNEL_CITUS_DIR:-/var/lib/levelfunnel/citus}
port=${LEVELFUNNEL_CITUS_PORT:-54339}
source_dir=${LEVELFUNNEL_CITUS_SOURCE:-$root/../shared/vendor/citus}
sock=$dir/run
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
nodes=(coordinator worker1 worker2)

node_port() { case "$1" in coordinator) echo "$port" ;; worker1) echo $((port + 1)) ;; worker2) echo $((port + 2)) ;; esac; }
options() {
  echo "-k $sock -p $(node_port "$1") -c listen_addresses='' -c shared_preload_libraries=citus -c citus.local_hostname=${sock} -c citus.shard_count=8 -c max_connections=200 -c shared_buffers=128MB -c work_mem=64MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_prepared_transactions=100"
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

url() { echo "postgresql:///$1?host=$sock&port=$port&user=postgres"; }
node_url() { echo "postgresql:///$2?host=$sock&port=$(node_port "$1")&user=postgres"; }

# As in scripts/pg.sh: the servers must not keep the caller's descriptors open.
close_inherited_fds() {
  local fd
  for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] && [ "$fd" -ne 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

installed() { [ -n "$bin" ] && [ -f "$("$bin/pg_config" --pkglibdir 2>/dev/null || echo /nonexistent)/citus.so" ]; }

# Whether the server of a data directory runs a binary replaced on disk since it started (an upgrade of
# postgresql-15, which installing Citus's build dependencies brings): it then fails to load libraries.
runs_replaced_server() {
  local pid
  pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null) || return 1
  case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in *"(deleted)") return 0 ;; esac
  return 1
}

install() {
  if ! installed; then
    [ -x "$source_dir/build.sh" ] || {
      echo "citus.sh: Citus is not installed and $source_dir/build.sh is missing (set LEVELFUNNEL_CITUS_SOURCE, or install postgresql-15-citus-13.2)" >&2
      exit 1
    }
    echo "citus.sh: building Citus from $source_dir (a few minutes)" >&2
    "$source_dir/build.sh" >&2
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  local pgdir=${LEVELFUNNEL_PG_DIR:-/var/lib/levelfunnel/pg}
  if runs_replaced_server "$pgdir/data"; then
    echo "citus.sh: restarting the private PostgreSQL (its server was upgraded)" >&2
    "$root/scripts/pg.sh" stop >/dev/null && "$root/scripts/pg.sh" start
  fi
  for node in "${nodes[@]}"; do
    if runs_replaced_server "$dir/$node"; then as_postgres "$bin/pg_ctl" -D "$dir/$node" -m fast stop >/dev/null; fi
  done
}

psql_node() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -A -t "$(node_url "$1" "$2")" "${@:3}"; }

start() {
  install
  mkdir -p "$dir" "$sock"
  chown postgres:postgres "$dir" "$sock" 2>/dev/null || true
  for node in "${nodes[@]}"; do
    if [ ! -s "$dir/$node/PG_VERSION" ]; then
      as_postgres "$bin/initdb" -D "$dir/$node" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/$node-initdb.log" 2>&1 \
        || { cat "$dir/$node-initdb.log" >&2; exit 1; }
    fi
    if ! as_postgres "$bin/pg_ctl" -D "$dir/$node" status >/dev/null 2>&1; then
      close_inherited_fds
      as_postgres "$bin/pg_ctl" -D "$dir/$node" -l "$dir/$node.log" -w -t 60 -o "$(options "$node")" start >/dev/null \
        || { tail -n 20 "$dir/$node.log" >&2; exit 1; }
    fi
  done
  for db in "$@"; do
    for node in "${nodes[@]}"; do
      exists=$(psql_node "$node" postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")
      [ "$exists" = 1 ] || psql_node "$node" postgres -c "CREATE DATABASE \"$db\"" >/dev/null
      psql_node "$node" "$db" -c "CREATE EXTENSION IF NOT EXISTS citus" >/dev/null
    done
    # Both idempotent: a node already registered keeps its id.
    psql_node coordinator "$db" -c "SELECT citus_set_coordinator_host('$sock', $port)" \
      -c "SELECT citus_add_node('$sock', $(node_port worker1)) WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodeport = $(node_port worker1))" \
      -c "SELECT citus_add_node('$sock', $(node_port worker2)) WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodeport = $(node_port worker2))" >/dev/null
  done
}

stop() {
  for node in "${nodes[@]}"; do
    if [ -s "$dir/$node/PG_VERSION" ] && as_postgres "$bin/pg_ctl" -D "$dir/$node" status >/dev/null 2>&1; then
      as_postgres "$bin/pg_ctl" -D "$dir/$node" -m fast stop >/dev/null
    fi
  done
}

case "${1:-}" in
  install) install ;;
  installed) installed ;;
  start) shift; start "$@" ;;
  recreate)
    db=${2:?usage: citus.sh recreate DB}
    start
    for node in "${nodes[@]}"; do psql_node "$node" postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null; done
    start "$db" ;;
  url) url "${2:?usage: citus.sh url DB}" ;;
  stop) stop ;;
  clean) stop; rm -rf "${dir:?}" ;;
  *) echo "usage: scripts/citus.sh install | installed | start [DB...] | recreate DB | url DB | stop | clean" >&2; exit 2 ;;
esac
