package main

// The call command: a small MCP client for people at a terminal. It calls
// one tool on a running service, shows the tool's progress while it works
// (a bar redrawn in place on a terminal, plain lines otherwise), prints the
// result as JSON on stdout, and cancels the work on the server when the
// user presses Ctrl-C. With --task it runs the call as a task of the Tasks
// extension and polls it.
//
// Plain calls go through the go-sdk client, which cancels a call on the
// server when the call's context ends (notifications/cancelled in
// 2025-11-25, a closed request stream in 2026-07-28). The SDK cannot read a
// CreateTaskResult, so --task speaks JSON-RPC over HTTP itself.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	defaultCallURL = "http://127.0.0.1:8000/mcp"
	tasksExtension = "io.modelcontextprotocol/tasks"
	eraCurrent     = "2026-07-28"
	eraSessions    = "2025-11-25"
	// callProgressToken marks the progress of our one call.
	callProgressToken = "contoso-mcp-call"
	// devTokenRoles are the roles of the development token call mints when
	// it is given none, so that every tool can be called.
	devTokenRoles = "query,admin,security"
)

// errCallCancelled is the error of a call stopped by Ctrl-C (the run
// context).
var errCallCancelled = errors.New("cancelled")

const callUsage = `usage: contoso-mcp call TOOL [--arg KEY=VALUE ...] [--json '{...}'] [flags]
       contoso-mcp call --task-id ID [flags]

Calls TOOL on a running contoso-mcp service and prints its structured result
as JSON on stdout. Progress goes to stderr: a live bar on a terminal, one line
per update otherwise. Ctrl-C cancels the call on the server.

Arguments:
  --arg KEY=VALUE     VALUE is sent as JSON when it is a JSON number, true/false,
                      object or array (customer_id=251, aggregate=true), as the
                      string inside when it is a quoted JSON string ('zip="007"'),
                      and as a plain string otherwise (detail="no internet")
  --arg KEY:=JSON     VALUE must be JSON and is sent as it is (including null)
  --string KEY=VALUE  VALUE is always sent as a string (--string customer_id=251)
  --json '{...}'      a JSON object of arguments ("-" reads it from stdin);
                      --arg and --string values win over its keys

Flags:
`

// callConfig is a parsed call command line.
type callConfig struct {
	tool     string
	args     map[string]any
	url      string
	token    string
	protocol string
	task     bool
	taskID   string
	timeout  time.Duration
	dataDir  string
}

// argEntry is one --arg, --string or --json in command-line order.
type argEntry struct{ flag, text string }

type argEntries struct {
	name string
	list *[]argEntry
}

func (a argEntries) String() string { return "" }
func (a argEntries) Set(s string) error {
	*a.list = append(*a.list, argEntry{a.name, s})
	return nil
}

