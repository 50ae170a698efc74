package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
)

// fakeBackend stands in for a contoso-mcp replica: it records what reaches
// it, answers initialize with a session id of its own, and can be told to
// fail its readiness check.
type fakeBackend struct {
	name     string
	srv      *httptest.Server
	notReady atomic.Bool
	mu       sync.Mutex
	seen     []http.Header
	sessions atomic.Int64
	// mcp, when set, answers /mcp instead of the default.
	mcp func(w http.ResponseWriter, r *http.Request)
}

func newFakeBackend(t testing.TB, name string) *fakeBackend {
	b := &fakeBackend{name: name}
	mux := http.NewServeMux()
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if b.notReady.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	mux.HandleFunc("/mcp", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.seen = append(b.seen, r.Header.Clone())
		b.mu.Unlock()
		w.Header().Set("X-Backend", b.name)
		if b.mcp != nil {
			b.mcp(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `"initialize"`) {
			w.Header().Set("Mcp-Session-Id", fmt.Sprintf("%s-session-%d", b.name, b.sessions.Add(1)))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"backend":%q}}`, b.name)
	})
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)
	return b
}

func (b *fakeBackend) url() string { return b.srv.URL + "/mcp" }

func (b *fakeBackend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.seen)
}

func (b *fakeBackend) last() http.Header {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seen[len(b.seen)-1]
}

type testGateway struct {
	url  string
	gw   *Gateway
	iss  *auth.DevIssuer
	logs *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startGateway runs a gateway in dev mode with the given routes (YAML) and
// extra top-level settings.
func startGateway(t testing.TB, routes string, extra string) *testGateway {
	t.Helper()
	dir := t.TempDir()
	iss, err := auth.LoadOrCreateDevIssuer(dir)
	if err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf("auth: {mode: dev, data_dir: %s}\nhealth: {interval: 250ms, timeout: 250ms, unhealthy_after: 2}\n%s\nroutes:\n%s", dir, extra, routes)
	cfg, err := Parse([]byte(yaml))
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logs := &lockedBuffer{}
	gw, err := New(ctx, cfg, Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(gw.Close)
	// The metadata URLs name the public base URL; tests compare with it.
	cfg.PublicBaseURL = srv.URL
	for _, rt := range gw.routes {
		rt.metadataURL = srv.URL + MetadataPath(rt.cfg.Path)
	}
	return &testGateway{url: srv.URL, gw: gw, iss: iss, logs: logs}
}

func (g *testGateway) token(t testing.TB, tenant, subject string) string {
	t.Helper()
	tok, err := g.iss.Mint(tenant, subject, []string{"query"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

const callBody = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_customer_detail","arguments":{"customer_id":1}}}`

// post sends a JSON-RPC POST through the gateway with the headers given as
// key, value pairs.
func post(t *testing.T, url, token, body string, kv ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Add(kv[i], kv[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func twoRoutes(contoso, fabrikam string) string {
	return fmt.Sprintf(`  - {path: /contoso-mcp, tenants: [contoso], backends: [%s]}
  - {path: /fabrikam-mcp, tenants: [fabrikam], backends: [%s]}
`, contoso, fabrikam)
}

// TestEdgeRefusesBeforeTheBackend: every refusal happens at the gateway, and
// no byte of a refused request reaches a backend.
func TestEdgeRefusesBeforeTheBackend(t *testing.T) {
	contoso, fabrikam := newFakeBackend(t, "contoso"), newFakeBackend(t, "fabrikam")
	g := startGateway(t, twoRoutes(contoso.url(), fabrikam.url()), "max_body_bytes: 2048")
	good := g.token(t, "contoso", "agent")
	md := `resource_metadata="` + g.url + `/.well-known/oauth-protected-resource/contoso-mcp"`
	cases := []struct {
		name, path, method, token, body string
		headers                         []string
		status                          int
		want                            string // in WWW-Authenticate, else in the body
	}{
		{"no token", "/contoso-mcp", "POST", "", callBody, nil, 401, "Bearer " + md},
		{"garbage token", "/contoso-mcp", "POST", "not.a.jwt", callBody, nil, 401, md + `, error="invalid_token"`},
		{"token of a tenant no route serves", "/contoso-mcp", "POST", g.token(t, "northwind", "x"), callBody, nil, 401, "tenant not allowed"},
		{"token in the query", "/contoso-mcp?access_token=" + good, "POST", good, callBody, nil, 400, "query string"},
		{"two Authorization headers", "/contoso-mcp", "POST", good, callBody, []string{"Authorization", "Bearer " + good}, 401, "more than one Authorization header"},
		{"basic scheme", "/contoso-mcp", "POST", "", callBody, []string{"Authorization", "Basic YTpi"}, 401, "not a bearer token"},
		{"fabrikam token on the contoso route", "/contoso-mcp", "POST", g.token(t, "fabrikam", "x"), callBody, nil, 403, "does not serve the token's tenant"},
		{"contoso token on the fabrikam route", "/fabrikam-mcp", "POST", good, callBody, nil, 403, "does not serve the token's tenant"},
		{"contoso token on the fabrikam route, GET", "/fabrikam-mcp", "GET", good, "", nil, 403, "does not serve"},
		{"wrong content type", "/contoso-mcp", "POST", good, callBody, []string{"Content-Type", "text/plain"}, 415, "application/json"},
		{"body too large", "/contoso-mcp", "POST", good, `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"` + strings.Repeat("a", 3000) + `"}}`, nil, 413, "exceeds 2048 bytes"},
		{"batch", "/contoso-mcp", "POST", good, "[" + callBody + "]", nil, 400, "batches"},
		{"not JSON", "/contoso-mcp", "POST", good, "{", nil, 400, "not a JSON-RPC message"},
		{"Mcp-Method disagrees", "/contoso-mcp", "POST", good, callBody, []string{"Mcp-Method", "tools/list"}, 400, "-32020"},
		{"Mcp-Name disagrees", "/contoso-mcp", "POST", good, callBody, []string{"Mcp-Method", "tools/call", "Mcp-Name", "get_promotions"}, 400, "Mcp-Name"},
		{"PUT", "/contoso-mcp", "PUT", good, callBody, nil, 405, "method not allowed"},
		{"foreign origin", "/contoso-mcp", "POST", good, callBody, []string{"Origin", "https://evil.example"}, 403, "origin"},
		{"unknown session", "/contoso-mcp", "POST", good, callBody, []string{"Mcp-Session-Id", "made-up"}, 404, "session not found"},
		{"unknown path", "/northwind-mcp", "POST", good, callBody, nil, 404, ""},
		{"a route's sub-path", "/contoso-mcp/x", "POST", good, callBody, nil, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, g.url+c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			for i := 0; i+1 < len(c.headers); i += 2 {
				if c.headers[i] == "Content-Type" {
					req.Header.Set(c.headers[i], c.headers[i+1])
				} else {
					req.Header.Add(c.headers[i], c.headers[i+1])
				}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if got := resp.Header.Get("WWW-Authenticate") + " " + body; !strings.Contains(got, c.want) {
				t.Errorf("got %q, want %q in it", got, c.want)
			}
			if c.status == 401 && !strings.Contains(resp.Header.Get("WWW-Authenticate"), md) {
				t.Errorf("401 without the route's metadata: %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
	if n := contoso.count() + fabrikam.count(); n != 0 {
		t.Errorf("%d refused requests reached a backend", n)
	}
}

// TestForwardsTokenAndRequestIDStripsIdentityHeaders: the backend gets the
// original bearer token and the request id, and none of the identity
// headers a client made up.
func TestForwardsTokenAndRequestIDStripsIdentityHeaders(t *testing.T) {
	b := newFakeBackend(t, "contoso")
	g := startGateway(t, twoRoutes(b.url(), b.url()), "")
	tok := g.token(t, "contoso", "agent")
	spoofed := []string{"X-Forwarded-For", "X-Forwarded-User", "X-Forwarded-Email", "X-Real-Ip", "X-Ms-Client-Principal",
		"X-Ms-Client-Principal-Name", "X-Ms-Client-Principal-Id", "X-Ms-Token-Aad-Access-Token", "X-Tenant", "X-Tenant-Id", "X-User",
		"X-User-Id", "X-Remote-User", "Remote-User", "X-Auth-Request-User", "X-Principal", "Forwarded", "Cookie", "Proxy-Authorization"}
	kv := []string{"X-Request-Id", "client-id-42", "Mcp-Method", "tools/call", "Mcp-Name", "get_customer_detail",
		"Mcp-Protocol-Version", "2026-07-28", "Mcp-Param-Region", "eu"}
	for _, h := range spoofed {
		kv = append(kv, h, "fabrikam")
	}
	resp := post(t, g.url+"/contoso-mcp", tok, callBody, kv...)
	if resp.StatusCode != 200 || resp.Header.Get("X-Request-Id") != "client-id-42" {
		t.Fatalf("status %d, request id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
	h := b.last()
	if h.Get("Authorization") != "Bearer "+tok {
		t.Error("the original bearer token was not forwarded")
	}
	for k, v := range map[string]string{"X-Request-Id": "client-id-42", "Mcp-Method": "tools/call", "Mcp-Name": "get_customer_detail",
		"Mcp-Protocol-Version": "2026-07-28", "Mcp-Param-Region": "eu", "Content-Type": "application/json"} {
		if h.Get(k) != v {
			t.Errorf("backend got %s %q, want %q", k, h.Get(k), v)
		}
	}
	for _, k := range spoofed {
		if v := h.Values(k); len(v) > 0 {
			t.Errorf("identity header %s reached the backend: %q", k, v)
		}
	}
	// Without an id, the gateway makes one and the backend gets it.
	resp = post(t, g.url+"/contoso-mcp", tok, callBody, "X-Request-Id", "bad id with spaces")
	id := resp.Header.Get("X-Request-Id")
	if len(id) != 32 || b.last().Get("X-Request-Id") != id {
		t.Errorf("new request id %q, backend got %q", id, b.last().Get("X-Request-Id"))
	}
}

func TestMetadataPerRoute(t *testing.T) {
	b := newFakeBackend(t, "x")
	g := startGateway(t, twoRoutes(b.url(), b.url()), "")
	for _, path := range []string{"/.well-known/oauth-protected-resource/fabrikam-mcp", "/fabrikam-mcp/.well-known/oauth-protected-resource"} {
		resp, err := http.Get(g.url + path)
		if err != nil {
			t.Fatal(err)
		}
		var md struct {
			Resource             string   `json:"resource"`
			AuthorizationServers []string `json:"authorization_servers"`
			Bearer               []string `json:"bearer_methods_supported"`
		}
		json.NewDecoder(resp.Body).Decode(&md)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasSuffix(md.Resource, "/fabrikam-mcp") || len(md.AuthorizationServers) != 1 || md.Bearer[0] != "header" {
			t.Errorf("%s: %d %+v", path, resp.StatusCode, md)
		}
	}
	if b.count() != 0 {
		t.Error("metadata requests reached a backend")
	}
}

// TestBalancesAndCarriesOnWhenAReplicaDies: stateless requests alternate
// over the replicas; once one is gone, every request still succeeds (a
// refused connection is sent to the other replica).
func TestBalancesAndCarriesOnWhenAReplicaDies(t *testing.T) {
	a, b, f := newFakeBackend(t, "a"), newFakeBackend(t, "b"), newFakeBackend(t, "f")
	g := startGateway(t, twoRoutes(a.url()+", "+b.url(), f.url()), "")
	tok := g.token(t, "contoso", "agent")
	for range 10 {
		if resp := post(t, g.url+"/contoso-mcp", tok, callBody); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if a.count() != 5 || b.count() != 5 {
		t.Errorf("replicas got %d and %d of 10 requests, want 5 and 5", a.count(), b.count())
	}
	// Requests already on their way to b when it dies fail (they may have
	// reached it); drop the pooled connections so that the next requests
	// find b dead by dialing it.
	b.srv.Close()
	g.gw.Close()
	for i := range 20 {
		resp := post(t, g.url+"/contoso-mcp", tok, callBody)
		if resp.StatusCode != 200 || resp.Header.Get("X-Backend") != "a" {
			t.Fatalf("request %d after b died: status %d from %q", i, resp.StatusCode, resp.Header.Get("X-Backend"))
		}
	}
	if !strings.Contains(g.logs.String(), `"msg":"replica down"`) {
		t.Error("no replica-down log line")
	}
	// With no replica left: 503 with Retry-After.
	a.srv.Close()
	g.gw.Close()
	resp := post(t, g.url+"/contoso-mcp", tok, callBody)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("no replica: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	r2, _ := http.Get(g.url + "/readyz")
	r2.Body.Close()
	if r2.StatusCode != 503 {
		t.Errorf("/readyz with a route without replicas: %d", r2.StatusCode)
	}
}

// TestHealthChecksTakeOutAndBringBack: a replica whose /readyz fails gets no
// traffic until it passes again.
func TestHealthChecksTakeOutAndBringBack(t *testing.T) {
	a, b := newFakeBackend(t, "a"), newFakeBackend(t, "b")
	g := startGateway(t, twoRoutes(a.url()+", "+b.url(), b.url()), "")
	tok := g.token(t, "contoso", "agent")
	b.notReady.Store(true)
	waitFor(t, "b taken out", func() bool { return !g.gw.routes[0].pool.replicas[1].up.Load() })
	before := b.count()
	for range 6 {
		post(t, g.url+"/contoso-mcp", tok, callBody)
	}
	if b.count() != before {
		t.Errorf("a replica failing its checks got %d requests", b.count()-before)
	}
	b.notReady.Store(false)
	waitFor(t, "b back", func() bool { return g.gw.routes[0].pool.replicas[1].up.Load() })
	for range 6 {
		post(t, g.url+"/contoso-mcp", tok, callBody)
	}
	if b.count() == before {
		t.Error("a recovered replica got no requests")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

// TestSessionsArePinned: a 2025-11-25 session's requests all go to the
// replica that created it, only for the principal that opened it; DELETE
// ends the pin; a 2026-07-28 request with a stale session id is balanced.
func TestSessionsArePinned(t *testing.T) {
	a, b := newFakeBackend(t, "a"), newFakeBackend(t, "b")
	g := startGateway(t, twoRoutes(a.url()+", "+b.url(), a.url()), "")
	tok := g.token(t, "contoso", "agent")
	type session struct{ id, home string }
	var sessions []session
	for range 3 { // sessions on both replicas
		resp := post(t, g.url+"/contoso-mcp", tok, initBody)
		sid, home := resp.Header.Get("Mcp-Session-Id"), resp.Header.Get("X-Backend")
		if sid == "" || !strings.HasPrefix(sid, home) {
			t.Fatalf("initialize: session %q from %q", sid, home)
		}
		sessions = append(sessions, session{sid, home})
	}
	for _, s := range sessions {
		sid, home := s.id, s.home
		for range 5 {
			resp := post(t, g.url+"/contoso-mcp", tok, callBody, "Mcp-Session-Id", sid, "Mcp-Protocol-Version", "2025-11-25")
			if resp.StatusCode != 200 || resp.Header.Get("X-Backend") != home {
				t.Fatalf("session of %s served by %q (status %d)", home, resp.Header.Get("X-Backend"), resp.StatusCode)
			}
		}
		other := post(t, g.url+"/contoso-mcp", g.token(t, "contoso", "someone-else"), callBody, "Mcp-Session-Id", sid)
		if other.StatusCode != 403 {
			t.Errorf("another principal with the session id: %d, want 403", other.StatusCode)
		}
		stale := post(t, g.url+"/contoso-mcp", tok, callBody, "Mcp-Session-Id", sid+"-stale", "Mcp-Protocol-Version", "2026-07-28")
		if stale.StatusCode != 200 {
			t.Errorf("2026-07-28 request with a stale session id: %d, want it balanced (200)", stale.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodDelete, g.url+"/contoso-mcp", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Mcp-Session-Id", sid)
		del, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		del.Body.Close()
		if del.StatusCode != 200 || del.Header.Get("X-Backend") != home {
			t.Errorf("DELETE: %d from %q", del.StatusCode, del.Header.Get("X-Backend"))
		}
		if after := post(t, g.url+"/contoso-mcp", tok, callBody, "Mcp-Session-Id", sid); after.StatusCode != 404 {
			t.Errorf("after DELETE: %d, want 404", after.StatusCode)
		}
	}
	if a.sessions.Load() == 0 || b.sessions.Load() == 0 {
		t.Errorf("sessions were not spread: a %d, b %d", a.sessions.Load(), b.sessions.Load())
	}
}

// TestSessionOnADeadReplicaGets404: the client learns its session is gone
// and starts a new one, which lands on a live replica.
func TestSessionOnADeadReplicaGets404(t *testing.T) {
	a, b := newFakeBackend(t, "a"), newFakeBackend(t, "b")
	g := startGateway(t, twoRoutes(a.url()+", "+b.url(), a.url()), "")
	tok := g.token(t, "contoso", "agent")
	var sid string
	for sid == "" {
		resp := post(t, g.url+"/contoso-mcp", tok, initBody)
		if resp.Header.Get("X-Backend") == "b" {
			sid = resp.Header.Get("Mcp-Session-Id")
		}
	}
	b.srv.Close()
	g.gw.Close() // as above: no pooled connection to the dead replica
	if resp := post(t, g.url+"/contoso-mcp", tok, callBody, "Mcp-Session-Id", sid); resp.StatusCode != 404 && resp.StatusCode != 502 {
		t.Errorf("session on a dead replica: %d, want 404 (or 502 while it is being found dead)", resp.StatusCode)
	}
	if resp := post(t, g.url+"/contoso-mcp", tok, callBody, "Mcp-Session-Id", sid); resp.StatusCode != 404 {
		t.Errorf("session on a dead replica, again: %d, want 404", resp.StatusCode)
	}
	if resp := post(t, g.url+"/contoso-mcp", tok, initBody); resp.StatusCode != 200 || resp.Header.Get("X-Backend") != "a" {
		t.Errorf("new session: %d from %q", resp.StatusCode, resp.Header.Get("X-Backend"))
	}
}

// TestTenantLimits: 429 with Retry-After past a tenant's rate, per tenant;
// a tighter limit for one tool; a bound on requests in flight.
func TestTenantLimits(t *testing.T) {
	b := newFakeBackend(t, "b")
	release := make(chan struct{})
	var slow atomic.Int64
	b.mcp = func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "trouble_shoot_device") {
			slow.Add(1)
			<-release
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{}}`)
	}
	routes := fmt.Sprintf(`  - path: /contoso-mcp
    tenants: [contoso, northwind]
    backends: [%s]
    limits:
      rate_per_second: 1
      burst: 4
      concurrency: 2
      methods: [{method: tools/call, name: pay_invoice, rate_per_second: 0.5, burst: 1}]
  - {path: /fabrikam-mcp, tenants: [fabrikam], backends: [%s]}
`, b.url(), b.url())
	g := startGateway(t, routes, "")
	contoso, northwind := g.token(t, "contoso", "agent"), g.token(t, "northwind", "agent")
	pay := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","arguments":{}}}`
	if resp := post(t, g.url+"/contoso-mcp", contoso, pay); resp.StatusCode != 200 {
		t.Fatalf("first pay_invoice: %d", resp.StatusCode)
	}
	resp := post(t, g.url+"/contoso-mcp", contoso, pay, "Mcp-Method", "tools/call", "Mcp-Name", "pay_invoice")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("second pay_invoice: %d Retry-After %q, want 429 and 2", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for i := range 3 { // the tenant's other three of its burst of four
		if resp := post(t, g.url+"/contoso-mcp", contoso, callBody); resp.StatusCode != 200 {
			t.Fatalf("call %d within the burst: %d", i, resp.StatusCode)
		}
	}
	resp = post(t, g.url+"/contoso-mcp", contoso, callBody)
	if ra, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != 429 || ra < 1 {
		t.Errorf("past the burst: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Another tenant on the same route has its own bucket.
	if resp := post(t, g.url+"/contoso-mcp", northwind, callBody); resp.StatusCode != 200 {
		t.Errorf("another tenant: %d", resp.StatusCode)
	}
	// In flight: two slow calls of northwind hold both slots.
	long := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"trouble_shoot_device","arguments":{}}}`
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { post(t, g.url+"/contoso-mcp", northwind, long) })
	}
	waitFor(t, "two slow calls in flight", func() bool { return slow.Load() == 2 })
	resp = post(t, g.url+"/contoso-mcp", northwind, callBody)
	if resp.StatusCode != 429 || !strings.Contains(readAll(t, resp), "in flight") {
		t.Errorf("third call in flight: %d", resp.StatusCode)
	}
	close(release)
	wg.Wait()
	if resp := post(t, g.url+"/contoso-mcp", northwind, callBody); resp.StatusCode != 200 {
		t.Errorf("after the slow calls: %d", resp.StatusCode)
	}
}

// sseBackend streams n events, one every gap, flushing each.
func sseBackend(n int, gap time.Duration, done chan<- error) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		for i := range n {
			select {
			case <-r.Context().Done():
				if done != nil {
					done <- r.Context().Err()
				}
				return
			case <-time.After(gap):
			}
			fmt.Fprintf(w, "event: message\ndata: {\"step\":%d}\n\n", i)
			w.(http.Flusher).Flush()
		}
		if done != nil {
			done <- nil
		}
	}
}

// TestEventsArriveAsTheyAreSent: each event reaches the client when the
// backend sends it, not at the end; a stream longer than the idle timeout
// is not cut while events flow.
func TestEventsArriveAsTheyAreSent(t *testing.T) {
	b := newFakeBackend(t, "b")
	const gap = 300 * time.Millisecond
	b.mcp = sseBackend(6, gap, nil) // 1.8 s, longer than the 1 s idle timeout
	g := startGateway(t, twoRoutes(b.url(), b.url()), "timeouts: {idle: 1s}")
	start := time.Now()
	resp := post(t, g.url+"/contoso-mcp", g.token(t, "contoso", "a"), callBody)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	var arrivals []time.Duration
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data:") {
			arrivals = append(arrivals, time.Since(start))
		}
	}
	if len(arrivals) != 6 {
		t.Fatalf("%d events arrived, want 6 (the stream was cut?)", len(arrivals))
	}
	for i, at := range arrivals {
		want := time.Duration(i+1) * gap
		if at < want-50*time.Millisecond || at > want+200*time.Millisecond {
			t.Errorf("event %d arrived at %s, want about %s", i, at.Round(time.Millisecond), want)
		}
	}
}

// TestClientGoneCancelsBackend: a client that disconnects mid-stream ends
// the backend request.
func TestClientGoneCancelsBackend(t *testing.T) {
	b := newFakeBackend(t, "b")
	done := make(chan error, 1)
	b.mcp = sseBackend(50, 100*time.Millisecond, done)
	g := startGateway(t, twoRoutes(b.url(), b.url()), "")
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, g.url+"/contoso-mcp", strings.NewReader(callBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+g.token(t, "contoso", "a"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "data:") {
	}
	cancel()
	resp.Body.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("the backend streamed to the end")
		}
	case <-time.After(2 * time.Second):
		t.Error("the backend request was not cancelled")
	}
}

// TestSilentBackendTimesOut: a backend that sends nothing for the idle
// timeout gets its request cancelled and the client a 504.
func TestSilentBackendTimesOut(t *testing.T) {
	b := newFakeBackend(t, "b")
	b.mcp = func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // so that the server notices the gateway hanging up
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	g := startGateway(t, twoRoutes(b.url(), b.url()), "timeouts: {idle: 1s}")
	start := time.Now()
	resp := post(t, g.url+"/contoso-mcp", g.token(t, "contoso", "a"), callBody)
	if resp.StatusCode != 504 || time.Since(start) > 3*time.Second {
		t.Errorf("status %d after %s, want 504 after about 1s", resp.StatusCode, time.Since(start))
	}
}

// TestBackendChallengePointsAtTheGateway: a refusal by the backend (for
// example a token without roles) sends clients to the route's metadata, not
// to the backend's address.
func TestBackendChallengePointsAtTheGateway(t *testing.T) {
	b := newFakeBackend(t, "b")
	b.mcp = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="http://10.1.2.3:8001/.well-known/oauth-protected-resource/mcp", error="insufficient_scope", scope="query admin security"`)
		w.WriteHeader(http.StatusForbidden)
	}
	g := startGateway(t, twoRoutes(b.url(), b.url()), "")
	resp := post(t, g.url+"/fabrikam-mcp", g.token(t, "fabrikam", "a"), callBody)
	want := `Bearer resource_metadata="` + g.url + `/.well-known/oauth-protected-resource/fabrikam-mcp", error="insufficient_scope", scope="query admin security"`
	if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 403 || got != want {
		t.Errorf("%d %q\nwant 403 %q", resp.StatusCode, got, want)
	}
}
