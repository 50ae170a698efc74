package mcpserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/mcpserver"
	"github.com/contoso/contoso-mcp/internal/store/sqlite"
	"github.com/contoso/contoso-mcp/internal/telemetry"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The Tasks extension over real HTTP and real SQLite files, in both
// protocol eras: a raw JSON-RPC client, so that every field and header on
// the wire is the test's to choose and to check.

const (
	era2026 = "2026-07-28"
	era2025 = "2025-11-25"
)

var eras = []string{era2026, era2025}

// ---- a service of its own -----------------------------------------------

type taskOptions struct {
	dir      string        // holds the tenants' SQLite files and the dev issuer's key; shared by replicas
	contoso  contoso.Store // the contoso tenant's store (nil: an empty store on dir/contoso.db)
	step     time.Duration // trouble_shoot_device's step
	tasks    mcpserver.TaskConfig
	extend   func(*mcp.Server)
	logs     io.Writer
	disabled bool
	grants   func(*auth.Principal) contoso.Rights // nil: the role policy
}

type taskService struct {
	svc *mcpserver.Service
	url string
	dev *auth.DevIssuer
}

// openStore opens (creating it) the SQLite file of a tenant in dir.
func openStore(t testing.TB, dir, tenant string) contoso.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, tenant+".db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newTaskService serves contoso and fabrikam from o.dir over HTTP. Two
// services on the same dir are two replicas of one deployment.
func newTaskService(t testing.TB, o taskOptions) *taskService {
	t.Helper()
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	if o.step == 0 {
		o.step = 20 * time.Millisecond
	}
	if o.tasks.PollInterval == 0 {
		o.tasks.PollInterval = 20 * time.Millisecond
	}
	if o.logs == nil {
		o.logs = io.Discard
	}
	stores := map[string]contoso.Store{"contoso": o.contoso, "fabrikam": openStore(t, o.dir, "fabrikam")}
	if o.contoso == nil {
		stores["contoso"] = openStore(t, o.dir, "contoso")
	}
	dev, err := auth.LoadOrCreateDevIssuer(o.dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	verifier, err := auth.New(ctx, auth.Config{Mode: "dev", Audiences: []string{dev.Audience()},
		Tenants: map[string]string{"contoso": "contoso", "fabrikam": "fabrikam"}, DataDir: o.dir, DefaultTenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	policy := auth.Policy{QueryRole: "query", AdminRole: "admin", SecurityRole: "security"}
	if o.grants == nil {
		o.grants = policy.Access
	}
	svc := mcpserver.New(mcpserver.Config{
		Name: "contoso-mcp", Version: "test",
		Logger: slog.New(slog.NewJSONHandler(o.logs, nil)),
		Stores: func(tenant string) (contoso.Store, error) {
			if s, ok := stores[tenant]; ok {
				return s, nil
			}
			return nil, contoso.Errorf(contoso.KindPermissionDenied, "tenant %q is not served here", tenant)
		},
		Verifier:            verifier,
		Rights:              o.grants,
		RoleNames:           []string{"query", "admin", "security"},
		Local:               &auth.Principal{Tenant: "contoso", Subject: "local", Roles: []string{"query", "admin", "security"}, Issuer: "disabled"},
		AuthDisabled:        o.disabled,
		ResourceMetadataURL: "http://127.0.0.1/.well-known/oauth-protected-resource/mcp",
		Now:                 func() time.Time { return now },
		TroubleshootStep:    o.step,
		Tasks:               o.tasks,
		Extend:              o.extend,
	})
	hs := httptest.NewServer(telemetry.Middleware(svc.Logger(), svc.Handler()))
	t.Cleanup(func() {
		hs.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := svc.Shutdown(sctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return &taskService{svc: svc, url: hs.URL + "/mcp", dev: dev}
}

func (s *taskService) token(t testing.TB, tenant, subject string) string {
	t.Helper()
	tok, err := s.dev.Mint(tenant, subject, []string{"query", "admin", "security"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// ---- a raw JSON-RPC client ----------------------------------------------

type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

type rpcResponse struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

type rpcClient struct {
	t       testing.TB
	url     string
	token   string
	era     string
	declare bool   // declares the tasks extension
	session string // 2025-11-25
	id      int
	// sessionOnly declares the extension at initialize only, as MCP
	// Inspector's legacy mode does.
	sessionOnly bool
}

// newClient connects a client in era; a 2025-11-25 client initializes a
// session, declaring the extension there when declare is set.
func newClient(t testing.TB, url, token, era string, declare bool) *rpcClient {
	t.Helper()
	c := &rpcClient{t: t, url: url, token: token, era: era, declare: declare}
	if era == era2025 {
		status, resp, hdr := c.send("initialize", map[string]any{"protocolVersion": era2025, "capabilities": c.capabilities(),
			"clientInfo": map[string]any{"name": "tasks-test", "version": "1"}}, nil)
		if status != http.StatusOK || resp.Error != nil {
			t.Fatalf("initialize: HTTP %d %+v", status, resp.Error)
		}
		c.session = hdr.Get("Mcp-Session-Id")
		if c.session == "" {
			t.Fatal("initialize: no session id")
		}
		c.send("notifications/initialized", nil, nil)
		t.Cleanup(func() {
			req, _ := http.NewRequest(http.MethodDelete, c.url, nil)
			req.Header.Set("Authorization", "Bearer "+c.token)
			req.Header.Set("Mcp-Session-Id", c.session)
			req.Header.Set("Mcp-Protocol-Version", era2025)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		})
	}
	return c
}

func (c *rpcClient) capabilities() map[string]any {
	caps := map[string]any{"elicitation": map[string]any{}}
	if c.declare {
		caps["extensions"] = map[string]any{mcpserver.TasksExtension: map[string]any{}}
	}
	return caps
}

// send posts one message. headers override the defaults (Mcp-Method, and
// Mcp-Name from the body); an empty value leaves a header out.
func (c *rpcClient) send(method string, params map[string]any, headers map[string]string) (int, rpcResponse, http.Header) {
	c.t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	msg := map[string]any{"jsonrpc": "2.0", "method": method, "params": params}
	notification := strings.HasPrefix(method, "notifications/")
	if !notification {
		c.id++
		msg["id"] = c.id
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	h.Set("Authorization", "Bearer "+c.token)
	h.Set("Mcp-Method", method)
	switch {
	case method == "tools/call":
		h.Set("Mcp-Name", fmt.Sprint(params["name"]))
	case strings.HasPrefix(method, "tasks/"):
		h.Set("Mcp-Name", fmt.Sprint(params["taskId"]))
	}
	if c.era == era2026 {
		h.Set("Mcp-Protocol-Version", era2026)
		meta := map[string]any{mcp.MetaKeyProtocolVersion: era2026, mcp.MetaKeyClientCapabilities: c.capabilities(),
			mcp.MetaKeyClientInfo: map[string]any{"name": "tasks-test", "version": "1"}}
		if m, ok := params["_meta"].(map[string]any); ok {
			for k, v := range m {
				meta[k] = v
			}
		}
		params["_meta"] = meta
	} else if method != "initialize" {
		h.Set("Mcp-Protocol-Version", era2025)
		h.Set("Mcp-Session-Id", c.session)
		// The extension counts per request, in every era: a session client
		// that handles tasks declares it on each request too.
		if c.declare && !notification && !c.sessionOnly {
			meta, _ := params["_meta"].(map[string]any)
			if meta == nil {
				meta = map[string]any{}
			}
			meta[mcp.MetaKeyClientCapabilities] = c.capabilities()
			params["_meta"] = meta
		}
	}
	for k, v := range headers {
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
	}
	body, err := json.Marshal(msg)
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header = h
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s: reading the response: %v", method, err)
	}
	var resp rpcResponse
	if notification || len(bytes.TrimSpace(raw)) == 0 {
		return res.StatusCode, resp, res.Header
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		want := fmt.Sprint(c.id)
		for line := range strings.SplitSeq(string(raw), "\n") {
			data, ok := strings.CutPrefix(strings.TrimSpace(line), "data:")
			if !ok {
				continue
			}
			var m rpcResponse
			if json.Unmarshal([]byte(data), &m) == nil && string(m.ID) == want {
				resp = m
			}
		}
		return res.StatusCode, resp, res.Header
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		c.t.Fatalf("%s: HTTP %d, undecodable body %q", method, res.StatusCode, raw)
	}
	return res.StatusCode, resp, res.Header
}

// request sends a request that must succeed and decodes its result.
func (c *rpcClient) request(method string, params map[string]any, out any) {
	c.t.Helper()
	status, resp, _ := c.send(method, params, nil)
	if status != http.StatusOK || resp.Error != nil || resp.Result == nil {
		c.t.Fatalf("%s: HTTP %d, error %+v", method, status, resp.Error)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Result, out); err != nil {
			c.t.Fatalf("%s: decoding %s: %v", method, resp.Result, err)
		}
	}
}

// failure sends a request that must fail with a JSON-RPC error.
func (c *rpcClient) failure(method string, params map[string]any) rpcError {
	c.t.Helper()
	_, resp, _ := c.send(method, params, nil)
	if resp.Error == nil {
		c.t.Fatalf("%s: succeeded (%s), want an error", method, resp.Result)
	}
	return *resp.Error
}

// taskView is what a client sees of a task.
type taskView struct {
	ResultType     string                     `json:"resultType"`
	TaskID         string                     `json:"taskId"`
	Status         string                     `json:"status"`
	StatusMessage  string                     `json:"statusMessage"`
	CreatedAt      string                     `json:"createdAt"`
	LastUpdatedAt  string                     `json:"lastUpdatedAt"`
	TTLMs          *int64                     `json:"ttlMs"`
	PollIntervalMs int64                      `json:"pollIntervalMs"`
	Result         *mcp.CallToolResult        `json:"result"`
	Error          *rpcError                  `json:"error"`
	InputRequests  map[string]json.RawMessage `json:"inputRequests"`
	Meta           map[string]json.RawMessage `json:"_meta"`
	Content        []json.RawMessage          `json:"content"` // set only on a plain tool result
}

// progress is the progress tasks/get reports in _meta (-1 without).
func (v taskView) progress() float64 {
	var p struct{ Progress, Total float64 }
	if json.Unmarshal(v.Meta["com.contoso/progress"], &p) != nil || p.Total == 0 {
		return -1
	}
	return p.Progress
}

func (c *rpcClient) startTask(tool string, args map[string]any) taskView {
	c.t.Helper()
	var v taskView
	c.request("tools/call", map[string]any{"name": tool, "arguments": args}, &v)
	if v.ResultType != "task" || v.TaskID == "" {
		c.t.Fatalf("tools/call %s: %+v, want a CreateTaskResult", tool, v)
	}
	return v
}

func (c *rpcClient) get(id string) taskView {
	c.t.Helper()
	var v taskView
	c.request("tasks/get", map[string]any{"taskId": id}, &v)
	return v
}

// waitFor polls tasks/get until ok accepts the task, and returns it.
func (c *rpcClient) waitFor(id string, within time.Duration, ok func(taskView) bool) taskView {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		v := c.get(id)
		if ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("task %s after %v: %s %q", id, within, v.Status, v.StatusMessage)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func terminal(v taskView) bool {
	return v.Status == "completed" || v.Status == "failed" || v.Status == "cancelled"
}

// taskGoroutines counts the goroutines of the Tasks runtime's workers and
// of trouble_shoot_device.
func taskGoroutines() int {
	buf := make([]byte, 1<<22)
	stacks := string(buf[:runtime.Stack(buf, true)])
	return strings.Count(stacks, "mcpserver.(*taskWorker)") + strings.Count(stacks, "tools.troubleshootDevice")
}

func waitNoTaskGoroutines(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for taskGoroutines() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d task goroutines still run %v after the task ended", taskGoroutines(), within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var troubleshootArgs = map[string]any{"device_name": "router-1", "detail": "no internet, pages are slow"}

// ---- the tests ------------------------------------------------------------

// TestTaskLifecycle: trouble_shoot_device from a client that declared the
// extension is a task: created durably (tasks/get resolves at once), working
// with rising progress in statusMessage and _meta, then completed with the
// device report as its result. Both eras.
func TestTaskLifecycle(t *testing.T) {
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			s := newTaskService(t, taskOptions{step: 60 * time.Millisecond})
			c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era, true)
			created := c.startTask("trouble_shoot_device", troubleshootArgs)
			if created.Status != "working" || len(created.TaskID) < 26 || created.TTLMs == nil || *created.TTLMs != time.Hour.Milliseconds() ||
				created.PollIntervalMs != 20 || created.Result != nil || created.Error != nil || created.InputRequests != nil {
				t.Errorf("CreateTaskResult = %+v", created)
			}
			for _, ts := range []string{created.CreatedAt, created.LastUpdatedAt} {
				if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
					t.Errorf("timestamp %q is not RFC 3339: %v", ts, err)
				}
			}
			first := c.get(created.TaskID)
			if first.ResultType != "complete" || first.TaskID != created.TaskID || first.Status != "working" {
				t.Errorf("tasks/get right after creation = %+v", first)
			}

			var seen []float64
			var messages []string
			last := c.waitFor(created.TaskID, 10*time.Second, func(v taskView) bool {
				if p := v.progress(); v.Status == "working" && p >= 0 && (len(seen) == 0 || p != seen[len(seen)-1]) {
					seen = append(seen, p)
					messages = append(messages, v.StatusMessage)
				}
				return terminal(v)
			})
			if last.Status != "completed" || last.Result == nil || last.Error != nil {
				t.Fatalf("final task = %+v, want completed with a result", last)
			}
			t.Logf("progress seen while working: %v", seen)
			if len(seen) < 4 {
				t.Errorf("progress seen while working: %v; want it to rise step by step", seen)
			}
			for i := 1; i < len(seen); i++ {
				if seen[i] <= seen[i-1] {
					t.Errorf("progress went from %v to %v", seen[i-1], seen[i])
				}
			}
			for i, m := range messages {
				if !strings.HasPrefix(m, fmt.Sprintf("%.0f%% ", seen[i])) {
					t.Errorf("statusMessage %q does not start with the progress %v%%", m, seen[i])
				}
			}
			if !strings.Contains(strings.Join(messages, "\n"), "/9)") {
				t.Errorf("status messages %q name no step", messages)
			}
			var report struct {
				DeviceName string `json:"device_name"`
				Status     string
				Steps      []struct{ Step int }
			}
			raw, _ := json.Marshal(last.Result.StructuredContent)
			if err := json.Unmarshal(raw, &report); err != nil || report.DeviceName != "router-1" || len(report.Steps) != 9 || report.Status != "escalate" {
				t.Errorf("the task's result is not the device report: %s (%v)", raw, err)
			}
			if last.Result.IsError || !strings.Contains(text(last.Result), "Diagnosis of router-1") {
				t.Errorf("result text %q", text(last.Result))
			}
			if last.PollIntervalMs != 0 || last.Meta["com.contoso/progress"] != nil {
				t.Errorf("a finished task still suggests polling or shows progress: %+v", last)
			}

			// Cancelling a finished task is acknowledged and changes nothing.
			var ack map[string]any
			c.request("tasks/cancel", map[string]any{"taskId": created.TaskID}, &ack)
			if ack["resultType"] != "complete" || ack["taskId"] != nil || ack["status"] != nil {
				t.Errorf("tasks/cancel ack = %v", ack)
			}
			if again := c.get(created.TaskID); again.Status != "completed" || again.Result == nil {
				t.Errorf("after cancelling the finished task: %+v", again)
			}
			waitNoTaskGoroutines(t, time.Second)
		})
	}
}

// TestTaskCancel: tasks/cancel mid-run stops the diagnosis within one step;
// the task ends cancelled and no goroutine is left. Both eras.
func TestTaskCancel(t *testing.T) {
	const step = 150 * time.Millisecond
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			s := newTaskService(t, taskOptions{step: step})
			c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era, true)
			id := c.startTask("trouble_shoot_device", troubleshootArgs).TaskID
			c.waitFor(id, 5*time.Second, func(v taskView) bool { return v.progress() >= 20 })
			var ack map[string]any
			c.request("tasks/cancel", map[string]any{"taskId": id}, &ack)
			cancelled := time.Now()
			for k := range ack {
				if k != "resultType" && k != "_meta" {
					t.Errorf("tasks/cancel ack has %s: %v", k, ack)
				}
			}
			if ack["resultType"] != "complete" {
				t.Errorf("tasks/cancel ack = %v, want resultType complete", ack)
			}
			v := c.waitFor(id, 5*time.Second, terminal)
			if v.Status != "cancelled" || v.Result != nil || v.Error != nil {
				t.Errorf("after tasks/cancel: %+v", v)
			}
			if !strings.Contains(v.StatusMessage, "cancelled after") {
				t.Errorf("statusMessage %q does not say how far the diagnosis got", v.StatusMessage)
			}
			waitNoTaskGoroutines(t, step+500*time.Millisecond)
			if d := time.Since(cancelled); d > step+500*time.Millisecond {
				t.Errorf("the task stopped %v after tasks/cancel; want within one step (%v)", d, step)
			}
			time.Sleep(2 * step)
			if after := c.get(id); after.Status != "cancelled" || after.StatusMessage != v.StatusMessage {
				t.Errorf("the task changed after it was cancelled: %+v", after)
			}
		})
	}
}

// TestTaskIsolation: only the principal that created a task sees, updates
// or cancels it; another principal of the same tenant and a principal of
// another tenant get exactly the error of an unknown task id.
func TestTaskIsolation(t *testing.T) {
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			s := newTaskService(t, taskOptions{step: 100 * time.Millisecond})
			owner := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era, true)
			id := owner.startTask("trouble_shoot_device", troubleshootArgs).TaskID
			for name, other := range map[string]*rpcClient{
				"same tenant":    newClient(t, s.url, s.token(t, "contoso", "agent-2"), era, true),
				"another tenant": newClient(t, s.url, s.token(t, "fabrikam", "agent-1"), era, true),
			} {
				for _, method := range []string{"tasks/get", "tasks/update", "tasks/cancel"} {
					params := func(id string) map[string]any {
						p := map[string]any{"taskId": id}
						if method == "tasks/update" {
							p["inputResponses"] = map[string]any{"confirm": map[string]any{"action": "accept", "content": map[string]any{}}}
						}
						return p
					}
					unknown := other.failure(method, params("no-such-task-"+strings.Repeat("X", 20)))
					theirs := other.failure(method, params(id))
					if unknown.Code != -32602 || fmt.Sprint(theirs) != fmt.Sprint(unknown) {
						t.Errorf("%s, %s of the owner's task: %+v; of an unknown id: %+v; want the same -32602", name, method, theirs, unknown)
					}
				}
			}
			v := owner.get(id)
			if v.Status != "working" {
				t.Errorf("the owner's task after the others tried: %+v", v)
			}
			owner.request("tasks/cancel", map[string]any{"taskId": id}, nil)
			if v := owner.waitFor(id, 5*time.Second, terminal); v.Status != "cancelled" {
				t.Errorf("the owner's cancel: %+v", v)
			}
			waitNoTaskGoroutines(t, time.Second)
		})
	}
}

