// Package gateway is the tenant-routing edge in front of contoso-mcp
// backends: the `contoso-mcp gateway` command, and the Azure API Management
// policy (`contoso-mcp apim-policy`) generated from the same configuration.
//
// A request passes, in this order, before any byte of it reaches a backend:
//
//  1. the route: the request path names exactly one route of the
//     configuration (404 otherwise); only POST, GET and DELETE (405);
//  2. transport: no token in the query string in any spelling (400), no
//     MCP header given twice or longer than any valid value (400), an
//     allowed Origin (403);
//  3. the bearer token, verified by the same auth.Verifier serve uses (the
//     tenants it accepts are every tenant of every route): 401 with a
//     WWW-Authenticate that points at the route's own protected-resource
//     metadata (/.well-known/oauth-protected-resource<route path>);
//  4. the tenant: the token's tenant claim must be one of the route's
//     tenants (403 otherwise);
//  5. the body of a POST, read only now: application/json (415), at most
//     MaxBodyBytes (413), within timeouts.read_body (408), parsed by
//     internal/mcpwire exactly as the backend's go-sdk parses it or refused
//     (a member twice or in another case, a second message, a batch: 400),
//     Mcp-Method and Mcp-Name headers that agree with it (400). Any answer
//     given before the body is read closes the connection, so a client
//     cannot hold it by sending its body slowly;
//  6. the limits of the route for the token's tenant: a token bucket and a
//     bound on requests in flight (429 with Retry-After), and tighter ones for
//     a method or tool (the body's method and name, which the Mcp-Method and
//     Mcp-Name headers must equal);
//  7. the replica: a 2025-11-25 session goes to the replica that created it
//     (by Mcp-Session-Id; an unknown or dead one answers 404, which tells the
//     client to start a new session); everything else is balanced round-robin
//     over the replicas that pass their health checks.
//
// Only an allow-list of request headers is forwarded (the MCP headers,
// Authorization, X-Request-Id and a few content headers), so identity
// headers a client sends (X-Forwarded-*, X-MS-CLIENT-PRINCIPAL*, X-User,
// X-Tenant and the like) never reach a backend; the original bearer token
// does, and the backend verifies it again. Server-sent events are flushed to
// the client event by event; a client that goes away cancels the backend
// request.
//
// Replicas are checked actively (GET <backend origin>/readyz every
// Health.Interval) and passively: a replica that refuses a connection is
// taken out at once, and a request that could not be delivered to it is sent
// to another replica (nothing reached the first one, so this is safe even for
// a write). A request that fails after it was delivered is not retried.
package gateway
