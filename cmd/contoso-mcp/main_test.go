package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/store/sqlite"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

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

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

var servingLine = regexp.MustCompile(`serving (http://\S+/mcp)`)

// startServe runs "contoso-mcp serve" with the real wiring on a free port
// and returns its URL, its log and a stop function that waits for run to
// return (as SIGTERM would).
func startServe(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"contoso-mcp", "serve", "--addr", "127.0.0.1:0"}, args...), envOf(env), strings.NewReader(""), io.Discard, stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingLine.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stderr, func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve stopped before listening: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not start:\n%s", stderr.String())
	return "", nil, nil
}

// TestServeLogLinesBufferedInOrder: with LOG_FLUSH the start-up lines come
// before the banner, request lines wait for the interval, and shutdown
// writes what is left.
func TestServeLogLinesBufferedInOrder(t *testing.T) {
	dir := t.TempDir()
	url, logs, stop := startServe(t, map[string]string{"SEED_CUSTOMER_COUNT": "5", "LOG_FORMAT": "text", "LOG_FLUSH": "1m"}, "--data-dir", dir)
	seeded, banner := strings.Index(logs.String(), "seeded tenant"), strings.Index(logs.String(), "contoso-mcp serving")
	if seeded < 0 || seeded > banner {
		t.Fatalf("the start-up lines must come before the banner:\n%s", logs)
	}
	cs := connect(t, url, "2026-07-28", mintToken(t, dir))
	if _, err := cs.ListTools(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), `msg="http request"`) {
		t.Fatalf("a request line was written before the one-minute interval:\n%s", logs)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `msg="http request"`) {
		t.Fatalf("shutdown did not write the buffered lines:\n%s", logs)
	}
}

// mintToken runs the token command, as the README tells a user to.
func mintToken(t *testing.T, dataDir string, args ...string) string {
	t.Helper()
	var out syncBuffer
	if err := run(context.Background(), append([]string{"contoso-mcp", "token", "--data-dir", dataDir}, args...), envOf(nil), nil, &out, io.Discard); err != nil {
		t.Fatalf("token %v: %v", args, err)
	}
	tok := out.String()
	if strings.Count(tok, "\n") != 1 || strings.Count(tok, ".") != 2 {
		t.Fatalf("token printed %q, want one JWT alone on a line", tok)
	}
	return strings.TrimSpace(tok)
}

type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

func connect(t *testing.T, url, version, token string) *mcp.ClientSession {
	t.Helper()
	c := mcp.NewClient(&mcp.Implementation{Name: "cmd-test", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearer(token)}}, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// TestServeSeedsThenRestartReusesData is the README's promise: the first
// start creates and seeds the database, answers tools/list in both eras, and
// a restart serves the same data, changes included.
func TestServeSeedsThenRestartReusesData(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SEED_CUSTOMER_COUNT": "20", "LOG_FORMAT": "text"}
	url, logs, stop := startServe(t, env, "--data-dir", dir)
	if !strings.Contains(logs.String(), "seeded tenant") {
		t.Errorf("first start did not seed:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "contoso-mcp token --tenant contoso") {
		t.Errorf("serve did not print the token command:\n%s", logs)
	}
	token := mintToken(t, dir, "--roles", "query,admin")
	for _, v := range []string{"2025-11-25", "2026-07-28"} {
		cs := connect(t, url, v, token)
		res, err := cs.ListTools(context.Background(), nil)
		if err != nil {
			t.Fatalf("%s: tools/list: %v", v, err)
		}
		if len(res.Tools) != 19 {
			t.Errorf("%s: %d tools, want the 19 of query+admin", v, len(res.Tools))
		}
	}
	cs := connect(t, url, "2026-07-28", token)
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "update_subscription", Arguments: map[string]any{"subscription_id": 3, "speed_tier": "restart-proof"}})
	if err != nil || res.IsError {
		t.Fatalf("update_subscription: %v %+v", err, res)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after shutdown", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "contoso.db")); err != nil {
		t.Fatalf("no database file: %v", err)
	}

	url, logs, stop = startServe(t, env, "--data-dir", dir)
	defer stop()
	if strings.Contains(logs.String(), "seeded tenant") || !strings.Contains(logs.String(), "opened tenant") {
		t.Errorf("restart seeded again instead of reusing the data:\n%s", logs)
	}
	cs = connect(t, url, "2025-11-25", token)
	res, err = cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_subscription_detail", Arguments: map[string]any{"subscription_id": 3}})
	if err != nil || res.IsError {
		t.Fatalf("get_subscription_detail: %v", err)
	}
	if !strings.Contains(toJSON(t, res.StructuredContent), "restart-proof") {
		t.Error("the change made before the restart is gone")
	}
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServeStdio(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"contoso-mcp", "serve", "--stdio", "--data-dir", t.TempDir()},
			envOf(map[string]string{"SEED_CUSTOMER_COUNT": "5", "TROUBLESHOOT_STEP": "1ms"}), inR, outW, io.Discard)
		outW.Close()
	}()
	var progress []float64
	var mu sync.Mutex
	c := mcp.NewClient(&mcp.Implementation{Name: "stdio-test", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			progress = append(progress, r.Params.Progress)
			mu.Unlock()
		},
	})
	cs, err := c.Connect(context.Background(), &mcp.IOTransport{Reader: outR, Writer: inW}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_all_customers"})
	if err != nil || res.IsError {
		t.Fatalf("get_all_customers over stdio: %v", err)
	}
	if !strings.Contains(text(res), "14 customers") {
		t.Errorf("got %q, want 5 + 9 customers", text(res))
	}
	p := &mcp.CallToolParams{Name: "trouble_shoot_device", Arguments: map[string]any{"device_name": "modem", "detail": "no internet"}}
	p.SetProgressToken(7)
	if res, err := cs.CallTool(context.Background(), p); err != nil || res.IsError {
		t.Fatalf("trouble_shoot_device over stdio: %v", err)
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		n := len(progress)
		mu.Unlock()
		if n >= 10 {
			break
		}
	}
	mu.Lock()
	if len(progress) != 10 || progress[9] != 100 {
		t.Errorf("progress over stdio: %v, want 0 to 100 in ten notifications", progress)
	}
	mu.Unlock()
	cs.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve --stdio returned %v when stdin closed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve --stdio did not stop when stdin closed")
	}
}