// TestTaskReplica: a second service on the same SQLite file (another
// replica) answers tasks/get for a task running on the first, and its
// tasks/cancel stops the work there within one step.
func TestTaskReplica(t *testing.T) {
	const step = 200 * time.Millisecond
	dir := t.TempDir()
	a := newTaskService(t, taskOptions{dir: dir, step: step, tasks: mcpserver.TaskConfig{PollInterval: 50 * time.Millisecond}})
	b := newTaskService(t, taskOptions{dir: dir, step: step, tasks: mcpserver.TaskConfig{PollInterval: 50 * time.Millisecond}})
	token := a.token(t, "contoso", "agent-1")
	onA := newClient(t, a.url, token, era2026, true)
	onB := newClient(t, b.url, token, era2026, true)
	id := onA.startTask("trouble_shoot_device", troubleshootArgs).TaskID
	seen := onB.waitFor(id, 5*time.Second, func(v taskView) bool { return v.progress() >= 10 })
	if seen.Status != "working" || !strings.Contains(seen.StatusMessage, "%") {
		t.Errorf("replica B's view of A's task: %+v", seen)
	}
	onB.request("tasks/cancel", map[string]any{"taskId": id}, nil)
	cancelled := time.Now()
	v := onB.waitFor(id, 5*time.Second, terminal)
	stopped := time.Since(cancelled)
	if v.Status != "cancelled" {
		t.Errorf("after B cancelled: %+v", v)
	}
	// The flag is read at the next progress report or heartbeat: within a step.
	if stopped > step+300*time.Millisecond {
		t.Errorf("A stopped the task %v after B's tasks/cancel; want within one step (%v)", stopped, step)
	}
	waitNoTaskGoroutines(t, time.Second)
	if got := onA.get(id); got.Status != "cancelled" {
		t.Errorf("A's view after B cancelled: %+v", got)
	}
}

