package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/go-cmp/cmp"
)

// transcript records what a command writes to stdout and stderr in the
// order it was written, to check both the separation and the order.
type transcript struct {
	mu    sync.Mutex
	parts []transcriptPart
}

type transcriptPart struct{ stream, text string }

type streamWriter struct {
	t      *transcript
	stream string
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	w.t.parts = append(w.t.parts, transcriptPart{w.stream, string(p)})
	return len(p), nil
}

func (t *transcript) stdout() io.Writer { return streamWriter{t, "out"} }
func (t *transcript) stderr() io.Writer { return streamWriter{t, "err"} }

// text is everything written to one stream.
func (t *transcript) text(stream string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	for _, p := range t.parts {
		if p.stream == stream {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// all is both streams interleaved as written.
func (t *transcript) all() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	for _, p := range t.parts {
		b.WriteString(p.text)
	}
	return b.String()
}

func progressLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "progress ") {
			out = append(out, l)
		}
	}
	return out
}

// runCall runs "contoso-mcp call" with args and no environment.
func runCall(ctx context.Context, env map[string]string, args ...string) (*transcript, error) {
	tr := &transcript{}
	err := run(ctx, append([]string{"contoso-mcp", "call"}, args...), envOf(env), strings.NewReader(""), tr.stdout(), tr.stderr())
	return tr, err
}

// TestCallReadTool: a read tool's structured result comes out on stdout as
// JSON, in both eras; without --token, the data directory's dev issuer
// key mints one, and stderr says so.
func TestCallReadTool(t *testing.T) {
	dir := t.TempDir()
	url, _, stop := startServe(t, map[string]string{"SEED_CUSTOMER_COUNT": "20"}, "--data-dir", dir)
	defer stop()
	want := contoso.Customer{CustomerID: 21, FirstName: "John", LastName: "Doe", Email: "john.doe.21@example.com",
		Phone: "+1-206-555-0101", Address: "1420 Maple Ave, Seattle, WA 98101", LoyaltyLevel: "Silver"}
	for _, era := range []string{eraCurrent, eraSessions} {
		t.Run(era, func(t *testing.T) {
			tr, err := runCall(context.Background(), nil, "get_customer_detail", "--arg", "customer_id=21", "--url", url, "--data-dir", dir, "--protocol", era)
			if err != nil {
				t.Fatalf("call: %v\n%s", err, tr.all())
			}
			var got struct {
				Customer      contoso.Customer
				Subscriptions []struct {
					SubscriptionID int64 `json:"subscription_id"`
				}
			}
			if err := json.Unmarshal([]byte(tr.text("out")), &got); err != nil {
				t.Fatalf("stdout is not the JSON result: %v\n%s", err, tr.text("out"))
			}
			if diff := cmp.Diff(want, got.Customer); diff != "" {
				t.Errorf("customer (-want +got):\n%s", diff)
			}
			if len(got.Subscriptions) != 1 || got.Subscriptions[0].SubscriptionID != 21 {
				t.Errorf("subscriptions %+v, want scenario 1's one subscription", got.Subscriptions)
			}
			if !strings.Contains(tr.text("out"), "\n  \"customer\": {") {
				t.Errorf("stdout is not indented JSON:\n%s", tr.text("out"))
			}
			if e := tr.text("err"); !strings.Contains(e, "using a development token (tenant contoso") || strings.Contains(e, "progress") {
				t.Errorf("stderr %q: want the dev-token note and no progress", e)
			}
		})
	}
	// Given a token, call says nothing about minting one.
	tr, err := runCall(context.Background(), map[string]string{"CONTOSO_MCP_TOKEN": mintToken(t, dir, "--roles", "query")},
		"get_customer_detail", "--arg", "customer_id=21", "--url", url, "--data-dir", t.TempDir())
	if err != nil || tr.text("err") != "" || !strings.Contains(tr.text("out"), `"first_name": "John"`) {
		t.Errorf("with CONTOSO_MCP_TOKEN: %v, stderr %q, stdout %q", err, tr.text("err"), tr.text("out"))
	}
}

