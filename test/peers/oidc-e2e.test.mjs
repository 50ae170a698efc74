// End to end with an independent OpenID Connect issuer: oauth2-mock-server
// (its library, in this process, see oidc-issuer.mjs) signs the tokens, and a
// contoso-mcp started here with AUTH_MODE=oidc finds its keys through
// discovery and checks them. Every assertion goes over real HTTP, with the
// TypeScript SDK client (@modelcontextprotocol/sdk) and, where headers
// matter, plain fetch.
//
//   CONTOSO_MCP_BINARY=bin/contoso-mcp OIDC_E2E_WORK=/tmp/dir node --test test/peers/oidc-e2e.test.mjs
//
// OIDC_E2E_WORK (a temporary directory when unset) receives the server's data
// directory, its log (server.log) and its pid (server.pid, so that
// scripts/oidc-e2e.sh can stop it if this process is killed). The tests run in
// order and depend on it: the key rotation comes last, because the server
// fetches keys for an unknown kid at most once per interval (5 minutes).
// scripts/oidc-e2e.sh runs this file.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { extractWWWAuthenticateParams, discoverOAuthProtectedResourceMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import { EXPECTED_TOOLS, compileOutputSchemas, schemaErrors } from "./schema-validator.mjs";
import { startIssuer } from "./oidc-issuer.mjs";

const binary = process.env.CONTOSO_MCP_BINARY;
if (!binary) {
	throw new Error("CONTOSO_MCP_BINARY is not set (the path of a built contoso-mcp)");
}
const work = process.env.OIDC_E2E_WORK || fs.mkdtempSync(path.join(os.tmpdir(), "contoso-oidc-e2e."));
const HEALTH_TIMEOUT = Number(process.env.OIDC_E2E_HEALTH_TIMEOUT ?? "30") * 1000; // ms
const TIMEOUT = 30_000; // per test, in ms

const CUSTOMERS = 20; // SEED_CUSTOMER_COUNT: scenario n is customer 20+n
const scenario = (n) => CUSTOMERS + n;
const TENANT_ID = "11111111-1111-1111-1111-111111111111";
const OTHER_TENANT_ID = "22222222-2222-2222-2222-222222222222";
const AUDIENCE = "api://contoso-mcp";
const CLIENT_ID_AUDIENCE = "6a1f3c1e-0000-4000-8000-00000000c0de";
const WRITE_TOOLS = ["create_support_ticket", "pay_invoice", "rerate_usage", "update_subscription"];
const READ_TOOLS = EXPECTED_TOOLS.filter((t) => !WRITE_TOOLS.includes(t) && t !== "unlock_account");

let iss; // the mock issuer
let server; // the contoso-mcp child process
let logPath;
let mcpURL; // http://127.0.0.1:PORT/mcp, where the server listens
let publicBase; // PUBLIC_BASE_URL: http://localhost:PORT, the same server under another name
let validators = new Map();