// TestTaskHelperProcess is not a test: TestTaskSurvivesRestart runs the test
// binary again with it to get a server process it can kill.
func TestTaskHelperProcess(t *testing.T) {
	dir := os.Getenv("CONTOSO_TASK_HELPER_DIR")
	if dir == "" {
		t.Skip("only run by TestTaskSurvivesRestart")
	}
	s := newTaskService(t, taskOptions{dir: dir, step: time.Hour, tasks: mcpserver.TaskConfig{Lease: 600 * time.Millisecond, PollInterval: 100 * time.Millisecond}})
	fmt.Printf("URL=%s\n", s.url)
	select {} // until killed
}

// TestTaskSurvivesRestart: the process running a task dies (SIGKILL); a new
// service on the same SQLite file sees the task, working until the dead
// worker's lease runs out, then failed, never working for ever.
func TestTaskSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process")
	}
	const lease = 600 * time.Millisecond
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTaskHelperProcess$")
	cmd.Env = append(os.Environ(), "CONTOSO_TASK_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	lines := bufio.NewScanner(out)
	var url string
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "URL="); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatal("the helper process printed no URL")
	}
	go io.Copy(io.Discard, out)

	dev, err := auth.LoadOrCreateDevIssuer(dir) // the helper's: tokens verify on both
	if err != nil {
		t.Fatal(err)
	}
	token, err := dev.Mint("contoso", "agent-1", []string{"query"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	first := newClient(t, url, token, era2026, true)
	id := first.startTask("trouble_shoot_device", troubleshootArgs).TaskID
	first.waitFor(id, 5*time.Second, func(v taskView) bool { return strings.Contains(v.StatusMessage, "Starting the diagnosis") })
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	killed = true
	died := time.Now()

	restarted := newTaskService(t, taskOptions{dir: dir, tasks: mcpserver.TaskConfig{Lease: lease, PollInterval: 100 * time.Millisecond}})
	c := newClient(t, restarted.url, token, era2026, true)
	v := c.get(id)
	if v.Status != "working" && v.Status != "failed" {
		t.Fatalf("the restarted service sees %+v", v)
	}
	t.Logf("the restarted service first saw the task %s (%q), %v after the process died", v.Status, v.StatusMessage, time.Since(died))
	v = c.waitFor(id, 5*time.Second, func(v taskView) bool { return v.Status != "working" })
	t.Logf("then %s, %v after the process died", v.Status, time.Since(died))
	if since := time.Since(died); since > lease+time.Second {
		t.Errorf("the task was still working %v after its process died (lease %v)", since, lease)
	}
	if v.Status != "failed" || v.Error == nil || v.Error.Code != -32603 || v.Result != nil {
		t.Fatalf("after the lease ran out: %+v, want failed with a -32603 error", v)
	}
	if !strings.Contains(v.StatusMessage, "stopped before it finished") {
		t.Errorf("statusMessage %q", v.StatusMessage)
	}
	c.request("tasks/cancel", map[string]any{"taskId": id}, nil)
	if again := c.get(id); again.Status != "failed" {
		t.Errorf("the failed task changed: %+v", again)
	}
}

// TestTasksNeedTheExtension: a client that did not declare the extension
// gets -32021 from tasks/get, tasks/update and tasks/cancel, and a plain
// synchronous result from trouble_shoot_device. Both eras.
func TestTasksNeedTheExtension(t *testing.T) {
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			s := newTaskService(t, taskOptions{step: time.Millisecond})
			c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era, false)
			for _, method := range []string{"tasks/get", "tasks/update", "tasks/cancel"} {
				e := c.failure(method, map[string]any{"taskId": "whatever", "inputResponses": map[string]any{}})
				var data struct {
					RequiredCapabilities struct {
						Extensions map[string]json.RawMessage `json:"extensions"`
					} `json:"requiredCapabilities"`
				}
				if e.Code != -32021 || json.Unmarshal(e.Data, &data) != nil || data.RequiredCapabilities.Extensions[mcpserver.TasksExtension] == nil {
					t.Errorf("%s without the extension: %+v, want -32021 naming %s", method, e, mcpserver.TasksExtension)
				}
			}
			var res taskView
			c.request("tools/call", map[string]any{"name": "trouble_shoot_device", "arguments": troubleshootArgs}, &res)
			if res.ResultType == "task" || res.TaskID != "" || len(res.Content) == 0 {
				t.Errorf("trouble_shoot_device without the extension: %+v, want a plain result", res)
			}
		})
	}
}

