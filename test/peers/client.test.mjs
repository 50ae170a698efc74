// A TypeScript SDK client (@modelcontextprotocol/sdk, Client +
// StreamableHTTPClientTransport) against a running contoso-mcp: it connects,
// lists the tools, calls every one of the 20 with valid arguments on the seeded
// scenario data and validates each structuredContent against the tool's
// outputSchema with a JSON Schema 2020-12 validator, then checks that bad
// arguments are tool errors that name the problem.
//
//   CONTOSO_MCP_URL=http://127.0.0.1:PORT/mcp node --test test/peers/client.test.mjs
//
// CONTOSO_SCENARIO_BASE is the server's SEED_CUSTOMER_COUNT (default 20): the
// nine scenario customers are BASE+1..BASE+9, each with the subscription of the
// same id. The server must be freshly seeded: the write tools change its data
// (unlock_account, for one, can only succeed once). scripts/ts-client.sh runs
// this file against a server of its own.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { EXPECTED_TOOLS, compileOutputSchemas, schemaErrors } from "./schema-validator.mjs";

const url = process.env.CONTOSO_MCP_URL;
if (!url) {
	throw new Error("CONTOSO_MCP_URL is not set (for example http://127.0.0.1:8000/mcp)");
}
const base = Number(process.env.CONTOSO_SCENARIO_BASE ?? "20");
// scenario(n): the customer (and subscription) id of scenario n, 1..9.
const scenario = (n) => base + n;

const TIMEOUT = 30_000; // per test, in ms

let client;
let transport;
let tools = [];
let validators = new Map();
const called = new Set(); // tools called successfully and validated

before(async () => {
	client = new Client({ name: "contoso-ts-client-test", version: "1.0.0" });
	const token = process.env.CONTOSO_MCP_TOKEN;
	transport = new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : undefined);
	await client.connect(transport);
});

after(async () => {
	await client?.close();
});

function texts(result) {
	return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text);
}

// callOk calls a tool that must succeed: no isError, non-empty text content,
// and structuredContent valid against the tool's outputSchema. It returns the
// structuredContent.
async function callOk(name, args) {
	const result = await client.callTool({ name, arguments: args });
	const text = texts(result).join("\n");
	assert.ok(result.isError === undefined || result.isError === false, `${name}(${JSON.stringify(args)}) set isError=${result.isError}: ${text}`);
	assert.ok(text.trim().length > 0, `${name}: no text content in ${JSON.stringify(result.content)}`);
	const sc = result.structuredContent;
	assert.ok(sc !== null && typeof sc === "object" && !Array.isArray(sc), `${name}: structuredContent is not an object: ${JSON.stringify(sc)}`);
	const validate = validators.get(name);
	assert.ok(validate, `${name}: no compiled outputSchema (was tools/list checked?)`);
	const errors = schemaErrors(validate, sc);
	assert.equal(errors, "", `${name}: structuredContent does not match its outputSchema:\n${errors}\n${JSON.stringify(sc).slice(0, 2000)}`);
	called.add(name);
	return sc;
}

// callErr calls a tool that must fail as a tool error (isError: true) whose
// text matches every pattern. It returns the text.
async function callErr(name, args, ...patterns) {
	const result = await client.callTool({ name, arguments: args });
	const text = texts(result).join("\n");
	assert.equal(result.isError, true, `${name}(${JSON.stringify(args)}) should be a tool error; got ${JSON.stringify(result).slice(0, 1000)}`);
	assert.ok(text.trim().length > 0, `${name}: tool error without a message`);
	for (const p of patterns) {
		assert.match(text, p, `${name}(${JSON.stringify(args)}): the error message does not name the problem`);
	}
	return text;
}

// today is the server's as-of date, as it reports it.
async function today() {
	const sc = await callOk("get_promotions", {});
	assert.match(sc.today, /^\d{4}-\d{2}-\d{2}$/);
	return sc.today;
}

function addDays(date, days) {
	const d = new Date(`${date}T00:00:00Z`);
	d.setUTCDate(d.getUTCDate() + days);
	return d.toISOString().slice(0, 10);
}

const cents = (x) => Math.round(x * 100);

// ---- connection and tools/list ----

