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
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/mcpwire"
	"github.com/contoso/contoso-mcp/internal/tools"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/time/rate"
)

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
	// Rights maps a principal to its rights (the role policy).
	Rights func(*auth.Principal) contoso.Rights
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
	servers  map[contoso.Rights]*mcp.Server
	cache    *mcp.SchemaCache
	handler  http.Handler
	accessOf map[string]contoso.Rights
	specs    map[string]tools.Spec
	// handlers are the tool handlers of each rights' server, for the fast path.
	handlers map[contoso.Rights]map[string]mcp.ToolHandler
	// sessions are the 2025-11-25 sessions the fast path may serve (nil: off).
	sessions *sessionTable
	// lists are the fast path's tools/list answers (fastpath.go).
	lists map[listKey]toolListResult
	tasks *taskRuntime
	// tools are the Contoso tools this endpoint serves.
	tools *tools.Set
	// auditSlots bounds the audit records written in the background.
	auditSlots chan struct{}
}

// DefaultReadBodyTimeout is the time a request body may take to arrive.
const DefaultReadBodyTimeout = 10 * time.Second

const instructions = `Tools for Contoso customer support (a telecom: mobile, internet, bundles, roaming).
Find the customer first (get_all_customers, get_customer_detail), then look at the subscription,
invoices, usage, tickets or security events the question is about. Search the knowledge base for the
policy that applies before you recommend an action. Write tools change real records: confirm the
customer's intent and the amounts first.`

// New builds the endpoint. Servers are made lazily, one per set of rights,
// and reused by every request with those rights.
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
	if cfg.Rights == nil {
		cfg.Rights = func(*auth.Principal) contoso.Rights { return contoso.AllRights }
	}
	s := &Service{cfg: cfg, servers: map[contoso.Rights]*mcp.Server{}, cache: mcp.NewSchemaCache(), accessOf: map[string]contoso.Rights{},
		specs: map[string]tools.Spec{}, handlers: map[contoso.Rights]map[string]mcp.ToolHandler{}, lists: map[listKey]toolListResult{},
		auditSlots: make(chan struct{}, maxAuditsInFlight), tools: tools.NewSet()}
	for _, spec := range s.tools.Catalog() {
		s.accessOf[spec.Name] = spec.Needs
		s.specs[spec.Name] = spec
	}
	s.tasks = newTaskRuntime(&s.cfg, s.principal, s.tools.Catalog())
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
	s.handler = newGuard(&s.cfg, newEraRouter(s.serverFor, s.sessionServer, &s.cfg, sdkTimeout, s.sessions), fast, infos)
	return s
}

// Handler serves MCP over Streamable HTTP, both protocol eras, behind the guard.
func (s *Service) Handler() http.Handler { return s.handler }

// Logger is the logger the service writes to.
func (s *Service) Logger() *slog.Logger { return s.cfg.Logger }

// Server is the MCP server for the Local principal's rights, for stdio and
// in-memory transports.
func (s *Service) Server() *mcp.Server { return s.server(s.cfg.Rights(s.cfg.Local)) }

// MetadataHandler serves the protected-resource metadata (RFC 9728).
func (s *Service) MetadataHandler() http.Handler {
	return sdkauth.ProtectedResourceMetadataHandler(s.cfg.Metadata)
}

// serverFor picks the server of the request's principal, for a stateless
// request: its tools are the caller's.
func (s *Service) serverFor(r *http.Request) *mcp.Server {
	p := PrincipalFrom(r.Context())
	if p == nil {
		p = s.cfg.Local
	}
	return s.server(s.cfg.Rights(p))
}

// sessionServer is the server of every 2025-11-25 session: it has every
// tool, and the rights middleware shows and runs for each request only
// what that request's own token grants. A session keeps the server it
// started with; a server of the opening token's rights would keep those
// rights for the session's life (a role taken away would still work, a
// role given would not).
func (s *Service) sessionServer(*http.Request) *mcp.Server { return s.server(contoso.AllRights) }

