package llm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/contoso/contoso-mcp/internal/llm"
	"github.com/contoso/contoso-mcp/internal/llm/llmtest"
)

const (
	testKey   = "sk-test-SECRET-4f2a9c"
	testToken = "entra-token-SECRET-77"
)

// staticCredential is an Entra ID credential giving a fixed token.
type staticCredential struct {
	token  string
	err    error
	scopes *[]string
}

func (c staticCredential) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if c.scopes != nil {
		*c.scopes = o.Scopes
	}
	if c.err != nil {
		return azcore.AccessToken{}, c.err
	}
	return azcore.AccessToken{Token: c.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// shape is one way of reaching the fake.
type shape struct {
	name     string
	env      map[string]string
	entra    bool   // Azure without key: a token credential
	endpoint string // overrides the endpoint LoadConfig chose
	wantAuth string // as llmtest records it
	wantPath string
}

// The indexes of shapes' answer.
const (
	shapeOpenAI = iota
	shapeCompatible
	shapeAzureKey
	shapeAzureEntra
)

func shapes(srv *llmtest.Server) []shape {
	return []shape{
		{name: "openai", env: map[string]string{"OPENAI_API_KEY": testKey, "OPENAI_MODEL": "gpt-test"}, endpoint: srv.BaseURL(),
			wantAuth: "bearer", wantPath: "/v1/chat/completions"},
		{name: "compatible-no-key", env: map[string]string{"OPENAI_BASE_URL": srv.BaseURL(), "OPENAI_MODEL": "llama3"},
			wantAuth: "none", wantPath: "/v1/chat/completions"},
		{name: "azure-key", env: map[string]string{"AZURE_OPENAI_ENDPOINT": srv.URL, "AZURE_OPENAI_CHAT_DEPLOYMENT": "chat-dep", "AZURE_OPENAI_API_KEY": testKey},
			wantAuth: "api-key", wantPath: "/openai/deployments/chat-dep/chat/completions"},
		{name: "azure-entra", env: map[string]string{"AZURE_OPENAI_ENDPOINT": srv.URL, "AZURE_OPENAI_CHAT_DEPLOYMENT": "chat-dep"}, entra: true,
			wantAuth: "bearer", wantPath: "/openai/deployments/chat-dep/chat/completions"},
	}
}

var fastRetry = llm.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Second, MaxTotal: 10 * time.Second}

