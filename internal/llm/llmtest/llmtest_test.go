package llmtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestServerWire(t *testing.T) {
	const key, token = "k-1", "t-1"
	tests := []struct {
		name       string
		path       string
		header     map[string]string
		body       string
		turn       Turn
		wantStatus int
		wantInBody []string
		wantUsed   bool // the turn was consumed
		wantAuth   string
	}{
		{name: "openai json", path: "/v1/chat/completions", header: map[string]string{"Authorization": "Bearer " + key},
			body: `{"model":"m","messages":[]}`, turn: Text("hello"), wantStatus: 200,
			wantInBody: []string{`"content":"hello"`, `"finish_reason":"stop"`, `"prompt_tokens":10`}, wantUsed: true, wantAuth: "bearer"},
		{name: "openai stream with usage", path: "/v1/chat/completions", header: map[string]string{"Authorization": "Bearer " + key},
			body: `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`, turn: Text("a b"), wantStatus: 200,
			wantInBody: []string{`"content":"a "`, `"content":"b"`, `"completion_tokens":5`, "data: [DONE]"}, wantUsed: true, wantAuth: "bearer"},
		{name: "azure stream tool call", path: "/openai/deployments/d1/chat/completions?api-version=2024-10-21", header: map[string]string{"Api-Key": key},
			body: `{"model":"d1","stream":true}`, turn: Calls(ToolCall{ID: "c1", Name: "f", Arguments: `{"a":1}`}), wantStatus: 200,
			wantInBody: []string{"prompt_filter_results", `"id":"c1"`, `"arguments":"{\"a"`, `"finish_reason":"tool_calls"`}, wantUsed: true, wantAuth: "api-key"},
		{name: "azure bearer", path: "/openai/deployments/d1/chat/completions?api-version=v", header: map[string]string{"Authorization": "Bearer " + token},
			body: `{}`, turn: Text("x"), wantStatus: 200, wantUsed: true, wantAuth: "bearer"},
		{name: "azure content filter", path: "/openai/deployments/d1/chat/completions?api-version=v", header: map[string]string{"Api-Key": key},
			body: `{}`, turn: ContentFilterRefusal(), wantStatus: 400,
			wantInBody: []string{`"code":"content_filter"`, "ResponsibleAIPolicyViolation"}, wantUsed: true, wantAuth: "api-key"},
		{name: "429 with retry-after", path: "/v1/chat/completions", header: map[string]string{"Authorization": "Bearer " + key},
			body: `{}`, turn: RateLimited("7"), wantStatus: 429, wantUsed: true, wantAuth: "bearer"},
		{name: "azure without api-version", path: "/openai/deployments/d1/chat/completions", header: map[string]string{"Api-Key": key},
			body: `{}`, turn: Text("x"), wantStatus: 400, wantInBody: []string{"missing_api_version"}, wantAuth: "api-key"},
		{name: "azure wrong key", path: "/openai/deployments/d1/chat/completions?api-version=v", header: map[string]string{"Api-Key": "nope"},
			body: `{}`, turn: Text("x"), wantStatus: 401, wantAuth: "api-key"},
		{name: "openai with an api-key header", path: "/v1/chat/completions", header: map[string]string{"Api-Key": key},
			body: `{}`, turn: Text("x"), wantStatus: 401, wantAuth: "api-key"},
		{name: "no credential", path: "/v1/chat/completions", body: `{}`, turn: Text("x"), wantStatus: 401, wantAuth: "none"},
		{name: "not json", path: "/v1/chat/completions", header: map[string]string{"Authorization": "Bearer " + key},
			body: `{`, turn: Text("x"), wantStatus: 400, wantAuth: "bearer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(t, Options{APIKey: key, BearerToken: token}, tt.turn)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+tt.path, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			req.Header.Set("X-Trace", "t1")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.wantStatus, body)
			}
			for _, s := range tt.wantInBody {
				if !strings.Contains(string(body), s) {
					t.Errorf("body lacks %s:\n%s", s, body)
				}
			}
			if tt.turn.RetryAfter != "" && res.Header.Get("Retry-After") != tt.turn.RetryAfter {
				t.Errorf("Retry-After = %q", res.Header.Get("Retry-After"))
			}
			if used := srv.Remaining() == 0; used != tt.wantUsed {
				t.Errorf("turn used = %v", used)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests recorded", len(reqs))
			}
			r := reqs[0]
			if r.Auth != tt.wantAuth || r.Header.Get("X-Trace") != "t1" || r.Header.Get("Authorization") != "" || r.Header.Get("Api-Key") != "" {
				t.Errorf("recorded auth=%s header=%v", r.Auth, r.Header)
			}
			if strings.HasPrefix(tt.path, "/openai/") && (r.Shape != "azure" || r.Deployment != "d1") {
				t.Errorf("recorded shape=%s deployment=%s", r.Shape, r.Deployment)
			}
		})
	}
}

func TestStreamChunksAreJSON(t *testing.T) {
	srv := NewServer(t, Options{}, Calls(ToolCall{ID: "c1", Name: "f", Arguments: `{"q":"x y"}`}))
	res, err := http.Post(srv.BaseURL()+"/chat/completions", "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var args strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					ToolCalls []struct {
						Function struct{ Arguments string }
					} `json:"tool_calls"`
				}
			}
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			t.Fatalf("chunk %q: %v", data, err)
		}
		for _, c := range chunk.Choices {
			for _, tc := range c.Delta.ToolCalls {
				args.WriteString(tc.Function.Arguments)
			}
		}
	}
	if args.String() != `{"q":"x y"}` {
		t.Errorf("arguments streamed = %q", args.String())
	}
	if !strings.HasSuffix(string(raw), "data: [DONE]\n\n") {
		t.Error("the stream does not end with [DONE]")
	}
}
