#!/usr/bin/env bash
# make test: every suite, in order, from a clean clone. Each stage prints its
# own results; the last line sums them as "make test: N passed, M failed".
#   lint        gofmt, go vet, staticcheck
#   go          go test -race over every package (counts tests and subtests)
#   ts-client   the TypeScript SDK client against the built server
#   inspector   every tool through MCP Inspector's CLI
#   oidc-e2e    AUTH_MODE=oidc against oauth2-mock-server as an independent issuer
#   conformance @modelcontextprotocol/conformance 0.1.16 and 0.2.0-alpha.12
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
GO="${GO:-go}"
bin="bin/contoso-mcp"
logs="$(mktemp -d "${TMPDIR:-/tmp}/contoso-test.XXXXXX")"
passed=0
failed=0
failures=()

stage() { printf '\n=== %s\n' "$1"; }
fail() { failures+=("$1"); }

stage "lint"
if make -s lint; then passed=$((passed + 1)); else failed=$((failed + 1)); fail lint; fi

stage "go test -race ./..."
"$GO" test -race -count=1 -v ./... >"$logs/go.log" 2>&1
go_rc=$?
grep -E '^(ok|FAIL|\?)[[:space:]]' "$logs/go.log"
go_pass=$(grep -cE '^[[:space:]]*--- PASS' "$logs/go.log")
go_fail=$(grep -cE '^[[:space:]]*--- FAIL' "$logs/go.log")
if [[ $go_rc -ne 0 ]]; then
	echo "--- failing tests and their output:"
	grep -E -B2 -A30 '^[[:space:]]*--- FAIL|^FAIL|panic:|build failed|cannot|undefined' "$logs/go.log" | head -400
	[[ $go_fail -eq 0 ]] && go_fail=1 # a build failure fails no single test
	fail "go test"
fi
echo "go: $go_pass passed, $go_fail failed"
passed=$((passed + go_pass))
failed=$((failed + go_fail))

stage "build"
if ! "$GO" build -trimpath -o "$bin" ./cmd/contoso-mcp; then
	echo "make test: 0 passed, 1 failed"
	exit 1
fi

# scripts that print "NAME: N passed, M failed" as their last such line
run_counted() {
	local name="$1"
	shift
	stage "$name"
	"$@" 2>&1 | tee "$logs/$name.log"
	local rc=${PIPESTATUS[0]}
	local line p f
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$logs/$name.log" | tail -n 1)
	p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	[[ -n "$line" ]] || { p=0; f=1; echo "$name: no result line"; }
	[[ $rc -ne 0 && $f -eq 0 ]] && f=1
	passed=$((passed + p))
	failed=$((failed + f))
	[[ $rc -eq 0 && $f -eq 0 ]] || fail "$name"
}

run_counted ts-client scripts/ts-client.sh "$bin"
run_counted inspector scripts/inspector.sh "$bin"
run_counted oidc-e2e scripts/oidc-e2e.sh "$bin"

stage "conformance"
scripts/conformance.sh "$bin" 2>&1 | tee "$logs/conformance.log"
conf_rc=${PIPESTATUS[0]}
# Each suite's checks; with the baseline, expected (tasks-*) failures do not count.
while read -r p f; do
	passed=$((passed + p))
done < <(sed -E 's/\x1b\[[0-9;]*m//g' "$logs/conformance.log" | grep -E '^[[:space:]]*Total: [0-9]+ passed' | sed -E 's/.*Total: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' | sort -u)
if [[ $conf_rc -ne 0 ]]; then failed=$((failed + 1)); fail conformance; fi

echo
if [[ ${#failures[@]} -gt 0 ]]; then
	echo "failed stages: ${failures[*]} (logs in $logs)"
else
	rm -rf "$logs"
fi
echo "make test: $passed passed, $failed failed"
[[ $failed -eq 0 && ${#failures[@]} -eq 0 ]]