// newClient loads the configuration of sh from its environment and builds
// a client with quick retries; edit may change the configuration.
func newClient(t testing.TB, sh shape, edit func(*llm.Config)) llm.Client {
	t.Helper()
	cfg, err := llm.LoadConfig(func(k string) string { return sh.env[k] })
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	cfg.Retry = fastRetry
	cfg.Timeout = 10 * time.Second
	if sh.endpoint != "" {
		cfg.Endpoint = sh.endpoint
	}
	if sh.entra {
		cfg.Credential = staticCredential{token: testToken}
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := llm.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// call runs Chat or ChatStream and returns the deltas streamed.
func call(c llm.Client, stream bool, req llm.Request) (llm.Response, []string, error) {
	if !stream {
		resp, err := c.Chat(context.Background(), req)
		return resp, nil, err
	}
	var deltas []string
	resp, err := c.ChatStream(context.Background(), req, func(d string) { deltas = append(deltas, d) })
	return resp, deltas, err
}

func modeName(stream bool) string {
	if stream {
		return "stream"
	}
	return "json"
}

// eachShape runs f as a subtest for every shape, answered as JSON then as
// a stream, by a fake shared per mode: f reads the requests from before on.
func eachShape(t *testing.T, f func(t *testing.T, srv *llmtest.Server, sh shape, stream bool, before int)) {
	for _, stream := range []bool{false, true} {
		srv := llmtest.NewServer(t, llmtest.Options{APIKey: testKey, BearerToken: testToken, Anonymous: true})
		for _, sh := range shapes(srv) {
			t.Run(sh.name+"/"+modeName(stream), func(t *testing.T) { f(t, srv, sh, stream, len(srv.Requests())) })
		}
	}
}

func TestChatShapes(t *testing.T) {
	eachShape(t, func(t *testing.T, srv *llmtest.Server, sh shape, stream bool, before int) {
		srv.Script(llmtest.Text("Your order has shipped."))
		c := newClient(t, sh, nil)
		resp, deltas, err := call(c, stream, llm.Request{Messages: []llm.Message{
			llm.System("You are a support agent."), llm.User("Where is my order?"),
		}})
		if err != nil {
			t.Fatalf("chat: %v", err)
		}
		if resp.Text != "Your order has shipped." || resp.FinishReason != llm.FinishStop {
			t.Errorf("response = %+v", resp)
		}
		if resp.Usage != (llm.Usage{InputTokens: 10, OutputTokens: 5}) {
			t.Errorf("usage = %+v", resp.Usage)
		}
		if stream && (len(deltas) < 2 || strings.Join(deltas, "") != resp.Text) {
			t.Errorf("deltas = %q", deltas)
		}
		reqs := srv.Requests()[before:]
		if len(reqs) != 1 {
			t.Fatalf("%d requests", len(reqs))
		}
		r := reqs[0]
		if r.Path != sh.wantPath || r.Auth != sh.wantAuth || r.Stream != stream {
			t.Errorf("request path=%s auth=%s stream=%v", r.Path, r.Auth, r.Stream)
		}
		if r.Header.Get("Authorization") != "" || r.Header.Get("Api-Key") != "" {
			t.Error("the recorded header keeps a secret")
		}
		if strings.HasPrefix(sh.name, "azure") {
			if r.Deployment != "chat-dep" || r.APIVersion != llm.DefaultAzureAPIVersion {
				t.Errorf("deployment=%q api-version=%q", r.Deployment, r.APIVersion)
			}
		} else if r.Model() != sh.env["OPENAI_MODEL"] {
			t.Errorf("model = %q", r.Model())
		}
		msgs := r.Messages()
		if len(msgs) != 2 || msgs[0]["role"] != "system" || msgs[1]["content"] != "Where is my order?" {
			t.Errorf("messages = %v", msgs)
		}
	})
}

var lookupOrder = llm.Tool{
	Name:        "lookup_order",
	Description: "Looks up an order by id.",
	Parameters:  json.RawMessage(`{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}`),
}

func TestToolCallRoundTrip(t *testing.T) {
	eachShape(t, func(t *testing.T, srv *llmtest.Server, sh shape, stream bool, before int) {
		srv.Script(
			llmtest.Calls(
				llmtest.ToolCall{ID: "call_1", Name: "lookup_order", Arguments: `{"order_id":"A-1"}`},
				llmtest.ToolCall{ID: "call_2", Name: "lookup_order", Arguments: `{"order_id":"B-2"}`},
			),
			llmtest.Text("A-1 shipped, B-2 is packed."),
		)
		c := newClient(t, sh, nil)
		temp := 0.2
		req := llm.Request{
			Messages:        []llm.Message{llm.System("Support agent."), llm.User("Orders A-1 and B-2?")},
			Tools:           []llm.Tool{lookupOrder},
			MaxOutputTokens: 300,
			Temperature:     &temp,
		}
		first, _, err := call(c, stream, req)
		if err != nil {
			t.Fatalf("first call: %v", err)
		}
		if first.FinishReason != llm.FinishToolCalls || len(first.ToolCalls) != 2 {
			t.Fatalf("first = %+v", first)
		}
		got := first.ToolCalls[1]
		if got.ID != "call_2" || got.Name != "lookup_order" || string(got.Arguments) != `{"order_id":"B-2"}` {
			t.Errorf("tool call = %+v (%s)", got, got.Arguments)
		}
		if first.Usage.InputTokens != 20 || first.Usage.OutputTokens != 8 {
			t.Errorf("usage = %+v", first.Usage)
		}
		req.Messages = append(req.Messages, first.Message(),
			llm.ToolResult("call_1", `{"status":"shipped"}`),
			llm.ToolResult("call_2", `{"status":"packed"}`))
		final, _, err := call(c, stream, req)
		if err != nil {
			t.Fatalf("final call: %v", err)
		}
		if final.Text != "A-1 shipped, B-2 is packed." || len(final.ToolCalls) != 0 {
			t.Errorf("final = %+v", final)
		}

		reqs := srv.Requests()[before:]
		if len(reqs) != 2 {
			t.Fatalf("%d requests", len(reqs))
		}
		for _, r := range reqs {
			if !slices.Equal(r.ToolNames(), []string{"lookup_order"}) {
				t.Errorf("tools offered = %v", r.ToolNames())
			}
			if r.Body["temperature"] != 0.2 {
				t.Errorf("temperature = %v", r.Body["temperature"])
			}
			field := "max_tokens"
			if sh.name == "openai" {
				field = "max_completion_tokens"
			}
			if r.Body[field] != 300.0 {
				t.Errorf("%s = %v (body %v)", field, r.Body[field], r.Body)
			}
		}
		msgs := reqs[1].Messages()
		if len(msgs) != 5 {
			t.Fatalf("%d messages", len(msgs))
		}
		calls := objectsOf(msgs[2]["tool_calls"])
		if msgs[2]["role"] != "assistant" || len(calls) != 2 || calls[0]["id"] != "call_1" {
			t.Errorf("assistant message = %v", msgs[2])
		}
		if fn, _ := calls[0]["function"].(map[string]any); fn["name"] != "lookup_order" || fn["arguments"] != `{"order_id":"A-1"}` {
			t.Errorf("assistant tool call = %v", calls[0])
		}
		if msgs[3]["role"] != "tool" || msgs[3]["tool_call_id"] != "call_1" || msgs[4]["tool_call_id"] != "call_2" || msgs[4]["content"] != `{"status":"packed"}` {
			t.Errorf("tool messages = %v, %v", msgs[3], msgs[4])
		}
	})
}

func objectsOf(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, e := range list {
		m, _ := e.(map[string]any)
		out = append(out, m)
	}
	return out
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		stream    bool
		turns     []llmtest.Turn
		wantKind  llm.Kind // KindOther with wantErr false: success
		wantErr   bool
		wantReqs  int
		minTime   time.Duration
		maxTime   time.Duration
		wantState int
	}{
		{name: "429 Retry-After 1s then success", turns: []llmtest.Turn{llmtest.RateLimited("1"), llmtest.Text("ok")},
			wantReqs: 2, minTime: time.Second, maxTime: 4 * time.Second},
		{name: "429 retry-after-ms then success streamed", stream: true,
			turns:    []llmtest.Turn{{Status: 429, RetryAfterMs: "300", RetryAfter: "1"}, llmtest.Text("ok")},
			wantReqs: 2, minTime: 300 * time.Millisecond, maxTime: 900 * time.Millisecond},
		{name: "500 then success", turns: []llmtest.Turn{llmtest.ServerError(), llmtest.Text("ok")}, wantReqs: 2},
		{name: "500 twice then success streamed", stream: true,
			turns: []llmtest.Turn{llmtest.ServerError(), llmtest.ServerError(), llmtest.Text("ok")}, wantReqs: 3},
		{name: "429 until retries are used up", turns: []llmtest.Turn{llmtest.RateLimited("0"), llmtest.RateLimited("0"), llmtest.RateLimited("0")},
			wantErr: true, wantKind: llm.KindRateLimited, wantReqs: 3, wantState: 429},
		{name: "429 asking longer than the budget", turns: []llmtest.Turn{llmtest.RateLimited("3600")},
			wantErr: true, wantKind: llm.KindRateLimited, wantReqs: 1, maxTime: time.Second, wantState: 429},
		{name: "500 until retries are used up", turns: []llmtest.Turn{llmtest.ServerError(), llmtest.ServerError(), llmtest.ServerError()},
			wantErr: true, wantKind: llm.KindOther, wantReqs: 3, wantState: 500},
		{name: "400 is not retried", turns: []llmtest.Turn{{Status: 400, ErrorCode: "invalid_request_error"}},
			wantErr: true, wantKind: llm.KindOther, wantReqs: 1, wantState: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Options{APIKey: testKey}, tt.turns...)
			c := newClient(t, shapes(srv)[shapeAzureKey], nil)
			start := time.Now()
			resp, _, err := call(c, tt.stream, llm.Request{Messages: []llm.Message{llm.User("hi")}})
			elapsed := time.Since(start)
			if got := len(srv.Requests()); got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
			if elapsed < tt.minTime || (tt.maxTime > 0 && elapsed > tt.maxTime) {
				t.Errorf("took %v, want between %v and %v", elapsed, tt.minTime, tt.maxTime)
			}
			if !tt.wantErr {
				if err != nil || resp.Text != "ok" {
					t.Fatalf("resp=%+v err=%v", resp, err)
				}
				return
			}
			var e *llm.Error
			if !errors.As(err, &e) || e.Kind != tt.wantKind || e.StatusCode != tt.wantState || e.Attempts != tt.wantReqs {
				t.Fatalf("err = %#v", err)
			}
			if tt.wantKind == llm.KindRateLimited && !errors.Is(err, llm.ErrRateLimited) {
				t.Errorf("errors.Is(%v, ErrRateLimited) is false", err)
			}
		})
	}
}