// TestConfigErrors: bad settings stop the start with an error that names
// the variable or flag.
func TestConfigErrors(t *testing.T) {
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--addr", "0.0.0.0:8000"}, "loopback"},
		{nil, []string{"--addr", "192.168.1.4:8000"}, "loopback"},
		{map[string]string{"ADDR": "example.com:80"}, nil, "loopback"},
		{nil, []string{"--addr", "127.0.0.1"}, "ADDR"},
		{map[string]string{"SEED_CUSTOMER_COUNT": "many"}, nil, "SEED_CUSTOMER_COUNT"},
		{map[string]string{"SEED_CUSTOMER_COUNT": "-1"}, nil, "SEED_CUSTOMER_COUNT"},
		{map[string]string{"SEED_ON_STARTUP": "yes please"}, nil, "SEED_ON_STARTUP"},
		{map[string]string{"LOG_LEVEL": "loud"}, nil, "LOG_LEVEL"},
		{map[string]string{"LOG_FORMAT": "xml"}, nil, "LOG_FORMAT"},
		{map[string]string{"LOG_FLUSH": "soon"}, nil, "LOG_FLUSH"},
		{map[string]string{"LOG_FLUSH": "-1s"}, nil, "LOG_FLUSH"},
		{map[string]string{"LOG_FLUSH": "2h"}, nil, "LOG_FLUSH"},
		{map[string]string{"SESSION_IDLE_TIMEOUT": "forever"}, nil, "SESSION_IDLE_TIMEOUT"},
		{map[string]string{"MAX_BODY_BYTES": "12"}, nil, "MAX_BODY_BYTES"},
		{map[string]string{"USE_COSMOSDB": "true"}, nil, "USE_COSMOSDB"},
		{map[string]string{"AS_OF": "June 1st"}, nil, "AS_OF"},
		{map[string]string{"TENANTS": "../etc"}, nil, "TENANTS"},
		{nil, []string{"--nope"}, "nope"},
		{map[string]string{"AUTH_MODE": "magic"}, nil, "AUTH_MODE"},
		{map[string]string{"AUTH_MODE": "passthrough"}, []string{"--addr", "0.0.0.0:8000"}, "loopback"},
		{map[string]string{"DISABLE_AUTH": "true"}, []string{"--addr", "10.1.2.3:8000"}, "loopback"},
		{map[string]string{"AUTH_MODE": "entra"}, nil, "MCP_API_AUDIENCE"},
		{map[string]string{"AUTH_MODE": "entra", "MCP_API_AUDIENCE": "api://x"}, nil, "ALLOWED_TENANTS"},
		{map[string]string{"AUTH_MODE": "oidc", "MCP_API_AUDIENCE": "api://x"}, nil, "OIDC_ISSUER"},
		{map[string]string{"ALLOWED_TENANTS": "=contoso", "MCP_API_AUDIENCE": "x"}, nil, "ALLOWED_TENANTS"},
		{map[string]string{"DISABLE_AUTH": "true", "AUTH_MODE": "entra"}, nil, "DISABLE_AUTH"},
		{map[string]string{"PUBLIC_BASE_URL": "ftp://x"}, nil, "PUBLIC_BASE_URL"},
		{map[string]string{"ALLOWED_ORIGINS": "evil"}, nil, "ALLOWED_ORIGINS"},
		{map[string]string{"RATE_LIMIT_PER_SECOND": "fast"}, nil, "RATE_LIMIT_PER_SECOND"},
		{map[string]string{"ROLE_POLICY_FILE": "/nonexistent/policy.json"}, nil, "ROLE_POLICY_FILE"},
		{map[string]string{"ADMIN_ADDR": "0.0.0.0:6060"}, nil, "ADMIN_ADDR"},
	}
	for _, c := range cases {
		args := append([]string{"contoso-mcp", "serve", "--data-dir", t.TempDir()}, c.args...)
		err := run(context.Background(), args, envOf(c.env), strings.NewReader(""), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("env %v args %v: error %v, want one naming %q", c.env, c.args, err, c.want)
		}
	}
	if err := run(context.Background(), []string{"contoso-mcp", "frobnicate"}, envOf(nil), nil, io.Discard, io.Discard); err == nil {
		t.Error("an unknown command succeeded")
	}
}