test("connects and reports the negotiated protocol", { timeout: TIMEOUT }, (t) => {
	const version = transport.protocolVersion;
	const session = transport.sessionId;
	const server = client.getServerVersion();
	t.diagnostic(`negotiated protocol ${version ?? "(none)"}; session id ${session ? "set (" + session.length + " chars)" : "not set"}; server ${server?.name} ${server?.version}`);
	assert.ok(version, "the transport holds no negotiated protocol version");
	assert.ok(server?.name, "the server sent no serverInfo");
	assert.ok(client.getServerCapabilities()?.tools, "the server does not advertise the tools capability");
});

test("tools/list returns exactly the 20 tools, each with a compilable outputSchema", { timeout: TIMEOUT }, async () => {
	const listed = [];
	let cursor;
	do {
		const page = await client.listTools(cursor ? { cursor } : {});
		listed.push(...page.tools);
		cursor = page.nextCursor;
	} while (cursor);
	tools = listed;
	assert.deepEqual(tools.map((t) => t.name).sort(), EXPECTED_TOOLS);
	validators = compileOutputSchemas(tools);
	for (const t of tools) {
		assert.equal(t.inputSchema?.type, "object", `${t.name}: inputSchema.type`);
		assert.ok(t.description, `${t.name}: no description`);
	}
});

// ---- read tools, on scenario data ----

test("get_all_customers", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_all_customers", {});
	assert.equal(sc.count, sc.customers.length);
	assert.equal(sc.count, base + 9);
	const john = sc.customers.find((c) => c.customer_id === scenario(1));
	assert.equal(`${john?.first_name} ${john?.last_name}`, "John Doe");
});

test("get_customer_detail", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_customer_detail", { customer_id: scenario(1) });
	assert.equal(sc.customer.customer_id, scenario(1));
	assert.equal(sc.customer.first_name, "John");
	assert.deepEqual(sc.subscriptions.map((s) => s.subscription_id), [scenario(1)]);
});

test("get_subscription_detail", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_subscription_detail", { subscription_id: scenario(1) });
	assert.equal(sc.subscription.customer_id, scenario(1));
	assert.ok(sc.invoices.length >= 2, "scenario 1 has two invoices");
	const dates = sc.invoices.map((i) => i.invoice_date);
	assert.deepEqual(dates, [...dates].sort().reverse(), "invoices newest first");
	assert.equal(cents(sc.invoices[0].outstanding), 10000, "the $150 overage bill with $50 paid owes $100");
});

test("get_invoice_payments", { timeout: TIMEOUT }, async () => {
	const detail = await callOk("get_subscription_detail", { subscription_id: scenario(1) });
	const newest = detail.invoices[0];
	const sc = await callOk("get_invoice_payments", { invoice_id: newest.invoice_id });
	assert.equal(sc.invoice.invoice_id, newest.invoice_id);
	assert.equal(cents(sc.outstanding), cents(newest.outstanding));
	assert.ok(sc.payments.length >= 1);
});

test("get_data_usage", { timeout: TIMEOUT }, async () => {
	const end = await today();
	const start = addDays(end, -30);
	const sc = await callOk("get_data_usage", { subscription_id: scenario(1), start_date: start, end_date: end });
	assert.equal(sc.subscription_id, scenario(1));
	assert.equal(sc.totals.days, 28, "scenario 1 has 28 days of usage");
	assert.equal(sc.totals.data_used_mb, 23 * 1024);
	assert.ok(sc.over_cap_gb > 0, "23 GB against a 10 GB cap is over the cap");
	assert.equal(sc.daily.length, 28);
	const agg = await callOk("get_data_usage", { subscription_id: scenario(1), start_date: start, end_date: end, aggregate: true });
	assert.ok(agg.daily === undefined || agg.daily === null || agg.daily.length === 0, "aggregate leaves out the daily rows");
	assert.deepEqual(agg.totals, sc.totals);
});

test("get_promotions", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_promotions", {});
	assert.ok(sc.promotions.length >= 2);
});

test("get_eligible_promotions", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_eligible_promotions", { customer_id: scenario(5) });
	assert.equal(sc.customer_id, scenario(5));
	assert.ok((sc.eligible?.length ?? 0) + (sc.ineligible?.length ?? 0) >= 1);
});

test("search_knowledge_base", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("search_knowledge_base", { query: "data overage", topk: 3 });
	assert.ok(sc.results.length >= 1 && sc.results.length <= 3);
});

