package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/mcpwire"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/time/rate"
)

// The guard is everything a request passes before the MCP handler, in this
// order (docs/ARCHITECTURE.md, "The way a call travels"):
//
//  1. transport limits: no token in the query string, an allowed Origin, a
//     JSON content type (415), a bounded body (413), no JSON-RPC batch, and
//     Mcp-Method/Mcp-Name headers that agree with the body whatever protocol
//     version the request claims (400, -32020);
//  2. the bearer token: exactly one Authorization header with one Bearer
//     token (scheme case-insensitive), verified; 401 with a WWW-Authenticate
//     that points at the protected-resource metadata, error="invalid_token"
//     when a token was given;
//  3. the roles: a token holding none of the roles gets 403
//     error="insufficient_scope" on every request;
//  4. a per-principal rate limit (429 with Retry-After).
//
// The principal then travels in the request context, and as the go-sdk's
// TokenInfo (whose UserID binds a 2025-11-25 session to the principal that
// opened it: another principal presenting the session id gets 403).
type guard struct {
	cfg     *Config
	next    http.Handler
	limiter *limiter
	// withTokenInfo hands the principal to the go-sdk; see tokenInfo.
	withTokenInfo http.Handler
	// fast, when set, answers the calls it takes before the SDK's layers.
	fast *fastPath
	// infos are the TokenInfos handed to the SDK and the tools.
	infos *tokenInfos
}

type principalKey struct{}

// PrincipalFrom returns the verified principal of an HTTP request's context.
func PrincipalFrom(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(principalKey{}).(*auth.Principal)
	return p
}

// inspectedKey carries what the guard read of a POST body to the era router
// and the fast path (the body is parsed once).
type inspectedKey struct{}

// inspected is the guard's reading of a POST body, made by mcpwire exactly
// as the go-sdk reads it.
type inspected = mcpwire.Message

// newGuard puts the guard in front of next; fast (nil: off) answers the
// calls it takes; infos hands out the TokenInfos.
func newGuard(cfg *Config, next http.Handler, fast *fastPath, infos *tokenInfos) *guard {
	g := &guard{cfg: cfg, next: next, limiter: newLimiter(cfg.RateLimit, cfg.RateBurst), fast: fast, infos: infos}
	// The go-sdk puts TokenInfo into the context only through its own
	// middleware; we have verified already, so its verifier just returns
	// what we found.
	g.withTokenInfo = sdkauth.RequireBearerToken(func(ctx context.Context, _ string, _ *http.Request) (*sdkauth.TokenInfo, error) {
		p := PrincipalFrom(ctx)
		if p == nil {
			return nil, sdkauth.ErrInvalidToken
		}
		return g.infos.get(p), nil
	}, &sdkauth.RequireBearerTokenOptions{AllowMissingExpiration: true})(next)
	return g
}

const principalExtra = "contoso/principal"

func tokenInfo(p *auth.Principal) *sdkauth.TokenInfo {
	return &sdkauth.TokenInfo{UserID: p.Key(), Expiration: p.ExpiresAt, Extra: map[string]any{principalExtra: p}}
}

// tokenInfos hands out one TokenInfo per principal instead of one per
// request: a 2025-11-25 session keeps the last request it read, TokenInfo
// and all, for as long as it lives, so the sessions of one principal now
// share one. A TokenInfo is reused only for an identical principal (same
// identity, roles and expiry); nothing changes a TokenInfo once made.
type tokenInfos struct {
	mu sync.Mutex
	m  map[string]*sdkauth.TokenInfo
}

// maxTokenInfos bounds the cache; past it the cache starts again.
const maxTokenInfos = 10000

func (c *tokenInfos) get(p *auth.Principal) *sdkauth.TokenInfo {
	key := p.Key()
	c.mu.Lock()
	defer c.mu.Unlock()
	if ti := c.m[key]; ti != nil {
		if q, _ := ti.Extra[principalExtra].(*auth.Principal); q != nil && samePrincipal(p, q) {
			return ti
		}
	}
	if c.m == nil || len(c.m) >= maxTokenInfos {
		c.m = make(map[string]*sdkauth.TokenInfo)
	}
	ti := tokenInfo(p)
	c.m[key] = ti
	return ti
}

// shared returns the principal held by p's TokenInfo: equal to p, and one
// per identity however many requests carried it.
func (c *tokenInfos) shared(p *auth.Principal) *auth.Principal {
	if q, _ := c.get(p).Extra[principalExtra].(*auth.Principal); q != nil {
		return q
	}
	return p
}