// rights is the receiving middleware that applies the rights of each
// request's own token (not the session's, not the server's): tools/list
// shows only the tools they grant, and a tools/call of a tool they do not
// grant fails exactly as a call of an unknown tool does (same error, same
// path, no store access before the answer), so that a hidden tool cannot
// be told from one that does not exist.
func (s *Service) rights() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		refuse := logging(s.cfg.Logger)(s.auditRefusal()(func(_ context.Context, _ string, req mcp.Request) (mcp.Result, error) {
			return nil, unknownTool(toolName(req))
		}))
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			switch method {
			case "tools/call":
				if spec, ok := s.specs[toolName(req)]; ok && !s.cfg.Rights(s.principal(req)).Covers(spec.Needs) {
					return refuse(ctx, method, req)
				}
			case "tools/list":
				res, err := next(ctx, method, req)
				if list, ok := res.(*mcp.ListToolsResult); ok && err == nil {
					res = s.visible(list, s.cfg.Rights(s.principal(req)))
				}
				return res, err
			}
			return next(ctx, method, req)
		}
	}
}

// unknownTool is the go-sdk's answer to a call of a tool it does not have.
func unknownTool(name string) error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf("unknown tool %q", name)}
}

// visible returns list without the catalog tools g does not grant (list
// itself when it has none).
func (s *Service) visible(list *mcp.ListToolsResult, g contoso.Rights) *mcp.ListToolsResult {
	hidden := func(t *mcp.Tool) bool {
		spec, ok := s.specs[t.Name]
		return ok && !g.Covers(spec.Needs)
	}
	if !slices.ContainsFunc(list.Tools, hidden) {
		return list
	}
	out := *list
	out.Tools = slices.DeleteFunc(slices.Clone(list.Tools), hidden)
	return &out
}

func (s *Service) server(g contoso.Rights) *mcp.Server {
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
		srv.AddReceivingMiddleware(s.sessions.track())
	}
	s.handlers[g] = s.tools.Register(srv, tools.Env{Store: s.store, Now: s.cfg.Now, Logger: s.cfg.Logger, TroubleshootStep: s.cfg.TroubleshootStep}, g)
	s.tasks.install(srv, g)
	if s.cfg.Extend != nil {
		s.cfg.Extend(srv)
	}
	// Outermost, so that nothing runs before it: the rights of the request.
	srv.AddReceivingMiddleware(s.rights())
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
				attrs = append(attrs, slog.String("tool", bounded(name, mcpwire.MaxNameBytes)))
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
			if rec, ok := s.auditRecord(method, req, outcome(res, err)); ok {
				s.storeAudit(ctx, rec)
			}
			return res, err
		}
	}
}

// auditRefusal records a call refused because the caller's rights do not
// grant the tool, after the answer: a refusal must cost what the refusal
// of an unknown tool costs, or the time of the answer would tell that the
// tool exists. At most maxAuditsInFlight records are written in the
// background; past that the caller waits, as for any other audit.
func (s *Service) auditRefusal() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			rec, ok := s.auditRecord(method, req, "refused")
			if !ok {
				return res, err
			}
			select {
			case s.auditSlots <- struct{}{}:
				go func() {
					defer func() { <-s.auditSlots }()
					s.storeAudit(context.WithoutCancel(ctx), rec)
				}()
			default:
				s.storeAudit(ctx, rec)
			}
			return res, err
		}
	}
}

const maxAuditsInFlight = 64

// auditRecord is the audit record of a tools/call of a write or privileged
// tool; false for anything else.
func (s *Service) auditRecord(method string, req mcp.Request, outcome string) (contoso.AuditRecord, bool) {
	name := toolName(req)
	if access, ok := s.accessOf[name]; !ok || access == tools.Read || method != "tools/call" {
		return contoso.AuditRecord{}, false
	}
	p := s.principal(req)
	return contoso.AuditRecord{Time: time.Now().UTC().Format(time.RFC3339Nano), Tenant: p.Tenant, Subject: p.Subject,
		Tool: name, Outcome: outcome, RequestID: requestID(req)}, true
}

// storeAudit logs rec and writes it to its tenant's audit trail.
func (s *Service) storeAudit(ctx context.Context, rec contoso.AuditRecord) {
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "audit", slog.String("tenant", rec.Tenant), slog.String("subject", rec.Subject),
		slog.String("tool", rec.Tool), slog.String("outcome", rec.Outcome), slog.String("request_id", rec.RequestID))
	st, err := s.cfg.Stores(rec.Tenant)
	if err == nil {
		err = st.RecordAudit(context.WithoutCancel(ctx), rec)
	}
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "audit record not stored", "tool", rec.Tool, "err", err)
	}
}

// bounded returns s cut to at most n bytes (on a rune boundary), marked
// when cut: a value the caller chose, such as an unknown tool's name, is
// logged no longer than any valid one (stdio has no guard to refuse it).
func bounded(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
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
