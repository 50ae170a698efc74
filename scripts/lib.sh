# shellcheck shell=bash
# shellcheck disable=SC2034 # the sourcing scripts read what these functions set
# Shared by the scripts that test a built contoso-mcp from the outside
# (conformance.sh, ts-client.sh, inspector.sh, oidc-e2e.sh). Not a script of
# its own: a script sets script_name (the prefix of its messages, and of its
# temporary directory) and sources this file after `set -euo pipefail`:
#
#   script_name=ts-client
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   lib_setup "$@"                                     # root, binary, node
#   lib_workdir "${TS_CLIENT_OUT:-}" "logs in"         # work, and the EXIT trap
#   lib_port                                           # port, base
#   SEED_CUSTOMER_COUNT=20 lib_serve "$work/server.log" "$work/data"   # server_pid
#
# The functions share these globals with the script:
#   root         the repository
#   binary       BINARY as an absolute path
#   node         the pinned Node 22 (scripts/peers.sh installs it when needed)
#   work         the work directory; keep_work=1 when the script's *_OUT chose it
#   port, base   a free loopback port and http://127.0.0.1:PORT
#   server_pid   the server lib_serve started (empty once stopped)
#   server_pid_file  where a test that starts the server itself records its
#                pid, for the EXIT trap to stop it if the test could not
#   health_timeout, test_timeout   seconds; the script sets them from its
#                *_HEALTH_TIMEOUT and *_TIMEOUT
: "${script_name:?set script_name before sourcing scripts/lib.sh}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server_pid=""
server_pid_file=""
# Directories the EXIT trap removes (the servers' data: large, and of no use
# after the run).
lib_scratch=()

lib_usage() { echo "usage: $0 BINARY   (a built contoso-mcp)" >&2; exit 2; }

