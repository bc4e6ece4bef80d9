#!/usr/bin/env bash
# Runs every benchmark COUNT times (default 10) and writes the raw results to
# bench/results/latest.txt, ready for benchstat:
#
#   go tool -modfile=tools/go.mod benchstat bench/results/latest.txt
set -euo pipefail
count=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/results/latest.txt"
mkdir -p "$(dirname "$out")"
: >"$out"

for mod in "$root" "$root/examples"; do
  (cd "$mod" && go test -run '^$' -bench . -benchmem -count "$count" ./... | tee -a "$out")
done

GOWORK=off go tool -modfile="$root/tools/go.mod" benchstat "$out"