function freePort() {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.once("error", reject);
		s.listen(0, "127.0.0.1", () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// later(ms): a sleep that does not keep the process alive (for races).
const later = (ms) => new Promise((r) => setTimeout(r, ms).unref());

function serverLog() {
	try {
		return fs.readFileSync(logPath, "utf8");
	} catch {
		return "(no log)";
	}
}

async function waitHealthy(base) {
	const deadline = Date.now() + HEALTH_TIMEOUT;
	for (;;) {
		if (server.exitCode !== null || server.signalCode !== null) {
			throw new Error(`contoso-mcp exited (${server.exitCode ?? server.signalCode}) before it became healthy; its log:\n${serverLog()}`);
		}
		try {
			const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
			await r.body?.cancel();
			if (r.ok) return;
		} catch {
			// not listening yet
		}
		if (Date.now() >= deadline) {
			throw new Error(`${base}/healthz not healthy after ${HEALTH_TIMEOUT / 1000}s; the server's log:\n${serverLog()}`);
		}
		await sleep(200);
	}
}

// stopServer sends SIGTERM to the server, then SIGKILL after 5 s.
async function stopServer() {
	if (!server || server.exitCode !== null || server.signalCode !== null) return;
	const exited = new Promise((r) => server.once("exit", r));
	server.kill("SIGTERM");
	const killed = await Promise.race([exited.then(() => true), later(5000).then(() => false)]);
	if (!killed) {
		server.kill("SIGKILL");
		await Promise.race([exited, later(2000)]);
	}
}

before(async () => {
	iss = await startIssuer();
	assert.match(iss.url, /^http:\/\/localhost:\d+$/, "oauth2-mock-server names its issuer http://localhost:PORT");

	const port = await freePort();
	mcpURL = `http://127.0.0.1:${port}/mcp`;
	publicBase = `http://localhost:${port}`;
	const dataDir = path.join(work, "data");
	fs.rmSync(dataDir, { recursive: true, force: true });
	fs.mkdirSync(dataDir, { recursive: true });
	logPath = path.join(work, "server.log");
	const log = fs.openSync(logPath, "w");
	// A clean environment: nothing of the caller's (AUTH_MODE, DISABLE_AUTH, ...) leaks in.
	const env = {
		PATH: process.env.PATH ?? "/usr/bin:/bin",
		HOME: process.env.HOME ?? work,
		TMPDIR: process.env.TMPDIR ?? os.tmpdir(),
		AUTH_MODE: "oidc",
		OIDC_ISSUER: iss.url,
		MCP_API_AUDIENCE: `${AUDIENCE},${CLIENT_ID_AUDIENCE}`,
		ALLOWED_TENANTS: `${TENANT_ID}=contoso`,
		PUBLIC_BASE_URL: publicBase,
		SEED_CUSTOMER_COUNT: String(CUSTOMERS),
		TROUBLESHOOT_STEP: "10ms",
		LOG_LEVEL: "debug",
	};
	server = spawn(binary, ["serve", "--addr", `127.0.0.1:${port}`, "--data-dir", dataDir], {
		env,
		stdio: ["ignore", log, log],
	});
	fs.closeSync(log);
	fs.writeFileSync(path.join(work, "server.pid"), `${server.pid}\n`);
	// If this process dies without running after(), do not leave the server behind.
	process.once("exit", () => {
		if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
	});
	await waitHealthy(`http://127.0.0.1:${port}`);
});

after(async () => {
	await stopServer();
	await iss?.stop();
});

// ---- helpers ----

// connect(token): an SDK client connected with the token as its bearer
// (requestInit headers; no auth provider).
async function connect(token) {
	const headers = token === undefined ? {} : { Authorization: `Bearer ${token}` };
	const client = new Client({ name: "contoso-oidc-e2e", version: "1.0.0" });
	const transport = new StreamableHTTPClientTransport(new URL(mcpURL), { requestInit: { headers } });
	await client.connect(transport);
	return client;
}

// withClient(token, fn) runs fn(client) and closes the client.
async function withClient(token, fn) {
	const client = await connect(token);
	try {
		return await fn(client);
	} finally {
		await client.close();
	}
}

async function listNames(client) {
	const names = [];
	let cursor;
	do {
		const page = await client.listTools(cursor ? { cursor } : {});
		names.push(...page.tools.map((t) => t.name));
		for (const t of page.tools) {
			if (t.outputSchema) validators = new Map([...validators, ...compileOutputSchemas([t])]);
		}
		cursor = page.nextCursor;
	} while (cursor);
	return names.sort();
}

function texts(result) {
	return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text);
}

// callOk calls a tool that must succeed and returns its structuredContent,
// validated against the tool's outputSchema.
async function callOk(client, name, args) {
	const result = await client.callTool({ name, arguments: args });
	const text = texts(result).join("\n");
	assert.ok(result.isError === undefined || result.isError === false, `${name}(${JSON.stringify(args)}) set isError=${result.isError}: ${text}`);
	const sc = result.structuredContent;
	assert.ok(sc !== null && typeof sc === "object", `${name}: no structuredContent: ${JSON.stringify(result).slice(0, 500)}`);
	const validate = validators.get(name);
	assert.ok(validate, `${name}: no compiled outputSchema (was it listed?)`);
	assert.equal(schemaErrors(validate, sc), "", `${name}: structuredContent does not match its outputSchema`);
	return sc;
}

// rawInitialize POSTs an initialize request with the token (if any) and
// returns {status, auth (the WWW-Authenticate parameters, parsed by the
// SDK), header (the raw WWW-Authenticate), body}.
async function rawInitialize(token) {
	const headers = {
		"Content-Type": "application/json",
		Accept: "application/json, text/event-stream",
	};
	if (token !== undefined) headers.Authorization = `Bearer ${token}`;
	const res = await fetch(mcpURL, {
		method: "POST",
		headers,
		body: JSON.stringify({
			jsonrpc: "2.0",
			id: 1,
			method: "initialize",
			params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
		}),
		signal: AbortSignal.timeout(10_000),
	});
	const body = await res.text();
	return { status: res.status, auth: extractWWWAuthenticateParams(res), header: res.headers.get("www-authenticate"), body };
}

const metadataURL = () => `${publicBase}/.well-known/oauth-protected-resource/mcp`;

// refused(t, token, status, error): the server refuses the token with status
// and a WWW-Authenticate Bearer challenge carrying resource_metadata and
// error (none when error is undefined), on a plain POST and on an SDK connect.
// When the challenge has an error_description, it must match reason: the
// refusal is for the reason the test means, not another. The challenge goes to
// the test's diagnostics.
async function refused(t, token, status, error, reason) {
	const r = await rawInitialize(token);
	t.diagnostic(`HTTP ${r.status} WWW-Authenticate: ${r.header}`);
	const what = `HTTP ${r.status}, WWW-Authenticate: ${r.header}, body: ${r.body.slice(0, 300)}`;
	assert.equal(r.status, status, what);
	assert.match(r.header ?? "", /^Bearer /i, what);
	assert.equal(r.auth.resourceMetadataUrl?.href, metadataURL(), `resource_metadata: ${what}`);
	assert.equal(r.auth.error, error, `error parameter: ${what}`);
	const description = /error_description="([^"]*)"/.exec(r.header ?? "")?.[1];
	if (reason && description !== undefined) {
		assert.match(description, reason, `error_description: ${what}`);
	}
	await assert.rejects(connect(token), (err) => {
		assert.equal(err.code, status, `the SDK client failed otherwise: ${err}`);
		return true;
	});
	return r;
}

