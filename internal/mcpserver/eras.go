package mcpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The two protocol eras share one URL. The go-sdk serves each with its own
// Streamable HTTP handler: a stateful one for 2025-11-25 and older
// (initialize, Mcp-Session-Id, GET stream, DELETE) and a stateless one for
// 2026-07-28 (every POST stands alone). The router picks one per request, in
// this order, first match wins (see shared/PROTOCOL-NOTES.md for the orders
// that fail):
//  1. an MCP-Protocol-Version header naming a session-era version: stateful;
//     any other value (2026-07-28, unknown, future): stateless, which answers
//     unknown versions itself;
//  2. an Mcp-Session-Id header: stateful;
//  3. GET or DELETE: stateful;
//  4. a POST with neither header: the body decides; a request whose _meta
//     names a protocol version is of the new era (stateless), anything else
//     (initialize, old clients) stateful.
type eraRouter struct {
	stateful, stateless http.Handler
	maxBody             int64
}

var sessionEra = map[string]bool{"2024-11-05": true, "2025-03-26": true, "2025-06-18": true, "2025-11-25": true}

func newEraRouter(s *mcp.Server, cfg Config) *eraRouter {
	get := func(*http.Request) *mcp.Server { return s }
	return &eraRouter{
		stateful: mcp.NewStreamableHTTPHandler(get, &mcp.StreamableHTTPOptions{
			SessionTimeout:      cfg.SessionTimeout,
			MaxRequestBodyBytes: cfg.MaxBodyBytes,
			Logger:              cfg.Logger,
		}),
		stateless: mcp.NewStreamableHTTPHandler(get, &mcp.StreamableHTTPOptions{
			Stateless:                    true,
			MaxRequestBodyBytes:          cfg.MaxBodyBytes,
			PropagateRequestCancellation: true,
			Logger:                       cfg.Logger,
		}),
		maxBody: cfg.MaxBodyBytes,
	}
}

func (e *eraRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if v := r.Header.Get("Mcp-Protocol-Version"); v != "" {
		if sessionEra[v] {
			e.stateful.ServeHTTP(w, r)
		} else {
			e.stateless.ServeHTTP(w, r)
		}
		return
	}
	if r.Header.Get("Mcp-Session-Id") != "" || r.Method != http.MethodPost {
		e.stateful.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, e.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, fmt.Sprintf("request body exceeds %d bytes", tooLarge.Limit), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if newEra(body) {
		e.stateless.ServeHTTP(w, r)
	} else {
		e.stateful.ServeHTTP(w, r)
	}
}

// newEra reports whether a JSON-RPC message carries the new era's
// per-request protocol version in params._meta.
func newEra(body []byte) bool {
	var msg struct {
		Params struct {
			Meta map[string]json.RawMessage `json:"_meta"`
		} `json:"params"`
	}
	if json.Unmarshal(body, &msg) != nil {
		return false
	}
	_, ok := msg.Params.Meta[mcp.MetaKeyProtocolVersion]
	return ok
}
