package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The end-to-end test of the gateway runs real processes of the built
// binary: a contoso backend with two replicas (one data directory, seeded
// once), a fabrikam backend (TENANTS=fabrikam, its own data directory) and
// the gateway, all trusting one development issuer (the gateway's key,
// copied into each backend's data directory).

// gwBuild builds the binary into dir, with the race detector when the test
// has it: then every package is in the build cache already, and the
// processes are checked for races too.
func gwBuild(tb testing.TB, dir string, race bool) string {
	tb.Helper()
	bin := filepath.Join(dir, "contoso-mcp")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// gwProc is a process of the binary that the test started. Its stderr (the
// JSON log) goes to a file, so that a long load costs the test process
// nothing.
type gwProc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	url     string
	done    chan struct{}
}

var (
	gwServing  = regexp.MustCompile(`contoso-mcp serving (http://\S+/mcp)`)
	gwGateway  = regexp.MustCompile(`contoso-mcp gateway serving (http://\S+) `)
	gwBaseEnvs = []string{"PATH", "HOME", "TMPDIR"}
)

// gwStart runs the binary with a clean environment plus env, and waits for
// the line that says where it listens.
func gwStart(tb testing.TB, name, bin string, ready *regexp.Regexp, env []string, args ...string) *gwProc {
	tb.Helper()
	p := &gwProc{name: name, logPath: filepath.Join(tb.TempDir(), name+".log"), done: make(chan struct{})}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer logFile.Close() // the child has its own descriptor
	p.cmd = exec.Command(bin, args...)
	for _, k := range gwBaseEnvs {
		if v := os.Getenv(k); v != "" {
			p.cmd.Env = append(p.cmd.Env, k+"="+v)
		}
	}
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stderr = logFile
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	tb.Cleanup(func() {
		p.stop()
		if strings.Contains(p.logs(), "WARNING: DATA RACE") {
			tb.Errorf("%s: the race detector found a data race:\n%s", name, p.logs())
		}
	})
	deadline := time.After(60 * time.Second)
	for {
		if m := ready.FindStringSubmatch(p.logs()); m != nil {
			p.url = m[1]
			return p
		}
		select {
		case <-p.done:
			tb.Fatalf("%s exited before listening:\n%s", name, p.logs())
		case <-deadline:
			tb.Fatalf("%s did not start:\n%s", name, p.logs())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (p *gwProc) logs() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// stop ends the process the test started: SIGTERM, then SIGKILL.
func (p *gwProc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// lines returns the process's JSON log lines with the given msg.
func (p *gwProc) lines(msg string) []map[string]any {
	var out []map[string]any
	for _, l := range strings.Split(p.logs(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// mcpRequests counts the requests to /mcp in the process's access log.
func (p *gwProc) mcpRequests() int {
	n := 0
	for _, m := range p.lines("http request") {
		if m["path"] == "/mcp" {
			n++
		}
	}
	return n
}

func (p *gwProc) sawRequestID(prefix string) bool {
	for _, m := range p.lines("http request") {
		if id, _ := m["request_id"].(string); strings.HasPrefix(id, prefix) {
			return true
		}
	}
	return false
}

type gwDeployment struct {
	bin                     string
	gwDir                   string
	contoso1, contoso2, fab *gwProc
	gateway                 *gwProc
	contosoToken, fabToken  string
	contosoRoute, fabRoute  string
	step                    time.Duration
	iss                     *auth.DevIssuer
}

// gwDeploy starts the two-tenant deployment.
func gwDeploy(t *testing.T) *gwDeployment {
	t.Helper()
	d := &gwDeployment{step: 150 * time.Millisecond}
	root := t.TempDir()
	d.bin = gwBuild(t, root, raceEnabled())
	d.gwDir = filepath.Join(root, "gateway")
	contosoDir, fabDir := filepath.Join(root, "contoso"), filepath.Join(root, "fabrikam")
	iss, err := auth.LoadOrCreateDevIssuer(d.gwDir)
	if err != nil {
		t.Fatal(err)
	}
	d.iss = iss
	key, err := os.ReadFile(filepath.Join(d.gwDir, auth.DevKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{contosoDir, fabDir} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, auth.DevKeyFile), key, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// LOG_FLUSH=0: the test reads the backends' logs as requests arrive.
	common := []string{"SEED_CUSTOMER_COUNT=20", "LOG_FORMAT=json", "LOG_FLUSH=0", "TROUBLESHOOT_STEP=" + d.step.String(), "RATE_LIMIT_PER_SECOND=0", "SHUTDOWN_TIMEOUT=2s"}
	// The two contoso replicas share one database: seed it once first.
	if out, err := exec.Command(d.bin, "seed", "--tenant", "contoso", "--data-dir", contosoDir, "--customers", "20").CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	contosoEnv := append([]string{"TENANTS=contoso"}, common...)
	d.contoso1 = gwStart(t, "contoso-1", d.bin, gwServing, contosoEnv, "serve", "--addr", "127.0.0.1:0", "--data-dir", contosoDir)
	d.contoso2 = gwStart(t, "contoso-2", d.bin, gwServing, contosoEnv, "serve", "--addr", "127.0.0.1:0", "--data-dir", contosoDir)
	d.fab = gwStart(t, "fabrikam", d.bin, gwServing, append([]string{"TENANTS=fabrikam"}, common...), "serve", "--addr", "127.0.0.1:0", "--data-dir", fabDir)

	cfg := fmt.Sprintf(`listen: 127.0.0.1:0
auth: {mode: dev, data_dir: %s}
health: {interval: 200ms, timeout: 200ms, unhealthy_after: 2}
routes:
  - path: /contoso-mcp
    tenants: [contoso]
    backends: [%s, %s]
    limits: {rate_per_second: 0, concurrency: 0}
  - path: /fabrikam-mcp
    tenants: [fabrikam]
    backends: [%s]
`, d.gwDir, d.contoso1.url, d.contoso2.url, d.fab.url)
	cfgPath := filepath.Join(root, "gateway.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	d.gateway = gwStart(t, "gateway", d.bin, gwGateway, []string{"LOG_FORMAT=json"}, "gateway", "--config", cfgPath)
	d.contosoRoute, d.fabRoute = d.gateway.url+"/contoso-mcp", d.gateway.url+"/fabrikam-mcp"
	d.contosoToken = mintToken(t, d.gwDir, "--tenant", "contoso", "--subject", "agent-c", "--roles", "query,admin")
	d.fabToken = mintToken(t, d.gwDir, "--tenant", "fabrikam", "--subject", "agent-f", "--roles", "query")
	return d
}

// gwTransport adds the bearer token and a request id (prefix and a counter)
// to every request of an MCP client.
type gwTransport struct {
	token, prefix string
	n             atomic.Int64
}

func (g *gwTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+g.token)
	r.Header.Set("X-Request-Id", fmt.Sprintf("%s-%d", g.prefix, g.n.Add(1)))
	return http.DefaultTransport.RoundTrip(r)
}

type arrival struct {
	at       time.Duration
	progress float64
}

// gwClient connects an MCP client through the gateway; it records when each
// progress notification arrives.
func gwClient(t *testing.T, url, version, token, idPrefix string) (*mcp.ClientSession, func() []arrival, time.Time) {
	t.Helper()
	var mu sync.Mutex
	var got []arrival
	start := time.Now()
	c := mcp.NewClient(&mcp.Implementation{Name: "gateway-e2e", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			got = append(got, arrival{time.Since(start), r.Params.Progress})
			mu.Unlock()
		},
	})
	cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: url,
		HTTPClient: &http.Client{Transport: &gwTransport{token: token, prefix: idPrefix}}}, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatalf("connect %s through the gateway: %v", version, err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs, func() []arrival {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}, start
}

func gwPost(url, token, rid, body string) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "tools/call")
	req.Header.Set("Mcp-Name", "get_customer_detail")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rid != "" {
		req.Header.Set("X-Request-Id", rid)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	if resp.StatusCode == 200 && !strings.Contains(string(b), `"result"`) {
		return 0, fmt.Errorf("200 without a result: %.200s", b)
	}
	return resp.StatusCode, nil
}

const gwCallBody = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_customer_detail","arguments":{"customer_id":3},` +
	`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"load","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}`

// TestGatewayEndToEnd runs the deployment of README "Multi-tenant
// deployment" as real processes.
func TestGatewayEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs five processes")
	}
	d := gwDeploy(t)

	t.Run("a contoso token on the fabrikam route gets 403 and the fabrikam backend sees nothing", func(t *testing.T) {
		before := d.fab.mcpRequests()
		for _, method := range []string{http.MethodPost, http.MethodGet, http.MethodDelete} {
			req, _ := http.NewRequest(method, d.fabRoute, strings.NewReader(gwCallBody))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+d.contosoToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 403 {
				t.Errorf("%s with a contoso token: %d, want 403", method, resp.StatusCode)
			}
		}
		status, err := gwPost(d.fabRoute, "", "", gwCallBody)
		if err != nil || status != 401 {
			t.Errorf("no token: %d %v, want 401", status, err)
		}
		time.Sleep(100 * time.Millisecond) // let any stray request reach a log
		if n := d.fab.mcpRequests() - before; n != 0 {
			t.Fatalf("the fabrikam backend logged %d requests of refused callers", n)
		}
		t.Logf("fabrikam backend: %d requests before, %d after the refused ones", before, d.fab.mcpRequests())
		// Each tenant, on its own route, sees its own data only.
		cs, _, _ := gwClient(t, d.fabRoute, "2026-07-28", d.fabToken, "fab")
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_customer_detail", Arguments: map[string]any{"customer_id": 3}})
		if err != nil || res.IsError {
			t.Fatalf("fabrikam through its route: %v %v", err, res)
		}
		cc, _, _ := gwClient(t, d.contosoRoute, "2026-07-28", d.contosoToken, "con")
		res2, err := cc.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_customer_detail", Arguments: map[string]any{"customer_id": 3}})
		if err != nil || res2.IsError {
			t.Fatalf("contoso through its route: %v", err)
		}
		if text(res) == text(res2) {
			t.Error("contoso and fabrikam returned the same customer 3: the routes do not reach separate data")
		}
		if d.fab.mcpRequests() == before || !d.fab.sawRequestID("fab-") || d.fab.sawRequestID("con-") {
			t.Error("the fabrikam backend did not serve (only) the fabrikam calls")
		}
	})

	t.Run("through the gateway, a session's rights are each request's token's, and a body reads one way only", func(t *testing.T) {
		full := mintToken(t, d.gwDir, "--tenant", "contoso", "--subject", "agent-r", "--roles", "query,admin,security")
		query := mintToken(t, d.gwDir, "--tenant", "contoso", "--subject", "agent-r", "--roles", "query")
		post := func(body, token string, h ...string) (int, string, http.Header) {
			req, _ := http.NewRequest(http.MethodPost, d.contosoRoute, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("Authorization", "Bearer "+token)
			for i := 0; i+1 < len(h); i += 2 {
				req.Header.Set(h[i], h[i+1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b), resp.Header
		}
		status, body, hdr := post(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}`, full)
		sid := hdr.Get("Mcp-Session-Id")
		if status != 200 || sid == "" {
			t.Fatalf("initialize: %d %q %.200s", status, sid, body)
		}
		session := []string{"Mcp-Session-Id", sid, "Mcp-Protocol-Version", "2025-11-25"}
		post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, full, session...)
		if _, body, _ := post(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, query, session...); !strings.Contains(body, "get_customer_detail") || strings.Contains(body, "pay_invoice") || strings.Contains(body, "unlock_account") {
			t.Errorf("query token on a full session lists: %.300s", body)
		}
		for _, tool := range []string{"unlock_account", "pay_invoice"} {
			body := `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"` + tool + `","arguments":{"customer_id":1,"invoice_id":1,"amount":1}}}`
			if _, got, _ := post(body, query, session...); !strings.Contains(got, `unknown tool \"`+tool+`\"`) {
				t.Errorf("query token on a full session calls %s: %.300s", tool, got)
			}
		}
		twoNames := `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"pay_invoice","Name":"get_promotions","arguments":{"invoice_id":1,"amount":1}}}`
		if status, got, _ := post(twoNames, full, session...); status != 400 || !strings.Contains(got, `"code":-32600`) {
			t.Errorf("name and Name: %d %.300s", status, got)
		}
	})

	t.Run("the request id reaches the backend's log", func(t *testing.T) {
		if status, err := gwPost(d.contosoRoute, d.contosoToken, "e2e-rid-7", gwCallBody); err != nil || status != 200 {
			t.Fatalf("%d %v", status, err)
		}
		var found bool
		for _, p := range []*gwProc{d.contoso1, d.contoso2} {
			for _, m := range p.lines("mcp request") {
				if m["request_id"] == "e2e-rid-7" && m["tool"] == "get_customer_detail" {
					found = true
				}
			}
		}
		if !found {
			t.Error("no backend logged the call with request id e2e-rid-7")
		}
	})

	for _, version := range []string{"2026-07-28", "2025-11-25"} {
		t.Run("progress arrives through the gateway as it happens, "+version, func(t *testing.T) {
			cs, arrivals, _ := gwClient(t, d.contosoRoute, version, d.contosoToken, "progress-"+version)
			p := &mcp.CallToolParams{Name: "trouble_shoot_device", Arguments: map[string]any{"device_name": "router-1", "detail": "no internet"}}
			p.SetProgressToken("e2e")
			start := time.Now()
			res, err := cs.CallTool(context.Background(), p)
			total := time.Since(start)
			if err != nil || res.IsError {
				t.Fatalf("trouble_shoot_device: %v %v", err, res)
			}
			// The go-sdk client may hand the last notification to its
			// handler just after the result.
			got := arrivals()
			for deadline := time.Now().Add(2 * time.Second); len(got) < 10 && time.Now().Before(deadline); got = arrivals() {
				time.Sleep(5 * time.Millisecond)
			}
			var offsets []string
			for _, a := range got {
				offsets = append(offsets, fmt.Sprintf("%.0f%%@%dms", a.progress, a.at.Milliseconds()))
			}
			t.Logf("%d progress notifications, call took %dms: %s", len(got), total.Milliseconds(), strings.Join(offsets, " "))
			if len(got) < 10 {
				t.Fatalf("%d progress notifications, want the start and nine steps", len(got))
			}
			// Step i's progress must arrive about i steps in, not with the
			// result: the first step well before the end, and each about a
			// step after the one before.
			first, last := got[1].at, got[len(got)-1].at
			if total-first < 6*d.step {
				t.Errorf("the first step's progress arrived at %s of %s: not as it happened", first, total)
			}
			if span := last - first; span < 6*d.step {
				t.Errorf("nine steps' progress arrived within %s, want them about %s apart", span, d.step)
			}
		})
	}

	t.Run("a client that goes away cancels the backend call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var seen atomic.Int64
		c := mcp.NewClient(&mcp.Implementation{Name: "gone", Version: "1"}, &mcp.ClientOptions{
			ProgressNotificationHandler: func(context.Context, *mcp.ProgressNotificationClientRequest) {
				if seen.Add(1) == 3 {
					cancel()
				}
			},
		})
		cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: d.contosoRoute,
			HTTPClient: &http.Client{Transport: &gwTransport{token: d.contosoToken, prefix: "gone"}}}, &mcp.ClientSessionOptions{ProtocolVersion: "2026-07-28"})
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		p := &mcp.CallToolParams{Name: "trouble_shoot_device", Arguments: map[string]any{"device_name": "modem", "detail": "slow"}}
		p.SetProgressToken("gone")
		if _, err := cs.CallTool(ctx, p); err == nil {
			t.Fatal("the call finished although the client left")
		}
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			for _, b := range []*gwProc{d.contoso1, d.contoso2} {
				for _, m := range b.lines("mcp request") {
					if id, _ := m["request_id"].(string); strings.HasPrefix(id, "gone-") && m["tool"] == "trouble_shoot_device" {
						dur := time.Duration(m["duration"].(float64))
						t.Logf("the backend's call ended after %s (%s), the full call takes %s", dur.Round(time.Millisecond), m["outcome"], 9*d.step)
						if dur >= 9*d.step || m["outcome"] == "ok" {
							t.Errorf("the backend ran the call to its end (%s, %s)", dur, m["outcome"])
						}
						return
					}
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Error("no backend logged the end of the abandoned call")
	})

	t.Run("a replica killed under load: stateless calls carry on, a legacy session stays on its replica", func(t *testing.T) {
		// Legacy sessions until one lives on each replica (their request ids
		// show which).
		type session struct {
			cs     *mcp.ClientSession
			prefix string
			home   *gwProc
		}
		var on1, on2 *session
		for i := 0; i < 8 && (on1 == nil || on2 == nil); i++ {
			prefix := fmt.Sprintf("legacy%d", i)
			cs, _, _ := gwClient(t, d.contosoRoute, "2025-11-25", d.contosoToken, prefix)
			s := &session{cs: cs, prefix: prefix + "-"}
			switch {
			case d.contoso1.sawRequestID(s.prefix) && !d.contoso2.sawRequestID(s.prefix):
				s.home = d.contoso1
				on1 = s
			case d.contoso2.sawRequestID(s.prefix) && !d.contoso1.sawRequestID(s.prefix):
				s.home = d.contoso2
				on2 = s
			default:
				t.Fatalf("session %s reached both replicas or none", prefix)
			}
		}
		if on1 == nil || on2 == nil {
			t.Fatal("could not open a session on each replica")
		}

		type call struct {
			start, end time.Time
			status     int
			err        error
		}
		var mu sync.Mutex
		var calls []call
		stopLoad := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stopLoad:
						return
					default:
					}
					c := call{start: time.Now()}
					c.status, c.err = gwPost(d.contosoRoute, d.contosoToken, fmt.Sprintf("load-%d-%d", w, i), gwCallBody)
					c.end = time.Now()
					mu.Lock()
					calls = append(calls, c)
					mu.Unlock()
				}
			})
		}
		// The session on replica 1 keeps calling during the whole test.
		var legacyOK, legacyFailed atomic.Int64
		wg.Go(func() {
			for {
				select {
				case <-stopLoad:
					return
				default:
				}
				res, err := on1.cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_billing_summary", Arguments: map[string]any{"customer_id": 2}})
				if err != nil || res.IsError {
					legacyFailed.Add(1)
				} else {
					legacyOK.Add(1)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
		time.Sleep(time.Second)
		killed := time.Now()
		if err := d.contoso2.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-d.contoso2.done
		time.Sleep(1500 * time.Millisecond)
		close(stopLoad)
		wg.Wait()

		var down time.Time
		for _, m := range d.gateway.lines("replica down") {
			if m["backend"] == d.contoso2.url {
				down, _ = time.Parse(time.RFC3339Nano, m["time"].(string))
				break
			}
		}
		if down.IsZero() {
			t.Fatalf("the gateway never marked the killed replica down:\n%s", d.gateway.logs())
		}
		var ok, failedBefore, failedAfter, afterDown int
		for _, c := range calls {
			failed := c.err != nil || c.status != 200
			switch {
			case !failed:
				ok++
			case c.start.Before(down):
				failedBefore++
			default:
				failedAfter++
			}
			if c.start.After(down) {
				afterDown++
			}
		}
		t.Logf("stateless calls under load: %d, %d ok; replica killed, marked down %s later; failed: %d started before it was marked down, %d after (of %d started after)",
			len(calls), ok, down.Sub(killed).Round(time.Millisecond), failedBefore, failedAfter, afterDown)
		if failedAfter != 0 {
			t.Errorf("%d stateless calls failed after the replica was marked down", failedAfter)
		}
		if afterDown < 20 {
			t.Errorf("only %d calls after the replica went down: the load did not carry on", afterDown)
		}
		if down.Sub(killed) > time.Second {
			t.Errorf("the dead replica was marked down only after %s", down.Sub(killed))
		}
		// The session on the surviving replica worked throughout, there.
		t.Logf("legacy session on the surviving replica: %d calls ok, %d failed", legacyOK.Load(), legacyFailed.Load())
		if legacyFailed.Load() != 0 || legacyOK.Load() < 10 {
			t.Errorf("legacy session on the surviving replica: %d ok, %d failed", legacyOK.Load(), legacyFailed.Load())
		}
		if _, err := on1.cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_promotions"}); err != nil {
			t.Errorf("legacy session after the kill: %v", err)
		}
		if d.contoso2.sawRequestID(on1.prefix) {
			t.Error("the session of replica 1 reached replica 2")
		}
		// The session whose replica died is gone (404): its client must
		// start a new one.
		if _, err := on2.cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_promotions"}); err == nil {
			t.Error("a session of the dead replica still answered")
		}
	})
}