// parseCallFlags reads the call command line. Flags may come before or after
// the tool name.
func parseCallFlags(args []string, getenv func(string) string, stdin io.Reader, stderr io.Writer) (*callConfig, error) {
	fs := flag.NewFlagSet("call", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), callUsage)
		fs.PrintDefaults()
	}
	var entries []argEntry
	fs.Var(argEntries{"--arg", &entries}, "arg", "a tool argument, KEY=VALUE or KEY:=JSON (repeatable)")
	fs.Var(argEntries{"--string", &entries}, "string", "a tool argument sent as a string, KEY=VALUE (repeatable)")
	fs.Var(argEntries{"--json", &entries}, "json", `tool arguments as a JSON object, or "-" to read it from stdin`)
	cfg := &callConfig{}
	fs.StringVar(&cfg.url, "url", firstOf(getenv("CONTOSO_MCP_URL"), defaultCallURL), "the service's MCP endpoint (CONTOSO_MCP_URL)")
	fs.StringVar(&cfg.token, "token", getenv("CONTOSO_MCP_TOKEN"), "bearer token (CONTOSO_MCP_TOKEN); without one, a development token from the data directory's dev issuer key")
	fs.StringVar(&cfg.dataDir, "data-dir", env(getenv, "DATA_DIR"), "data directory whose dev issuer key mints a development token when no token is given (DATA_DIR)")
	fs.StringVar(&cfg.protocol, "protocol", eraCurrent, "protocol version: "+eraCurrent+" or "+eraSessions)
	fs.BoolVar(&cfg.task, "task", false, "run the call as a task (Tasks extension) and poll it; Ctrl-C cancels the task")
	fs.StringVar(&cfg.taskID, "task-id", "", "poll an existing task instead of calling a tool (implies --task)")
	fs.DurationVar(&cfg.timeout, "timeout", 0, "give up (and cancel the call on the server) after this long; 0 waits for ever")

	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	switch {
	case cfg.taskID != "" && len(positional) > 0:
		return nil, fmt.Errorf("call: --task-id polls an existing task; do not name a tool too (got %q)", positional[0])
	case cfg.taskID != "":
		cfg.task = true
		if len(entries) > 0 {
			return nil, errors.New("call: --task-id takes no tool arguments")
		}
	case len(positional) == 0:
		fs.Usage()
		return nil, errors.New("call: name a tool, for example: contoso-mcp call get_customer_detail --arg customer_id=251")
	case len(positional) > 1:
		return nil, fmt.Errorf("call: unexpected argument %q after the tool name (tool arguments go in --arg KEY=VALUE)", positional[1])
	default:
		cfg.tool = positional[0]
	}
	u, err := url.Parse(cfg.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("call: --url %q is not an http(s) URL such as %s", cfg.url, defaultCallURL)
	}
	if cfg.protocol != eraCurrent && cfg.protocol != eraSessions {
		return nil, fmt.Errorf("call: --protocol %q: want %s or %s", cfg.protocol, eraCurrent, eraSessions)
	}
	if cfg.task && cfg.protocol != eraCurrent {
		return nil, fmt.Errorf("call: --task needs --protocol %s (the Tasks extension is of that era)", eraCurrent)
	}
	if cfg.timeout < 0 {
		return nil, fmt.Errorf("call: --timeout %s must not be negative", cfg.timeout)
	}
	if cfg.args, err = buildArguments(entries, stdin); err != nil {
		return nil, err
	}
	return cfg, nil
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// buildArguments merges the --json objects first, then the --arg and
// --string values over them, later ones winning.
func buildArguments(entries []argEntry, stdin io.Reader) (map[string]any, error) {
	args := map[string]any{}
	stdinUsed := false
	for _, e := range entries {
		if e.flag != "--json" {
			continue
		}
		text := e.text
		if text == "-" {
			if stdinUsed || stdin == nil {
				return nil, errors.New("call: --json - reads stdin, which can be read only once")
			}
			stdinUsed = true
			b, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("call: --json -: reading stdin: %w", err)
			}
			text = string(b)
		}
		v, err := decodeJSON(text)
		if err != nil {
			return nil, fmt.Errorf("call: --json: not valid JSON: %v", err)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("call: --json: want a JSON object of arguments such as '{\"customer_id\": 251}', got %s", jsonKind(v))
		}
		for k, v := range obj {
			args[k] = v
		}
	}
	for _, e := range entries {
		if e.flag == "--json" {
			continue
		}
		k, v, err := parseArg(e.flag, e.text)
		if err != nil {
			return nil, err
		}
		args[k] = v
	}
	return args, nil
}

// parseArg reads one --arg or --string.
func parseArg(flagName, s string) (string, any, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return "", nil, fmt.Errorf("call: %s %q: want KEY=VALUE, for example %s customer_id=251", flagName, s, flagName)
	}
	strict := false
	if flagName == "--arg" && strings.HasSuffix(k, ":") {
		strict, k = true, strings.TrimSuffix(k, ":")
	}
	if strings.TrimSpace(k) == "" {
		return "", nil, fmt.Errorf("call: %s %q: the key before \"=\" is empty", flagName, s)
	}
	switch {
	case flagName == "--string":
		return k, v, nil
	case strict:
		val, err := decodeJSON(v)
		if err != nil {
			return "", nil, fmt.Errorf("call: --arg %q: the value after \":=\" must be JSON (%v); use KEY=VALUE for a string", s, err)
		}
		return k, val, nil
	}
	return k, autoValue(v), nil
}

