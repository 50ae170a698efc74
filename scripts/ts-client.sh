#!/usr/bin/env bash
# Runs the TypeScript SDK client test (test/peers/client.test.mjs, node:test,
# @modelcontextprotocol/sdk 1.32.2 under the pinned Node 22) against a built
# contoso-mcp:
#
#   scripts/ts-client.sh BINARY
#
# It installs the pinned peers (scripts/peers.sh) when needed, serves BINARY on
# a free loopback port with a fresh data directory (SEED_CUSTOMER_COUNT=20, so
# the scenario customers are 21..29), runs the test with the server's URL in
# CONTOSO_MCP_URL, stops the server and exits with the test's status. A run
# with any failed or cancelled test, or fewer passing tests than it has (as
# when the file defines none), fails. Logs go
# to a temporary directory (TS_CLIENT_OUT to choose it), kept when a run fails.
set -euo pipefail

usage() { echo "usage: $0 BINARY   (a built contoso-mcp)" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
[[ -x "$1" && -f "$1" ]] || { echo "ts-client: $1 is not an executable file" >&2; usage; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
test_file="$root/test/peers/client.test.mjs"
test_timeout="${TS_CLIENT_TIMEOUT:-300}" # seconds
health_timeout="${TS_CLIENT_HEALTH_TIMEOUT:-30}" # seconds
customers=20
# The client test has 28 tests: connect, tools/list, one or more per tool, the
# bad-argument cases. Fewer passes than this means it did not really run.
min_tests=20

node="$("$root/scripts/peers.sh")"

keep_work=0
if [[ -n "${TS_CLIENT_OUT:-}" ]]; then
	work="$TS_CLIENT_OUT"
	mkdir -p "$work"
	keep_work=1
else
	work="$(mktemp -d "${TMPDIR:-/tmp}/contoso-ts-client.XXXXXX")"
fi

server_pid=""
cleanup() {
	local rc=$?
	if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$server_pid" 2>/dev/null; then
			echo "ts-client: server $server_pid ignored SIGTERM; killing it" >&2
			kill -KILL "$server_pid" 2>/dev/null || true
		fi
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work/data"
	if ((rc == 0 && keep_work == 0)); then
		rm -rf "$work"
	else
		echo "ts-client: logs in $work" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# elapsed T0: seconds since $EPOCHREALTIME was T0, with one decimal.
elapsed() {
	local now=$EPOCHREALTIME
	local ms=$(((${now/./} - ${1/./}) / 1000))
	printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# A free loopback port: bind port 0 and report what the kernel chose.
free_port() {
	"$node" -e '
		const s = require("net").createServer();
		s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# healthy URL: exit 0 when GET URL answers 2xx within two seconds.
healthy() {
	"$node" -e '
		fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
			.then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1));' "$1"
}

start=$EPOCHREALTIME
port="$(free_port)"
base="http://127.0.0.1:$port"
mkdir -p "$work/data"
echo "ts-client: starting $binary serve on $base"
SEED_CUSTOMER_COUNT=$customers "$binary" serve --addr "127.0.0.1:$port" --data-dir "$work/data" \
	>"$work/server.log" 2>&1 </dev/null &
server_pid=$!

deadline=$((SECONDS + health_timeout))
until healthy "$base/healthz"; do
	if ! kill -0 "$server_pid" 2>/dev/null; then
		echo "ts-client: the server exited before it became healthy; its log:" >&2
		cat "$work/server.log" >&2
		exit 1
	fi
	if ((SECONDS >= deadline)); then
		echo "ts-client: $base/healthz not healthy after ${health_timeout}s; the server's log:" >&2
		cat "$work/server.log" >&2
		exit 1
	fi
	sleep 0.2
done
echo "ts-client: server $server_pid healthy"

# The spec reporter for people on stdout; TAP to a file for the counts.
tap="$work/client.tap"
rc=0
t0=$EPOCHREALTIME
# The server runs in its default, secure mode: the client presents a
# development token with every role, minted as the README shows.
token="$("$binary" token --data-dir "$work/data" --roles query,admin,security --subject ts-client)"
CONTOSO_MCP_URL="$base/mcp" CONTOSO_MCP_TOKEN="$token" CONTOSO_SCENARIO_BASE=$customers \
	timeout "$test_timeout" "$node" --test \
	--test-reporter=spec --test-reporter-destination=stdout \
	--test-reporter=tap --test-reporter-destination="$tap" \
	"$test_file" || rc=$?
test_secs="$(elapsed "$t0")"

# count NAME: the number on the TAP summary line "# NAME N" (0 when absent).
count() {
	local n
	n="$(sed -n "s/^# $1 \([0-9][0-9]*\)\$/\1/p" "$tap" 2>/dev/null | tail -n 1)"
	echo "${n:-0}"
}
passed="$(count pass)"
failed=$(($(count fail) + $(count cancelled)))

protocol="$(sed -n 's/^ *# \(negotiated protocol .*\)$/\1/p' "$tap" 2>/dev/null | head -n 1)"
echo
echo "ts-client: ${protocol:-negotiated protocol not reported}"
echo "ts-client: the test took ${test_secs}s; $(elapsed "$start")s in all (with the server's start)"

status=0
if ((rc == 124)); then
	echo "ts-client: the test timed out after ${test_timeout}s" >&2
	status=1
elif ((rc != 0)); then
	status=$rc
fi
# node --test passes a file that defines no test (it counts the file itself as
# one passing test), so "# pass N" > 0 alone proves little: require at least
# min_tests passes and the test that checks every tool was called.
if ((passed < min_tests)); then
	echo "ts-client: only $passed tests passed; the client test has at least $min_tests (exit code $rc): treating that as a failure" >&2
	((status != 0)) || status=1
fi
if ! grep -Eq '^ok [0-9]+ - every tool was called and validated$' "$tap" 2>/dev/null; then
	echo "ts-client: the test \"every tool was called and validated\" did not pass" >&2
	((status != 0)) || status=1
fi
if ((failed > 0 && status == 0)); then
	status=1
fi
if ! kill -0 "$server_pid" 2>/dev/null; then
	echo "ts-client: the server died during the run; its log:" >&2
	cat "$work/server.log" >&2
	((status != 0)) || status=1
elif ((status != 0)); then
	echo "ts-client: the last 40 lines of the server's log ($work/server.log):" >&2
	tail -n 40 "$work/server.log" >&2
fi

echo "ts-client: $passed passed, $failed failed"
exit "$status"
