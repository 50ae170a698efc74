package mcpserver

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/contoso/contoso-mcp/internal/telemetry"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// sessionTable lets the fast path answer tools/call on 2025-11-25 sessions
// that the go-sdk's stateful handler opened and still holds. The SDK keeps
// its sessions private; what the fast path needs of one is learnt when the
// SDK answers its initialize (a receiving middleware): the session id, the
// principal it is bound to and the negotiated version. (Not the rights:
// those come from each request's own token.)
//
// The SDK closes a session idle for its timeout, but only requests that
// reach it count as activity. So the fast path serves a session only while
// the SDK saw it within the last refresh (1/32 of the idle timeout); past
// that, the next request goes through the SDK, which resets its timer (or
// answers 404 if the session is gone). The SDK's timeout is set to the idle
// timeout plus the refresh: a session then closes between SESSION_IDLE_TIMEOUT
// and 1/32 more after its last request, whichever path served it, never
// earlier.
type sessionTable struct {
	refresh time.Duration
	mu      sync.Mutex
	m       map[string]*sessionEntry
	swept   time.Time
}

type sessionEntry struct {
	user    string // the principal key the SDK bound the session to
	version string // negotiated
	lastSDK time.Time
}

func newSessionTable(idle time.Duration) *sessionTable {
	return &sessionTable{refresh: idle / 32, m: map[string]*sessionEntry{}}
}

// sdkTimeout is the idle timeout to give the SDK's stateful handler.
func (t *sessionTable) sdkTimeout(idle time.Duration) time.Duration { return idle + t.refresh }

// track is the receiving middleware that records a session when the SDK
// has answered its initialize.
func (t *sessionTable) track() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			if method != "initialize" || err != nil {
				return res, err
			}
			ss, _ := req.GetSession().(*mcp.ServerSession)
			ir, _ := res.(*mcp.InitializeResult)
			extra := req.GetExtra()
			if ss == nil || ss.ID() == "" || ir == nil || extra == nil || extra.TokenInfo == nil {
				return res, err // stdio, in memory
			}
			t.add(ss.ID(), &sessionEntry{user: extra.TokenInfo.UserID, version: ir.ProtocolVersion, lastSDK: time.Now()})
			return res, err
		}
	}
}

func (t *sessionTable) add(id string, e *sessionEntry) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// Entries of sessions the SDK has closed for idleness are dropped here,
	// so the table stays bounded by the sessions alive.
	if now := time.Now(); now.Sub(t.swept) > t.refresh {
		for k, old := range t.m {
			if now.Sub(old.lastSDK) > 40*t.refresh {
				delete(t.m, k)
			}
		}
		t.swept = now
	}
	t.m[id] = e
}

// sawSDK notes that a request of session id has just been through the SDK.
func (t *sessionTable) sawSDK(id string) {
	t.mu.Lock()
	if e := t.m[id]; e != nil {
		e.lastSDK = time.Now()
	}
	t.mu.Unlock()
}

// closed forgets session id after its owner deleted it.
func (t *sessionTable) closed(id, user string) {
	t.mu.Lock()
	if e := t.m[id]; e != nil && e.user == user {
		delete(t.m, id)
	}
	t.mu.Unlock()
}

// fresh returns the session's entry when the fast path may serve it now.
func (t *sessionTable) fresh(id string) (sessionEntry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.m[id]
	if e == nil || time.Since(e.lastSDK) >= t.refresh {
		return sessionEntry{}, false
	}
	return *e, true
}

// A 2025-11-25 session keeps, for as long as it lives, the context of the
// request that opened it and the headers of the last request it read. So
// that an idle session holds only what it needs (not the bearer token, the
// parsed body, the principal's copy and every layer's context values:
// about 3.5 KiB per session), the router gives the SDK a slim request:
// slimHeaders on every session-era request, and slimContext on the POST
// that may open a session.

// sdkHeaders are the request headers the SDK and the handlers read.
var sdkHeaders = []string{"Content-Type", "Accept", "Mcp-Session-Id", "Mcp-Protocol-Version", "Mcp-Method", "Mcp-Name",
	"Last-Event-Id", telemetry.RequestIDHeader}

// slimHeaders returns a copy of h with only sdkHeaders and Mcp-Param-*
// (values copied too: net/http keeps all of a request's values in one
// array, which a shared slice would keep alive, token and all).
func slimHeaders(h http.Header) http.Header {
	out := make(http.Header, len(sdkHeaders))
	for _, k := range sdkHeaders {
		if v, ok := h[k]; ok {
			out[k] = slices.Clone(v)
		}
	}
	for k, v := range h {
		if strings.HasPrefix(k, "Mcp-Param-") {
			out[k] = slices.Clone(v)
		}
	}
	return out
}

// slimContext returns a request whose context carries only what the layers
// below read (the local address, for the SDK's DNS rebinding check, and the
// principal, shared through infos) and ends with r's; call done when the
// request is over. Without what the guard read of the body the era router
// sends a POST to the stateful handler, as opensSession decided.
func slimContext(r *http.Request, infos *tokenInfos) (*http.Request, func()) {
	parent := r.Context()
	ctx, cancel := context.WithCancel(context.Background())
	stop := context.AfterFunc(parent, cancel)
	if v := parent.Value(http.LocalAddrContextKey); v != nil {
		ctx = context.WithValue(ctx, http.LocalAddrContextKey, v)
	}
	if p := PrincipalFrom(parent); p != nil {
		ctx = context.WithValue(ctx, principalKey{}, infos.shared(p))
	}
	return r.WithContext(ctx), func() { stop(); cancel() }
}
