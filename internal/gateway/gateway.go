package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/mcpwire"
	"github.com/contoso/contoso-mcp/internal/telemetry"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
)

// Options are what the configuration file does not say.
type Options struct {
	Logger *slog.Logger
	// Verifier checks tokens; nil builds the configuration's (NewVerifier).
	Verifier auth.Verifier
	// Mount, when set, adds handlers to the gateway's mux (the command
	// publishes the development issuer's keys with it).
	Mount func(*http.ServeMux)
	// Warnings are shown by /readyz.
	Warnings []string
}

// Gateway is the built edge. Its Handler serves the routes, their
// protected-resource metadata, /healthz and /readyz.
type Gateway struct {
	cfg       *Config
	log       *slog.Logger
	verifier  auth.Verifier
	routes    []*route
	byPath    map[string]*route
	transport *http.Transport
	checker   *checker
	pins      *pins
	handler   http.Handler
}

type route struct {
	cfg         *Route
	pool        *pool
	limits      map[string]*tenantLimits // by tenant id
	metadataURL string
}

// New builds the gateway, checks every replica once, and keeps checking them
// until ctx ends.
func New(ctx context.Context, cfg *Config, opts Options) (*Gateway, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &Gateway{cfg: cfg, log: log, verifier: opts.Verifier, byPath: map[string]*route{}, pins: newPins(cfg.Sessions.Max, cfg.Sessions.IdleTimeout.D())}
	if g.verifier == nil {
		v, err := cfg.NewVerifier(ctx, log)
		if err != nil {
			return nil, err
		}
		g.verifier = v
	}
	dialer := &net.Dialer{Timeout: cfg.Timeouts.Connect.D(), KeepAlive: 30 * time.Second}
	g.transport = &http.Transport{
		Proxy:               nil, // never send backend traffic through an environment proxy
		DialContext:         dialer.DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: cfg.Timeouts.Connect.D(),
		// Compression would make the transport buffer event streams.
		DisableCompression: true,
	}
	g.checker = &checker{cfg: cfg.Health, log: log, client: &http.Client{
		Transport: &http.Transport{Proxy: nil, DialContext: dialer.DialContext, MaxIdleConnsPerHost: 2, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
	var all []*replica
	for i := range cfg.Routes {
		rc := &cfg.Routes[i]
		rt := &route{cfg: rc, pool: &pool{}, limits: map[string]*tenantLimits{},
			metadataURL: cfg.PublicBaseURL + MetadataPath(rc.Path)}
		for _, t := range rc.Tenants {
			rt.limits[t] = newTenantLimits(rc.Limits)
		}
		for _, b := range rc.Backends {
			u, err := url.Parse(b)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", b, err)
			}
			rep := &replica{route: rc.Path, target: u, raw: b, probe: make(chan struct{}, 1),
				health: (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: cfg.Health.Path}).String()}
			rt.pool.replicas = append(rt.pool.replicas, rep)
			all = append(all, rep)
		}
		g.routes = append(g.routes, rt)
		g.byPath[rc.Path] = rt
	}
	g.checker.start(ctx, all)

	mux := http.NewServeMux()
	for _, rt := range g.routes {
		md := sdkauth.ProtectedResourceMetadataHandler(cfg.Metadata(rt.cfg))
		mux.Handle(MetadataPath(rt.cfg.Path), md)
		mux.Handle(rt.cfg.Path+"/.well-known/oauth-protected-resource", md)
		mux.Handle(rt.cfg.Path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { g.serveRoute(rt, w, r) }))
	}
	if opts.Mount != nil {
		opts.Mount(mux)
	}
	telemetry.HealthHandlers(mux, log, g.Checks(), opts.Warnings)
	g.handler = telemetry.Middleware(log, mux)
	return g, nil
}

// Handler serves every route, the metadata and the health endpoints, with
// request ids and an access log.
func (g *Gateway) Handler() http.Handler { return g.handler }

// Checks are the gateway's readiness: each route has a healthy replica.
func (g *Gateway) Checks() []telemetry.Check {
	var checks []telemetry.Check
	for _, rt := range g.routes {
		checks = append(checks, telemetry.Check{Name: "route:" + rt.cfg.Path, Run: func(context.Context) error {
			if rt.pool.healthy() == 0 {
				return errors.New("no healthy replica")
			}
			return nil
		}})
	}
	return checks
}

// Close drops idle backend connections.
func (g *Gateway) Close() { g.transport.CloseIdleConnections() }

// sessionEra are the protocol versions of the stateful era (the backend's
// era router sends them to its stateful handler).
var sessionEra = map[string]bool{"2024-11-05": true, "2025-03-26": true, "2025-06-18": true, "2025-11-25": true}

