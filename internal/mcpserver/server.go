// Package mcpserver is the MCP endpoint: one go-sdk server carrying the
// Contoso tools, served over Streamable HTTP in both protocol eras on one URL
// (see eras.go) or over stdio, with the middleware every request passes
// through (request id, structured log, timing, outcome).
package mcpserver

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/tools"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Config configures the endpoint.
type Config struct {
	// Name and Version identify the server in initialize and server/discover.
	Name, Version string
	Logger        *slog.Logger
	// Store returns the store of the tenant a request belongs to.
	Store func(ctx context.Context, req *mcp.CallToolRequest) (contoso.Store, error)
	// Now is the clock for the tools (nil: time.Now).
	Now func() time.Time
	// SessionTimeout closes 2025-11-25 sessions idle this long (0: 30 minutes).
	SessionTimeout time.Duration
	// MaxBodyBytes bounds request bodies (0: 1 MiB).
	MaxBodyBytes int64
	// Configure, when set, adjusts the server options before the server is
	// made (test fixtures use it for completion and subscriptions).
	Configure func(*mcp.ServerOptions)
	// Extend, when set, adds more features to the server after the tools.
	Extend func(*mcp.Server)
}

// Service is the built endpoint.
type Service struct {
	server  *mcp.Server
	handler http.Handler
	logger  *slog.Logger
}

const instructions = `Tools for Contoso customer support (a telecom: mobile, internet, bundles, roaming).
Find the customer first (get_all_customers, get_customer_detail), then look at the subscription,
invoices, usage, tickets or security events the question is about. Search the knowledge base for the
policy that applies before you recommend an action. Write tools change real records: confirm the
customer's intent and the amounts first.`

// New builds the MCP server with every data tool and its HTTP handler.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTimeout == 0 {
		cfg.SessionTimeout = 30 * time.Minute
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	opts := &mcp.ServerOptions{
		Instructions: instructions,
		SchemaCache:  mcp.NewSchemaCache(),
	}
	if cfg.Configure != nil {
		cfg.Configure(opts)
	}
	s := mcp.NewServer(&mcp.Implementation{Name: cfg.Name, Title: "Contoso customer support", Version: cfg.Version}, opts)
	s.AddReceivingMiddleware(logging(cfg.Logger))
	tools.Register(s, tools.Env{Store: cfg.Store, Now: cfg.Now, Logger: cfg.Logger}, nil)
	if cfg.Extend != nil {
		cfg.Extend(s)
	}
	return &Service{server: s, handler: newEraRouter(s, cfg), logger: cfg.Logger}
}

// Handler serves MCP over Streamable HTTP, both protocol eras.
func (s *Service) Handler() http.Handler { return s.handler }

// Logger is the logger the service writes to.
func (s *Service) Logger() *slog.Logger { return s.logger }

// Server is the MCP server, for stdio and in-memory transports.
func (s *Service) Server() *mcp.Server { return s.server }

// logging is the receiving middleware that times every request and logs its
// method, tool name, duration and outcome, with the HTTP request id when
// there is one. It never logs arguments or results.
func logging(log *slog.Logger) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			start := time.Now()
			res, err := next(ctx, method, req)
			attrs := make([]slog.Attr, 0, 6)
			attrs = append(attrs, slog.String("mcp_method", method))
			if extra := req.GetExtra(); extra != nil && extra.Header != nil {
				if id := extra.Header.Get("X-Request-Id"); id != "" {
					attrs = append(attrs, slog.String("request_id", id))
				}
			}
			if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && p != nil {
				attrs = append(attrs, slog.String("tool", p.Name))
			}
			outcome := "ok"
			switch {
			case err != nil:
				outcome = "error"
			case isToolError(res):
				outcome = "tool_error"
			}
			attrs = append(attrs, slog.String("outcome", outcome), slog.Duration("duration", time.Since(start)))
			level := slog.LevelInfo
			if method == "notifications/initialized" || method == "ping" {
				level = slog.LevelDebug
			}
			log.LogAttrs(ctx, level, "mcp request", attrs...)
			return res, err
		}
	}
}

func isToolError(res mcp.Result) bool {
	r, ok := res.(*mcp.CallToolResult)
	return ok && r != nil && r.IsError
}