// TestShortToolsStaySynchronous: a tool that is not long-running answers a
// client that declared the extension with a plain result. Both eras.
func TestShortToolsStaySynchronous(t *testing.T) {
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			s := newTaskService(t, taskOptions{contoso: seededStore(t)})
			c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era, true)
			var res map[string]json.RawMessage
			c.request("tools/call", map[string]any{"name": "get_customer_detail", "arguments": map[string]any{"customer_id": 1}}, &res)
			if res["taskId"] != nil || string(res["resultType"]) == `"task"` || res["content"] == nil || res["structuredContent"] == nil {
				t.Errorf("get_customer_detail from a tasks-capable client: %s", mapKeys(res))
			}
		})
	}
}

func mapKeys(m map[string]json.RawMessage) string {
	var b strings.Builder
	for k, v := range m {
		fmt.Fprintf(&b, "%s=%.60s ", k, v)
	}
	return b.String()
}

// TestTaskRoutingHeaders: on tasks/* the Mcp-Name header must equal the
// task id: a mismatch is HTTP 400 with -32020 (and the request's id) in both
// eras; a missing header too in 2026-07-28, the era that has the header
// (2025-11-25 clients never send it, so there it is optional).
func TestTaskRoutingHeaders(t *testing.T) {
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			s := newTaskService(t, taskOptions{step: 50 * time.Millisecond})
			c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era, true)
			id := c.startTask("trouble_shoot_device", troubleshootArgs).TaskID
			for _, method := range []string{"tasks/get", "tasks/update", "tasks/cancel"} {
				params := map[string]any{"taskId": id, "inputResponses": map[string]any{}}
				status, resp, _ := c.send(method, params, map[string]string{"Mcp-Name": id + "-other"})
				if status != http.StatusBadRequest || resp.Error == nil || resp.Error.Code != -32020 || string(resp.ID) != fmt.Sprint(c.id) {
					t.Errorf("%s, %s with a wrong Mcp-Name: HTTP %d %+v (id %s)", era, method, status, resp.Error, resp.ID)
				}
				status, resp, _ = c.send(method, params, map[string]string{"Mcp-Name": ""})
				if era == era2026 && (status != http.StatusBadRequest || resp.Error == nil || resp.Error.Code != -32020) {
					t.Errorf("%s, %s without Mcp-Name: HTTP %d %+v; want 400 -32020", era, method, status, resp.Error)
				}
				if era == era2025 && (status != http.StatusOK || resp.Error != nil) {
					t.Errorf("%s, %s without Mcp-Name: HTTP %d %+v; want it served", era, method, status, resp.Error)
				}
			}
			c.request("tasks/cancel", map[string]any{"taskId": id}, nil)
			c.waitFor(id, 5*time.Second, terminal)
		})
	}
}

