#!/usr/bin/env bash
# Runs every go test -fuzz target in every module for the given time each (default
# 20s). Seed corpora live in each package's testdata/fuzz/ and also run in make test.
set -euo pipefail
fuzztime=${1:-20s}
root=$(cd "$(dirname "$0")/.." && pwd)

for mod in "$root" "$root/examples"; do
  cd "$mod"
  for pkg in $(go list ./...); do
    for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
      echo "== fuzz $pkg $target ($fuzztime)"
      go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
    done
  done
done
