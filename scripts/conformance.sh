#!/usr/bin/env bash
# Runs the MCP conformance suites against a built contoso-mcp:
#   1. @modelcontextprotocol/conformance 0.1.16          server --suite all
#   2. @modelcontextprotocol/conformance 0.2.0-alpha.12  server --requirements 2026-07-28
#      with the expected failures of test/conformance/baseline-2026.yml
#
#   scripts/conformance.sh BINARY
#
# It installs the pinned peers (scripts/peers.sh) when needed, serves BINARY
# with its conformance fixtures on a free loopback port, and stops that server
# on exit. The full output of each suite goes to files under a temporary
# directory (CONFORMANCE_OUT to choose it), whose path it prints. Exits non-zero
# when either suite fails.
set -euo pipefail

# The shared helpers (lib_*); script_name prefixes their messages.
script_name=conformance
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_setup "$@"

baseline="$root/test/conformance/baseline-2026.yml"
modules="$root/test/peers/node_modules"
suite_timeout="${CONFORMANCE_TIMEOUT:-900}" # seconds, per suite
health_timeout="${CONFORMANCE_HEALTH_TIMEOUT:-30}" # seconds

# No NOTE: the results are the point of a run, so the work directory is always
# kept (only the server's data goes); its path is printed up front.
lib_workdir "${CONFORMANCE_OUT:-}"
echo "conformance: results and logs in $work"

lib_port
echo "conformance: starting $binary serve --conformance-fixtures on $base"
# The suite sends no token: auth is off for this loopback-only run.
DISABLE_AUTH=true SEED_CUSTOMER_COUNT=20 lib_serve "$work/server.log" "$work/data" --conformance-fixtures
echo "conformance: server $server_pid healthy"

strip_ansi() { sed -e 's/\x1b\[[0-9;]*m//g'; }

# explain_failures LOG OUTDIR: the failing scenarios that count (with a
# baseline: those not in it) and their failing checks.
explain_failures() {
	local log="$1" out="$2" names n
	if grep -q 'Unexpected failures (not in baseline)' "$log"; then
		names="$(strip_ansi <"$log" | sed -n '/Unexpected failures (not in baseline)/,/^$/{s/^ *✗ *\([^: ]*\).*/\1/p}' | sort -u)"
		echo "  failing scenarios not in the baseline:"
	else
		names="$(strip_ansi <"$log" | sed -n 's/^✗ \([^:]*\):.*/\1/p')"
		echo "  failing scenarios:"
	fi
	if [[ -n "$names" ]]; then
		while IFS= read -r n; do echo "    $n"; done <<<"$names"
	fi
	if grep -q 'Stale baseline entries' "$log"; then
		echo "  stale baseline entries (they pass now: remove them from $baseline):"
		strip_ansi <"$log" | sed -n '/Stale baseline entries/,/^$/{s/^ *✓ */    /p}'
	fi
	[[ -n "$names" ]] || return 0
	echo "  their failing checks (scenario: check: message):"
	# shellcheck disable=SC2016 # JavaScript: ${...} is a template literal's
	"$node" -e '
		const fs = require("fs"), path = require("path");
		const [out, list] = process.argv.slice(1);
		const wanted = new Set(list.split("\n").filter(Boolean));
		for (const dir of fs.readdirSync(out).sort()) {
			const file = path.join(out, dir, "checks.json");
			const scenario = dir.replace(/^server-/, "").replace(/-\d{4}-\d\d-\d\dT.*$/, "");
			if (!wanted.has(scenario) || !fs.existsSync(file)) continue;
			let checks;
			try { checks = JSON.parse(fs.readFileSync(file, "utf8")); } catch { continue; }
			for (const c of checks) {
				if (c.status !== "FAILURE" && c.status !== "WARNING") continue;
				const msg = String(c.errorMessage ?? "").replace(/\s+/g, " ").slice(0, 300);
				console.log(`    ${scenario}: ${c.id}: ${c.status}: ${msg}`);
			}
		}' "$out" "$names" || true
}

failed=()
summary=()

# run_suite NAME CLI ARGS...: runs one suite; its full output goes to $work/NAME.log.
run_suite() {
	local name="$1" cli="$2"
	shift 2
	local log="$work/$name.log" out="$work/$name"
	rm -rf "$out"
	mkdir -p "$out"
	echo
	echo "conformance: running $name (full output: $log)"
	local rc=0
	(cd "$work" && timeout "$suite_timeout" "$node" "$cli" server --url "$base/mcp" -o "$out" "$@") >"$log" 2>&1 || rc=$?
	local total
	total="$(strip_ansi <"$log" | grep -E '^Total: [0-9]+ passed, [0-9]+ failed' | tail -n 1 || true)"
	[[ -n "$total" ]] || total="no Total line (exit code $rc)"
	local verdict=PASS
	if ((rc != 0)); then
		verdict=FAIL
		failed+=("$name")
	fi
	summary+=("$(printf '%-34s %s  [%s]' "$name" "$total" "$verdict")")
	echo "==================================================================="
	echo "  $name"
	echo "  $total  =>  $verdict"
	if grep -q 'Baseline check passed' "$log"; then
		echo "  (every failure is an expected one listed in test/conformance/baseline-2026.yml)"
	fi
	echo "==================================================================="
	if ((rc == 124)); then
		echo "  timed out after ${suite_timeout}s"
	fi
	if ((rc != 0)); then
		explain_failures "$log" "$out"
	fi
}

run_suite "conformance-0.1.16" "$modules/conformance-01/dist/index.js" --suite all
run_suite "conformance-0.2.0-alpha.12" "$modules/conformance-02/dist/index.js" \
	--requirements 2026-07-28 --expected-failures "$baseline"

if ! kill -0 "$server_pid" 2>/dev/null; then
	echo "conformance: the server died during the run; its log is $work/server.log" >&2
	failed+=("server")
fi

echo
echo "conformance summary:"
for line in "${summary[@]}"; do echo "  $line"; done
if ((${#failed[@]} > 0)); then
	echo "conformance: FAILED: ${failed[*]} (logs and results in $work)"
	exit 1
fi
echo "conformance: both suites passed"