// TestTasksAdvertised: the extension is in the server's capabilities, and
// logging still is.
func TestTasksAdvertised(t *testing.T) {
	s := newTaskService(t, taskOptions{})
	for _, era := range eras {
		c := &rpcClient{t: t, url: s.url, token: s.token(t, "contoso", "agent-1"), era: era, declare: true}
		var res struct {
			Capabilities struct {
				Logging    json.RawMessage            `json:"logging"`
				Extensions map[string]json.RawMessage `json:"extensions"`
			} `json:"capabilities"`
		}
		if era == era2026 {
			c.request("server/discover", nil, &res)
		} else {
			c.request("initialize", map[string]any{"protocolVersion": era2025, "capabilities": map[string]any{},
				"clientInfo": map[string]any{"name": "t", "version": "1"}}, &res)
		}
		if string(res.Capabilities.Extensions[mcpserver.TasksExtension]) != "{}" || res.Capabilities.Logging == nil {
			t.Errorf("%s capabilities: extensions %v, logging %s", era, res.Capabilities.Extensions, res.Capabilities.Logging)
		}
	}
}

// confirmTool is a task tool that asks for confirmation the multi-round-trip
// way; inside a task that becomes the task's input requests.
func confirmTool(srv *mcp.Server) {
	mcpserver.AddTaskTool(srv, &mcp.Tool{Name: "reset_router", Description: "Resets a router once confirmed.",
		InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			confirm, ok1 := req.Params.InputResponses["confirm"].(*mcp.ElicitResult)
			who, ok2 := req.Params.InputResponses["who"].(*mcp.ElicitResult)
			if ok1 && ok2 {
				name, _ := who.Content["name"].(string)
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf("reset %s by %s", confirm.Action, name)}}}, nil
			}
			form := json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)
			return &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{
				"confirm": &mcp.ElicitParams{Message: "Reset the router?", RequestedSchema: form},
				"who":     &mcp.ElicitParams{Message: "Who asks?", RequestedSchema: form},
			}}, nil
		}, mcpserver.TaskTool{})
}