// TestCallProgressLines: trouble_shoot_device with stderr not a terminal
// writes one progress line per notification (the start, then the nine
// steps, 0 to 100 in order) and then the report on stdout.
func TestCallProgressLines(t *testing.T) {
	dir := t.TempDir()
	url, _, stop := startServe(t, map[string]string{"SEED_CUSTOMER_COUNT": "5", "TROUBLESHOOT_STEP": "20ms"}, "--data-dir", dir)
	defer stop()
	want := []string{
		"progress   0% Starting the diagnosis of router-1",
		"progress  10% Collecting device inventory (1/9)",
		"progress  20% Checking connectivity (2/9)",
		"progress  30% Checking DNS and gateway (3/9)",
		"progress  40% Running ping and traceroute (4/9)",
		"progress  55% Inspecting services and logs (5/9)",
		"progress  70% Restarting the management agent (6/9)",
		"progress  85% Running health checks (7/9)",
		"progress  95% Summarising the diagnosis (8/9)",
		"progress 100% Finalising the report (9/9)",
	}
	for _, era := range []string{eraCurrent, eraSessions} {
		t.Run(era, func(t *testing.T) {
			tr, err := runCall(context.Background(), nil, "trouble_shoot_device", "--arg", "device_name=router-1", "--arg", "detail=no internet",
				"--url", url, "--data-dir", dir, "--protocol", era)
			if err != nil {
				t.Fatalf("call: %v\n%s", err, tr.all())
			}
			if diff := cmp.Diff(want, progressLines(tr.text("err"))); diff != "" {
				t.Errorf("progress lines (-want +got):\n%s", diff)
			}
			all := tr.all()
			if last, result := strings.Index(all, want[9]), strings.Index(all, "{\n"); last < 0 || result < last {
				t.Errorf("the report did not come after the last progress line:\n%s", all)
			}
			var report struct {
				DeviceName string `json:"device_name"`
				Detail     string
				Status     string
				Steps      []struct{ Step int }
			}
			if err := json.Unmarshal([]byte(tr.text("out")), &report); err != nil {
				t.Fatalf("stdout is not the JSON report: %v\n%s", err, tr.text("out"))
			}
			if report.DeviceName != "router-1" || report.Detail != "no internet" || report.Status != "resolved" || len(report.Steps) != 9 {
				t.Errorf("report %+v", report)
			}
		})
	}
}

// diagnoses counts goroutines running the diagnosis on the server (which
// runs in this process).
func diagnoses() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "tools.troubleshootDevice")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// TestCallCancel: cancelling run's context (what Ctrl-C does) after the
// third progress line makes call return "cancelled" at once, prints no
// result, and the diagnosis on the server stops within one step; so does
// --timeout.
func TestCallCancel(t *testing.T) {
	const step = 100 * time.Millisecond
	dir := t.TempDir()
	url, _, stop := startServe(t, map[string]string{"SEED_CUSTOMER_COUNT": "5", "TROUBLESHOOT_STEP": step.String()}, "--data-dir", dir)
	defer stop()
	waitNoDiagnosis := func(t *testing.T, since time.Time) {
		t.Helper()
		for diagnoses() > 0 && time.Since(since) < 5*time.Second {
			time.Sleep(5 * time.Millisecond)
		}
		if n, took := diagnoses(), time.Since(since); n > 0 || took > step+300*time.Millisecond {
			t.Errorf("the diagnosis still ran %v after the cancel (%d goroutines left); want it gone within one step", took, n)
		}
	}
	for _, era := range []string{eraCurrent, eraSessions} {
		t.Run(era, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tr := &transcript{}
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"contoso-mcp", "call", "trouble_shoot_device", "--arg", "device_name=router-1", "--arg", "detail=slow",
					"--url", url, "--data-dir", dir, "--protocol", era}, envOf(nil), nil, tr.stdout(), tr.stderr())
			}()
			for deadline := time.Now().Add(5 * time.Second); len(progressLines(tr.text("err"))) < 3 && time.Now().Before(deadline); {
				time.Sleep(2 * time.Millisecond)
			}
			if diagnoses() == 0 {
				t.Fatalf("the diagnosis is not running:\n%s", tr.all())
			}
			cancel()
			cancelled := time.Now()
			select {
			case err := <-done:
				if !errors.Is(err, errCallCancelled) || !strings.Contains(err.Error(), "cancelled") {
					t.Errorf("call returned %v, want a cancelled error", err)
				}
				if took := time.Since(cancelled); took > 500*time.Millisecond {
					t.Errorf("call took %v to return after the cancel", took)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("call did not return after the cancel")
			}
			if out := tr.text("out"); out != "" {
				t.Errorf("a cancelled call printed %q", out)
			}
			if n := len(progressLines(tr.text("err"))); n > 5 {
				t.Errorf("%d progress lines after a cancel at the third", n)
			}
			waitNoDiagnosis(t, cancelled)
		})
	}
	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		tr, err := runCall(context.Background(), nil, "trouble_shoot_device", "--arg", "device_name=router-1", "--arg", "detail=slow",
			"--url", url, "--data-dir", dir, "--timeout", "250ms")
		if err == nil || !strings.Contains(err.Error(), "timed out after 250ms") || tr.text("out") != "" {
			t.Fatalf("call --timeout 250ms: %v\n%s", err, tr.all())
		}
		waitNoDiagnosis(t, start.Add(250*time.Millisecond))
	})
}

