#!/bin/sh
# Install the peer guard cc-safety-net, pinned, into a scratch dir (default /tmp/peer) for
# benchmarks/guardbench_compare.py. Usage: sh benchmarks/peer_setup.sh [DIR]
set -eu
VERSION="${CC_SAFETY_NET_VERSION:-2.4.5}"
DIR="${1:-/tmp/peer}"
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || printf '{"name":"guardrail-peer","private":true}\n' > package.json
BIN="$DIR/node_modules/cc-safety-net/dist/bin/cc-safety-net.js"
if [ -f "$BIN" ] && grep -q "\"version\": \"$VERSION\"" node_modules/cc-safety-net/package.json; then
  echo "cc-safety-net $VERSION already in $DIR"
else
  npm install --no-audit --no-fund --silent "cc-safety-net@$VERSION"
fi
test -f "$BIN" || { echo "peer_setup: $BIN missing after install" >&2; exit 1; }
echo "$BIN"
