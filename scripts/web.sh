#!/usr/bin/env bash
# Builds the finance platform's web UI (examples/financeapp/web) so that the
# Go build embeds it. Each step runs only when it has work to do:
#   - npm ci when node_modules is missing or older than package-lock.json;
#   - npm run build when a source file is newer than dist/index.html.
# Options:
#   --test      also run the component and store tests (Vitest);
#   --e2e       also run the end-to-end walk in headless Chromium (installs
#               Debian's chromium when missing; E2E_BASE_URL targets a running
#               platform, otherwise vite preview with a scripted backend);
#   --platform  with --e2e: build the finance platform with this UI embedded,
#               start `financeapp dev` on a fresh data folder on loopback
#               (E2E_PORT, default 18443) and walk it as its first admin;
#   --force     rebuild even when dist looks fresh.
# Needs Node.js 20.19+ and npm; never downloads a browser.
set -euo pipefail

cd "$(dirname "$0")/../examples/financeapp/web"

run_tests=
run_e2e=
platform=
force=
for arg in "$@"; do
  case $arg in
    --test) run_tests=1 ;;
    --e2e) run_e2e=1 ;;
    --platform) platform=1 ;;
    --force) force=1 ;;
    *) echo "web: unknown option $arg" >&2; exit 2 ;;
  esac
done

command -v npm >/dev/null || {
  echo "web: npm is not installed; install Node.js 20.19 or newer" >&2
  exit 1
}

# newer_than FILE PATH...: true when any file under PATH is newer than FILE.
newer_than() {
  local ref=$1
  shift
  [ -n "$(find "$@" -newer "$ref" -type f -print -quit 2>/dev/null)" ]
}

# start_platform builds and starts `financeapp dev` with the UI just built,
# waits until it prints its URL and first admin, and exports what the walk
# needs. The platform is stopped when this script exits.
start_platform() {
  local port bin log
  platform_work=$(mktemp -d)
  local work=$platform_work
  port=${E2E_PORT:-18443}
  bin=$work/financeapp
  log=$work/dev.log
  echo "web: building the platform"
  (cd ../.. && go build -o "$bin" ./financeapp/cmd/financeapp)
  "$bin" dev --data-dir "$work/data" --listen "127.0.0.1:$port" >"$log" 2>&1 &
  platform_pid=$!
  trap 'kill "$platform_pid" 2>/dev/null; wait "$platform_pid" 2>/dev/null; rm -rf "$platform_work"' EXIT

  for _ in $(seq 1 120); do
    grep -q 'is up at' "$log" && break
    kill -0 "$platform_pid" 2>/dev/null || { cat "$log" >&2; echo "web: financeapp dev exited" >&2; exit 1; }
    sleep 0.5
  done
  grep -q 'is up at' "$log" || { cat "$log" >&2; echo "web: financeapp dev did not come up" >&2; exit 1; }

  E2E_BASE_URL="https://127.0.0.1:$port"
  E2E_ADMIN_EMAIL=$(awk '/^ *email:/ {print $2; exit}' "$log")
  E2E_ADMIN_PASSWORD=$(awk '/^ *password:/ {print $2; exit}' "$log")
  E2E_DEV_CA=1
  export E2E_BASE_URL E2E_ADMIN_EMAIL E2E_ADMIN_PASSWORD E2E_DEV_CA
  [ -n "$E2E_ADMIN_PASSWORD" ] || { echo "web: no admin password in the platform's output" >&2; exit 1; }
}

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

sources=(src public index.html package.json package-lock.json vite.config.ts csp.ts tsconfig.json tsconfig.app.json)
if [ -n "$force" ] || [ ! -f dist/index.html ] || newer_than dist/index.html "${sources[@]}"; then
  echo "web: npm run build"
  npm run build --silent
else
  echo "web: dist is up to date"
fi

if [ -n "$run_tests" ]; then
  echo "web: npm test"
  npm test --silent
fi

if [ -n "$run_e2e" ]; then
  if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" != 0 ] && [ "${CI:-}" != true ]; then
    echo "web: skipping the end-to-end walk: /usr/bin/chromium is missing;" \
      "install Debian's chromium (apt-get install chromium) to run it" >&2
    run_e2e=
  fi
fi

if [ -n "$run_e2e" ]; then
  if [ ! -x /usr/bin/chromium ]; then
    echo "web: installing Debian's chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  fi
  if [ -n "$platform" ]; then
    start_platform
  fi
  echo "web: npm run e2e${E2E_BASE_URL:+ against $E2E_BASE_URL}"
  npm run e2e --silent
fi
