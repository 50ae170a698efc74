#!/usr/bin/env bash
# Calls every tool of a built contoso-mcp through MCP Inspector's CLI
# (@modelcontextprotocol/inspector 2.12.0 under the pinned Node 22) and checks
# that each returns structuredContent matching its outputSchema:
#
#   scripts/inspector.sh BINARY
#
# For each protocol era the Inspector speaks (INSPECTOR_ERAS, default "legacy
# modern": the 2025-11-25 session era and the 2026-07-28 stateless one), it
# serves BINARY on a free loopback port with a fresh data directory
# (SEED_CUSTOMER_COUNT=20, scenario customers 21..29), runs
#   inspector --cli URL --method tools/list --format json
# and then --method tools/call --tool-name NAME --tool-args-json '{...}' for
# each of the 20 tools with valid arguments (the write tools on scenario
# customers), and stops the server. test/peers/inspector-check.mjs then checks
# the captured outputs: tools/list lists exactly the 20 tools, and every call
# exits 0 with text content, no isError, and a structuredContent valid against
# the tool's outputSchema (JSON Schema 2020-12, ajv). It prints one line per
# check and "inspector: N passed, M failed"; the script exits non-zero on any
# failure. Outputs and server logs go to a temporary directory (INSPECTOR_OUT
# to choose it), kept when a run fails.
set -euo pipefail

# The shared helpers (lib_*); script_name prefixes their messages.
script_name=inspector
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_setup "$@"

cli="$root/test/peers/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
check="$root/test/peers/inspector-check.mjs"
eras="${INSPECTOR_ERAS:-legacy modern}"
call_timeout="${INSPECTOR_CALL_TIMEOUT:-60}" # seconds, per CLI run
health_timeout="${INSPECTOR_HEALTH_TIMEOUT:-30}" # seconds
customers=20
scenario() { echo $((customers + $1)); } # scenario N's customer and subscription id

[[ -f "$cli" ]] || { echo "inspector: $cli is missing (scripts/peers.sh --force)" >&2; exit 1; }

# Outputs and logs go to $work: removed after a run that passed, unless
# INSPECTOR_OUT chose it.
lib_workdir "${INSPECTOR_OUT:-}" "outputs and logs in"
# The Inspector keeps a catalog and client storage under $HOME: give it one of
# its own so that nothing outside $work is written.
mkdir -p "$work/home"

# start_server NAME: serves BINARY with a fresh data directory; sets base and
# token.
start_server() {
	local name="$1"
	lib_port
	TROUBLESHOOT_STEP=10ms SEED_CUSTOMER_COUNT=$customers lib_serve "$work/server-$name.log" "$work/data-$name"
	# The server runs in its default, secure mode: every call carries a
	# development token with every role.
	token="$(lib_dev_token "$work/data-$name")"
	echo "inspector: server $server_pid healthy on $base ($name era)"
}

# inspect OUT ERA ARGS...: runs the Inspector CLI against the server; its
# stdout goes to OUT.json, stderr to OUT.err, exit code to OUT.rc, duration
# in ms to OUT.ms. Never fails: the check script judges the outputs.
inspect() {
	local out="$1" era="$2" rc=0 t0=$EPOCHREALTIME
	shift 2
	HOME="$work/home" timeout "$call_timeout" "$node" "$cli" --cli "$base/mcp" --protocol-era "$era" \
		--header "Authorization: Bearer $token" --format json "$@" >"$out.json" 2>"$out.err" </dev/null || rc=$?
	echo "$rc" >"$out.rc"
	lib_elapsed_ms "$t0" >"$out.ms"
	((++calls))
}

# call ERA NAME ARGS_JSON: tools/call NAME with ARGS_JSON.
call() {
	local era="$1" name="$2" args="$3" out="$work/$1/$2"
	printf '%s\n' "$args" >"$out.args.json"
	inspect "$out" "$era" --method tools/call --tool-name "$name" --tool-args-json "$args"
}

# field ERA NAME PATH: a value of NAME's structuredContent (PATH such as
# invoices.0.invoice_id), or nothing when the call or the path failed.
field() {
	"$node" -e '
		const fs = require("fs");
		try {
			let v = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).result.structuredContent;
			for (const k of process.argv[2].split(".")) v = v[k];
			if (v !== undefined && v !== null) console.log(String(v));
		} catch {}' "$work/$1/$2.json" "$3"
}