func TestContentFilter(t *testing.T) {
	tests := []struct {
		name     string
		shape    int
		stream   bool
		turn     llmtest.Turn
		wantText string
	}{
		{name: "azure 400 refusal", shape: shapeAzureKey, turn: llmtest.ContentFilterRefusal()},
		{name: "azure 400 refusal streamed", shape: shapeAzureKey, stream: true, turn: llmtest.ContentFilterRefusal()},
		{name: "openai 400 refusal", shape: shapeOpenAI, turn: llmtest.ContentFilterRefusal()},
		{name: "azure answer cut", shape: shapeAzureKey, turn: llmtest.ContentFiltered("I can"), wantText: "I can"},
		{name: "azure answer cut streamed", shape: shapeAzureKey, stream: true, turn: llmtest.ContentFiltered("I can"), wantText: "I can"},
		{name: "openai answer cut streamed", shape: shapeOpenAI, stream: true, turn: llmtest.ContentFiltered("I can"), wantText: "I can"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Options{APIKey: testKey}, tt.turn)
			c := newClient(t, shapes(srv)[tt.shape], nil)
			resp, _, err := call(c, tt.stream, llm.Request{Messages: []llm.Message{llm.User("something nasty")}})
			if !errors.Is(err, llm.ErrContentFiltered) || llm.KindOf(err) != llm.KindContentFiltered {
				t.Fatalf("err = %v, want content filtered", err)
			}
			if resp.Text != tt.wantText {
				t.Errorf("text = %q, want %q", resp.Text, tt.wantText)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("%d requests: a refusal must not be retried", n)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	tests := []struct {
		name        string
		stream      bool
		callTimeout time.Duration // Config.Timeout
		ctxTimeout  time.Duration // caller's deadline
	}{
		{name: "per-call timeout", callTimeout: 200 * time.Millisecond},
		{name: "per-call timeout streamed", stream: true, callTimeout: 200 * time.Millisecond},
		{name: "caller deadline", callTimeout: time.Minute, ctxTimeout: 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Options{APIKey: testKey}, llmtest.Slow(3*time.Second, llmtest.Text("late")))
			c := newClient(t, shapes(srv)[shapeOpenAI], func(cfg *llm.Config) { cfg.Timeout = tt.callTimeout })
			ctx := context.Background()
			if tt.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
				defer cancel()
			}
			start := time.Now()
			var err error
			if tt.stream {
				_, err = c.ChatStream(ctx, llm.Request{Messages: []llm.Message{llm.User("hi")}}, nil)
			} else {
				_, err = c.Chat(ctx, llm.Request{Messages: []llm.Message{llm.User("hi")}})
			}
			if !errors.Is(err, llm.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want timeout", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestCallerCancel(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{}, llmtest.Slow(3*time.Second, llmtest.Text("late")))
	c := newClient(t, shapes(srv)[shapeCompatible], nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := c.Chat(ctx, llm.Request{Messages: []llm.Message{llm.User("hi")}})
	if !errors.Is(err, context.Canceled) || llm.KindOf(err) != llm.KindOther || errors.Is(err, llm.ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
}

func TestCredentialsRefused(t *testing.T) {
	tests := []struct {
		name    string
		shape   int
		edit    func(*llm.Config)
		wantVar string
	}{
		{name: "azure wrong key", shape: shapeAzureKey, edit: func(c *llm.Config) { c.APIKey = testKey + "-wrong" }, wantVar: "AZURE_OPENAI_API_KEY"},
		{name: "openai wrong key", shape: shapeOpenAI, edit: func(c *llm.Config) { c.APIKey = testKey + "-wrong" }, wantVar: "OPENAI_API_KEY"},
		{name: "azure wrong token", shape: shapeAzureEntra, edit: func(c *llm.Config) { c.Credential = staticCredential{token: testToken + "-wrong"} }, wantVar: "AZURE_OPENAI_API_KEY"},
		{name: "entra id fails", shape: shapeAzureEntra, edit: func(c *llm.Config) {
			c.Credential = staticCredential{err: errors.New("no managed identity endpoint")}
		}, wantVar: "AZURE_OPENAI_API_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Options{APIKey: testKey, BearerToken: testToken})
			c := newClient(t, shapes(srv)[tt.shape], tt.edit)
			_, err := c.Chat(context.Background(), llm.Request{Messages: []llm.Message{llm.User("hi")}})
			var e *llm.Error
			if !errors.As(err, &e) || e.Kind != llm.KindConfig || e.Variable != tt.wantVar || !errors.Is(err, llm.ErrConfig) {
				t.Fatalf("err = %v, want bad configuration naming %s", err, tt.wantVar)
			}
			for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if strings.Contains(text, "SECRET") {
					t.Errorf("the error shows a secret: %s", text)
				}
			}
		})
	}
}

func TestEntraScope(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{BearerToken: testToken}, llmtest.Text("ok"))
	var scopes []string
	c := newClient(t, shapes(srv)[shapeAzureEntra], func(c *llm.Config) { c.Credential = staticCredential{token: testToken, scopes: &scopes} })
	if _, err := c.Chat(context.Background(), llm.Request{Messages: []llm.Message{llm.User("hi")}}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(scopes, []string{"https://cognitiveservices.azure.com/.default"}) {
		t.Errorf("scopes = %v", scopes)
	}
}

func TestNothingSecretLogged(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{APIKey: testKey}, llmtest.RateLimited("0"), llmtest.Text("ok"))
	var logs bytes.Buffer
	c := newClient(t, shapes(srv)[shapeAzureKey], func(c *llm.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if s := fmt.Sprintf("%v %+v %#v %s", *c, *c, *c, c.String()); strings.Contains(s, "SECRET") {
			t.Errorf("the config shows its key: %s", s)
		}
	})
	if _, err := c.Chat(context.Background(), llm.Request{Messages: []llm.Message{llm.User("my card is 4111-CONTENT")}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "status=429") {
		t.Errorf("the retry was not logged: %s", logs.String())
	}
	if strings.Contains(logs.String(), "SECRET") || strings.Contains(logs.String(), "CONTENT") {
		t.Errorf("the log shows a secret or content: %s", logs.String())
	}
}

func TestBadRequest(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	c := newClient(t, shapes(srv)[shapeCompatible], nil)
	for _, req := range []llm.Request{
		{Messages: []llm.Message{{Role: "narrator", Content: "x"}}},
		{Messages: []llm.Message{llm.ToolResult("", "x")}},
		{Messages: []llm.Message{llm.User("x")}, Tools: []llm.Tool{{Name: "t", Parameters: json.RawMessage(`[1]`)}}},
	} {
		if _, err := c.Chat(context.Background(), req); llm.KindOf(err) != llm.KindOther || err == nil {
			t.Errorf("%+v: err = %v", req, err)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent for bad requests", n)
	}
}

func BenchmarkChat(b *testing.B) {
	srv := llmtest.NewServer(b, llmtest.Options{APIKey: testKey})
	c := newClient(b, shapes(srv)[shapeOpenAI], nil)
	req := llm.Request{Messages: []llm.Message{llm.System("Support agent."), llm.User("Where is my order?")}, Tools: []llm.Tool{lookupOrder}}
	for b.Loop() {
		b.StopTimer()
		srv.Script(llmtest.Text("It has shipped."))
		b.StartTimer()
		if _, err := c.Chat(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
