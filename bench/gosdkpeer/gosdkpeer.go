// Package gosdkpeer is the bench's official go-sdk peer: a minimal server
// written with github.com/modelcontextprotocol/go-sdk v1.8.0 (the SDK the
// product is built on) as a plain user would write it, with one tool,
// get_customer_detail, registered with the typed generic mcp.AddTool, doing
// the same SQLite read as the product (peerdata) and returning the same text
// and structured content. It serves Streamable HTTP in both protocol eras on
// one URL: the go-sdk needs a stateful handler for 2025-11-25 sessions and a
// stateless one for 2026-07-28, so a few lines route on the
// Mcp-Protocol-Version header. No auth, no logging, no middleware, Go's
// default runtime settings: what it costs per call is the SDK's own cost
// plus the SQL, the floor of anything built on the go-sdk. It is never part
// of the product.
package gosdkpeer

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/contoso/contoso-mcp/bench/peerdata"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// input is get_customer_detail's arguments.
type input struct {
	CustomerID int64 `json:"customer_id" jsonschema:"the customer's id"`
}

// sessionEra is the protocol versions the stateful handler serves.
var sessionEra = map[string]bool{"2024-11-05": true, "2025-03-26": true, "2025-06-18": true, "2025-11-25": true}

// Handler returns the MCP endpoint. Sessions (2025-11-25) expire after 30
// idle minutes, the product's default.
func Handler(db *peerdata.DB) http.Handler {
	s := mcp.NewServer(&mcp.Implementation{Name: "gosdk-peer", Version: "1"}, nil)
	in, err := jsonschema.For[input](nil)
	if err != nil {
		panic(err)
	}
	in.Properties["customer_id"].Minimum = jsonschema.Ptr(1.0)
	mcp.AddTool(s, &mcp.Tool{
		Name:        "get_customer_detail",
		Description: "One customer's profile and their subscriptions.",
		InputSchema: in,
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in input) (*mcp.CallToolResult, peerdata.CustomerDetail, error) {
		d, err := db.CustomerDetail(ctx, in.CustomerID)
		if errors.Is(err, peerdata.ErrNotFound) {
			return nil, d, errors.New("customer not found")
		}
		if err != nil {
			return nil, d, err
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: d.Summary()}}}, d, nil
	})
	server := func(*http.Request) *mcp.Server { return s }
	stateful := mcp.NewStreamableHTTPHandler(server, &mcp.StreamableHTTPOptions{SessionTimeout: 30 * time.Minute})
	stateless := mcp.NewStreamableHTTPHandler(server, &mcp.StreamableHTTPOptions{Stateless: true})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("Mcp-Protocol-Version"); v != "" && !sessionEra[v] {
			stateless.ServeHTTP(w, r)
			return
		}
		stateful.ServeHTTP(w, r)
	})
}