// autoValue sends a JSON number, boolean, object or array as such, a quoted
// JSON string as the string inside, and anything else as the string typed.
func autoValue(v string) any {
	if v == "" || v != strings.TrimSpace(v) {
		return v
	}
	val, err := decodeJSON(v)
	if err != nil || val == nil {
		return v
	}
	return val
}

// decodeJSON decodes exactly one JSON value, numbers kept exact.
func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON value")
	}
	return v, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "an object"
}

// callCommand runs "contoso-mcp call".
func callCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseCallFlags(args, getenv, stdin, stderr)
	if err != nil {
		return err
	}
	if err := cfg.resolveToken(stderr); err != nil {
		return err
	}
	callCtx, cancel := ctx, context.CancelFunc(func() {})
	if cfg.timeout > 0 {
		callCtx, cancel = context.WithTimeout(ctx, cfg.timeout)
	}
	defer cancel()
	view := newProgressView(stderr, getenv)
	defer view.Finish()
	rec := &httpRecorder{base: http.DefaultTransport, token: cfg.token}
	if cfg.task {
		err = cfg.callAsTask(ctx, callCtx, rec, view, stdout, stderr)
	} else {
		err = cfg.callTool(ctx, callCtx, rec, view, stdout)
	}
	return err
}

// resolveToken settles the token: --token, CONTOSO_MCP_TOKEN, or else a
// development token minted with the dev issuer key of the data directory,
// when there is one and the service is on this machine (a remote service
// would not trust it, and the token should not travel).
func (c *callConfig) resolveToken(stderr io.Writer) error {
	if c.token != "" {
		c.token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c.token), "Bearer "))
		return nil
	}
	if !isLoopbackURL(c.url) || c.dataDir == "" {
		return nil
	}
	keyPath := filepath.Join(c.dataDir, auth.DevKeyFile)
	if _, err := os.Stat(keyPath); err != nil {
		return nil // no key: call without a token; a 401 says what to do
	}
	iss, err := auth.LoadOrCreateDevIssuer(c.dataDir)
	if err != nil {
		return fmt.Errorf("call: reading the development issuer key %s: %w", keyPath, err)
	}
	tok, err := iss.Mint("contoso", "dev-user", splitList(devTokenRoles), time.Hour)
	if err != nil {
		return fmt.Errorf("call: minting a development token: %w", err)
	}
	c.token = tok
	fmt.Fprintf(stderr, "call: using a development token (tenant contoso, roles %s) from %s\n", devTokenRoles, keyPath)
	return nil
}

func isLoopbackURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// callTool calls the tool through the go-sdk client. Cancelling callCtx
// cancels the call on the server; the SDK does that in both eras.
func (c *callConfig) callTool(ctx, callCtx context.Context, rec *httpRecorder, view progressView, stdout io.Writer) error {
	settle := &progressSettle{}
	client := mcp.NewClient(&mcp.Implementation{Name: "contoso-mcp-call", Version: version}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			if r.Params != nil && r.Params.ProgressToken == callProgressToken {
				settle.saw(r.Params.Progress, r.Params.Total)
				view.Update(r.Params.Progress, r.Params.Total, r.Params.Message)
			}
		},
	})
	tr := &mcp.StreamableClientTransport{Endpoint: c.url, HTTPClient: &http.Client{Transport: rec}, DisableStandaloneSSE: true}
	cs, err := client.Connect(callCtx, tr, &mcp.ClientSessionOptions{ProtocolVersion: c.protocol})
	if err != nil {
		return c.explain(ctx, callCtx, rec, err)
	}
	defer cs.Close()
	params := &mcp.CallToolParams{Name: c.tool, Arguments: c.args}
	params.SetProgressToken(callProgressToken)
	res, err := cs.CallTool(callCtx, params)
	if err != nil {
		if callCtx.Err() != nil && c.protocol == eraSessions {
			// The SDK sends notifications/cancelled from a goroutine of its
			// own; closing the session (or exiting) before it is out would
			// leave the work running on the server.
			select {
			case <-rec.cancelSent():
			case <-time.After(3 * time.Second):
			}
		}
		return c.explain(ctx, callCtx, rec, err)
	}
	settle.wait(50*time.Millisecond, time.Second)
	view.Finish()
	return printResult(stdout, c.tool, res)
}