# not_called ERA NAME WHY: records that NAME could not be called.
not_called() {
	local out="$work/$1/$2"
	printf '%s\n' "$3" >"$out.err"
	echo 99 >"$out.rc"
	: >"$out.json"
	echo 0 >"$out.ms"
	echo "inspector: $2 ($1): not called: $3" >&2
}

run_era() {
	local era="$1" d invoice today start
	d="$work/$era"
	rm -rf "$d"
	mkdir -p "$d"
	start_server "$era"
	local t0=$EPOCHREALTIME

	inspect "$d/tools-list" "$era" --method tools/list

	# Read tools, on scenario data.
	call "$era" get_all_customers '{}'
	call "$era" get_customer_detail "{\"customer_id\": $(scenario 1)}"
	call "$era" get_subscription_detail "{\"subscription_id\": $(scenario 1)}"
	invoice="$(field "$era" get_subscription_detail invoices.0.invoice_id)"
	if [[ "$invoice" =~ ^[0-9]+$ ]]; then
		call "$era" get_invoice_payments "{\"invoice_id\": $invoice}"
	else
		not_called "$era" get_invoice_payments "no newest invoice in get_subscription_detail's output"
	fi
	call "$era" get_promotions '{}'
	today="$(field "$era" get_promotions today)"
	if [[ "$today" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
		start="$(date -u -d "$today -30 days" +%F)"
		call "$era" get_data_usage "{\"subscription_id\": $(scenario 1), \"start_date\": \"$start\", \"end_date\": \"$today\"}"
	else
		not_called "$era" get_data_usage "no date in get_promotions' today"
	fi
	call "$era" get_eligible_promotions "{\"customer_id\": $(scenario 5)}"
	call "$era" search_knowledge_base '{"query": "data overage", "topk": 3}'
	call "$era" get_security_logs "{\"customer_id\": $(scenario 4)}"
	call "$era" get_customer_orders "{\"customer_id\": $(scenario 6)}"
	call "$era" get_support_tickets "{\"customer_id\": $(scenario 7), \"open_only\": true}"
	call "$era" get_products '{}'
	call "$era" get_product_detail '{"product_id": 1}'
	call "$era" get_billing_summary "{\"customer_id\": $(scenario 8)}"

	# Write tools.
	if [[ "$invoice" =~ ^[0-9]+$ ]]; then
		call "$era" pay_invoice "{\"invoice_id\": $invoice, \"amount\": 1.25, \"method\": \"credit_card\", \"idempotency_key\": \"inspector-$era-$$\"}"
	else
		not_called "$era" pay_invoice "no newest invoice in get_subscription_detail's output"
	fi
	call "$era" create_support_ticket "{\"customer_id\": $(scenario 1), \"subscription_id\": $(scenario 1), \"category\": \"billing\", \"priority\": \"normal\", \"subject\": \"Question about overage charges\", \"description\": \"Customer asks about the overage charges on the last invoice (inspector check).\"}"
	call "$era" update_subscription "{\"subscription_id\": $(scenario 3), \"roaming_enabled\": true}"
	call "$era" unlock_account "{\"customer_id\": $(scenario 4)}"
	call "$era" trouble_shoot_device '{"device_name": "router-1", "detail": "no internet"}'
	call "$era" rerate_usage "{\"start_date\": \"$start\", \"end_date\": \"$today\", \"dry_run\": true}"

	local ms
	ms="$(lib_elapsed_ms "$t0")"
	total_ms=$((total_ms + ms))
	echo "inspector: $era era: 21 Inspector CLI runs in $(lib_seconds "$ms")s"
	if ! kill -0 "$server_pid" 2>/dev/null; then
		echo "inspector: the server died during the $era run; its log:" >&2
		cat "$work/server-$era.log" >&2
		server_died=1
	fi
	lib_stop_server
}

calls=0
total_ms=0
server_died=0
t_all=$EPOCHREALTIME
for era in $eras; do
	run_era "$era"
done

echo
rc=0
# shellcheck disable=SC2086 # eras is a list
"$node" "$check" "$work" $eras || rc=$?
echo "inspector: $calls Inspector CLI runs took $(lib_seconds "$total_ms")s ($((total_ms / (calls > 0 ? calls : 1))) ms each on average); $(lib_elapsed "$t_all")s in all"
if ((server_died)); then
	((rc != 0)) || rc=1
fi
exit "$rc"
