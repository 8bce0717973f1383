#!/usr/bin/env bash
# make demo: migrate, generate the demo game once, bring its aggregates up to date, open the dashboard.
# With a fourth argument `reader` (make demo-reader), the dashboard opens as the login role demo_reader, granted
# levelfunnel_reader only (`levelfunnel roles`): no access to events.
set -euo pipefail
bin=$1 url=$2 game=$3 as=${4:-}
"$bin" migrate --database-url "$url"
if ! "$bin" games --database-url "$url" | awk 'NR > 1 {print $1}' | grep -qx "$game"; then
  "$bin" generate --game "$game" --hard-levels 22 --database-url "$url"
fi
"$bin" backfill --game "$game" --database-url "$url"
if [ "$as" = reader ]; then
  psql -X -q "$url" -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'demo_reader') THEN CREATE ROLE demo_reader LOGIN; END IF; END \$\$"
  "$bin" roles --grant-reader demo_reader --database-url "$url"
  case "$url" in
    *user=*) url=$(printf '%s' "$url" | sed 's/user=[^&]*/user=demo_reader/') ;;
    *) echo "demo.sh: cannot switch the user of $url to demo_reader" >&2; exit 2 ;;
  esac
fi
if [ -t 0 ] && [ -t 1 ] && "$bin" help tui >/dev/null 2>&1; then
  exec "$bin" tui --game "$game" --database-url "$url"
fi
"$bin" query --game "$game" --database-url "$url"
