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

usage() { echo "usage: $0 BINARY   (a built contoso-mcp)" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
[[ -x "$1" && -f "$1" ]] || { echo "oidc-e2e: $1 is not an executable file" >&2; usage; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
test_file="$root/test/peers/oidc-e2e.test.mjs"
test_timeout="${OIDC_E2E_TIMEOUT:-180}" # seconds
# The test file has 12 tests; fewer passes than this means it did not really run.
min_tests=12

node="$("$root/scripts/peers.sh")"

keep_work=0
if [[ -n "${OIDC_E2E_OUT:-}" ]]; then
	work="$OIDC_E2E_OUT"
	mkdir -p "$work"
	keep_work=1
else
	work="$(mktemp -d "${TMPDIR:-/tmp}/contoso-oidc-e2e.XXXXXX")"
fi
rm -f "$work/server.pid"

# stop_server: the test stops the server it started; if the test was killed
# first, stop it here, by the pid it recorded, and only if that process is
# still our binary.
stop_server() {
	local pid
	pid="$(cat "$work/server.pid" 2>/dev/null || true)"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	[[ "$(readlink -f "/proc/$pid/exe" 2>/dev/null || true)" == "$(readlink -f "$binary")" ]] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "oidc-e2e: server $pid ignored SIGTERM; killing it" >&2
	kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	stop_server
	rm -rf "$work/data"
	if ((rc == 0 && keep_work == 0)); then
		rm -rf "$work"
	else
		echo "oidc-e2e: logs in $work" >&2
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

echo "oidc-e2e: $binary against oauth2-mock-server (logs in $work)"
tap="$work/oidc-e2e.tap"
rc=0
t0=$EPOCHREALTIME
CONTOSO_MCP_BINARY="$binary" OIDC_E2E_WORK="$work" \
	timeout "$test_timeout" "$node" --test \
	--test-reporter=spec --test-reporter-destination=stdout \
	--test-reporter=tap --test-reporter-destination="$tap" \
	"$test_file" || rc=$?
secs="$(elapsed "$t0")"

# count NAME: the number on the TAP summary line "# NAME N" (0 when absent).
count() {
	local n
	n="$(sed -n "s/^# $1 \([0-9][0-9]*\)\$/\1/p" "$tap" 2>/dev/null | tail -n 1)"
	echo "${n:-0}"
}
passed="$(count pass)"
failed=$(($(count fail) + $(count cancelled)))

echo
echo "oidc-e2e: the test took ${secs}s (with the issuer's and the server's start)"

status=0
if ((rc == 124)); then
	echo "oidc-e2e: the test timed out after ${test_timeout}s" >&2
	status=1
elif ((rc != 0)); then
	status=$rc
fi
# node --test passes a file that defines no test (it counts the file itself as
# one passing test): require at least min_tests passes.
if ((passed < min_tests)); then
	echo "oidc-e2e: only $passed tests passed; the test has $min_tests (exit code $rc): treating that as a failure" >&2
	((status != 0)) || status=1
fi
if ((failed > 0 && status == 0)); then
	status=1
fi
if ((status != 0)) && [[ -s "$work/server.log" ]]; then
	echo "oidc-e2e: the last 60 lines of the server's log ($work/server.log):" >&2
	tail -n 60 "$work/server.log" >&2
fi

echo "oidc-e2e: $passed passed, $failed failed"
exit "$status"
