#!/usr/bin/env bash
# make bench / make stress: load a generated game once (fixed seed and start), backfill it (a re-run redoes
# every day, so it measures the same work each time), then
# print the generator's and the backfill's throughput, fast-vs-raw query medians and table sizes.
set -euo pipefail
bin=$1 url=$2 game=$3 players=$4
"$bin" migrate --database-url "$url" >/dev/null
if ! "$bin" games --database-url "$url" | awk 'NR > 1 {print $1}' | grep -qx "$game"; then
  "$bin" generate --game "$game" --players "$players" --start 2026-01-01 --seed 7 --database-url "$url"
fi
"$bin" backfill --game "$game" --to 2026-03-01 --plain --database-url "$url" 2>/dev/null
psql -X -q "$url" -c "VACUUM ANALYZE"
"$bin" bench --game "$game" --database-url "$url"
"$bin" verify --game "$game" --sweep --database-url "$url" | tail -n 1
