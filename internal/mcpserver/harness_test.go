package mcpserver_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/mcpserver"
	"github.com/contoso/contoso-mcp/internal/seed"
	"github.com/contoso/contoso-mcp/internal/store/sqlite"
	"github.com/contoso/contoso-mcp/internal/telemetry"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/time/rate"
)

// The data set every test starts from: the default generator as of a fixed
// date, with the clock at 10:00 UTC that day.
var (
	asOf     = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	now      = asOf.Add(10 * time.Hour)
	seedOpts = seed.Options{Seed: seed.DefaultSeed, Customers: seed.DefaultCustomers, AsOf: asOf}
)

var (
	templateOnce sync.Once
	templatePath string
	templateErr  error
)

// seededStore returns a store of its own, a copy of one seeded SQLite file
// (seeding once per test binary keeps the suite fast).
func seededStore(t testing.TB) contoso.Store {
	t.Helper()
	ctx := context.Background()
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "contoso-template-")
		if err != nil {
			templateErr = err
			return
		}
		templatePath = filepath.Join(dir, "contoso.db")
		st, err := sqlite.Open(ctx, templatePath)
		if err != nil {
			templateErr = err
			return
		}
		d, err := seed.Generate(seedOpts)
		if err == nil {
			err = st.Load(ctx, d)
		}
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		templateErr = err
	})
	if templateErr != nil {
		t.Fatalf("seeding the template database: %v", templateErr)
	}
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "contoso.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	store  contoso.Store // the contoso tenant's
	stores map[string]contoso.Store
	svc    *mcpserver.Service
	logs   *syncBuffer
	dev    *auth.DevIssuer
	url    string // the HTTP endpoint, started on first use
}

// fixtureOptions adjusts the service a fixture builds.
type fixtureOptions struct {
	fabrikam  contoso.Store // a second tenant
	rateLimit rate.Limit
	rateBurst int
	disabled  bool
	step      time.Duration // trouble_shoot_device's step (0: 1 ms)
	sdkOnly   bool          // no fast path: every request through the go-sdk
	idle      time.Duration // SessionTimeout (0: the default)
}

func newFixture(t testing.TB, st contoso.Store) *fixture {
	return newFixtureWith(t, st, fixtureOptions{})
}