// TestTaskInput: a task that needs input waits in input_required with its
// requests; tasks/update answers them (here through another replica, one
// key at a time: the task stays input_required until both are in), and the
// task resumes to completed with a result built from the answers. Both
// eras: a 2025-11-25 session gets the same flow, not an elicitation request.
func TestTaskInput(t *testing.T) {
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			dir := t.TempDir()
			a := newTaskService(t, taskOptions{dir: dir, extend: confirmTool})
			b := newTaskService(t, taskOptions{dir: dir, extend: confirmTool})
			token := a.token(t, "contoso", "agent-1")
			onA, onB := newClient(t, a.url, token, era, true), newClient(t, b.url, token, era, true)
			id := onA.startTask("reset_router", map[string]any{}).TaskID
			v := onB.waitFor(id, 5*time.Second, func(v taskView) bool { return v.Status != "working" })
			if v.Status != "input_required" || len(v.InputRequests) != 2 || !strings.Contains(string(v.InputRequests["confirm"]), `"method":"elicitation/create"`) ||
				!strings.Contains(v.StatusMessage, "Reset the router?") {
				t.Fatalf("the task waiting for input: %+v", v)
			}
			var ack map[string]any
			onB.request("tasks/update", map[string]any{"taskId": id, "inputResponses": map[string]any{
				"confirm": map[string]any{"action": "accept", "content": map[string]any{}},
				"never":   map[string]any{"ignored": true},
			}}, &ack)
			if ack["resultType"] != "complete" || ack["status"] != nil {
				t.Errorf("tasks/update ack = %v", ack)
			}
			if v := onA.get(id); v.Status != "input_required" || len(v.InputRequests) != 1 || v.InputRequests["who"] == nil {
				t.Errorf("after answering one of two requests: %s %v", v.Status, v.InputRequests)
			}
			if e := onB.failure("tasks/update", map[string]any{"taskId": id, "inputResponses": map[string]any{"who": map[string]any{"nonsense": 1}}}); e.Code != -32602 {
				t.Errorf("an answer that is no input response: %+v, want -32602", e)
			}
			onB.request("tasks/update", map[string]any{"taskId": id, "inputResponses": map[string]any{
				"who": map[string]any{"action": "accept", "content": map[string]any{"name": "Ada"}}}}, nil)
			v = onB.waitFor(id, 5*time.Second, terminal)
			if v.Status != "completed" || v.Result == nil || text(v.Result) != "reset accept by Ada" {
				t.Errorf("the resumed task: %+v", v)
			}
			waitNoTaskGoroutines(t, time.Second)
		})
	}
}

