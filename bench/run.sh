#!/usr/bin/env bash
# make bench: the side-by-side performance run of issue 6. Builds the product,
# the floor, the proxy floor, the go-sdk and mcp-go peers and the pprof build
# (bench/bin), installs the TypeScript SDK peer (bench/ts, npm ci with
# better-sqlite3 built for the pinned Node 22), then runs `loadgen suite`
# pinned to core 0 while every server it starts is pinned to core 1, and
# regenerates docs/PERFORMANCE.md.
# Not part of make test. Loopback only; every load stops by itself; the
# suite stops the servers it started (by pid) when it ends or is interrupted.
#
# Settings (environment):
#   BENCH_DURATION   measured seconds per load point (default 5s)
#   BENCH_WARMUP     warm-up per point (default 1s)
#   BENCH_CONC       concurrency levels (default 1,16,64)
#   BENCH_SESSIONS   idle sessions for the memory figure (default 1000)
#   BENCH_MICROTIME  -benchtime of the micro-benchmarks (default 300ms)
#   BENCH_OUT        results, logs, profiles (default bench/out; not committed)
#   BENCH_MD         the report (default docs/PERFORMANCE.md)
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
out="${BENCH_OUT:-$bench/out}"
md="${BENCH_MD:-$root/docs/PERFORMANCE.md}"

if (($(nproc) < 2)); then
	echo "bench: needs 2 cores (server on core 1, load generator on core 0); this machine has $(nproc)" >&2
	exit 1
fi
command -v taskset >/dev/null || { echo "bench: taskset is missing (apt-get install -y util-linux)" >&2; exit 1; }

node="$("$root/scripts/peers.sh")"     # the pinned Node 22
nodedir="$(cd "$(dirname "$node")/.." && pwd)" # its headers, for better-sqlite3's native build

echo "bench: building (bench/bin)" >&2
mkdir -p "$bench/bin" "$out" "$(dirname "$md")"
(cd "$root" && go build -trimpath -o "$bench/bin/contoso-mcp" ./cmd/contoso-mcp)
(cd "$bench" && go build -trimpath -o bin/ ./loadgen ./cmd/floor ./cmd/proxy-floor ./cmd/gosdk-peer ./cmd/mcpgo-peer ./cmd/contoso-pprof)

ts="$bench/ts"
stamp="$ts/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$ts/package-lock.json" -nt "$stamp" ]] ||
	! "$node" -e "require('$ts/node_modules/better-sqlite3')(':memory:')" 2>/dev/null; then
	echo "bench: npm ci --prefix bench/ts (better-sqlite3 compiles for Node $("$node" --version); about a minute)" >&2
	PATH="$(dirname "$node"):$PATH" npm_config_nodedir="$nodedir" \
		npm ci --prefix "$ts" --no-audit --no-fund --loglevel=error >&2
	touch "$stamp"
	"$node" -e "require('$ts/node_modules/better-sqlite3')(':memory:')"
fi

rm -rf "$out/work"
exec taskset -c 0 "$bench/bin/loadgen" suite \
	-contoso "$bench/bin/contoso-mcp" -floor "$bench/bin/floor" -proxy-floor "$bench/bin/proxy-floor" -gosdk "$bench/bin/gosdk-peer" -mcpgo "$bench/bin/mcpgo-peer" -pprof "$bench/bin/contoso-pprof" \
	-node "$node" -ts "$ts" -bench-dir "$bench" -work "$out/work" -json "$out/results.json" -md "$md" \
	-server-cpu 1 -duration "${BENCH_DURATION:-5s}" -warmup "${BENCH_WARMUP:-1s}" -conc "${BENCH_CONC:-1,16,64}" \
	-sessions "${BENCH_SESSIONS:-1000}" -micro-benchtime "${BENCH_MICROTIME:-300ms}"