func (g *Gateway) serveRoute(rt *route, w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost, http.MethodGet, http.MethodDelete:
	default:
		w.Header().Set("Allow", "POST, GET, DELETE")
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	// A token in the URL ends up in logs and histories: refused whatever
	// else the request carries.
	if mcpwire.TokenInQuery(r.URL.RawQuery) {
		g.challenge(w, r, rt, http.StatusBadRequest, "invalid_request", auth.ReasonTokenInQuery+": send it in the Authorization header")
		return
	}
	// A header that decides routing or limits, given twice, could be read
	// as its first value here and its last behind.
	if problem := mcpwire.HeaderProblem(r.Header); problem != "" {
		mcpwire.DropUnreadBody(w, r)
		writeError(w, http.StatusBadRequest, problem)
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" && !g.originAllowed(origin) {
		mcpwire.DropUnreadBody(w, r)
		writeError(w, http.StatusForbidden, "origin not allowed")
		return
	}
	token, err := auth.BearerToken(r)
	if err != nil {
		reason := "the Authorization header must be: Bearer <token>"
		var ae *auth.Error
		if errors.As(err, &ae) {
			reason = ae.Reason
		}
		g.challenge(w, r, rt, http.StatusUnauthorized, "invalid_request", reason)
		return
	}
	if token == "" {
		g.challenge(w, r, rt, http.StatusUnauthorized, "", "a bearer token is required")
		return
	}
	p, err := g.verifier.Verify(r.Context(), token)
	if err != nil {
		reason := "the token is not valid"
		var ae *auth.Error
		if errors.As(err, &ae) {
			reason = ae.Reason
		} else if r.Context().Err() == nil {
			g.log.ErrorContext(r.Context(), "token verification failed", "err", err)
		}
		g.challenge(w, r, rt, http.StatusUnauthorized, "invalid_token", reason)
		return
	}
	limits := rt.limits[p.TenantID]
	if limits == nil {
		g.log.InfoContext(r.Context(), "tenant refused on route", "route", rt.cfg.Path, "tenant", p.TenantID,
			"request_id", telemetry.RequestID(r.Context()))
		mcpwire.DropUnreadBody(w, r)
		writeError(w, http.StatusForbidden, "this route does not serve the token's tenant")
		return
	}

	var in mcpwire.Message
	var body []byte
	if r.Method == http.MethodPost {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			mcpwire.DropUnreadBody(w, r)
			writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
			return
		}
		// Not pooled: the transport may still read a request body after the
		// response has come back.
		var problem *mcpwire.Problem
		body, problem = mcpwire.ReadBody(w, r, g.cfg.MaxBodyBytes, g.cfg.Timeouts.ReadBody.D())
		if problem != nil {
			if problem.Status == http.StatusRequestTimeout {
				g.log.InfoContext(r.Context(), "request body too slow", "route", rt.cfg.Path, "request_id", telemetry.RequestID(r.Context()))
			}
			problem.Write(w)
			return
		}
		// The body is read exactly as the backend's SDK will read it, or
		// refused: the limits below count what the backend executes.
		m, problem := mcpwire.Parse(body)
		if problem == nil {
			problem = mcpwire.CheckHeaders(r.Header, m)
		}
		if problem != nil {
			problem.Write(w)
			return
		}
		in = *m
	}

	// Limits: requests in flight first (a refusal there takes no token),
	// then the method's bucket (tighter), then the tenant's; a refused
	// request gives back what it took.
	var mq *quota
	label := func() string { return in.Method + " " + in.Name }
	switch r.Method {
	case http.MethodPost:
		mq = limits.forMethod(in.Method, in.Name)
		if !limits.all.enter() {
			tooMany(w, time.Second, "too many requests of this tenant in flight")
			return
		}
		defer limits.all.leave()
		if !mq.enter() {
			tooMany(w, time.Second, "too many "+label()+" calls of this tenant in flight")
			return
		}
		defer mq.leave()
	case http.MethodGet:
		if !limits.streams.enter() {
			tooMany(w, time.Second, "too many open streams of this tenant")
			return
		}
		defer limits.streams.leave()
	}
	now := time.Now()
	wait, methodToken := mq.reserve(now)
	if wait > 0 {
		tooMany(w, wait, "the rate limit of "+label()+" is exceeded for this tenant")
		return
	}
	if wait, _ := limits.all.reserve(now); wait > 0 {
		if methodToken != nil {
			methodToken.CancelAt(now)
		}
		tooMany(w, wait, "the tenant's rate limit on this route is exceeded")
		return
	}

	sid := r.Header.Get("Mcp-Session-Id")
	version := r.Header.Get("Mcp-Protocol-Version")
	if sid != "" && (version == "" || sessionEra[version]) {
		g.servePinned(rt, w, r, p, sid, body)
		return
	}
	if in.Method == "initialize" && g.pins.len() >= g.cfg.Sessions.Max {
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusServiceUnavailable, "too many sessions; use the 2026-07-28 protocol or retry later")
		return
	}
	g.serveBalanced(rt, w, r, p, body)
}