// TestTaskInputCancelled: a task waiting for input is cancelled like any
// other.
func TestTaskInputCancelled(t *testing.T) {
	s := newTaskService(t, taskOptions{extend: confirmTool})
	c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era2026, true)
	id := c.startTask("reset_router", map[string]any{}).TaskID
	c.waitFor(id, 5*time.Second, func(v taskView) bool { return v.Status == "input_required" })
	c.request("tasks/cancel", map[string]any{"taskId": id}, nil)
	if v := c.waitFor(id, 5*time.Second, terminal); v.Status != "cancelled" || v.InputRequests != nil {
		t.Errorf("after tasks/cancel: %+v", v)
	}
	waitNoTaskGoroutines(t, time.Second)
}

// TestWriteTaskIsAudited: a write tool run as a task (rerate_usage) is
// audited once, with the outcome it ended with, like a synchronous call.
func TestWriteTaskIsAudited(t *testing.T) {
	st := seededStore(t)
	s := newTaskService(t, taskOptions{contoso: st})
	c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era2026, true)
	id := c.startTask("rerate_usage", map[string]any{"start_date": "2026-05-01", "end_date": "2026-05-31", "dry_run": true}).TaskID
	v := c.waitFor(id, 10*time.Second, terminal)
	if v.Status != "completed" || v.Result == nil || v.Result.IsError || !strings.Contains(text(v.Result), "Would bill") {
		t.Fatalf("rerate_usage as a task: %+v", v)
	}
	trail, err := st.AuditTrail(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 1 || trail[0].Tool != "rerate_usage" || trail[0].Outcome != "ok" || trail[0].Subject != "agent-1" {
		t.Errorf("audit trail = %+v, want one ok record of rerate_usage by agent-1", trail)
	}
}

