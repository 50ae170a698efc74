package mcpserver

import (
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The two protocol eras share one URL. The go-sdk serves each with its own
// Streamable HTTP handler: a stateful one for 2025-11-25 and older
// (initialize, Mcp-Session-Id, GET stream, DELETE) and a stateless one for
// 2026-07-28 (every POST stands alone). The router picks one per request, in
// this order, first match wins (docs/ARCHITECTURE.md says which orders
// fail):
//  1. an MCP-Protocol-Version header naming a session-era version: stateful;
//     any other value (2026-07-28, unknown, future): stateless, which answers
//     unknown versions itself;
//  2. an Mcp-Session-Id header: stateful;
//  3. GET or DELETE: stateful;
//  4. a POST with neither header: the body decides (the guard has read it);
//     a request whose _meta names a protocol version is of the new era
//     (stateless), anything else (initialize, old clients) stateful.
type eraRouter struct {
	stateful, stateless http.Handler
	sessions            *sessionTable // the fast path's (nil: off)
}

var sessionEra = map[string]bool{"2024-11-05": true, "2025-03-26": true, "2025-06-18": true, "2025-11-25": true}

func newEraRouter(getServer, getSessionServer func(*http.Request) *mcp.Server, cfg *Config, sessionTimeout time.Duration, sessions *sessionTable) *eraRouter {
	return &eraRouter{
		sessions: sessions,
		stateful: mcp.NewStreamableHTTPHandler(getSessionServer, &mcp.StreamableHTTPOptions{
			SessionTimeout:      sessionTimeout,
			MaxRequestBodyBytes: cfg.MaxBodyBytes,
			Logger:              cfg.Logger,
		}),
		stateless: mcp.NewStreamableHTTPHandler(getServer, &mcp.StreamableHTTPOptions{
			Stateless:                    true,
			MaxRequestBodyBytes:          cfg.MaxBodyBytes,
			PropagateRequestCancellation: true,
			Logger:                       cfg.Logger,
		}),
	}
}

func (e *eraRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if v := r.Header.Get("Mcp-Protocol-Version"); v != "" {
		if sessionEra[v] {
			e.serveStateful(w, r)
		} else {
			e.stateless.ServeHTTP(w, r)
		}
		return
	}
	if r.Header.Get("Mcp-Session-Id") != "" || r.Method != http.MethodPost {
		e.serveStateful(w, r)
		return
	}
	if in, _ := r.Context().Value(inspectedKey{}).(*inspected); in != nil && in.NewEra {
		e.stateless.ServeHTTP(w, r)
		return
	}
	e.stateful.ServeHTTP(w, r)
}

// serveStateful hands a session-era request to the SDK, keeping the fast
// path's session table (sessions.go) in step: a request the SDK saw
// refreshes the session; a DELETE by its owner ends it. (The guard has
// offered the request to the fast path already.)
func (e *eraRouter) serveStateful(w http.ResponseWriter, r *http.Request) {
	if e.sessions == nil {
		e.stateful.ServeHTTP(w, r)
		return
	}
	r.Header = slimHeaders(r.Header) // see sessions.go
	id := r.Header.Get("Mcp-Session-Id")
	e.stateful.ServeHTTP(w, r)
	if id == "" {
		return
	}
	if r.Method == http.MethodDelete {
		if p := PrincipalFrom(r.Context()); p != nil {
			e.sessions.closed(id, p.Key())
		}
		return
	}
	e.sessions.sawSDK(id)
}
