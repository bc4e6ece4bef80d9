#!/usr/bin/env bash
# Runs the finance platform (financeapp dev) and the ZeroSMS backend side by
# side on loopback, sharing the data folder (the dev CA in data/ca issues both
# their SVIDs). Stops both on Ctrl-C. Intended as `make run`.
#
#   platform (public):  https://127.0.0.1:8443   (PLATFORM_ADDR)
#   platform backend:   127.0.0.1:9441 mTLS only  (BACKEND_ADDR)
#   ZeroSMS backend:    https://127.0.0.1:8445   (ZEROSMS_ADDR)
# Further arguments go to financeapp dev.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${DATA_DIR:-data}
public=${PLATFORM_ADDR:-127.0.0.1:8443}
backend=${BACKEND_ADDR:-127.0.0.1:9441}
zerosms=${ZEROSMS_ADDR:-127.0.0.1:8445}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT

cd "$root/examples"
go build -o "$bin/financeapp" ./financeapp/cmd/financeapp
go build -o "$bin/zerosms-backend" ./zerosms-backend/cmd/zerosms-backend

"$bin/financeapp" dev --data-dir "$data" --listen "$public" --backend-addr "$backend" "$@" &
platform_pid=$!
"$bin/zerosms-backend" serve --data-dir "$data/zerosms" --ca-dir "$data/ca" \
  --platform "https://$public" --backend-addr "$backend" --listen "$zerosms" &
zerosms_pid=$!

stop() { kill "$zerosms_pid" "$platform_pid" 2>/dev/null || true; wait || true; rm -rf "$bin"; }
trap stop EXIT INT TERM

wait -n "$platform_pid" "$zerosms_pid"