test("get_security_logs", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_security_logs", { customer_id: scenario(4) });
	assert.equal(sc.locked, true, "scenario 4's account is locked");
	assert.equal(sc.events[0].event_type, "account_locked", "newest first");
});

test("get_customer_orders", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_customer_orders", { customer_id: scenario(6) });
	assert.equal(sc.orders.length, 1);
	assert.equal(sc.orders[0].order_status, "returned");
});

test("get_support_tickets", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_support_tickets", { customer_id: scenario(7), open_only: true });
	assert.equal(sc.tickets.length, 1);
	assert.equal(sc.tickets[0].category, "call_drop");
});

test("get_products", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_products", {});
	assert.deepEqual(sc.products.map((p) => p.product_id).sort(), [1, 2, 3, 4]);
	const mobile = await callOk("get_products", { category: "mobile" });
	assert.ok(mobile.products.length >= 1 && mobile.products.every((p) => p.category === "mobile"));
});

test("get_product_detail", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_product_detail", { product_id: 1 });
	assert.equal(sc.product.product_id, 1);
});

test("get_billing_summary", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("get_billing_summary", { customer_id: scenario(8) });
	assert.equal(sc.customer_id, scenario(8));
	assert.equal(cents(sc.total_outstanding), 9550, "scenario 8 owes $95.50");
	assert.equal(sc.subscriptions[0].overdue_invoices.length, 1);
});

// ---- write tools ----

test("pay_invoice (and a retry with the same idempotency key)", { timeout: TIMEOUT }, async () => {
	const detail = await callOk("get_subscription_detail", { subscription_id: scenario(1) });
	const invoice = detail.invoices[0];
	const key = `ts-client-${process.pid}-${Date.now()}`;
	const args = { invoice_id: invoice.invoice_id, amount: 1.25, method: "credit_card", idempotency_key: key };
	const sc = await callOk("pay_invoice", args);
	assert.equal(sc.payment.invoice_id, invoice.invoice_id);
	assert.equal(cents(sc.payment.amount), 125);
	assert.equal(cents(sc.outstanding_before), cents(invoice.outstanding));
	assert.equal(cents(sc.outstanding_after), cents(invoice.outstanding) - 125);
	assert.equal(sc.replayed, false);
	const again = await callOk("pay_invoice", args);
	assert.equal(again.replayed, true);
	assert.equal(again.payment.payment_id, sc.payment.payment_id);
	const after = await callOk("get_invoice_payments", { invoice_id: invoice.invoice_id });
	assert.equal(cents(after.outstanding), cents(invoice.outstanding) - 125, "the retry recorded nothing new");
});

test("create_support_ticket", { timeout: TIMEOUT }, async () => {
	const args = {
		customer_id: scenario(1),
		subscription_id: scenario(1),
		category: "billing",
		priority: "normal",
		subject: "Question about overage charges",
		description: "Customer asks why the last invoice has overage charges; explained the data cap. (ts-client test)",
	};
	const sc = await callOk("create_support_ticket", args);
	assert.equal(sc.ticket.customer_id, scenario(1));
	assert.equal(sc.ticket.subject, args.subject);
	assert.equal(sc.ticket.status, "open");
	const list = await callOk("get_support_tickets", { customer_id: scenario(1) });
	assert.ok(list.tickets.some((t) => t.ticket_id === sc.ticket.ticket_id), "the new ticket is listed");
});

test("update_subscription", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("update_subscription", { subscription_id: scenario(3), roaming_enabled: true });
	assert.equal(sc.subscription.subscription_id, scenario(3));
	assert.equal(sc.subscription.roaming_enabled, true);
	assert.ok(sc.changed.includes("roaming_enabled"), `changed: ${JSON.stringify(sc.changed)}`);
});

test("unlock_account", { timeout: TIMEOUT }, async () => {
	const sc = await callOk("unlock_account", { customer_id: scenario(4) });
	assert.equal(sc.customer_id, scenario(4));
	assert.equal(sc.locked, false);
	assert.equal(sc.event.event_type, "account_unlocked");
	const logs = await callOk("get_security_logs", { customer_id: scenario(4) });
	assert.equal(logs.locked, false);
});

