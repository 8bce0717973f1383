#!/usr/bin/env bash
# make bench-citus: the same two games on the private Citus cluster (one game per worker) and on the private
# PostgreSQL of scripts/pg.sh, both databases recreated: the backfill of the two games in parallel (wall time), then
# `levelfunnel bench --game` on each game (fast and raw medians over its selections, every path run RUNS times).
#
#   scripts/citus-bench.sh BIN PLAYERS DAYS [RUNS]
set -euo pipefail
bin=$1 players=$2 days=$3 runs=${4:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
db=levelfunnel_citus_bench
"$root/scripts/citus.sh" recreate "$db"
"$root/scripts/pg.sh" start
psql -X -q "$("$root/scripts/pg.sh" url postgres)" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
cluster=$("$root/scripts/citus.sh" url "$db")
single=$("$root/scripts/pg.sh" url "$db")

# events as a DBA distributes it (docs/scaling.md); then two game ids whose shards are on different workers.
psql -X -q -v ON_ERROR_STOP=1 "$cluster" >/dev/null <<'SQL'
CREATE TABLE events (
  id bigserial, game_id text NOT NULL, user_id text NOT NULL, session_id text, event_name text NOT NULL,
  properties jsonb NOT NULL DEFAULT '{}', platform text, country_code text, app_version text, level_funnel text,
  level_funnel_version integer, occurred_at timestamptz NOT NULL, received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (game_id, id));
SELECT create_distributed_table('events', 'game_id');
SQL
worker() {
  psql -X -A -t "$cluster" -c "SELECT nodeport FROM citus_shards WHERE table_name = 'events'::regclass
                                  AND shardid = get_shard_id_for_distribution_column('events', '$1'::text)"
}
g1=bench1
g2=$(for n in $(seq 2 64); do [ "$(worker "bench$n")" != "$(worker "$g1")" ] && { echo "bench$n"; break; }; done)
echo "games: $g1 (worker port $(worker "$g1")), $g2 (worker port $(worker "$g2")); $players players x $days days each"

for url in "$cluster" "$single"; do
  "$bin" migrate --database-url "$url" >/dev/null
  "$bin" generate --game "$g1" --players "$players" --days "$days" --start 2026-01-01 --seed 7 --database-url "$url" >/dev/null
  "$bin" generate --game "$g2" --players "$players" --days "$days" --start 2026-01-01 --seed 8 --database-url "$url" >/dev/null
  psql -X -q "$url" -c "VACUUM ANALYZE events" >/dev/null
done

for target in cluster single; do
  url=$cluster; [ $target = single ] && url=$single
  start=$(date +%s.%N)
  "$bin" backfill --game "$g1" --database-url "$url" >/dev/null &
  "$bin" backfill --game "$g2" --database-url "$url" >/dev/null &
  wait
  end=$(date +%s.%N)
  printf 'backfill of both games in parallel, %s: %.1f s\n' "$target" "$(echo "$end - $start" | bc)"
done

for target in cluster single; do
  url=$cluster; [ $target = single ] && url=$single
  echo "== $target: bench --game $g1 --runs $runs"
  "$bin" bench --game "$g1" --runs "$runs" --database-url "$url"
done
