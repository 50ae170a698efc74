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

# The shared helpers (lib_*); script_name prefixes their messages.
script_name=ts-client
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_setup "$@"

test_file="$root/test/peers/client.test.mjs"
test_timeout="${TS_CLIENT_TIMEOUT:-300}" # seconds
health_timeout="${TS_CLIENT_HEALTH_TIMEOUT:-30}" # seconds
customers=20
# The client test has 28 tests: connect, tools/list, one or more per tool, the
# bad-argument cases. Fewer passes than this means it did not really run.
min_tests=20

# Logs go to $work: removed after a run that passed, unless TS_CLIENT_OUT chose it.
lib_workdir "${TS_CLIENT_OUT:-}" "logs in"

start=$EPOCHREALTIME
lib_port
echo "ts-client: starting $binary serve on $base"
TROUBLESHOOT_STEP=100ms SEED_CUSTOMER_COUNT=$customers lib_serve "$work/server.log" "$work/data"
echo "ts-client: server $server_pid healthy"

# The spec reporter for people on stdout; TAP to a file for the counts.
tap="$work/client.tap"
rc=0
t0=$EPOCHREALTIME
# The server runs in its default, secure mode: the client presents a
# development token with every role.
token="$(lib_dev_token "$work/data")"
CONTOSO_MCP_URL="$base/mcp" CONTOSO_MCP_TOKEN="$token" CONTOSO_SCENARIO_BASE=$customers \
	lib_node_test "$tap" "$test_file" || rc=$?
test_secs="$(lib_elapsed "$t0")"

passed="$(lib_tap_count "$tap" pass)"
failed=$(($(lib_tap_count "$tap" fail) + $(lib_tap_count "$tap" cancelled)))

protocol="$(sed -n 's/^ *# \(negotiated protocol .*\)$/\1/p' "$tap" 2>/dev/null | head -n 1)"
echo
echo "ts-client: ${protocol:-negotiated protocol not reported}"
echo "ts-client: the test took ${test_secs}s; $(lib_elapsed "$start")s in all (with the server's start)"

# status: at least min_tests passes and no failure (lib_test_status), and
# the test that checks every tool was called.
lib_test_status "$rc" "$passed" "$failed" "$min_tests" "the client test has at least"
if ! grep -Eq '^ok [0-9]+ - every tool was called and validated$' "$tap" 2>/dev/null; then
	echo "ts-client: the test \"every tool was called and validated\" did not pass" >&2
	((status != 0)) || status=1
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