// TestSeedCommand builds databases without serving; the same seed and as-of
// give identical data, and an existing data set is kept unless --force.
func TestSeedCommand(t *testing.T) {
	ctx := context.Background()
	a, b := t.TempDir(), t.TempDir()
	seedIn := func(dir string, extra ...string) string {
		var out syncBuffer
		args := append([]string{"contoso-mcp", "seed", "--data-dir", dir, "--as-of", "2026-03-01", "--customers", "30"}, extra...)
		if err := run(ctx, args, envOf(nil), nil, &out, io.Discard); err != nil {
			t.Fatalf("seed %v: %v", extra, err)
		}
		return out.String()
	}
	if out := seedIn(a); !strings.Contains(out, "seeded 30 + 9") {
		t.Errorf("seed said %q", out)
	}
	if out := seedIn(a); !strings.Contains(out, "already seeded") {
		t.Errorf("second seed said %q, want already seeded", out)
	}
	if out := seedIn(a, "--force"); !strings.Contains(out, "seeded") || strings.Contains(out, "already") {
		t.Errorf("--force said %q", out)
	}
	seedIn(b)
	seedIn(b, "--tenant", "fabrikam")
	fingerprint := func(dir, tenant string) map[string]string {
		st, err := sqlite.Open(ctx, filepath.Join(dir, tenant+".db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		fp, err := st.Fingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return fp
	}
	if diff := cmp.Diff(fingerprint(a, "contoso"), fingerprint(b, "contoso")); diff != "" {
		t.Errorf("the same seed and as-of gave different data:\n%s", diff)
	}
	if cmp.Equal(fingerprint(b, "contoso"), fingerprint(b, "fabrikam")) {
		t.Error("fabrikam's data is identical to contoso's; each tenant should have its own seed")
	}
}

// TestEveryVariableIsDocumented keeps the README's configuration table in
// step with the code.
func TestEveryVariableIsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range envVars {
		row := "| `" + v.Name + "` | " + v.Default + " |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md lacks the row for %s starting %q", v.Name, row)
		}
	}
}