// progressSettle lets the last progress notifications be shown before the
// result. The SDK hands a call's response to the caller directly but
// queues notifications for a handler goroutine, so the final "100%" sent
// just before the response may be handled just after it.
type progressSettle struct {
	mu       sync.Mutex
	last     time.Time
	complete bool
}

func (p *progressSettle) saw(progress, total float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = time.Now()
	p.complete = total > 0 && progress >= total
}

// wait returns once the progress is complete, or nothing has arrived for
// quiet, or after at most limit.
func (p *progressSettle) wait(quiet, limit time.Duration) {
	start := time.Now()
	for time.Since(start) < limit {
		p.mu.Lock()
		done := p.complete || time.Since(start) >= quiet && time.Since(p.last) >= quiet
		p.mu.Unlock()
		if done {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// printResult writes the structured result as indented JSON, or the text
// content when there is none; a tool error becomes the command's error.
func printResult(w io.Writer, tool string, res *mcp.CallToolResult) error {
	if res.IsError {
		msg := strings.TrimSpace(contentText(res.Content))
		if msg == "" {
			msg = "(no message)"
		}
		return fmt.Errorf("call: %s returned a tool error: %s", tool, msg)
	}
	if res.StructuredContent != nil {
		b, err := json.MarshalIndent(res.StructuredContent, "", "  ")
		if err != nil {
			return fmt.Errorf("call: %s: printing the result: %w", tool, err)
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	_, err := fmt.Fprintln(w, contentText(res.Content))
	return err
}

// contentText joins the text blocks; other content shows as its JSON.
func contentText(content []mcp.Content) string {
	var parts []string
	for _, c := range content {
		if t, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, t.Text)
			continue
		}
		b, err := json.MarshalIndent(c, "", "  ")
		if err == nil {
			parts = append(parts, string(b))
		}
	}
	return strings.Join(parts, "\n")
}

// httpRecorder adds the bearer token to every request and remembers the
// answers a person must act on (401, 403, 429, an unreachable service),
// which the SDK reports only as a status text.
type httpRecorder struct {
	base  http.RoundTripper
	token string

	mu         sync.Mutex
	status     int
	challenge  string
	retryAfter string
	netErr     error
	cancelled  chan struct{} // closed once notifications/cancelled was delivered
}

// cancelSent is closed once a notifications/cancelled has reached the
// server.
func (h *httpRecorder) cancelSent() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cancelled == nil {
		h.cancelled = make(chan struct{})
	}
	return h.cancelled
}

func (h *httpRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if h.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+h.token)
	}
	cancelling := false
	if r.Method == http.MethodPost && r.GetBody != nil {
		if body, err := r.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(body, 4096))
			body.Close()
			cancelling = bytes.Contains(b, []byte(`"notifications/cancelled"`))
		}
	}
	resp, err := h.base.RoundTrip(r)
	h.mu.Lock()
	defer h.mu.Unlock()
	if cancelling && err == nil {
		if h.cancelled == nil {
			h.cancelled = make(chan struct{})
		}
		select {
		case <-h.cancelled:
		default:
			close(h.cancelled)
		}
	}
	if err != nil {
		if r.Context().Err() == nil {
			h.netErr = err
		}
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests:
		h.status = resp.StatusCode
		h.challenge = resp.Header.Get("WWW-Authenticate")
		h.retryAfter = resp.Header.Get("Retry-After")
	}
	return resp, nil
}