// BenchmarkGatewayThroughput measures what the gateway costs: the same
// stateless tools/call (get_customer_detail, 2026-07-28) from the same
// number of concurrent clients, straight to a backend and through the
// gateway to that backend, in alternating windows of one run so both see
// the same machine. Backend and gateway log at info, as in production; the
// gateway's limits are on but not reached. It reports both rates and their
// ratio; the target is a ratio of at least 0.7.
//
//	go test -run '^$' -bench GatewayThroughput -benchtime 1x ./cmd/contoso-mcp
func BenchmarkGatewayThroughput(b *testing.B) {
	const (
		clients = 16
		window  = time.Second
		rounds  = 3
	)
	root := b.TempDir()
	bin := gwBuild(b, root, raceEnabled())
	data := filepath.Join(root, "data")
	if out, err := exec.Command(bin, "seed", "--tenant", "contoso", "--data-dir", data, "--customers", "250").CombinedOutput(); err != nil {
		b.Fatalf("seed: %v\n%s", err, out)
	}
	backend := gwStart(b, "backend", bin, gwServing, []string{"TENANTS=contoso", "RATE_LIMIT_PER_SECOND=0"},
		"serve", "--addr", "127.0.0.1:0", "--data-dir", data)
	cfg := fmt.Sprintf(`listen: 127.0.0.1:0
auth: {mode: dev, data_dir: %s}
routes:
  - path: /contoso-mcp
    tenants: [contoso]
    backends: [%s]
    limits: {rate_per_second: 1000000, burst: 1000000, concurrency: 1000}
`, data, backend.url)
	cfgPath := filepath.Join(root, "gateway.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	gw := gwStart(b, "gateway", bin, gwGateway, nil, "gateway", "--config", cfgPath)
	iss, err := auth.LoadOrCreateDevIssuer(data)
	if err != nil {
		b.Fatal(err)
	}
	token, err := iss.Mint("contoso", "bench", []string{"query"}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	call := func(url string) error {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(gwCallBody))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
		req.Header.Set("Mcp-Method", "tools/call")
		req.Header.Set("Mcp-Name", "get_customer_detail")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s: status %d", url, resp.StatusCode)
		}
		return nil
	}
	// measure runs the clients against url for d and returns calls per second.
	measure := func(url string, d time.Duration) float64 {
		var n atomic.Int64
		var failed atomic.Value
		end := time.Now().Add(d)
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for time.Now().Before(end) {
					if err := call(url); err != nil {
						failed.Store(err)
						return
					}
					n.Add(1)
				}
			})
		}
		wg.Wait()
		if err, _ := failed.Load().(error); err != nil {
			b.Fatal(err)
		}
		return float64(n.Load()) / d.Seconds()
	}
	direct, through := backend.url, gw.url+"/contoso-mcp"
	measure(direct, 300*time.Millisecond) // warm up: connections, caches
	measure(through, 300*time.Millisecond)
	var directRate, gatewayRate float64
	b.ResetTimer()
	for i := range rounds {
		if i%2 == 0 {
			directRate += measure(direct, window)
			gatewayRate += measure(through, window)
		} else {
			gatewayRate += measure(through, window)
			directRate += measure(direct, window)
		}
	}
	b.StopTimer()
	directRate /= rounds
	gatewayRate /= rounds
	b.ReportMetric(directRate, "calls/s-direct")
	b.ReportMetric(gatewayRate, "calls/s-gateway")
	b.ReportMetric(gatewayRate/directRate, "ratio")
	if !raceEnabled() && gatewayRate/directRate < 0.7 {
		b.Logf("below the target: gateway/direct %.2f < 0.7", gatewayRate/directRate)
	}
}

