// An independent OpenID Connect issuer for end-to-end token tests:
// oauth2-mock-server's library (OAuth2Server) on loopback, with one RS256 key,
// and a mint() that signs access tokens with whatever claims a test chooses
// (tid, roles, oid, aud, exp, extra header fields) — its CLI cannot add such
// claims. oidc-e2e.test.mjs imports it and runs the issuer in-process.
//
// The issuer serves discovery at ISSUER/.well-known/openid-configuration and
// its keys at ISSUER/jwks. Its issuer URL is http://localhost:PORT even though
// it listens on 127.0.0.1 only (/etc/hosts maps localhost to 127.0.0.1).
//
// Run alone, it starts the issuer, prints its URL, and for every line of JSON
// read on stdin ({"tid": ..., "roles": [...], "aud": ..., "expiresIn": 60,
// "header": {...}, "kid": ...}) prints one token; end of input stops it:
//
//   node test/peers/oidc-issuer.mjs
//   http://localhost:PORT
//   {"tid":"11111111-1111-1111-1111-111111111111","roles":["query"],"aud":"api://contoso-mcp"}
//   eyJ...

import { OAuth2Server, OAuth2Issuer } from "oauth2-mock-server";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

// The claims mint() sets unless told otherwise; undefined in opts removes one.
const MINTED = ["tid", "roles", "aud", "oid", "sub"];

// sign(issuer, opts) builds a token with issuer's key (opts.kid, or its first
// key). opts: tid, roles, aud, oid, sub (a claim given as undefined is left
// out), claims (more claims, set last), header (more header fields; alg is
// always the key's), kid, expiresIn (seconds, may be negative).
async function sign(issuer, kid, opts = {}) {
	const oid = "oid" in opts ? opts.oid : randomUUID();
	const defaults = { sub: oid, oid };
	return issuer.buildToken({
		kid: opts.kid ?? kid,
		expiresIn: opts.expiresIn ?? 600,
		scopesOrTransform: (header, payload) => {
			for (const name of MINTED) {
				const value = name in opts ? opts[name] : defaults[name];
				if (value === undefined) delete payload[name];
				else payload[name] = value;
			}
			Object.assign(payload, opts.claims ?? {});
			Object.assign(header, opts.header ?? {});
		},
	});
}

// startIssuer() starts the mock issuer on a free loopback port and returns
// {url, kid, mint, foreignToken, rotate, jwks, stop}.
export async function startIssuer({ host = "127.0.0.1", port = 0 } = {}) {
	const server = new OAuth2Server();
	const first = await server.issuer.keys.generate("RS256");
	await server.start(port, host);
	const url = server.issuer.url;
	return {
		url,
		kid: first.kid,
		issuer: server.issuer,
		// mint(opts): a token from this issuer, signed with opts.kid or the
		// first key (the store hands keys out round-robin otherwise).
		mint: (opts) => sign(server.issuer, first.kid, opts),
		// foreignToken(opts): a token naming this issuer and the first key's
		// kid, but signed by another RSA key that this issuer never published.
		async foreignToken(opts = {}) {
			const other = new OAuth2Issuer();
			await other.keys.generate("RS256", { kid: opts.kid ?? first.kid });
			other.url = url;
			return sign(other, opts.kid ?? first.kid, opts);
		},
		// rotate(): a new RS256 key, published in the key set at once (the old
		// one stays). Returns its kid.
		async rotate() {
			const key = await server.issuer.keys.generate("RS256");
			return key.kid;
		},
		jwks: () => server.issuer.keys.toJSON(),
		stop: () => (server.listening ? server.stop() : Promise.resolve()),
	};
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
	const iss = await startIssuer();
	console.log(iss.url);
	const lines = createInterface({ input: process.stdin });
	for await (const line of lines) {
		if (!line.trim()) continue;
		try {
			console.log(await iss.mint(JSON.parse(line)));
		} catch (err) {
			console.error(`oidc-issuer: ${err.message}`);
		}
	}
	await iss.stop();
}