// explain turns a failed call into an error a person can act on.
func (c *callConfig) explain(ctx, callCtx context.Context, rec *httpRecorder, err error) error {
	what := c.tool
	if what == "" {
		what = "task " + c.taskID
	}
	if ctx.Err() != nil {
		return fmt.Errorf("call: %s %w", what, errCallCancelled)
	}
	if errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("call: %s timed out after %s and was cancelled", what, c.timeout)
	}
	rec.mu.Lock()
	status, challenge, retry, netErr := rec.status, rec.challenge, rec.retryAfter, rec.netErr
	rec.mu.Unlock()
	desc := challengeParam(challenge, "error_description")
	if desc != "" {
		desc = ": " + desc
	}
	howTo := "pass --token or set CONTOSO_MCP_TOKEN; on a development service, TOKEN=$(contoso-mcp token --data-dir DIR) mints one " +
		"with the key in the service's data directory (or give call --data-dir DIR and it mints one itself)"
	switch status {
	case http.StatusUnauthorized:
		if c.token == "" {
			return fmt.Errorf("call: %s needs a bearer token (401 Unauthorized%s): %s", c.url, desc, howTo)
		}
		return fmt.Errorf("call: %s rejected the token (401 Unauthorized%s); it may be expired or from another issuer: %s", c.url, desc, howTo)
	case http.StatusForbidden:
		return fmt.Errorf("call: %s refused the request (403 Forbidden%s): the token lacks the roles needed (get one with contoso-mcp token --roles %s), "+
			"or, through a gateway, its tenant is not allowed on this route", c.url, desc, devTokenRoles)
	case http.StatusTooManyRequests:
		return fmt.Errorf("call: %s is rate limiting this token (429); retry after %ss", c.url, firstOf(retry, "a few "))
	}
	if netErr != nil {
		return fmt.Errorf("call: cannot reach %s (%v); is contoso-mcp serve running there? (--url or CONTOSO_MCP_URL names another address)", c.url, netErr)
	}
	var werr *jsonrpc.Error
	if errors.As(err, &werr) {
		return fmt.Errorf("call: %s: %s (JSON-RPC error %d)", what, werr.Message, werr.Code)
	}
	var rerr *rpcError
	if errors.As(err, &rerr) {
		return fmt.Errorf("call: %s: %w", what, rerr)
	}
	return fmt.Errorf("call: %s: %w", what, err)
}

// challengeParam reads one parameter of a WWW-Authenticate Bearer
// challenge.
func challengeParam(challenge, name string) string {
	i := strings.Index(challenge, name+`="`)
	if i < 0 {
		return ""
	}
	rest := challenge[i+len(name)+2:]
	var b strings.Builder
	for j := 0; j < len(rest); j++ {
		switch rest[j] {
		case '\\':
			if j+1 < len(rest) {
				j++
				b.WriteByte(rest[j])
			}
		case '"':
			return b.String()
		default:
			b.WriteByte(rest[j])
		}
	}
	return b.String()
}

// --- Progress display ---

// progressView shows the progress of the call on stderr. Update may be
// called from the SDK's goroutines; after Finish it does nothing.
type progressView interface {
	Update(progress, total float64, message string)
	Finish()
}

// newProgressView draws a bar when stderr is a terminal, lines otherwise.
func newProgressView(stderr io.Writer, getenv func(string) string) progressView {
	if f, ok := stderr.(*os.File); ok && isTerminal(f) && getenv("TERM") != "dumb" {
		return &barView{w: stderr, width: terminalWidth(getenv)}
	}
	return &lineView{w: stderr}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// terminalWidth is COLUMNS when set (shells export it only sometimes), else
// 80.
func terminalWidth(getenv func(string) string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	return 80
}

// percent is progress as a whole percentage of total, or -1 when total is
// unknown.
func percent(progress, total float64) int {
	if total <= 0 || math.IsNaN(progress) || math.IsNaN(total) {
		return -1
	}
	p := math.Floor(progress*100/total + 1e-9)
	return int(math.Max(0, math.Min(100, p)))
}

// cleanMessage keeps a server's message from moving the cursor or sending
// escape sequences to the terminal.
func cleanMessage(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError
	}), " ")
}