# lib_setup "$@": checks that the only argument is an executable file, sets
# binary to its absolute path (the script may cd elsewhere) and node to the
# pinned Node, installing the peers first when needed.
lib_setup() {
	[[ $# -eq 1 ]] || lib_usage
	[[ -x "$1" && -f "$1" ]] || { echo "$script_name: $1 is not an executable file" >&2; lib_usage; }
	binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
	node="$("$root/scripts/peers.sh")"
}

# lib_workdir OUT [NOTE]: sets work to OUT (the script's *_OUT variable;
# created when missing, and kept) or, when OUT is empty, to a new temporary
# directory, and installs the EXIT trap (lib_exit). With NOTE the trap removes
# a temporary work directory after a run that passed, and otherwise says
# "NAME: NOTE DIR" so that a failure's logs can be found; without NOTE the
# work directory is always kept and the script says where it is.
lib_workdir() {
	keep_work=0
	if [[ -n "$1" ]]; then
		work="$1"
		mkdir -p "$work"
		keep_work=1
	else
		work="$(mktemp -d "${TMPDIR:-/tmp}/contoso-$script_name.XXXXXX")"
	fi
	lib_work_note="${2:-}"
	trap lib_exit EXIT
	# Exit (and so run the EXIT trap) on ^C and on kill too.
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# lib_exit: the EXIT trap. Stops the server, removes the scratch directories
# and, per lib_workdir's NOTE, the work directory; keeps the exit code.
lib_exit() {
	local rc=$?
	lib_stop_server
	if ((${#lib_scratch[@]} > 0)); then
		rm -rf "${lib_scratch[@]}"
	fi
	if [[ -n "$lib_work_note" ]]; then
		if ((rc == 0 && keep_work == 0)); then
			rm -rf "$work"
		else
			echo "$script_name: $lib_work_note $work" >&2
		fi
	fi
	exit "$rc"
}

# lib_stop_server: stops server_pid (or, when that is empty, the pid recorded
# in server_pid_file) with SIGTERM, and with SIGKILL when it is still there
# 5 s later. Does nothing when there is no such process.
lib_stop_server() {
	local pid="$server_pid"
	server_pid=""
	if [[ -z "$pid" && -n "$server_pid_file" ]]; then
		pid="$(cat "$server_pid_file" 2>/dev/null || true)"
		[[ "$pid" =~ ^[0-9]+$ ]] || return 0
		kill -0 "$pid" 2>/dev/null || return 0
		# Not our child: its pid may have been reused since. Stop it only
		# while it still runs our binary.
		[[ "$(readlink -f "/proc/$pid/exe" 2>/dev/null || true)" == "$(readlink -f "$binary")" ]] || return 0
	fi
	if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$script_name: server $pid ignored SIGTERM; killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# lib_port: sets port to a free loopback port (bind port 0 and report what the
# kernel chose) and base to its URL.
lib_port() {
	port="$("$node" -e '
		const s = require("net").createServer();
		s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
	base="http://127.0.0.1:$port"
}

# lib_healthy URL: exit 0 when GET URL answers 2xx within two seconds.
lib_healthy() {
	"$node" -e '
		fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
			.then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1));' "$1"
}

# lib_serve LOG DATA [ARGS...]: starts `BINARY serve ARGS --addr 127.0.0.1:PORT
# --data-dir DATA` (lib_port first) in the background with a fresh, empty
# DATA (removed again on exit), its output in LOG; sets server_pid and waits
# for $base/healthz, at most health_timeout seconds. The caller's VAR=value
# prefixes are the server's environment. Exits 1, with the server's log, when
# the server exits first or stays unhealthy.
lib_serve() {
	local log="$1" data="$2"
	shift 2
	rm -rf "$data"
	mkdir -p "$data"
	lib_scratch+=("$data")
	"$binary" serve "$@" --addr "127.0.0.1:$port" --data-dir "$data" >"$log" 2>&1 </dev/null &
	server_pid=$!
	local deadline=$((SECONDS + ${health_timeout:-30}))
	until lib_healthy "$base/healthz"; do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			echo "$script_name: the server exited before it became healthy; its log:" >&2
			cat "$log" >&2
			exit 1
		fi
		if ((SECONDS >= deadline)); then
			echo "$script_name: $base/healthz not healthy after ${health_timeout:-30}s; the server's log:" >&2
			cat "$log" >&2
			exit 1
		fi
		sleep 0.2
	done
}

# lib_dev_token DATA: prints a development token with every role for the
# server on DATA, minted as the README shows (the server runs in its default,
# secure mode), with the script's name as subject.
lib_dev_token() {
	"$binary" token --data-dir "$1" --roles query,admin,security --subject "$script_name"
}

# lib_node_test TAP FILE: runs the node:test file FILE, for at most
# test_timeout seconds (exit code 124 then): the spec reporter on stdout for
# people, TAP to the file TAP for the counts (lib_tap_count). The caller's
# VAR=value prefixes are the test's environment. Returns the test's exit code.
lib_node_test() {
	timeout "${test_timeout:?}" "$node" --test \
		--test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=tap --test-reporter-destination="$1" \
		"$2"
}

# lib_tap_count TAP NAME: the number on TAP's summary line "# NAME N" (0 when
# absent).
lib_tap_count() {
	local n
	n="$(sed -n "s/^# $2 \([0-9][0-9]*\)\$/\1/p" "$1" 2>/dev/null | tail -n 1)"
	echo "${n:-0}"
}

# lib_test_status RC PASSED FAILED MIN HAS: sets status from a node --test run
# that exited with RC: 1 when it timed out, RC when it failed, and 1 when
# fewer than MIN tests passed or any failed or was cancelled (FAILED). node
# --test passes a file that defines no test (it counts the file itself as one
# passing test), so a pass count > 0 alone proves little. HAS words the
# minimum in the message, e.g. "the test has".
lib_test_status() {
	local rc="$1" passed="$2" failed="$3" min="$4" has="$5"
	status=0
	if ((rc == 124)); then
		echo "$script_name: the test timed out after ${test_timeout}s" >&2
		status=1
	elif ((rc != 0)); then
		status=$rc
	fi
	if ((passed < min)); then
		echo "$script_name: only $passed tests passed; $has $min (exit code $rc): treating that as a failure" >&2
		((status != 0)) || status=1
	fi
	if ((failed > 0 && status == 0)); then
		status=1
	fi
}

# lib_elapsed_ms T0: milliseconds since $EPOCHREALTIME was T0.
lib_elapsed_ms() {
	local now=$EPOCHREALTIME
	echo $(((${now/./} - ${1/./}) / 1000))
}

# lib_seconds MS: MS as seconds with one decimal.
lib_seconds() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# lib_elapsed T0: seconds since $EPOCHREALTIME was T0, with one decimal.
lib_elapsed() { lib_seconds "$(lib_elapsed_ms "$1")"; }