test("trouble_shoot_device reports progress step by step", { timeout: TIMEOUT }, async () => {
	const seen = [];
	const result = await client.callTool(
		{ name: "trouble_shoot_device", arguments: { device_name: "router-1", detail: "no internet" } },
		undefined,
		{ onprogress: (p) => seen.push({ at: Date.now(), progress: p.progress, message: p.message }), timeout: TIMEOUT },
	);
	const done = Date.now();
	assert.ok(!result.isError, texts(result).join("\n"));
	const errs = schemaErrors(validators.get("trouble_shoot_device"), result.structuredContent);
	assert.equal(errs, "", errs);
	called.add("trouble_shoot_device");
	assert.deepEqual(seen.map((e) => e.progress), [0, 10, 20, 30, 40, 55, 70, 85, 95, 100]);
	assert.match(seen[6].message, /management agent/);
	// Streamed as it happens: the first step arrived well before the result
	// (the server's step is TROUBLESHOOT_STEP, 100 ms in this run).
	assert.ok(done - seen[1].at >= 400, `first step only ${done - seen[1].at} ms before the result`);
	assert.equal(result.structuredContent.steps.length, 9);
});

test("rerate_usage dry run", { timeout: TIMEOUT }, async () => {
	const end = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
	const start = new Date(Date.now() - 29 * 86400000).toISOString().slice(0, 10);
	const sc = await callOk("rerate_usage", { start_date: start, end_date: end, dry_run: true, batch_size: 10 });
	assert.equal(sc.dry_run, true);
	assert.equal(sc.batches_done, sc.batches_total);
	assert.ok(sc.over_cap >= 1, `over_cap ${sc.over_cap}: scenario 1 is over its 10 GB cap`);
});

test("every tool was called and validated", () => {
	assert.deepEqual([...called].sort(), EXPECTED_TOOLS);
});

// ---- bad arguments: tool errors that name the problem ----

test("get_customer_detail of a customer that does not exist", { timeout: TIMEOUT }, async () => {
	await callErr("get_customer_detail", { customer_id: 999999 }, /999999/, /not exist|not found|no customer|unknown/i);
});

test("pay_invoice with a negative amount", { timeout: TIMEOUT }, async () => {
	await callErr("pay_invoice", { invoice_id: 1, amount: -5 }, /amount/i);
});

test("pay_invoice of more than is outstanding changes nothing", { timeout: TIMEOUT }, async () => {
	const detail = await callOk("get_subscription_detail", { subscription_id: scenario(1) });
	const invoice = detail.invoices[0];
	await callErr("pay_invoice", { invoice_id: invoice.invoice_id, amount: invoice.outstanding + 1000 }, /outstanding|more than|exceeds|owed/i);
	const after = await callOk("get_invoice_payments", { invoice_id: invoice.invoice_id });
	assert.equal(cents(after.outstanding), cents(invoice.outstanding));
});

test("unlock_account of an account that is not locked", { timeout: TIMEOUT }, async () => {
	await callErr("unlock_account", { customer_id: scenario(1) }, /not locked/i);
});

test("create_support_ticket for another customer's subscription", { timeout: TIMEOUT }, async () => {
	await callErr(
		"create_support_ticket",
		{
			customer_id: scenario(1),
			subscription_id: scenario(2),
			category: "technical",
			priority: "low",
			subject: "wrong subscription",
			description: "should be refused",
		},
		/subscription/i,
	);
});

test("a tool that does not exist is refused", { timeout: TIMEOUT }, async () => {
	// The 2025-11-25 spec makes an unknown tool a JSON-RPC error (-32602);
	// a tool error naming it would also tell the caller what is wrong.
	let result;
	try {
		result = await client.callTool({ name: "no_such_tool", arguments: {} });
	} catch (err) {
		assert.match(String(err.message), /no_such_tool|unknown tool|not found/i);
		return;
	}
	assert.equal(result.isError, true, `an unknown tool succeeded: ${JSON.stringify(result)}`);
	assert.match(texts(result).join("\n"), /no_such_tool/);
});

test("the session can be terminated", { timeout: TIMEOUT }, async (t) => {
	if (!transport.sessionId) {
		t.skip("no session id (stateless)");
		return;
	}
	await transport.terminateSession();
	assert.equal(transport.sessionId, undefined);
});