// renderBar draws one line of at most width-1 columns (the last column is
// left free so that no terminal wraps): "[#####.....]  55% message".
func renderBar(width int, progress, total float64, message string) string {
	cols := width - 1
	barWidth := 20
	switch {
	case cols < 40:
		barWidth = 0
	case cols < 60:
		barWidth = 10
	}
	var b strings.Builder
	pct := percent(progress, total)
	if barWidth > 0 {
		filled := 0
		if pct > 0 {
			filled = pct * barWidth / 100
		}
		b.WriteString("[" + strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled) + "] ")
	}
	if pct >= 0 {
		fmt.Fprintf(&b, "%3d%%", pct)
	} else {
		b.WriteString("  ?%")
	}
	room := cols - utf8.RuneCountInString(b.String()) - 1
	if message = cleanMessage(message); message != "" && room > 0 {
		b.WriteString(" " + truncate(message, room))
	}
	return b.String()
}

// truncate shortens s to n runes, the last one an ellipsis when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	if n <= 1 {
		return "…"
	}
	return string(r[:n-1]) + "…"
}

// barView redraws one line in place ("\r", the line, erase to its end) and
// ends it with a newline at Finish, so the last state stays on screen.
type barView struct {
	mu          sync.Mutex
	w           io.Writer
	width       int
	last        string
	drawn, done bool
}

func (b *barView) Update(progress, total float64, message string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	line := renderBar(b.width, progress, total, message)
	if b.drawn && line == b.last {
		return
	}
	fmt.Fprint(b.w, "\r"+line+"\x1b[K")
	b.last, b.drawn = line, true
}

func (b *barView) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn && !b.done {
		fmt.Fprint(b.w, "\n")
	}
	b.done = true
}

// lineView writes one line per update, for logs and pipes.
type lineView struct {
	mu   sync.Mutex
	w    io.Writer
	done bool
}

func (l *lineView) Update(progress, total float64, message string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return
	}
	message = cleanMessage(message)
	if pct := percent(progress, total); pct >= 0 {
		fmt.Fprintf(l.w, "progress %3d%% %s\n", pct, message)
	} else {
		fmt.Fprintf(l.w, "progress %s\n", message)
	}
}

func (l *lineView) Finish() {
	l.mu.Lock()
	l.done = true
	l.mu.Unlock()
}

// --- Tasks ---

// taskState is a Task of the Tasks extension as tasks/get returns it.
type taskState struct {
	ResultType     string          `json:"resultType"`
	TaskID         string          `json:"taskId"`
	Status         string          `json:"status"`
	StatusMessage  string          `json:"statusMessage"`
	PollIntervalMs *int64          `json:"pollIntervalMs"`
	Result         json.RawMessage `json:"result"`
	Error          *rpcError       `json:"error"`
	InputRequests  json.RawMessage `json:"inputRequests"`
	// Progress as numbers is not in the extension's Task. This service
	// puts it in _meta under metaTaskProgress; a progress and total beside
	// the task's fields are read too. Without either the bar shows the
	// status message alone.
	Progress *float64                   `json:"progress"`
	Total    *float64                   `json:"total"`
	Meta     map[string]json.RawMessage `json:"_meta"`
}

// metaTaskProgress is the _meta key of this service's task progress:
// {"progress": 55, "total": 100}.
const metaTaskProgress = "com.contoso/progress"

// progress is the task's progress as numbers, when it says.
func (t *taskState) progress() (progress, total float64, ok bool) {
	if t.Progress != nil {
		return *t.Progress, ptrValue(t.Total), true
	}
	var p struct{ Progress, Total *float64 }
	if raw, found := t.Meta[metaTaskProgress]; found && json.Unmarshal(raw, &p) == nil && p.Progress != nil {
		return *p.Progress, ptrValue(p.Total), true
	}
	return 0, 0, false
}

// message is the status message without a leading percentage the bar
// shows already ("55% Inspecting..." becomes "Inspecting...").
func (t *taskState) message(pct int) string {
	msg := firstOf(t.StatusMessage, t.Status)
	if pct >= 0 {
		msg = strings.TrimPrefix(msg, strconv.Itoa(pct)+"% ")
	}
	return msg
}

