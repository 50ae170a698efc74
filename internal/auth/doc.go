// Package auth turns a bearer token into a Principal: who is calling, for
// which tenant, with which roles. It also holds the local development issuer
// and the role policy.
//
// # Modes
//
//   - entra: Microsoft Entra ID access tokens, v1.0 and v2.0 (which one an API
//     receives is its app registration's accessTokenAcceptedVersion). Tenants
//     are tenant ids (lower-case GUIDs). The token's own tid must be an
//     allowed tenant, and the signature is checked against that tenant's key
//     set, which signs both versions (one key cache per allowed tenant,
//     Authority/{tid}/discovery/v2.0/keys). Audiences holds the API's client
//     id (the aud of v2.0 tokens, and of v1.0 tokens asked for by client id)
//     and its Application ID URI (the aud of other v1.0 tokens).
//   - oidc: any OpenID Connect issuer. Its discovery document is read once at
//     start (its issuer must equal Config.OIDCIssuer exactly) and its jwks_uri
//     gives the keys. The tenant and roles claims are configurable; an empty
//     TenantClaim means one tenant (DefaultTenant) for everyone.
//   - dev: the same JWT path as entra and oidc against the static key set of a
//     local issuer whose RSA key lives in the data directory
//     (LoadOrCreateDevIssuer). Every process given the same directory trusts
//     the same issuer.
//   - passthrough: claims are read from an UNVERIFIED token to simulate roles.
//   - disabled: every request, with or without a token, is an anonymous
//     principal holding every role.
//
// passthrough and disabled accept forged identities by design. They are for a
// service listening on loopback only; this package cannot see the listener,
// so the HTTP layer must refuse to start them on any other address. dev is
// loopback-only too: its key sits in the data directory.
//
// # What a JWT must be (entra, oidc, dev)
//
// Checks run in this order; the first failure is the refusal's Reason.
//
//  1. Non-empty, at most MaxTokenBytes, three base64url segments (refused
//     before any JSON is parsed).
//  2. Header: alg exactly "RS256" (none in any spelling, HS*, RS384/512, PS*,
//     ES* refused); none of crit, jku, x5u, jwk, x5c, b64, enc, zip (nothing
//     they name is ever fetched); typ absent, JWT, at+jwt or
//     application/at+jwt (ID tokens and other JWT kinds refused); kid present,
//     a string of 1-256 printable ASCII characters.
//  3. Tenant (from the unverified claims, only to pick the key set): present,
//     a string, and allowed.
//  4. Signature: the key with the token's kid in that tenant's key set (an
//     unknown kid triggers at most one key fetch per UnknownKIDInterval).
//  5. exp required; exp, nbf and iat checked with Leeway (at most 60 s). The
//     lifetime, exp minus the earlier of iat and nbf (minus now when the token
//     has neither), at most MaxTokenLifetime (default 24 h).
//  6. aud: a string that is one of Audiences, or an array holding exactly one
//     value that is. An array with several values is refused even when one of
//     them is ours: a token minted for several resources could be replayed by
//     any of them (confused deputy), and Entra never issues such tokens.
//  7. iss: entra, by the token's ver: "2.0" Authority/{tid}/v2.0, "1.0"
//     https://sts.windows.net/{tid}/ (trailing slash), for the token's own
//     tid (another ver, or the other version's issuer, is refused); oidc
//     OIDCIssuer; dev the dev issuer's identifier. entra also requires the
//     client claim of the version, azp (v2.0) or appid (v1.0): ID tokens
//     carry neither, and one issued to the API's own app registration has
//     the client id as its aud.
//  8. No nonce, at_hash or c_hash claims (ID tokens).
//  9. A subject: oid when present, else sub.
//
// A token without roles verifies; whether it may do anything is the Policy's
// decision (a roles claim that is not an array of strings yields no roles).
//
// # Key caches
//
// Key sets are fetched with FetchTimeout, a MaxKeySetBytes cap, and no
// redirect to another host. A refresh that fails in any way (network,
// status, HTML, oversized body, empty set, no usable RSA signing key) keeps
// the previous keys and is logged. Only RSA keys with use sig (or none), alg
// RS256 (or none) and key_ops including verify (or none), 2048-8192 bits, are
// kept; symmetric and other keys in a set are ignored.
//
// # Verified-token cache
//
// RS256 costs about 32 µs. A verified token is remembered under the SHA-256 of
// its text, until its exp (plus leeway) and at most MaxCacheAge, in a bounded
// cache that evicts the oldest entry. A hit counts only while the key that
// verified the token is still in its key set, so a key removed by a refresh
// stops working for cached tokens too.
package auth