// servePinned sends a request of a 2025-11-25 session to the replica that
// created the session. An unknown session, or one whose replica is gone,
// gets 404: the client then starts a new session.
func (g *Gateway) servePinned(rt *route, w http.ResponseWriter, r *http.Request, p *auth.Principal, sid string, body []byte) {
	s, ok := g.pins.acquire(sid)
	if !ok || s.r.route != rt.cfg.Path {
		if ok {
			g.pins.release(s)
		}
		writeRPCError(w, http.StatusNotFound, -32001, "session not found")
		return
	}
	defer g.pins.release(s)
	if s.owner != p.Key() {
		g.log.WarnContext(r.Context(), "session used by another principal", "route", rt.cfg.Path, "tenant", p.TenantID,
			"request_id", telemetry.RequestID(r.Context()))
		writeError(w, http.StatusForbidden, "the session belongs to another principal")
		return
	}
	if !s.r.up.Load() {
		g.pins.remove(sid)
		writeRPCError(w, http.StatusNotFound, -32001, "session not found: its replica is gone; start a new session")
		return
	}
	resp, cancel, err := g.roundTrip(r, s.r, body)
	if err != nil {
		g.backendFailed(w, r, s.r, err)
		if dialFailed(err) {
			g.pins.remove(sid)
		}
		return
	}
	defer cancel()
	if resp.StatusCode == http.StatusNotFound || (r.Method == http.MethodDelete && resp.StatusCode < 300) {
		g.pins.remove(sid)
	}
	g.relay(w, r, rt, resp)
}

// serveBalanced sends a request round-robin to a healthy replica. A replica
// that refuses the connection is taken out and the next one tried: nothing
// reached the first, so even a write is safe to send again.
func (g *Gateway) serveBalanced(rt *route, w http.ResponseWriter, r *http.Request, p *auth.Principal, body []byte) {
	var tried []*replica
	for {
		rep := rt.pool.pick(tried)
		if rep == nil {
			secs := int(math.Ceil(g.cfg.Health.Interval.D().Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
			writeError(w, http.StatusServiceUnavailable, "no healthy backend for this route; retry later")
			return
		}
		resp, cancel, err := g.roundTrip(r, rep, body)
		if err != nil {
			if dialFailed(err) && r.Context().Err() == nil {
				g.checker.markDown(rep, err.Error())
				tried = append(tried, rep)
				continue
			}
			g.backendFailed(w, r, rep, err)
			return
		}
		defer cancel()
		if sid := resp.Header.Get("Mcp-Session-Id"); sid != "" && r.Header.Get("Mcp-Session-Id") == "" {
			g.pins.add(sid, rep, p.Key())
		}
		g.relay(w, r, rt, resp)
		return
	}
}

// backendFailed answers a request whose backend round trip failed.
func (g *Gateway) backendFailed(w http.ResponseWriter, r *http.Request, rep *replica, err error) {
	if r.Context().Err() != nil {
		return // the client went away; nobody to answer
	}
	var cause *idleError
	if errors.As(err, &cause) {
		g.log.WarnContext(r.Context(), "backend silent too long", "backend", rep.raw, "idle", g.cfg.Timeouts.Idle.D(),
			"request_id", telemetry.RequestID(r.Context()))
		writeError(w, http.StatusGatewayTimeout, "the backend did not answer in time")
		return
	}
	if dialFailed(err) {
		g.checker.markDown(rep, err.Error())
	} else {
		// A connection broke under the request: if the replica died, its
		// other pooled connections are dead too. Dial afresh (a refused
		// dial takes the replica out) and check it now.
		g.transport.CloseIdleConnections()
		requestProbe(rep)
	}
	g.log.WarnContext(r.Context(), "backend request failed", "backend", rep.raw, "err", err,
		"request_id", telemetry.RequestID(r.Context()))
	writeError(w, http.StatusBadGateway, "the backend could not be reached")
}

func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func (g *Gateway) originAllowed(origin string) bool {
	if len(g.cfg.AllowedOrigins) > 0 {
		return slices.Contains(g.cfg.AllowedOrigins, origin)
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return auth.IsLoopbackHost(u.Hostname())
}

// challenge answers with the WWW-Authenticate header of RFC 6750 and RFC
// 9728, pointing at the route's own metadata.
func (g *Gateway) challenge(w http.ResponseWriter, r *http.Request, rt *route, status int, code, description string) {
	params := []string{fmt.Sprintf("resource_metadata=%q", rt.metadataURL)}
	if code != "" {
		params = append(params, fmt.Sprintf("error=%q", code))
	}
	if description != "" {
		params = append(params, fmt.Sprintf("error_description=%q", description))
	}
	w.Header().Set("WWW-Authenticate", "Bearer "+strings.Join(params, ", "))
	mcpwire.DropUnreadBody(w, r) // answered before the body is read
	writeError(w, status, description)
}

func tooMany(w http.ResponseWriter, wait time.Duration, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	writeError(w, http.StatusTooManyRequests, msg)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func writeRPCError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": nil, "error": map[string]any{"code": code, "message": msg}})
}