// ---- the tests, in order ----

test("(a) no token: 401 with resource_metadata at PUBLIC_BASE_URL's metadata, no error", { timeout: TIMEOUT }, async (t) => {
	await refused(t, undefined, 401, undefined, /token/i);
});

test("(a) the protected-resource metadata names the resource and the mock issuer", { timeout: TIMEOUT }, async () => {
	const res = await fetch(metadataURL(), { signal: AbortSignal.timeout(10_000) });
	const text = await res.text();
	assert.equal(res.status, 200, text);
	const md = JSON.parse(text);
	assert.equal(md.resource, `${publicBase}/mcp`);
	assert.deepEqual(md.authorization_servers, [iss.url]);
	assert.ok(md.bearer_methods_supported?.includes("header"), `bearer_methods_supported: ${JSON.stringify(md.bearer_methods_supported)}`);
	// The SDK finds the same document from the resource URL (RFC 9728 path insertion) and accepts it.
	const found = await discoverOAuthProtectedResourceMetadata(new URL(`${publicBase}/mcp`));
	assert.equal(found.resource, md.resource);
	assert.deepEqual(found.authorization_servers, md.authorization_servers);
	// And the authorization server it names is the mock issuer, by its own discovery.
	const oidc = await (await fetch(`${md.authorization_servers[0]}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) })).json();
	assert.equal(oidc.issuer, iss.url);
});

test("(b) a query-role token lists exactly the 15 read tools (14 data tools and trouble_shoot_device) and calls get_customer_detail", { timeout: TIMEOUT }, async (t) => {
	const token = await iss.mint({ tid: TENANT_ID, roles: ["query"], aud: AUDIENCE });
	await withClient(token, async (client) => {
		t.diagnostic(`negotiated protocol ${client.transport?.protocolVersion ?? "(unknown)"}`);
		const names = await listNames(client);
		assert.equal(READ_TOOLS.length, 15);
		assert.deepEqual(names, READ_TOOLS);
		const sc = await callOk(client, "get_customer_detail", { customer_id: scenario(1) });
		assert.equal(sc.customer.customer_id, scenario(1));
		assert.equal(`${sc.customer.first_name} ${sc.customer.last_name}`, "John Doe");
	});
});

test("(b) a query-role token cannot call unlock_account: refused as an unknown tool is", { timeout: TIMEOUT }, async () => {
	const token = await iss.mint({ tid: TENANT_ID, roles: ["query"], aud: AUDIENCE });
	// outcome: "error CODE MESSAGE" for a JSON-RPC error, "tool error TEXT" otherwise.
	const outcome = async (client, name) => {
		try {
			const r = await client.callTool({ name, arguments: { customer_id: scenario(4) } });
			return r.isError ? `tool error ${texts(r).join("\n")}` : `success ${JSON.stringify(r).slice(0, 300)}`;
		} catch (err) {
			return `error ${err.code} ${err.message}`;
		}
	};
	await withClient(token, async (client) => {
		const hidden = await outcome(client, "unlock_account");
		const unknown = await outcome(client, "no_such_tool");
		assert.doesNotMatch(hidden, /^success/, `a query-role token unlocked an account: ${hidden}`);
		assert.equal(hidden.replaceAll("unlock_account", "NAME"), unknown.replaceAll("no_such_tool", "NAME"));
		const logs = await callOk(client, "get_security_logs", { customer_id: scenario(4) });
		assert.equal(logs.locked, true, "scenario 4 is still locked");
	});
});

test("(c) an admin+security token lists all 20 tools and unlocks scenario 4's account", { timeout: TIMEOUT }, async () => {
	const token = await iss.mint({ tid: TENANT_ID, roles: ["admin", "security"], aud: CLIENT_ID_AUDIENCE });
	await withClient(token, async (client) => {
		assert.deepEqual(await listNames(client), EXPECTED_TOOLS);
		const before = await callOk(client, "get_security_logs", { customer_id: scenario(4) });
		assert.equal(before.locked, true, "scenario 4's account is locked");
		const sc = await callOk(client, "unlock_account", { customer_id: scenario(4) });
		assert.equal(sc.customer_id, scenario(4));
		assert.equal(sc.locked, false);
		assert.equal(sc.event.event_type, "account_unlocked");
		const logs = await callOk(client, "get_security_logs", { customer_id: scenario(4) });
		assert.equal(logs.locked, false);
	});
});

test("(d) a valid token without any of the roles: 403 insufficient_scope", { timeout: TIMEOUT }, async (t) => {
	await refused(t, await iss.mint({ tid: TENANT_ID, roles: [], aud: AUDIENCE }), 403, "insufficient_scope", /role/i);
	await refused(t, await iss.mint({ tid: TENANT_ID, roles: ["reader", "Query"], aud: AUDIENCE }), 403, "insufficient_scope", /role/i);
});

test("(e) a token for another audience: 401 invalid_token", { timeout: TIMEOUT }, async (t) => {
	await refused(t, await iss.mint({ tid: TENANT_ID, roles: ["query"], aud: "api://someone-else" }), 401, "invalid_token", /aud/i);
});

test("(f) a tenant id not in ALLOWED_TENANTS: 401 invalid_token", { timeout: TIMEOUT }, async (t) => {
	await refused(t, await iss.mint({ tid: OTHER_TENANT_ID, roles: ["query"], aud: AUDIENCE }), 401, "invalid_token", /tenant|tid/i);
	// The tenant's name is not its id.
	await refused(t, await iss.mint({ tid: "contoso", roles: ["query"], aud: AUDIENCE }), 401, "invalid_token", /tenant|tid/i);
});

test("(g) an expired token: 401 invalid_token", { timeout: TIMEOUT }, async (t) => {
	const now = Math.floor(Date.now() / 1000);
	const token = await iss.mint({
		tid: TENANT_ID,
		roles: ["query"],
		aud: AUDIENCE,
		expiresIn: -300, // five minutes ago, well past 60 s of leeway
		claims: { iat: now - 1200, nbf: now - 1200 },
	});
	await refused(t, token, 401, "invalid_token", /expir|exp\b/i);
});

test("(h) a token signed by another key under the issuer's kid: 401 invalid_token", { timeout: TIMEOUT }, async (t) => {
	const token = await iss.foreignToken({ tid: TENANT_ID, roles: ["query"], aud: AUDIENCE });
	await refused(t, token, 401, "invalid_token", /signature/i);
	// The issuer's own key still works.
	await withClient(await iss.mint({ tid: TENANT_ID, roles: ["query"], aud: AUDIENCE }), async (client) => {
		assert.deepEqual(await listNames(client), READ_TOOLS);
	});
});

test("(i) key rotation: a token signed with a newly published key is accepted", { timeout: TIMEOUT }, async () => {
	const oldKid = iss.kid;
	const newKid = await iss.rotate();
	assert.notEqual(newKid, oldKid);
	assert.deepEqual(iss.jwks().map((k) => k.kid).sort(), [oldKid, newKid].sort(), "the mock issuer publishes both keys");
	const token = await iss.mint({ tid: TENANT_ID, roles: ["query"], aud: AUDIENCE, kid: newKid });
	let client;
	try {
		client = await connect(token);
	} catch (err) {
		const r = await rawInitialize(token);
		assert.fail(`the new key's token was refused (${err}); a plain POST gets HTTP ${r.status}, WWW-Authenticate: ${r.header}`);
	}
	try {
		assert.deepEqual(await listNames(client), READ_TOOLS);
		const sc = await callOk(client, "get_customer_detail", { customer_id: scenario(1) });
		assert.equal(sc.customer.customer_id, scenario(1));
	} finally {
		await client.close();
	}
	// The old key is still published, so its tokens still work.
	await withClient(await iss.mint({ tid: TENANT_ID, roles: ["query"], aud: AUDIENCE, kid: oldKid }), async (c) => {
		assert.deepEqual(await listNames(c), READ_TOOLS);
	});
});

test("the server is still running", () => {
	assert.equal(server.exitCode, null, `contoso-mcp exited with ${server.exitCode}; its log:\n${serverLog()}`);
	assert.equal(server.signalCode, null);
});
