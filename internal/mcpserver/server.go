// Package mcpserver is the MCP endpoint: the Contoso tools on go-sdk
// servers, one prepared per set of rights so that tools/list shows a caller
// only what it may call, served over Streamable HTTP in both protocol eras on
// one URL (eras.go) behind the guard (guard.go: transport limits, bearer
// token, roles, rate limit), or over stdio. Middleware on every server logs
// each request (method, tool, outcome, duration, request id) and writes the
// audit trail of write and privileged tools.
package mcpserver

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/tools"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/time/rate"
)

// Grants are the rights a principal holds: read tools, write tools,
// unlock_account.
type Grants struct{ Read, Write, Unlock bool }

// allows reports whether the grants cover a tool.
func (g Grants) allows(s tools.Spec) bool {
	switch s.Access {
	case tools.Read:
		return g.Read
	case tools.Write:
		return g.Write
	case tools.Security:
		return g.Unlock
	}
	return false
}

// Config configures the endpoint.
type Config struct {
	// Name and Version identify the server in initialize and server/discover.
	Name, Version string
	Logger        *slog.Logger
	// Stores returns a tenant's store by name; the tenant comes from the
	// verified principal only.
	Stores func(tenant string) (contoso.Store, error)
	// Verifier checks bearer tokens (unused when AuthDisabled).
	Verifier auth.Verifier
	// Grants maps a principal to its rights (the role policy).
	Grants func(*auth.Principal) Grants
	// RoleNames are the role names, for error messages and scope hints.
	RoleNames []string
	// Local is the principal of requests that carry no token: stdio,
	// in-memory clients, and HTTP when AuthDisabled.
	Local *auth.Principal
	// AuthDisabled serves HTTP without token checks, as Local (loopback only).
	AuthDisabled bool
	// ResourceMetadataURL is where the protected-resource metadata lives;
	// Metadata is what it says.
	ResourceMetadataURL string
	Metadata            *oauthex.ProtectedResourceMetadata
	// AllowedOrigins lists the Origin values accepted; empty accepts only
	// loopback origins.
	AllowedOrigins []string
	// RateLimit and RateBurst bound each principal's requests (0: no limit).
	RateLimit rate.Limit
	RateBurst int
	// Now is the clock for the tools (nil: time.Now).
	Now func() time.Time
	// TroubleshootStep is the duration of each step of trouble_shoot_device.
	TroubleshootStep time.Duration
	// SessionTimeout closes 2025-11-25 sessions idle this long (0: 30 minutes).
	SessionTimeout time.Duration
	// MaxBodyBytes bounds request bodies (0: 1 MiB).
	MaxBodyBytes int64
	// ReadBodyTimeout bounds the time a request body may take to arrive
	// (0: 10 s); a slower client gets 408 and the connection closes.
	ReadBodyTimeout time.Duration
	// Configure, when set, adjusts the server options before a server is
	// made (test fixtures use it for completion and subscriptions).
	Configure func(*mcp.ServerOptions)
	// Extend, when set, adds more features to each server after the tools.
	Extend func(*mcp.Server)
	// Tasks tunes the Tasks extension (tasks.go).
	Tasks TaskConfig
	// DisableFastPath sends every request through the go-sdk (fastpath.go).
	// The fast path is also off when Extend is set (it cannot know what
	// Extend added).
	DisableFastPath bool
}

// Service is the built endpoint.
type Service struct {
	cfg      Config
	mu       sync.Mutex
	servers  map[Grants]*mcp.Server
	cache    *mcp.SchemaCache
	handler  http.Handler
	accessOf map[string]tools.Access
	specs    map[string]tools.Spec
	// handlers are the tool handlers of each grants' server, for the fast path.
	handlers map[Grants]map[string]mcp.ToolHandler
	// sessions are the 2025-11-25 sessions the fast path may serve (nil: off).
	sessions *sessionTable
	// lists are the fast path's tools/list answers (fastpath.go).
	lists map[listKey]toolListResult
	tasks *taskRuntime
}

// DefaultReadBodyTimeout is the time a request body may take to arrive.
const DefaultReadBodyTimeout = 10 * time.Second

