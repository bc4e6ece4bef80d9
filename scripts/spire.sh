#!/usr/bin/env bash
# Builds spire-server and spire-agent, at the version that tools/spire/go.mod
# pins, into a cache folder keyed by that version, and prints the folder. When
# both binaries are already there it does nothing else, so CI can call it on
# every run and pay for the build (minutes, several GB of memory, cgo) only
# when the version changes.
#
# The folder is $ZTKIT_SPIRE_BIN when set, else
# ${ZTKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ztkit}/spire/<version>/bin,
# which is where the SPIRE integration test looks too.
set -euo pipefail
cd "$(dirname "$0")/../tools/spire"

version=$(awk '$1 == "github.com/spiffe/spire" { print $2 }' go.mod)
if [ -z "$version" ]; then
  echo "spire: tools/spire/go.mod does not require github.com/spiffe/spire" >&2
  exit 1
fi

cache=${ZTKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ztkit}
bin=${ZTKIT_SPIRE_BIN:-$cache/spire/$version/bin}

if [ -x "$bin/spire-server" ] && [ -x "$bin/spire-agent" ]; then
  echo "$bin"
  exit 0
fi

command -v gcc >/dev/null || {
  echo "spire: building SPIRE needs cgo and a C compiler (gcc)" >&2
  exit 1
}

# Build into a fresh folder and move the binaries in at the end, so that an
# interrupted build never leaves a half-written binary in the cache.
mkdir -p "$bin"
tmp=$(mktemp -d "$bin/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "spire: building SPIRE $version into $bin (takes minutes)" >&2
start=$SECONDS
GOWORK=off CGO_ENABLED=1 GOBIN="$tmp" go install -trimpath \
  github.com/spiffe/spire/cmd/spire-server \
  github.com/spiffe/spire/cmd/spire-agent
mv "$tmp/spire-server" "$tmp/spire-agent" "$bin/"
echo "spire: built in $((SECONDS - start)) s" >&2

echo "$bin"
