package main

import (
	"context"
	"encoding/json"
	"io"
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

func connect(t *testing.T, url, version string) *mcp.ClientSession {
	t.Helper()
	c := mcp.NewClient(&mcp.Implementation{Name: "cmd-test", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: url}, &mcp.ClientSessionOptions{ProtocolVersion: version})
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
	for _, v := range []string{"2025-11-25", "2026-07-28"} {
		cs := connect(t, url, v)
		res, err := cs.ListTools(context.Background(), nil)
		if err != nil {
			t.Fatalf("%s: tools/list: %v", v, err)
		}
		if len(res.Tools) != 18 {
			t.Errorf("%s: %d tools, want 18", v, len(res.Tools))
		}
	}
	cs := connect(t, url, "2026-07-28")
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
	cs = connect(t, url, "2025-11-25")
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
			envOf(map[string]string{"SEED_CUSTOMER_COUNT": "5"}), inR, outW, io.Discard)
		outW.Close()
	}()
	c := mcp.NewClient(&mcp.Implementation{Name: "stdio-test", Version: "1"}, nil)
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
		{map[string]string{"SESSION_IDLE_TIMEOUT": "forever"}, nil, "SESSION_IDLE_TIMEOUT"},
		{map[string]string{"MAX_BODY_BYTES": "12"}, nil, "MAX_BODY_BYTES"},
		{map[string]string{"USE_COSMOSDB": "true"}, nil, "USE_COSMOSDB"},
		{map[string]string{"AS_OF": "June 1st"}, nil, "AS_OF"},
		{map[string]string{"TENANTS": "../etc"}, nil, "TENANTS"},
		{nil, []string{"--nope"}, "nope"},
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