// TestGatewayAndAPIMPolicyCommands: apim-policy writes the golden policy, to stdout
// or a file, and a bad configuration names the file and the field.
func TestGatewayAndAPIMPolicyCommands(t *testing.T) {
	const cfg = "../../internal/gateway/testdata/gateway-entra.yaml"
	var out syncBuffer
	if err := run(context.Background(), []string{"contoso-mcp", "apim-policy", "--config", cfg}, envOf(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile("../../internal/gateway/testdata/apim-policy.golden.xml")
	if err != nil {
		t.Fatal(err)
	}
	// The golden file was generated with the file's base name.
	if want := strings.Replace(string(golden), "from gateway-entra.yaml.", "from "+cfg+".", 1); out.String() != want {
		t.Errorf("apim-policy wrote something else than the golden policy:\n%s", out.String())
	}
	file := filepath.Join(t.TempDir(), "policy.xml")
	if err := run(context.Background(), []string{"contoso-mcp", "apim-policy", "--config", cfg, "--out", file}, envOf(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); string(b) != out.String() {
		t.Error("--out wrote something else than stdout")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("auth: {mode: dev}\nroutes: [{path: /x, tenants: [contoso], backends: [nowhere]}]\n"), 0o600)
	for _, cmd := range []string{"apim-policy", "gateway"} {
		err := run(context.Background(), []string{"contoso-mcp", cmd, "--config", bad}, envOf(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), bad+": routes[0].backends[0]") {
			t.Errorf("%s with a bad backend: %v", cmd, err)
		}
	}
	err = run(context.Background(), []string{"contoso-mcp", "gateway", "--config", "../../internal/gateway/testdata/gateway.yaml", "--listen", "0.0.0.0:0"}, envOf(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--listen: listen: refusing") {
		t.Errorf("a dev gateway off loopback: %v", err)
	}
	err = run(context.Background(), []string{"contoso-mcp", "gateway", "--config", "../../internal/gateway/testdata/gateway.yaml"},
		envOf(map[string]string{"ADMIN_ADDR": "0.0.0.0:6060"}), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ADMIN_ADDR") {
		t.Errorf("a gateway admin listener off loopback: %v", err)
	}
	err = run(context.Background(), []string{"contoso-mcp", "apim-policy", "--config", "../../internal/gateway/testdata/gateway.yaml"}, envOf(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "auth.mode") {
		t.Errorf("apim-policy of a dev configuration: %v", err)
	}
}