func (t *taskState) pollInterval() time.Duration {
	if t.PollIntervalMs == nil || *t.PollIntervalMs <= 0 {
		return time.Second
	}
	d := time.Duration(*t.PollIntervalMs) * time.Millisecond
	return min(max(d, 10*time.Millisecond), time.Minute)
}

// callAsTask submits the call as a task (or takes up --task-id) and polls
// it until it ends, showing its status message as progress. Ctrl-C or the
// timeout sends tasks/cancel.
func (c *callConfig) callAsTask(ctx, callCtx context.Context, rec *httpRecorder, view progressView, stdout, stderr io.Writer) error {
	rc := &rpcClient{url: c.url, http: &http.Client{Transport: rec}}
	var task taskState
	if c.taskID == "" {
		raw, err := rc.call(callCtx, "tools/call", c.tool, map[string]any{"name": c.tool, "arguments": c.args})
		if err != nil {
			return c.explain(ctx, callCtx, rec, err)
		}
		var head struct {
			ResultType string `json:"resultType"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return fmt.Errorf("call: %s: unreadable result: %w", c.tool, err)
		}
		if head.ResultType != "task" {
			fmt.Fprintf(stderr, "call: the service ran %s at once, without a task\n", c.tool)
			return printRawResult(stdout, c.tool, raw)
		}
		if err := json.Unmarshal(raw, &task); err != nil || task.TaskID == "" {
			return fmt.Errorf("call: %s: unreadable task handle: %s", c.tool, raw)
		}
		c.taskID = task.TaskID
		fmt.Fprintf(stderr, "call: task %s %s; Ctrl-C cancels it; contoso-mcp call --task-id %s takes it up again\n", task.TaskID, task.Status, task.TaskID)
	} else {
		task.TaskID = c.taskID
		if err := rc.getTask(callCtx, &task); err != nil {
			return c.explain(ctx, callCtx, rec, err)
		}
	}
	what := c.tool
	if what == "" {
		what = "task " + c.taskID
	}
	shown := ""
	for {
		progress, total, known := task.progress()
		if task.Status == "completed" && !known {
			progress, total, known = 1, 1, true
		}
		pct := -1
		if known {
			pct = percent(progress, total)
		}
		// The end of a task that did not complete is told by the error.
		terminal := task.Status != "working" && task.Status != "completed"
		if key := fmt.Sprint(task.Status, task.StatusMessage, progress, total); key != shown && !terminal {
			shown = key
			view.Update(progress, total, task.message(pct))
		}
		switch task.Status {
		case "completed":
			view.Finish()
			return printRawResult(stdout, what, task.Result)
		case "failed":
			msg := task.StatusMessage
			if task.Error != nil {
				msg = task.Error.Error()
			}
			return fmt.Errorf("call: task %s failed: %s", task.TaskID, firstOf(msg, "no reason given"))
		case "cancelled":
			return fmt.Errorf("call: task %s was cancelled on the server%s", task.TaskID, prefixed(": ", task.StatusMessage))
		case "input_required":
			return fmt.Errorf("call: task %s is waiting for input that call cannot give (%s); answer it with tasks/update from an MCP client, then run contoso-mcp call --task-id %s",
				task.TaskID, compactJSON(task.InputRequests), task.TaskID)
		}
		t := time.NewTimer(task.pollInterval())
		select {
		case <-callCtx.Done():
			t.Stop()
			return c.cancelTask(ctx, rc, task.TaskID, view, stderr)
		case <-t.C:
		}
		if err := rc.getTask(callCtx, &task); err != nil {
			if callCtx.Err() != nil {
				return c.cancelTask(ctx, rc, task.TaskID, view, stderr)
			}
			return c.explain(ctx, callCtx, rec, err)
		}
	}
}

// cancelTask sends tasks/cancel (with its own short deadline: the call's
// context is over) and says how the call ended.
func (c *callConfig) cancelTask(ctx context.Context, rc *rpcClient, id string, view progressView, stderr io.Writer) error {
	view.Finish()
	cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := rc.call(cctx, "tasks/cancel", id, map[string]any{"taskId": id})
	if err != nil {
		fmt.Fprintf(stderr, "call: tasks/cancel for task %s failed: %v\n", id, err)
	} else {
		fmt.Fprintf(stderr, "call: asked the service to cancel task %s\n", id)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("call: task %s %w", id, errCallCancelled)
	}
	return fmt.Errorf("call: task %s timed out after %s and was cancelled", id, c.timeout)
}

func ptrValue(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// printRawResult prints a CallToolResult received as JSON.
func printRawResult(w io.Writer, tool string, raw json.RawMessage) error {
	var res mcp.CallToolResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return fmt.Errorf("call: %s: unreadable tool result: %w", tool, err)
	}
	return printResult(w, tool, &res)
}

// rpcClient sends JSON-RPC requests of the 2026-07-28 era over Streamable
// HTTP, each declaring the Tasks extension in its client capabilities.
type rpcClient struct {
	url  string
	http *http.Client
	next atomic.Int64
}

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("%s (JSON-RPC error %d)", e.Message, e.Code) }

type rpcMessage struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

func (rc *rpcClient) getTask(ctx context.Context, t *taskState) error {
	raw, err := rc.call(ctx, "tasks/get", t.TaskID, map[string]any{"taskId": t.TaskID})
	if err != nil {
		return err
	}
	var next taskState
	if err := json.Unmarshal(raw, &next); err != nil {
		return fmt.Errorf("unreadable tasks/get result: %w", err)
	}
	if next.TaskID == "" {
		next.TaskID = t.TaskID
	}
	*t = next
	return nil
}

// call posts one request and returns its result. name is the Mcp-Name
// header: the tool for tools/call, the task id for tasks/*.
func (rc *rpcClient) call(ctx context.Context, method, name string, params map[string]any) (json.RawMessage, error) {
	id := rc.next.Add(1)
	params["_meta"] = map[string]any{
		mcp.MetaKeyProtocolVersion:    eraCurrent,
		mcp.MetaKeyClientInfo:         map[string]string{"name": "contoso-mcp-call", "version": version},
		mcp.MetaKeyClientCapabilities: map[string]any{"extensions": map[string]any{tasksExtension: map[string]any{}}},
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rc.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", eraCurrent)
	req.Header.Set("Mcp-Method", method)
	req.Header.Set("Mcp-Name", name)
	resp, err := rc.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var msg *rpcMessage
	switch {
	case mt == "text/event-stream" && resp.StatusCode/100 == 2:
		msg, err = readSSEResponse(resp.Body, id)
	default:
		var m rpcMessage
		b, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		if rerr != nil {
			return nil, rerr
		}
		if jerr := json.Unmarshal(b, &m); jerr != nil || (m.Result == nil && m.Error == nil) {
			return nil, fmt.Errorf("%s: HTTP %d: %s", method, resp.StatusCode, strings.TrimSpace(string(b)))
		}
		msg = &m
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	if msg.Error != nil {
		return nil, fmt.Errorf("%s: %w", method, msg.Error)
	}
	return msg.Result, nil
}

// readSSEResponse reads server-sent events until the response to request
// id; notifications on the way are skipped.
func readSSEResponse(r io.Reader, id int64) (*rpcMessage, error) {
	want := strconv.FormatInt(id, 10)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var data []string
	dispatch := func() *rpcMessage {
		defer func() { data = data[:0] }()
		if len(data) == 0 {
			return nil
		}
		var m rpcMessage
		if json.Unmarshal([]byte(strings.Join(data, "\n")), &m) != nil {
			return nil
		}
		if string(bytes.TrimSpace(m.ID)) == want && (m.Result != nil || m.Error != nil) {
			return &m
		}
		return nil
	}
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if m := dispatch(); m != nil {
				return m, nil
			}
			continue
		}
		if v, ok := strings.CutPrefix(line, "data:"); ok {
			data = append(data, strings.TrimPrefix(v, " "))
		}
	}
	if m := dispatch(); m != nil {
		return m, nil
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, errors.New("the event stream ended without a response")
}