// TestTaskShutdown: shutting a service down stops its running tasks, which
// are recorded failed at once (not left to their lease), and refuses new ones.
func TestTaskShutdown(t *testing.T) {
	s := newTaskService(t, taskOptions{step: time.Hour})
	c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era2026, true)
	id := c.startTask("trouble_shoot_device", troubleshootArgs).TaskID
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.svc.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if v := c.get(id); v.Status != "failed" || v.Error == nil || !strings.Contains(v.Error.Message, "shut down") {
		t.Errorf("a task running at shutdown: %+v", v)
	}
	if e := c.failure("tools/call", map[string]any{"name": "trouble_shoot_device", "arguments": troubleshootArgs}); e.Code != -32603 {
		t.Errorf("a new task after shutdown: %+v", e)
	}
	waitNoTaskGoroutines(t, time.Second)
}

// TestTaskExpires: once its TTL has run out a task is gone: tasks/get
// answers as for an unknown id.
func TestTaskExpires(t *testing.T) {
	s := newTaskService(t, taskOptions{step: time.Millisecond, tasks: mcpserver.TaskConfig{TTL: 400 * time.Millisecond}})
	c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era2026, true)
	created := c.startTask("trouble_shoot_device", troubleshootArgs)
	if created.TTLMs == nil || *created.TTLMs != 400 {
		t.Errorf("ttlMs = %v, want 400", created.TTLMs)
	}
	c.waitFor(created.TaskID, 5*time.Second, terminal)
	time.Sleep(time.Until(mustTime(t, created.CreatedAt).Add(450 * time.Millisecond)))
	if e := c.failure("tasks/get", map[string]any{"taskId": created.TaskID}); e.Code != -32602 {
		t.Errorf("tasks/get of an expired task: %+v", e)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestTaskWorkersRunConcurrently: tasks run side by side, each in its own
// worker, and all finish.
func TestTaskWorkersRunConcurrently(t *testing.T) {
	const step, n = 60 * time.Millisecond, 5
	s := newTaskService(t, taskOptions{step: step})
	c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era2026, true)
	start := time.Now()
	var ids []string
	for range n {
		ids = append(ids, c.startTask("trouble_shoot_device", troubleshootArgs).TaskID)
	}
	for _, id := range ids {
		if v := c.waitFor(id, 10*time.Second, terminal); v.Status != "completed" {
			t.Errorf("task %s: %+v", id, v)
		}
	}
	if took, serial := time.Since(start), n*9*step; took > serial*3/4 {
		t.Errorf("%d tasks of %v each took %v together: they did not run concurrently", n, 9*step, took)
	}
	waitNoTaskGoroutines(t, time.Second)
}

// TestSessionDeclarationAloneGetsNoTask: a 2025-11-25 client that declared
// the extension at initialize but not on the request (MCP Inspector's legacy
// mode) gets a plain result: the extension counts per request.
func TestSessionDeclarationAloneGetsNoTask(t *testing.T) {
	s := newTaskService(t, taskOptions{})
	c := newClient(t, s.url, s.token(t, "contoso", "agent-1"), era2025, true)
	c.sessionOnly = true
	status, resp, _ := c.send("tools/call", map[string]any{"name": "trouble_shoot_device",
		"arguments": map[string]any{"device_name": "router-1", "detail": "no internet"}}, nil)
	if status != http.StatusOK || resp.Error != nil || !strings.Contains(string(resp.Result), "structuredContent") || strings.Contains(string(resp.Result), `"resultType":"task"`) {
		t.Fatalf("HTTP %d, error %+v, result %.300s: want the device report itself", status, resp.Error, resp.Result)
	}
}