// TestCallErrors: what goes wrong says what to do.
func TestCallErrors(t *testing.T) {
	dir := t.TempDir()
	url, _, stop := startServe(t, map[string]string{"SEED_CUSTOMER_COUNT": "5"}, "--data-dir", dir)
	defer stop()
	noKey := t.TempDir()
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"no token and no dev key", nil, []string{"get_customer_detail", "--arg", "customer_id=1", "--url", url, "--data-dir", noKey},
			[]string{"needs a bearer token", "401", "--token", "CONTOSO_MCP_TOKEN", "contoso-mcp token"}},
		{"no token, DATA_DIR without a key", map[string]string{"DATA_DIR": noKey, "CONTOSO_MCP_URL": url}, []string{"get_customer_detail", "--arg", "customer_id=1"},
			[]string{"needs a bearer token"}},
		{"a bad token", map[string]string{"CONTOSO_MCP_TOKEN": "not.a.token"}, []string{"get_customer_detail", "--arg", "customer_id=1", "--url", url},
			[]string{"rejected the token", "401", "contoso-mcp token"}},
		{"a token without roles", nil, []string{"get_customer_detail", "--arg", "customer_id=1", "--url", url, "--token", mintToken(t, dir, "--roles", "visitor")},
			[]string{"403", "contoso-mcp token --roles"}},
		{"a tool error", nil, []string{"get_customer_detail", "--arg", "customer_id=99999", "--url", url, "--data-dir", dir},
			[]string{"get_customer_detail returned a tool error", "99999"}},
		{"an unknown tool", nil, []string{"no_such_tool", "--url", url, "--data-dir", dir}, []string{`unknown tool "no_such_tool"`}},
		{"no service", nil, []string{"get_promotions", "--url", "http://127.0.0.1:1/mcp", "--data-dir", dir}, []string{"cannot reach http://127.0.0.1:1/mcp", "contoso-mcp serve"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := runCall(context.Background(), c.env, c.args...)
			if err == nil {
				t.Fatalf("succeeded:\n%s", tr.all())
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if out := tr.text("out"); out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(noKey, "dev-issuer.key")); err == nil {
		t.Error("call created a dev issuer key; it must only use one that exists")
	}
}

// TestCallArguments: --arg, --string and --json build the arguments; bad
// forms are refused naming the flag.
func TestCallArguments(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		args  []string
		stdin string
		want  map[string]any
		err   []string
	}{
		{args: []string{"--arg", "customer_id=251"}, want: map[string]any{"customer_id": n("251")}},
		{args: []string{"--arg", "detail=no internet"}, want: map[string]any{"detail": "no internet"}},
		{args: []string{"--arg", "amount=12.50", "--arg", "ok=true", "--arg", "off=false"}, want: map[string]any{"amount": n("12.50"), "ok": true, "off": false}},
		{args: []string{"--arg", `o={"a":[1,"x"]}`, "--arg", "l=[1,2]"}, want: map[string]any{"o": map[string]any{"a": []any{n("1"), "x"}}, "l": []any{n("1"), n("2")}}},
		{args: []string{"--arg", "zip=007", "--arg", "phone=+1-206", "--arg", "v= 12", "--arg", "e="}, want: map[string]any{"zip": "007", "phone": "+1-206", "v": " 12", "e": ""}},
		{args: []string{"--arg", `zip="98101"`, "--arg", "x=null"}, want: map[string]any{"zip": "98101", "x": "null"}},
		{args: []string{"--arg", "q=a=b"}, want: map[string]any{"q": "a=b"}},
		{args: []string{"--arg", "x:=null", "--arg", `s:="251"`, "--arg", "n:=3"}, want: map[string]any{"x": nil, "s": "251", "n": n("3")}},
		{args: []string{"--string", "customer_id=251", "--string", "b=true"}, want: map[string]any{"customer_id": "251", "b": "true"}},
		{args: []string{"--json", `{"customer_id": 1, "detail": "x"}`, "--arg", "customer_id=2"}, want: map[string]any{"customer_id": n("2"), "detail": "x"}},
		{args: []string{"--arg", "customer_id=2", "--json", `{"customer_id": 1}`}, want: map[string]any{"customer_id": n("2")}},
		{args: []string{"--json", "-"}, stdin: `{"aggregate": true}`, want: map[string]any{"aggregate": true}},
		{args: []string{"--arg", "a=1", "--arg", "a=2"}, want: map[string]any{"a": n("2")}},
		{args: []string{}, want: map[string]any{}},

		{args: []string{"--arg", "customer_id"}, err: []string{"--arg", "KEY=VALUE"}},
		{args: []string{"--arg", "=5"}, err: []string{"--arg", "empty"}},
		{args: []string{"--string", "nokey"}, err: []string{"--string", "KEY=VALUE"}},
		{args: []string{"--arg", "k:=nope"}, err: []string{"--arg", "must be JSON"}},
		{args: []string{"--json", "[1]"}, err: []string{"--json", "object", "an array"}},
		{args: []string{"--json", "{bad"}, err: []string{"--json", "not valid JSON"}},
		{args: []string{"--json", `{"a":1} {"b":2}`}, err: []string{"--json", "not valid JSON"}},
		{args: []string{"--json", "-", "--json", "-"}, stdin: "{}", err: []string{"--json -", "once"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			cfg, err := parseCallFlags(append([]string{"some_tool"}, c.args...), envOf(nil), strings.NewReader(c.stdin), io.Discard)
			if c.err != nil {
				if err == nil {
					t.Fatalf("accepted: %v", cfg.args)
				}
				for _, w := range c.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, cfg.args); diff != "" {
				t.Errorf("arguments (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCallFlags: the command line around the arguments.
func TestCallFlags(t *testing.T) {
	cfg, err := parseCallFlags([]string{"--arg", "a=1", "get_promotions", "--timeout", "2s"}, envOf(nil), nil, io.Discard)
	if err != nil || cfg.tool != "get_promotions" || cfg.url != defaultCallURL || cfg.protocol != eraCurrent || cfg.timeout != 2*time.Second || cfg.dataDir != "./data" {
		t.Errorf("flags around the tool name: %+v %v", cfg, err)
	}
	cfg, err = parseCallFlags([]string{"t"}, envOf(map[string]string{"CONTOSO_MCP_URL": "http://127.0.0.1:9/mcp", "CONTOSO_MCP_TOKEN": "tok", "DATA_DIR": "/d"}), nil, io.Discard)
	if err != nil || cfg.url != "http://127.0.0.1:9/mcp" || cfg.token != "tok" || cfg.dataDir != "/d" {
		t.Errorf("environment: %+v %v", cfg, err)
	}
	cfg, err = parseCallFlags([]string{"--task-id", "abc"}, envOf(nil), nil, io.Discard)
	if err != nil || !cfg.task || cfg.taskID != "abc" || cfg.tool != "" {
		t.Errorf("--task-id: %+v %v", cfg, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "name a tool"},
		{[]string{"a", "b"}, `unexpected argument "b"`},
		{[]string{"t", "--url", "ftp://x/mcp"}, "--url"},
		{[]string{"t", "--url", "127.0.0.1:8000"}, "--url"},
		{[]string{"t", "--protocol", "2024-11-05"}, "--protocol"},
		{[]string{"t", "--task", "--protocol", eraSessions}, "--task needs"},
		{[]string{"t", "--timeout", "-1s"}, "--timeout"},
		{[]string{"t", "--timeout", "soon"}, "timeout"},
		{[]string{"--task-id", "x", "t"}, "--task-id"},
		{[]string{"--task-id", "x", "--arg", "a=1"}, "--task-id"},
		{[]string{"t", "--nope"}, "nope"},
	} {
		if _, err := parseCallFlags(c.args, envOf(nil), nil, io.Discard); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one naming %q", c.args, err, c.want)
		}
	}
}

// TestRenderBar: the terminal line at several widths.
func TestRenderBar(t *testing.T) {
	long := "Inspecting services and logs on the device, then the gateway, then everything else there is (5/9)"
	cases := []struct {
		width           int
		progress, total float64
		msg, want       string
	}{
		{80, 55, 100, "Inspecting services and logs (5/9)", "[###########.........]  55% Inspecting services and logs (5/9)"},
		{80, 0, 100, "Starting", "[....................]   0% Starting"},
		{80, 100, 100, "Finalising the report (9/9)", "[####################] 100% Finalising the report (9/9)"},
		{80, 29, 100, "", "[#####...............]  29%"},
		{80, 3, 4, "three of four", "[###############.....]  75% three of four"},
		{80, 150, 100, "over", "[####################] 100% over"},
		{80, 7, 0, "no total", "[....................]   ?% no total"},
		{80, 55, 100, long, "[###########.........]  55% Inspecting services and logs on the device, then t…"},
		{50, 55, 100, long, "[#####.....]  55% Inspecting services and logs o…"},
		{30, 55, 100, long, " 55% Inspecting services and…"},
		{8, 55, 100, long, " 55% I…"},
		{5, 55, 100, long, " 55%"},
		{80, 40, 100, "line\none\ttab\x1b[31mred\r", "[########............]  40% line one tab [31mred"},
		{40, 10, 100, "é è ê ë ē ė ę ě ĕ ȩ ḝ ḙ ḛ ẹ ẻ ẽ ế ề ể ễ ệ", " 10% é è ê ë ē ė ę ě ĕ ȩ ḝ ḙ ḛ ẹ ẻ ẽ ế…"},
	}
	for _, c := range cases {
		got := renderBar(c.width, c.progress, c.total, c.msg)
		if got != c.want {
			t.Errorf("renderBar(%d, %v, %v, %q):\n got %q\nwant %q", c.width, c.progress, c.total, c.msg, got, c.want)
		}
		if n := len([]rune(got)); n > c.width-1 && c.width > 5 {
			t.Errorf("width %d: %d columns drawn", c.width, n)
		}
	}
}

// TestBarView: the bar redraws one line in place, skips identical redraws,
// ends with a newline, and ignores late updates.
func TestBarView(t *testing.T) {
	var out strings.Builder
	v := &barView{w: &out, width: 60}
	v.Finish() // nothing drawn: nothing to end
	if out.String() != "" {
		t.Fatalf("Finish before any update wrote %q", out.String())
	}
	v = &barView{w: &out, width: 80}
	v.Update(0, 100, "Starting")
	v.Update(10, 100, "Collecting device inventory (1/9)")
	v.Update(10, 100, "Collecting device inventory (1/9)")
	v.Update(20, 100, "Checking connectivity (2/9)")
	v.Finish()
	v.Update(30, 100, "too late")
	v.Finish()
	want := "\r[....................]   0% Starting\x1b[K" +
		"\r[##..................]  10% Collecting device inventory (1/9)\x1b[K" +
		"\r[####................]  20% Checking connectivity (2/9)\x1b[K" +
		"\n"
	if out.String() != want {
		t.Errorf("drawn:\n%q\nwant\n%q", out.String(), want)
	}
}

// TestProgressViewChoice: a bar only on a terminal; COLUMNS sets its width.
func TestProgressViewChoice(t *testing.T) {
	if _, ok := newProgressView(&strings.Builder{}, envOf(nil)).(*lineView); !ok {
		t.Error("a buffer got a bar")
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := newProgressView(f, envOf(nil)).(*lineView); !ok {
		t.Error("a regular file got a bar")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if _, ok := newProgressView(tty, envOf(nil)).(*barView); !ok {
			t.Error("a terminal got plain lines")
		}
		if _, ok := newProgressView(tty, envOf(map[string]string{"TERM": "dumb"})).(*lineView); !ok {
			t.Error("TERM=dumb got a bar")
		}
	}
	for cols, want := range map[string]int{"": 80, "120": 120, " 100 ": 100, "wide": 80, "-3": 80, "0": 80} {
		if got := terminalWidth(envOf(map[string]string{"COLUMNS": cols})); got != want {
			t.Errorf("COLUMNS=%q: width %d, want %d", cols, got, want)
		}
	}
}

func TestChallengeParam(t *testing.T) {
	h := `Bearer resource_metadata="http://x/.well-known", error="invalid_token", error_description="token \"expired\" at 10:00"`
	if got := challengeParam(h, "error_description"); got != `token "expired" at 10:00` {
		t.Errorf("got %q", got)
	}
	if got := challengeParam(h, "scope"); got != "" {
		t.Errorf("missing parameter: %q", got)
	}
}

func TestReadSSEResponse(t *testing.T) {
	stream := "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}\n\n" +
		": a comment\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{\"x\":1}}\n\n" +
		"data: {\"jsonrpc\":\"2.0\",\n" + "data: \"id\":7,\"result\":{\"x\":2}}\n\n"
	m, err := readSSEResponse(strings.NewReader(stream), 7)
	if err != nil || string(m.Result) != `{"x":2}` {
		t.Errorf("multi-line data: %v %s", err, fmt.Sprint(m))
	}
	m, err = readSSEResponse(strings.NewReader("data: {\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32602,\"message\":\"no\"}}"), 3)
	if err != nil || m.Error == nil || m.Error.Code != -32602 {
		t.Errorf("error at end of stream without a blank line: %v %+v", err, m)
	}
	if _, err := readSSEResponse(strings.NewReader(stream), 9); err == nil {
		t.Error("a stream without the response gave no error")
	}
}

// TestCallTask runs --task against the service's Tasks runtime: the call
// returns a task, call polls it showing its progress and prints the report;
// --task-id takes a task up again; Ctrl-C sends tasks/cancel, which stops
// the diagnosis on the server.
func TestCallTask(t *testing.T) {
	const step = 250 * time.Millisecond // nine steps span about two of the runtime's 1s polls
	dir := t.TempDir()
	url, _, stop := startServe(t, map[string]string{"SEED_CUSTOMER_COUNT": "5", "TROUBLESHOOT_STEP": step.String()}, "--data-dir", dir)
	defer stop()
	base := []string{"--url", url, "--data-dir", dir}
	taskID := func(t *testing.T, stderr string) string {
		t.Helper()
		m := regexp.MustCompile(`call: task (\S+) working`).FindStringSubmatch(stderr)
		if m == nil {
			t.Fatalf("no task announced on stderr:\n%s", stderr)
		}
		return m[1]
	}

	t.Run("completed", func(t *testing.T) {
		tr, err := runCall(context.Background(), nil, append([]string{"trouble_shoot_device", "--task", "--arg", "device_name=router-1", "--arg", "detail=no internet"}, base...)...)
		if err != nil {
			t.Fatalf("call --task: %v\n%s", err, tr.all())
		}
		id := taskID(t, tr.text("err"))
		var report struct {
			DeviceName string `json:"device_name"`
			Steps      []struct{ Step int }
		}
		if err := json.Unmarshal([]byte(tr.text("out")), &report); err != nil || report.DeviceName != "router-1" || len(report.Steps) != 9 {
			t.Fatalf("report %+v (%v):\n%s", report, err, tr.text("out"))
		}
		// At least one poll saw the task half done, with its percent and step.
		var percents []int
		for _, l := range progressLines(tr.text("err")) {
			var pct int
			if _, err := fmt.Sscanf(l, "progress %d%%", &pct); err == nil {
				if pct < 100 && !regexp.MustCompile(`% [A-Z][a-z].* \([1-9]/9\)$`).MatchString(l) {
					t.Errorf("progress line %q lacks the step's message", l)
				}
				percents = append(percents, pct)
			}
		}
		if len(percents) < 2 || percents[0] <= 0 || percents[0] >= 100 || percents[len(percents)-1] != 100 {
			t.Errorf("want the working task's progress, then 100%%:\n%s", tr.text("err"))
		}
		for i := 1; i < len(percents); i++ {
			if percents[i] < percents[i-1] {
				t.Errorf("progress went back: %v", percents)
			}
		}
		again, err := runCall(context.Background(), nil, append([]string{"--task-id", id}, base...)...)
		if err != nil || again.text("out") != tr.text("out") {
			t.Errorf("--task-id %s: %v; printed\n%s\nwant\n%s", id, err, again.text("out"), tr.text("out"))
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		tr := &transcript{}
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, append([]string{"contoso-mcp", "call", "trouble_shoot_device", "--task", "--arg", "device_name=router-1", "--arg", "detail=slow"}, base...),
				envOf(nil), nil, tr.stdout(), tr.stderr())
		}()
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(tr.text("err"), "working;") && time.Now().Before(deadline); {
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(2 * step)
		if diagnoses() == 0 {
			t.Fatalf("the diagnosis is not running:\n%s", tr.all())
		}
		cancel()
		cancelled := time.Now()
		select {
		case err := <-done:
			if !errors.Is(err, errCallCancelled) {
				t.Errorf("call returned %v, want cancelled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("call did not return after the cancel")
		}
		if took := time.Since(cancelled); took > time.Second {
			t.Errorf("call took %v to return after the cancel", took)
		}
		for diagnoses() > 0 && time.Since(cancelled) < 5*time.Second {
			time.Sleep(5 * time.Millisecond)
		}
		if took := time.Since(cancelled); took > step+300*time.Millisecond || diagnoses() > 0 {
			t.Errorf("the diagnosis ran %v after tasks/cancel; want it gone within one step", took)
		}
		if !strings.Contains(tr.text("err"), "asked the service to cancel task") || tr.text("out") != "" {
			t.Errorf("stderr %q, stdout %q", tr.text("err"), tr.text("out"))
		}
		id := taskID(t, tr.text("err"))
		_, err := runCall(context.Background(), nil, append([]string{"--task-id", id}, base...)...)
		if err == nil || !strings.Contains(err.Error(), "was cancelled on the server") {
			t.Errorf("--task-id %s after the cancel: %v", id, err)
		}
	})

	t.Run("a read tool runs at once", func(t *testing.T) {
		tr, err := runCall(context.Background(), nil, append([]string{"get_customer_detail", "--task", "--arg", "customer_id=6"}, base...)...)
		if err != nil || !strings.Contains(tr.text("out"), `"first_name": "John"`) || !strings.Contains(tr.text("err"), "without a task") {
			t.Errorf("%v\n%s", err, tr.all())
		}
	})
}

// taskPeer is a Streamable HTTP endpoint that answers as the Tasks
// extension's specification shows (specification/draft/tasks.md), and
// checks what call sends: the routing headers, the token and the declared
// extension on every request.
type taskPeer struct {
	t        *testing.T
	mu       sync.Mutex
	methods  []string
	gets     int
	statuses []string // what successive tasks/get answer; the last repeats
	plain    bool     // answer tools/call with a plain result, no task
}

func (p *taskPeer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			Name   string         `json:"name"`
			TaskID string         `json:"taskId"`
			Args   map[string]any `json:"arguments"`
			Meta   map[string]any `json:"_meta"`
		} `json:"params"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		p.t.Errorf("unreadable request: %v", err)
		return
	}
	p.mu.Lock()
	p.methods = append(p.methods, req.Method)
	p.mu.Unlock()
	name := req.Params.Name
	if strings.HasPrefix(req.Method, "tasks/") {
		name = req.Params.TaskID
	}
	caps, _ := req.Params.Meta["io.modelcontextprotocol/clientCapabilities"].(map[string]any)
	ext, _ := caps["extensions"].(map[string]any)
	if _, ok := ext[tasksExtension]; !ok || req.Params.Meta["io.modelcontextprotocol/protocolVersion"] != eraCurrent ||
		r.Header.Get("Mcp-Protocol-Version") != eraCurrent || r.Header.Get("Mcp-Method") != req.Method || r.Header.Get("Mcp-Name") != name ||
		r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Content-Type") != "application/json" ||
		r.Header.Get("Accept") != "application/json, text/event-stream" {
		p.t.Errorf("%s: headers %v, _meta %v", req.Method, r.Header, req.Params.Meta)
	}
	reply := func(result string) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":%s}`, req.ID, result)
	}
	const head = `"taskId":"786512e2","createdAt":"2025-11-25T10:30:00Z","lastUpdatedAt":"2025-11-25T10:40:00Z","ttlMs":60000,"pollIntervalMs":20`
	switch req.Method {
	case "tools/call":
		if req.Params.Args["device_name"] != "router-1" {
			p.t.Errorf("arguments %v", req.Params.Args)
		}
		if p.plain {
			reply(`{"resultType":"complete","content":[{"type":"text","text":"done"}],"structuredContent":{"ok":true}}`)
			return
		}
		// As an event stream, with a notification before the answer.
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{}}\n\n")
		fmt.Fprintf(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"resultType\":\"task\",\"status\":\"working\",%s}}\n\n", req.ID, head)
	case "tasks/get":
		p.mu.Lock()
		status := p.statuses[min(p.gets, len(p.statuses)-1)]
		p.gets++
		p.mu.Unlock()
		switch status {
		case "completed":
			reply(`{"resultType":"complete","status":"completed",` + head + `,"result":{"content":[{"type":"text","text":"fine"}],"structuredContent":{"device_name":"router-1","status":"resolved"}}}`)
		case "failed":
			reply(`{"resultType":"complete","status":"failed",` + head + `,"statusMessage":"Tool execution failed","error":{"code":-32603,"message":"API rate limit exceeded"}}`)
		case "tool error":
			reply(`{"resultType":"complete","status":"completed",` + head + `,"result":{"content":[{"type":"text","text":"no such device"}],"isError":true}}`)
		default:
			meta := ""
			if pct, _, ok := strings.Cut(status, "% "); ok {
				meta = `,"_meta":{"com.contoso/progress":{"progress":` + pct + `,"total":100}}`
			}
			reply(`{"resultType":"complete","status":"working",` + head + `,"statusMessage":"` + status + `"` + meta + `}`)
		}
	case "tasks/cancel":
		reply(`{"resultType":"complete"}`)
	default:
		p.t.Errorf("unexpected method %s", req.Method)
	}
}

func (p *taskPeer) calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.methods...)
}

// TestCallTaskProtocol checks what call --task sends and how it reads the
// answers, against the specification's own examples (the service's Tasks
// runtime is tested end to end in TestCallTask).
func TestCallTaskProtocol(t *testing.T) {
	args := func(url string, extra ...string) []string {
		return append([]string{"trouble_shoot_device", "--task", "--url", url, "--token", "tok", "--arg", "device_name=router-1"}, extra...)
	}
	t.Run("completed", func(t *testing.T) {
		p := &taskPeer{t: t, statuses: []string{"Checking connectivity (2/9)", "Checking connectivity (2/9)", "55% Inspecting services and logs (5/9)", "completed"}}
		srv := httptest.NewServer(p)
		defer srv.Close()
		tr, err := runCall(context.Background(), nil, args(srv.URL)...)
		if err != nil {
			t.Fatalf("%v\n%s", err, tr.all())
		}
		if diff := cmp.Diff([]string{"tools/call", "tasks/get", "tasks/get", "tasks/get", "tasks/get"}, p.calls()); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
		wantLines := []string{"progress working", "progress Checking connectivity (2/9)", "progress  55% Inspecting services and logs (5/9)", "progress 100% completed"}
		if diff := cmp.Diff(wantLines, progressLines(tr.text("err"))); diff != "" {
			t.Errorf("progress lines, one per change (-want +got):\n%s", diff)
		}
		if !strings.Contains(tr.text("err"), "task 786512e2 working") || tr.text("out") != "{\n  \"device_name\": \"router-1\",\n  \"status\": \"resolved\"\n}\n" {
			t.Errorf("stderr %q\nstdout %q", tr.text("err"), tr.text("out"))
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		p := &taskPeer{t: t, statuses: []string{"Collecting device inventory (1/9)"}}
		srv := httptest.NewServer(p)
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		tr := &transcript{}
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, append([]string{"contoso-mcp", "call"}, args(srv.URL)...), envOf(nil), nil, tr.stdout(), tr.stderr())
		}()
		for deadline := time.Now().Add(5 * time.Second); len(progressLines(tr.text("err"))) < 2 && time.Now().Before(deadline); {
			time.Sleep(2 * time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, errCallCancelled) {
			t.Errorf("got %v, want cancelled", err)
		}
		if calls := p.calls(); calls[len(calls)-1] != "tasks/cancel" {
			t.Errorf("requests %v, want tasks/cancel last", calls)
		}
		if !strings.Contains(tr.text("err"), "asked the service to cancel task 786512e2") {
			t.Errorf("stderr %q", tr.text("err"))
		}
	})
	t.Run("timeout", func(t *testing.T) {
		p := &taskPeer{t: t, statuses: []string{"working on it"}}
		srv := httptest.NewServer(p)
		defer srv.Close()
		_, err := runCall(context.Background(), nil, args(srv.URL, "--timeout", "100ms")...)
		if err == nil || !strings.Contains(err.Error(), "timed out after 100ms") || p.calls()[len(p.calls())-1] != "tasks/cancel" {
			t.Errorf("got %v after %v", err, p.calls())
		}
	})
	for _, c := range []struct{ status, want string }{
		{"failed", "task 786512e2 failed: API rate limit exceeded (JSON-RPC error -32603)"},
		{"tool error", "trouble_shoot_device returned a tool error: no such device"},
	} {
		t.Run(c.status, func(t *testing.T) {
			srv := httptest.NewServer(&taskPeer{t: t, statuses: []string{c.status}})
			defer srv.Close()
			tr, err := runCall(context.Background(), nil, args(srv.URL)...)
			if err == nil || !strings.Contains(err.Error(), c.want) || tr.text("out") != "" {
				t.Errorf("got %v, want %q; stdout %q", err, c.want, tr.text("out"))
			}
		})
	}
	t.Run("no task", func(t *testing.T) {
		p := &taskPeer{t: t, plain: true}
		srv := httptest.NewServer(p)
		defer srv.Close()
		tr, err := runCall(context.Background(), nil, args(srv.URL)...)
		if err != nil || tr.text("out") != "{\n  \"ok\": true\n}\n" || !strings.Contains(tr.text("err"), "without a task") {
			t.Errorf("%v\n%s", err, tr.all())
		}
	})
	t.Run("task-id", func(t *testing.T) {
		p := &taskPeer{t: t, statuses: []string{"Running health checks (7/9)", "completed"}}
		srv := httptest.NewServer(p)
		defer srv.Close()
		tr, err := runCall(context.Background(), nil, "--task-id", "786512e2", "--url", srv.URL, "--token", "tok")
		if err != nil || !strings.Contains(tr.text("out"), `"resolved"`) {
			t.Errorf("%v\n%s", err, tr.all())
		}
		if diff := cmp.Diff([]string{"tasks/get", "tasks/get"}, p.calls()); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
	})
}
