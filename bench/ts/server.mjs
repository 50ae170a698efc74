// The bench's TypeScript SDK peer: one tool, get_customer_detail, doing the
// same SQLite read as the product (the customer, their subscriptions, every
// product; prepared once, better-sqlite3 on the same database file) and
// returning the same text and structured content, over Streamable HTTP with
// node:http. SDK 1.32.2 knows protocol versions up to 2025-11-25 only; one
// URL serves both of its own modes:
//   - sessions (2025-11-25): initialize makes one transport and server per
//     session, kept in a map (the SDK's documented pattern);
//   - stateless (any other POST without a session id): a new server and
//     transport per request (the SDK's documented stateless pattern; a
//     stateless transport cannot be reused).
// Usage: node server.mjs --port PORT --db DATA/contoso.db
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    db: { type: 'string' },
  },
});
if (!['127.0.0.1', '::1', 'localhost'].includes(opts.host)) {
  console.error('--host must be a loopback address');
  process.exit(2);
}

const db = new Database(opts.db, { fileMustExist: true });
db.pragma('busy_timeout = 10000');
db.pragma('query_only = 1');
const getCustomer = db.prepare('SELECT customer_id, first_name, last_name, email, phone, address, loyalty_level FROM customers WHERE customer_id = ?');
const customerSubs = db.prepare('SELECT subscription_id, customer_id, product_id, start_date, end_date, status, roaming_enabled, service_status, speed_tier, data_cap_gb, autopay_enabled FROM subscriptions WHERE customer_id = ? ORDER BY subscription_id');
const products = db.prepare('SELECT product_id, name, description, category, monthly_fee FROM products ORDER BY product_id');

function customerDetail(id) {
  const customer = getCustomer.get(id);
  if (!customer) return null;
  const byId = new Map(products.all().map((p) => [p.product_id, p]));
  const subscriptions = customerSubs.all(id).map((s) => {
    const p = byId.get(s.product_id) ?? {};
    const out = {
      subscription_id: s.subscription_id, customer_id: s.customer_id, product_id: s.product_id,
      start_date: s.start_date, status: s.status, roaming_enabled: s.roaming_enabled === 1,
      service_status: s.service_status, data_cap_gb: s.data_cap_gb, autopay_enabled: s.autopay_enabled === 1,
      product_name: p.name, product_category: p.category,
    };
    if (s.end_date) out.end_date = s.end_date;
    if (s.speed_tier) out.speed_tier = s.speed_tier;
    return out;
  });
  return { customer, subscriptions };
}

function summary(d) {
  const c = d.customer;
  const subs = d.subscriptions.map((s) => `subscription ${s.subscription_id} (${s.product_name}, ${s.status}, service ${s.service_status})`);
  return `Customer ${c.customer_id}: ${c.first_name} ${c.last_name}, ${c.loyalty_level} loyalty. ${subs.length ? subs.join('; ') : 'No subscriptions.'}`;
}

function newServer() {
  const server = new McpServer({ name: 'ts-sdk-peer', version: '1' });
  server.registerTool('get_customer_detail', {
    description: "One customer's profile and their subscriptions.",
    inputSchema: { customer_id: z.number().int().min(1).describe("the customer's id") },
  }, async ({ customer_id }) => {
    const d = customerDetail(customer_id);
    if (!d) return { content: [{ type: 'text', text: 'customer not found' }], isError: true };
    return { content: [{ type: 'text', text: summary(d) }], structuredContent: d };
  });
  return server;
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const sessions = new Map();

// A 2025-11-25 session: initialize makes a transport and a server, kept by
// session id until DELETE or close.
async function handleSession(req, res, body) {
  const sid = req.headers['mcp-session-id'];
  if (sid) {
    const t = sessions.get(sid);
    if (!t) {
      res.writeHead(404).end();
      return;
    }
    await t.handleRequest(req, res, body);
    return;
  }
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => sessions.set(id, transport),
  });
  transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
  await newServer().connect(transport);
  await transport.handleRequest(req, res, body);
}

// Stateless: a new server and transport for this request alone.
async function handleStateless(req, res, body) {
  const server = newServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

// Both on one URL, as the product does: a session id or an initialize goes
// to the sessions, any other POST is served statelessly.
async function handle(req, res) {
  const body = req.method === 'POST' ? await readBody(req) : undefined;
  if (req.headers['mcp-session-id'] || (body && isInitializeRequest(body))) {
    await handleSession(req, res, body);
  } else if (req.method === 'POST') {
    await handleStateless(req, res, body);
  } else {
    res.writeHead(405).end();
  }
}

const http = createServer((req, res) => {
  if (!req.url.startsWith('/mcp')) {
    res.writeHead(404).end();
    return;
  }
  handle(req, res).catch((err) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(500).end();
  });
});
http.keepAliveTimeout = 120_000;
http.listen(Number(opts.port), opts.host, () => {
  console.error(`listening on http://${opts.host}:${http.address().port}/mcp (pid ${process.pid})`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { http.close(); process.exit(0); });