func samePrincipal(a, b *auth.Principal) bool {
	return a.Tenant == b.Tenant && a.TenantID == b.TenantID && a.Subject == b.Subject && a.Issuer == b.Issuer &&
		a.ExpiresAt.Equal(b.ExpiresAt) && slices.Equal(a.Roles, b.Roles)
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Yield once, so that a saturated process serves requests in the order
	// they arrive. Goroutines the network poller wakes wait in the
	// scheduler's global run queue, which it visits once every 61 turns
	// while the local queue has work: on one core at 64 clients a request
	// could wait there hundreds of milliseconds (p99 290 ms against a p50 of
	// 4.6 ms). Yielding puts the running request in that same queue, behind
	// the ones that came first (p99 within 2x p50, the same throughput; see
	// docs/PERFORMANCE.md). It costs well under a microsecond.
	runtime.Gosched()
	if status, msg := g.transportChecks(w, r); status != 0 {
		mcpwire.DropUnreadBody(w, r)
		writeError(w, status, msg)
		return
	}
	// The token and the roles are checked before a byte of the body is
	// read: a caller without them cannot make the service wait for one.
	var p *auth.Principal
	if g.cfg.AuthDisabled {
		p = g.cfg.Local
		r.Header.Set("Authorization", "Bearer disabled")
	} else if p = g.authenticate(w, r); p == nil {
		return
	}
	if r.Method == http.MethodPost {
		in, problem := inspectBody(w, r, g.cfg.MaxBodyBytes, g.cfg.ReadBodyTimeout)
		if problem != nil {
			problem.Write(w)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), inspectedKey{}, in))
	}
	if !g.cfg.AuthDisabled {
		if wait := g.limiter.reserve(p.Key()); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeError(w, http.StatusTooManyRequests, "rate limit exceeded; retry later")
			return
		}
	}
	r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
	g.pass(w, r)
}

// authenticate verifies the request's bearer token and its roles, or
// answers 401 or 403 (closing the connection if a body is on its way) and
// returns nil.
func (g *guard) authenticate(w http.ResponseWriter, r *http.Request) *auth.Principal {
	token, problem := bearerToken(r)
	if problem != "" {
		g.challenge(w, r, http.StatusUnauthorized, "invalid_request", problem)
		return nil
	}
	if token == "" {
		g.challenge(w, r, http.StatusUnauthorized, "", "a bearer token is required")
		return nil
	}
	p, err := g.cfg.Verifier.Verify(r.Context(), token)
	if err != nil {
		reason := "the token is not valid"
		var ae *auth.Error
		if errors.As(err, &ae) {
			reason = ae.Reason
		} else {
			g.cfg.Logger.ErrorContext(r.Context(), "token verification failed", "err", err)
		}
		g.challenge(w, r, http.StatusUnauthorized, "invalid_token", reason)
		return nil
	}
	if gr := g.cfg.Rights(p); !gr.Any() {
		g.challenge(w, r, http.StatusForbidden, "insufficient_scope",
			"the token holds none of the roles "+strings.Join(g.cfg.RoleNames, ", "))
		return nil
	}
	return p
}

// pass hands a checked request to the fast path or, through the SDK's
// token layer, to the era router.
func (g *guard) pass(w http.ResponseWriter, r *http.Request) {
	if g.fast != nil && r.Method == http.MethodPost {
		switch r.Header.Get("Mcp-Protocol-Version") {
		case fastVersion:
			if g.fast.serve(w, r) {
				return
			}
		case sessionVersion:
			if id := r.Header.Get("Mcp-Session-Id"); id != "" && g.fast.serveSession(w, r, id) {
				return
			}
		}
	}
	if g.fast != nil && opensSession(r) {
		slim, done := slimContext(r, g.infos)
		defer done()
		r = slim
	}
	g.withTokenInfo.ServeHTTP(w, r)
}

// opensSession: a POST the era router sends to the stateful handler without
// a session id (initialize, or an older client's first request).
func opensSession(r *http.Request) bool {
	if r.Method != http.MethodPost || r.Header.Get("Mcp-Session-Id") != "" {
		return false
	}
	if v := r.Header.Get("Mcp-Protocol-Version"); v != "" {
		return sessionEra[v]
	}
	in, _ := r.Context().Value(inspectedKey{}).(*inspected)
	return in == nil || !in.NewEra
}

