#!/usr/bin/env bash
# End-to-end OIDC test: a built contoso-mcp with AUTH_MODE=oidc against
# oauth2-mock-server 9.3.0 as an independent issuer (test/peers/oidc-e2e.test.mjs,
# node:test under the pinned Node 22, TypeScript SDK client 1.32.2):
#
#   scripts/oidc-e2e.sh BINARY
#
# It installs the pinned peers (scripts/peers.sh) when needed and runs the
# test, which starts the mock issuer in its own process, then BINARY on a
# free loopback port with a fresh data directory (SEED_CUSTOMER_COUNT=20),
# mints tokens with chosen claims and checks, over HTTP: no token, the
# protected-resource metadata, the query and admin+security roles, no roles
# (403), wrong audience, unknown tenant, expiry, a foreign key under the
# issuer's kid (401) and a key rotation. The test stops the server; this
# script stops it too (by the pid the test records) if the test is killed.
# A run with any failed or cancelled test, or fewer passing tests than the
# file has, fails. Logs go to a temporary directory (OIDC_E2E_OUT to choose
# it), kept when a run fails. The last line is "oidc-e2e: N passed, M failed".
set -euo pipefail

# The shared helpers (lib_*); script_name prefixes their messages.
script_name=oidc-e2e
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_setup "$@"

test_file="$root/test/peers/oidc-e2e.test.mjs"
test_timeout="${OIDC_E2E_TIMEOUT:-180}" # seconds
# The test file has 12 tests; fewer passes than this means it did not really run.
min_tests=12

# Logs go to $work: removed after a run that passed, unless OIDC_E2E_OUT chose it.
lib_workdir "${OIDC_E2E_OUT:-}" "logs in"
# The test starts the server itself, with its data in $work/data, and stops
# it. If the test was killed first, the EXIT trap stops the server by the pid
# the test records here (only if that process still runs our binary).
server_pid_file="$work/server.pid"
rm -f "$server_pid_file"
lib_scratch+=("$work/data")

echo "oidc-e2e: $binary against oauth2-mock-server (logs in $work)"
tap="$work/oidc-e2e.tap"
rc=0
t0=$EPOCHREALTIME
CONTOSO_MCP_BINARY="$binary" OIDC_E2E_WORK="$work" \
	lib_node_test "$tap" "$test_file" || rc=$?
secs="$(lib_elapsed "$t0")"

passed="$(lib_tap_count "$tap" pass)"
failed=$(($(lib_tap_count "$tap" fail) + $(lib_tap_count "$tap" cancelled)))

echo
echo "oidc-e2e: the test took ${secs}s (with the issuer's and the server's start)"

# status: at least min_tests passes and no failure (lib_test_status).
lib_test_status "$rc" "$passed" "$failed" "$min_tests" "the test has"
if ((status != 0)) && [[ -s "$work/server.log" ]]; then
	echo "oidc-e2e: the last 60 lines of the server's log ($work/server.log):" >&2
	tail -n 60 "$work/server.log" >&2
fi

echo "oidc-e2e: $passed passed, $failed failed"
exit "$status"
