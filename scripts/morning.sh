#!/usr/bin/env bash
# make morning / make scale: `levelfunnel bench --morning SCALES` in a database of its own, dropped and created
# again first: the bench adds the morning's events to the game it generates (morning<N>, 30 days ending yesterday),
# so it refuses a database that has the game already, and a game generated another day would not end yesterday.
set -euo pipefail
bin=$1 db=$2 scales=$3
shift 3
scripts/pg.sh start
psql -X -q "$(scripts/pg.sh url postgres)" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
"$bin" bench --morning "$scales" "$@" --database-url "$(scripts/pg.sh url "$db")"