// transportChecks applies the limits that need no body and no token.
func (g *guard) transportChecks(w http.ResponseWriter, r *http.Request) (int, string) {
	if mcpwire.TokenInQuery(r.URL.RawQuery) {
		return http.StatusBadRequest, "tokens in the query string are refused: send them in the Authorization header"
	}
	if problem := mcpwire.HeaderProblem(r.Header); problem != "" {
		return http.StatusBadRequest, problem
	}
	if origin := r.Header.Get("Origin"); origin != "" && !g.originAllowed(origin) {
		return http.StatusForbidden, "origin not allowed"
	}
	if r.Method == http.MethodPost {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			return http.StatusUnsupportedMediaType, "Content-Type must be application/json"
		}
	}
	return 0, ""
}

// originAllowed: an exact match in ALLOWED_ORIGINS, or, when none are
// configured, a loopback origin (a browser-based client on this machine).
func (g *guard) originAllowed(origin string) bool {
	if len(g.cfg.AllowedOrigins) > 0 {
		return slices.Contains(g.cfg.AllowedOrigins, origin)
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return auth.IsLoopbackHost(u.Hostname())
}

// bearerToken extracts the token: "" when there is none; a problem when
// the header is malformed or repeated.
func bearerToken(r *http.Request) (token, problem string) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return "", ""
	case 1:
	default:
		return "", "more than one Authorization header"
	}
	scheme, tok, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" || strings.ContainsAny(tok, " \t,") {
		return "", "the Authorization header must be: Bearer <token>"
	}
	return tok, ""
}

// challenge answers 401 or 403 with the WWW-Authenticate header of RFC 6750
// and RFC 9728. The body of the request stays unread.
func (g *guard) challenge(w http.ResponseWriter, r *http.Request, status int, code, description string) {
	params := []string{fmt.Sprintf("resource_metadata=%q", g.cfg.ResourceMetadataURL)}
	if code != "" {
		params = append(params, fmt.Sprintf("error=%q", code))
	}
	if description != "" {
		params = append(params, fmt.Sprintf("error_description=%q", description))
	}
	if code == "insufficient_scope" {
		params = append(params, fmt.Sprintf("scope=%q", strings.Join(g.cfg.RoleNames, " ")))
	}
	w.Header().Set("WWW-Authenticate", "Bearer "+strings.Join(params, ", "))
	mcpwire.DropUnreadBody(w, r)
	writeError(w, status, description)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

const (
	metaProtocolVersion = mcp.MetaKeyProtocolVersion
	headerMismatch      = mcp.CodeHeaderMismatch
)

// inspectBody reads a POST body once (bounded in size and time), parses it
// as the go-sdk will (mcpwire), and checks the Mcp-Method and Mcp-Name
// headers against it. The body is put back for the handlers below.
func inspectBody(w http.ResponseWriter, r *http.Request, limit int64, timeout time.Duration) (*inspected, *mcpwire.Problem) {
	body, problem := mcpwire.ReadBody(w, r, limit, timeout)
	if problem != nil {
		return nil, problem
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	in, problem := mcpwire.Parse(body)
	if problem != nil {
		return nil, problem
	}
	if problem := mcpwire.CheckHeaders(r.Header, in); problem != nil {
		return nil, problem
	}
	// The SDK checks the headers of standard methods only; tasks/* must
	// carry Mcp-Name (the task id) too, in the era that has the header.
	if isTaskMethod(in.Method) && r.Header.Get("Mcp-Name") == "" && newEraRequest(r, in) {
		return nil, &mcpwire.Problem{Status: http.StatusBadRequest, Code: headerMismatch, ID: in.ID,
			Text: "the Mcp-Name header is required on " + in.Method + ": set it to params.taskId"}
	}
	return in, nil
}

// newEraRequest reports whether a POST is of the 2026-07-28 era, as the era
// router decides it: a protocol version header that names no session-era
// version, or, without one and without a session id, a body whose _meta
// names a protocol version.
func newEraRequest(r *http.Request, in *inspected) bool {
	if v := r.Header.Get("Mcp-Protocol-Version"); v != "" {
		return !sessionEra[v]
	}
	return r.Header.Get("Mcp-Session-Id") == "" && in.NewEra
}

// limiter is a token bucket per principal. Buckets idle for ten minutes are
// dropped, so the map stays bounded by the principals active recently.
type limiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiter(limit rate.Limit, burst int) *limiter {
	return &limiter{limit: limit, burst: burst, buckets: map[string]*bucket{}}
}

// reserve takes a token for key; it returns how long to wait when none is
// left (and takes nothing), 0 when the request may go ahead.
func (l *limiter) reserve(key string) time.Duration {
	if l.limit <= 0 {
		return 0
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{l: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	res := b.l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}