func newFixtureWith(t testing.TB, st contoso.Store, o fixtureOptions) *fixture {
	t.Helper()
	if st == nil {
		st = seededStore(t)
	}
	stores := map[string]contoso.Store{"contoso": st}
	tenants := map[string]string{"contoso": "contoso"}
	if o.fabrikam != nil {
		stores["fabrikam"] = o.fabrikam
		tenants["fabrikam"] = "fabrikam"
	}
	if o.step == 0 {
		o.step = time.Millisecond
	}
	dir := t.TempDir()
	dev, err := auth.LoadOrCreateDevIssuer(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	verifier, err := auth.New(ctx, auth.Config{Mode: "dev", Audiences: []string{dev.Audience()}, Tenants: tenants, DataDir: dir, DefaultTenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	policy := auth.Policy{QueryRole: "query", AdminRole: "admin", SecurityRole: "security"}
	logs := &syncBuffer{}
	svc := mcpserver.New(mcpserver.Config{
		Name: "contoso-mcp", Version: "test",
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
		Stores: func(tenant string) (contoso.Store, error) {
			if s, ok := stores[tenant]; ok {
				return s, nil
			}
			return nil, contoso.Errorf(contoso.KindPermissionDenied, "tenant %q is not served here", tenant)
		},
		Verifier:            verifier,
		Rights:              policy.Access,
		RoleNames:           []string{"query", "admin", "security"},
		Local:               &auth.Principal{Tenant: "contoso", Subject: "local", Roles: []string{"query", "admin", "security"}},
		AuthDisabled:        o.disabled,
		ResourceMetadataURL: "http://127.0.0.1/.well-known/oauth-protected-resource/mcp",
		RateLimit:           o.rateLimit,
		RateBurst:           o.rateBurst,
		Now:                 func() time.Time { return now },
		TroubleshootStep:    o.step,
		DisableFastPath:     o.sdkOnly,
		SessionTimeout:      o.idle,
	})
	return &fixture{store: st, stores: stores, svc: svc, logs: logs, dev: dev}
}

// token mints a development token.
func (f *fixture) token(t testing.TB, tenant, subject string, roles ...string) string {
	t.Helper()
	tok, err := f.dev.Mint(tenant, subject, roles, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// endpoint starts (once) and returns the HTTP endpoint, behind the same
// request-id middleware as the real server.
func (f *fixture) endpoint(t testing.TB) string {
	t.Helper()
	if f.url == "" {
		hs := httptest.NewServer(telemetry.Middleware(f.svc.Logger(), f.svc.Handler()))
		t.Cleanup(hs.Close)
		f.url = hs.URL
	}
	return f.url
}

// bearer adds a token to every request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// transport names how a test client reaches the server.
type transport string

const (
	inMemory    transport = "in-memory"
	httpLegacy  transport = "http-2025-11-25"
	httpCurrent transport = "http-2026-07-28"
)

var transports = []transport{inMemory, httpLegacy, httpCurrent}

// connect returns a go-sdk client session to f's server over tr, with every
// role on the contoso tenant.
func (f *fixture) connect(t *testing.T, tr transport) *mcp.ClientSession {
	t.Helper()
	return f.connectAs(t, tr, f.token(t, "contoso", "agent-1", "query", "admin", "security"))
}

// connectAs connects with the given bearer token (ignored in memory).
func (f *fixture) connectAs(t *testing.T, tr transport, token string) *mcp.ClientSession {
	t.Helper()
	return f.connectWith(t, tr, token, nil)
}

// connectWith connects a client with the given options.
func (f *fixture) connectWith(t *testing.T, tr transport, token string, opts *mcp.ClientOptions) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	client := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, opts)
	var (
		cs  *mcp.ClientSession
		err error
	)
	switch tr {
	case inMemory:
		ct, st := mcp.NewInMemoryTransports()
		ss, serr := f.svc.Server().Connect(ctx, st, nil)
		if serr != nil {
			t.Fatal(serr)
		}
		t.Cleanup(func() { ss.Close() })
		cs, err = client.Connect(ctx, ct, nil)
	case httpLegacy, httpCurrent:
		opts := &mcp.ClientSessionOptions{ProtocolVersion: "2026-07-28"}
		if tr == httpLegacy {
			opts.ProtocolVersion = "2025-11-25"
		}
		cs, err = client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: f.endpoint(t), HTTPClient: &http.Client{Transport: bearer{token}}}, opts)
	}
	if err != nil {
		t.Fatalf("connect over %s: %v", tr, err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool that must succeed and decodes its structured content
// into out (when out is not nil).
func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", tool, err)
	}
	if res.IsError {
		t.Fatalf("%s(%v): tool error: %s", tool, args, text(res))
	}
	if out != nil {
		raw, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s: decoding structured content: %v", tool, err)
		}
	}
	return res
}

// callErr calls a tool that must fail with a tool error and returns its text.
func callErr(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error, want a tool error: %v", tool, err)
	}
	if !res.IsError {
		t.Fatalf("%s(%v): succeeded, want a tool error", tool, args)
	}
	return text(res)
}

func text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// checkOutputSchema validates res's structured content against the
// outputSchema the tool published in tools/list.
func checkOutputSchema(t *testing.T, tool *mcp.Tool, res *mcp.CallToolResult) {
	t.Helper()
	raw, err := json.Marshal(tool.OutputSchema)
	if err != nil {
		t.Fatal(err)
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s: outputSchema does not parse: %v", tool.Name, err)
	}
	resolved, err := s.Resolve(nil)
	if err != nil {
		t.Fatalf("%s: outputSchema does not resolve: %v", tool.Name, err)
	}
	var v any
	data, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if err := resolved.Validate(v); err != nil {
		t.Errorf("%s: structuredContent does not match outputSchema: %v", tool.Name, err)
	}
}

func listTools(t *testing.T, cs *mcp.ClientSession) map[string]*mcp.Tool {
	t.Helper()
	m := map[string]*mcp.Tool{}
	for tool, err := range cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		m[tool.Name] = tool
	}
	return m
}

// decode unmarshals a result's structured content.
func decode(t *testing.T, res *mcp.CallToolResult, out any) {
	t.Helper()
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
}