const instructions = `Tools for Contoso customer support (a telecom: mobile, internet, bundles, roaming).
Find the customer first (get_all_customers, get_customer_detail), then look at the subscription,
invoices, usage, tickets or security events the question is about. Search the knowledge base for the
policy that applies before you recommend an action. Write tools change real records: confirm the
customer's intent and the amounts first.`

// New builds the endpoint. Servers are made lazily, one per set of grants,
// and reused by every request with those grants.
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
	if cfg.ReadBodyTimeout == 0 {
		cfg.ReadBodyTimeout = DefaultReadBodyTimeout
	}
	if cfg.Local == nil {
		cfg.Local = &auth.Principal{Tenant: "contoso", Subject: "local", Roles: []string{"query", "admin", "security"}}
	}
	if cfg.Grants == nil {
		cfg.Grants = func(*auth.Principal) Grants { return Grants{true, true, true} }
	}
	s := &Service{cfg: cfg, servers: map[Grants]*mcp.Server{}, cache: mcp.NewSchemaCache(), accessOf: map[string]tools.Access{},
		specs: map[string]tools.Spec{}, handlers: map[Grants]map[string]mcp.ToolHandler{}, lists: map[listKey]toolListResult{}}
	for _, spec := range tools.Catalog() {
		s.accessOf[spec.Name] = spec.Access
		s.specs[spec.Name] = spec
	}
	s.tasks = newTaskRuntime(&s.cfg, s.principal)
	sdkTimeout := cfg.SessionTimeout
	if !cfg.DisableFastPath && cfg.Extend == nil {
		s.sessions = newSessionTable(cfg.SessionTimeout)
		sdkTimeout = s.sessions.sdkTimeout(cfg.SessionTimeout)
	}
	infos := &tokenInfos{}
	var fast *fastPath
	if s.sessions != nil {
		fast = &fastPath{svc: s, serverMeta: mcp.Meta{mcp.MetaKeyServerInfo: s.implementation()}, infos: infos}
	}
	s.handler = newGuard(&s.cfg, newEraRouter(s.serverFor, &s.cfg, sdkTimeout, s.sessions), fast, infos)
	return s
}

// Handler serves MCP over Streamable HTTP, both protocol eras, behind the guard.
func (s *Service) Handler() http.Handler { return s.handler }

// Logger is the logger the service writes to.
func (s *Service) Logger() *slog.Logger { return s.cfg.Logger }

// Server is the MCP server for the Local principal's grants, for stdio and
// in-memory transports.
func (s *Service) Server() *mcp.Server { return s.server(s.cfg.Grants(s.cfg.Local)) }

// MetadataHandler serves the protected-resource metadata (RFC 9728).
func (s *Service) MetadataHandler() http.Handler {
	return sdkauth.ProtectedResourceMetadataHandler(s.cfg.Metadata)
}

// serverFor picks the server of the request's principal.
func (s *Service) serverFor(r *http.Request) *mcp.Server {
	p := PrincipalFrom(r.Context())
	if p == nil {
		p = s.cfg.Local
	}
	return s.server(s.cfg.Grants(p))
}

func (s *Service) server(g Grants) *mcp.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	if srv := s.servers[g]; srv != nil {
		return srv
	}
	opts := &mcp.ServerOptions{
		Instructions: instructions,
		SchemaCache:  s.cache,
		// Lists differ per caller: they must not be cached across callers.
		SetCacheable: func(_ context.Context, _ mcp.Request, c *mcp.Cacheable) { c.CacheScope = "private" },
	}
	if s.cfg.Configure != nil {
		s.cfg.Configure(opts)
	}
	s.tasks.configure(opts)
	srv := mcp.NewServer(s.implementation(), opts)
	srv.AddReceivingMiddleware(logging(s.cfg.Logger), s.audit())
	if s.sessions != nil {
		srv.AddReceivingMiddleware(s.sessions.track(g))
	}
	s.handlers[g] = tools.Register(srv, tools.Env{Store: s.store, Now: s.cfg.Now, Logger: s.cfg.Logger, TroubleshootStep: s.cfg.TroubleshootStep}, g.allows)
	s.tasks.install(srv, g)
	if s.cfg.Extend != nil {
		s.cfg.Extend(srv)
	}
	s.servers[g] = srv
	return srv
}