// TestSecureByDefault walks the done-when from a new user's seat:
// without a token, 401 pointing at the metadata; the metadata at its three
// addresses; a query token sees no write tool; a security token unlocks
// scenario 4; a fabrikam token sees only fabrikam's data.
func TestSecureByDefault(t *testing.T) {
	dir := t.TempDir()
	url, _, stop := startServe(t, map[string]string{"SEED_CUSTOMER_COUNT": "20"}, "--data-dir", dir)
	defer stop()
	base := strings.TrimSuffix(url, "/mcp")

	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantMeta := base + "/.well-known/oauth-protected-resource/mcp"
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `resource_metadata="`+wantMeta+`"`) {
		t.Errorf("no token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	for _, path := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource", "/mcp/.well-known/oauth-protected-resource"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		var md struct {
			Resource             string   `json:"resource"`
			AuthorizationServers []string `json:"authorization_servers"`
			BearerMethods        []string `json:"bearer_methods_supported"`
			ResourceName         string   `json:"resource_name"`
		}
		json.NewDecoder(resp.Body).Decode(&md)
		resp.Body.Close()
		if md.Resource != url || len(md.AuthorizationServers) != 1 || md.AuthorizationServers[0] != base+"/dev-issuer" || md.BearerMethods[0] != "header" || md.ResourceName == "" {
			t.Errorf("%s: %+v", path, md)
		}
	}
	resp, err = http.Get(base + "/dev-issuer/keys")
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(keys), `"kty":"RSA"`) || strings.Contains(string(keys), `"d":`) {
		t.Errorf("dev issuer keys: %s", keys)
	}

	reader := connect(t, url, "2026-07-28", mintToken(t, dir, "--roles", "query", "--subject", "reader"))
	res, err := reader.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range res.Tools {
		if tool.Name == "pay_invoice" || tool.Name == "unlock_account" || tool.Name == "update_subscription" || tool.Name == "create_support_ticket" {
			t.Errorf("a query token sees %s", tool.Name)
		}
	}
	officer := connect(t, url, "2025-11-25", mintToken(t, dir, "--roles", "query,security", "--subject", "officer"))
	r, err := officer.CallTool(context.Background(), &mcp.CallToolParams{Name: "unlock_account", Arguments: map[string]any{"customer_id": 24}})
	if err != nil || r.IsError {
		t.Errorf("security token cannot unlock scenario 4: %v %s", err, text(r))
	}
	contosoCS := connect(t, url, "2026-07-28", mintToken(t, dir, "--tenant", "contoso", "--roles", "query"))
	fabrikamCS := connect(t, url, "2026-07-28", mintToken(t, dir, "--tenant", "fabrikam", "--roles", "query"))
	name := func(cs *mcp.ClientSession) string {
		r, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_customer_detail", Arguments: map[string]any{"customer_id": 1}})
		if err != nil || r.IsError {
			t.Fatalf("get_customer_detail: %v", err)
		}
		return text(r)
	}
	if a, b := name(contosoCS), name(fabrikamCS); a == b {
		t.Errorf("contoso and fabrikam see the same customer 1: %q", a)
	}
	if _, err := os.Stat(filepath.Join(dir, "fabrikam.db")); err != nil {
		t.Errorf("fabrikam has no database of its own: %v", err)
	}
}

// TestDevelopmentModesWarn: passthrough and DISABLE_AUTH say so loudly at
// start and in /readyz.
func TestDevelopmentModesWarn(t *testing.T) {
	for _, env := range []map[string]string{{"AUTH_MODE": "passthrough"}, {"DISABLE_AUTH": "true"}} {
		env["SEED_CUSTOMER_COUNT"] = "5"
		url, logs, stop := startServe(t, env, "--data-dir", t.TempDir())
		if !strings.Contains(logs.String(), "WARNING") {
			t.Errorf("%v: no warning at start:\n%s", env, logs)
		}
		resp, err := http.Get(strings.TrimSuffix(url, "/mcp") + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "loopback only") {
			t.Errorf("%v: /readyz says %s", env, body)
		}
		stop()
	}
}

func TestTokenCommandRefusesBadInput(t *testing.T) {
	for _, args := range [][]string{{"--tenant", "../x"}, {"--ttl", "0s"}, {"--ttl", "48h"}, {"--subject", ""}} {
		err := run(context.Background(), append([]string{"contoso-mcp", "token", "--data-dir", t.TempDir()}, args...), envOf(nil), nil, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("token %v succeeded", args)
		}
	}
}

// TestRoleNamesConfigurable: QUERY_ROLE renames the read role; the default
// name then grants nothing.
func TestRoleNamesConfigurable(t *testing.T) {
	dir := t.TempDir()
	url, _, stop := startServe(t, map[string]string{"SEED_CUSTOMER_COUNT": "5", "QUERY_ROLE": "Support.Read"}, "--data-dir", dir)
	defer stop()
	cs := connect(t, url, "2026-07-28", mintToken(t, dir, "--roles", "Support.Read"))
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil || len(res.Tools) != 15 {
		t.Fatalf("Support.Read lists %d tools (%v), want the 15 read tools", len(res.Tools), err)
	}
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+mintToken(t, dir, "--roles", "query"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "Support.Read") {
		t.Errorf("a token with the default role name: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

// TestAdminListenerServesPprof: ADMIN_ADDR opens pprof on its own listener;
// the public one does not serve it.
func TestAdminListenerServesPprof(t *testing.T) {
	url, logs, stop := startServe(t, map[string]string{"SEED_CUSTOMER_COUNT": "5", "ADMIN_ADDR": "127.0.0.1:0"}, "--data-dir", t.TempDir())
	defer stop()
	m := regexp.MustCompile(`admin listener \(pprof\) on (http://\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no admin listener line:\n%s", logs)
	}
	resp, err := http.Get(m[1] + "goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine profile") {
		t.Errorf("admin pprof: %d %.100s", resp.StatusCode, body)
	}
	if resp, err := http.Get(strings.TrimSuffix(url, "/mcp") + "/debug/pprof/"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("the public listener serves pprof")
		}
	}
}
