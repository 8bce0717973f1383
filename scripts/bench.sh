#!/usr/bin/env bash
# make bench / make stress / make scale: `levelfunnel bench --scale N` (generates the game scale<N> the first time,
# reuses it after; a re-run redoes every day of the backfill, so it measures the same work each time), then
# `verify --sweep` on that game: fast = raw for every single-value filter over one day, one week and the whole
# history. At 100x the sweep's raw queries alone would take hours: the bench's own fast-vs-raw comparison over its
# 12 selections stands in for it.
# With READERS QUERIES SAMPLE, then `levelfunnel stress` on that game: READERS threads of QUERIES fast queries each
# while a backfill and the daily job rewrite it, SAMPLE answers per reader compared with the raw path.
set -euo pipefail
bin=$1 url=$2 scale=$3 days=${4:-60} readers=${5:-0} queries=${6:-0} sample=${7:-0}
"$bin" bench --scale "$scale" --days "$days" --database-url "$url"
if [ "$scale" -lt 100 ]; then
  "$bin" verify --game "scale$scale" --sweep --database-url "$url" | tail -n 1
fi
if [ "$readers" -gt 0 ]; then
  "$bin" stress --game "scale$scale" --readers "$readers" --queries "$queries" --sample "$sample" --database-url "$url"
fi
