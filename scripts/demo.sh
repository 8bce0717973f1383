#!/usr/bin/env bash
# make demo: migrate, generate the demo game once, bring its aggregates up to date, open the dashboard.
set -euo pipefail
bin=$1 url=$2 game=$3
"$bin" migrate --database-url "$url"
if ! "$bin" games --database-url "$url" | awk 'NR > 1 {print $1}' | grep -qx "$game"; then
  "$bin" generate --game "$game" --hard-levels 22 --database-url "$url"
fi
"$bin" backfill --game "$game" --database-url "$url"
if [ -t 0 ] && [ -t 1 ] && "$bin" help tui >/dev/null 2>&1; then
  exec "$bin" tui --game "$game" --database-url "$url"
fi
"$bin" query --game "$game" --database-url "$url"
