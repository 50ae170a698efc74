// Package mcpgopeer is the bench's mark3labs/mcp-go peer: a minimal server
// with one tool, get_customer_detail, doing the same SQLite read as the
// product (peerdata) and returning the same text and structured content,
// served over Streamable HTTP in both protocol eras (mcp-go v1.2 serves
// 2026-07-28 stateless requests and 2025-11-25 sessions on one handler). It
// is never part of the product.
package mcpgopeer

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/contoso/contoso-mcp/bench/peerdata"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Handler returns the MCP endpoint. Sessions (2025-11-25) are kept and
// checked (WithStateful, as the product's go-sdk stateful handler does) and
// expire after 30 idle minutes, the product's default.
func Handler(db *peerdata.DB) http.Handler {
	s := server.NewMCPServer("mcpgo-peer", "1", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("get_customer_detail",
		mcp.WithDescription("One customer's profile and their subscriptions."),
		mcp.WithInteger("customer_id", mcp.Required(), mcp.Min(1), mcp.Description("the customer's id")),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		id, err := req.RequireInt("customer_id")
		if err != nil || id < 1 {
			return mcp.NewToolResultError("customer_id: a positive integer is required"), nil
		}
		d, err := db.CustomerDetail(ctx, int64(id))
		if errors.Is(err, peerdata.ErrNotFound) {
			return mcp.NewToolResultError("customer not found"), nil
		}
		if err != nil {
			return nil, err
		}
		return mcp.NewToolResultStructured(d, d.Summary()), nil
	})
	return server.NewStreamableHTTPServer(s, server.WithStateful(true), server.WithSessionIdleTTL(30*time.Minute))
}