func (s *Service) implementation() *mcp.Implementation {
	return &mcp.Implementation{Name: s.cfg.Name, Title: "Contoso customer support", Version: s.cfg.Version}
}

// principal returns the principal of an MCP request: the verified one its
// HTTP request carried, or Local for transports without tokens.
func (s *Service) principal(req mcp.Request) *auth.Principal {
	if extra := req.GetExtra(); extra != nil && extra.TokenInfo != nil {
		if p, ok := extra.TokenInfo.Extra[principalExtra].(*auth.Principal); ok {
			return p
		}
	}
	return s.cfg.Local
}

// store returns the store of the caller's tenant: the verified tenant alone
// decides; no argument or header can name another.
func (s *Service) store(_ context.Context, req *mcp.CallToolRequest) (contoso.Store, error) {
	p := s.principal(req)
	if p == nil || p.Tenant == "" {
		return nil, contoso.Internal(errors.New("request without a principal"), "selecting the tenant")
	}
	return s.cfg.Stores(p.Tenant)
}

// logging is the receiving middleware that times every request and logs its
// method, tool name, duration and outcome, with the HTTP request id when
// there is one, and fast_path=true when the fast path (fastpath.go) served
// it. It never logs arguments or results.
func logging(log *slog.Logger) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			start := time.Now()
			res, err := next(ctx, method, req)
			attrs := make([]slog.Attr, 0, 6)
			attrs = append(attrs, slog.String("mcp_method", method))
			if id := requestID(req); id != "" {
				attrs = append(attrs, slog.String("request_id", id))
			}
			if name := toolName(req); name != "" {
				attrs = append(attrs, slog.String("tool", name))
			}
			attrs = append(attrs, slog.String("outcome", outcome(res, err)), slog.Duration("duration", time.Since(start)))
			if ctx.Value(fastPathKey{}) != nil {
				attrs = append(attrs, slog.Bool("fast_path", true))
			}
			level := slog.LevelInfo
			if method == "notifications/initialized" || method == "ping" {
				level = slog.LevelDebug
			}
			log.LogAttrs(ctx, level, "mcp request", attrs...)
			return res, err
		}
	}
}

// audit records every call of a write or privileged tool, whatever its
// outcome, in the log and in the tenant's audit trail. No arguments.
func (s *Service) audit() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			name := toolName(req)
			if access, ok := s.accessOf[name]; !ok || access == tools.Read || method != "tools/call" {
				return res, err
			}
			p := s.principal(req)
			rec := contoso.AuditRecord{Time: time.Now().UTC().Format(time.RFC3339Nano), Tenant: p.Tenant, Subject: p.Subject,
				Tool: name, Outcome: outcome(res, err), RequestID: requestID(req)}
			s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "audit", slog.String("tenant", rec.Tenant), slog.String("subject", rec.Subject),
				slog.String("tool", rec.Tool), slog.String("outcome", rec.Outcome), slog.String("request_id", rec.RequestID))
			st, serr := s.cfg.Stores(p.Tenant)
			if serr == nil {
				serr = st.RecordAudit(context.WithoutCancel(ctx), rec)
			}
			if serr != nil {
				s.cfg.Logger.ErrorContext(ctx, "audit record not stored", "tool", name, "err", serr)
			}
			return res, err
		}
	}
}

func requestID(req mcp.Request) string {
	if extra := req.GetExtra(); extra != nil && extra.Header != nil {
		return extra.Header.Get("X-Request-Id")
	}
	return ""
}

func toolName(req mcp.Request) string {
	if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && p != nil {
		return p.Name
	}
	return ""
}

func outcome(res mcp.Result, err error) string {
	if err != nil {
		return "error"
	}
	if r, ok := res.(*mcp.CallToolResult); ok && r != nil && r.IsError {
		return "tool_error"
	}
	return "ok"
}
