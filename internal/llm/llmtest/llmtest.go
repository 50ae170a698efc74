// Package llmtest is a scripted fake of an OpenAI-compatible chat server,
// on httptest, for the tests of package llm and of the agent loop.
//
// A [Server] answers POST /v1/chat/completions (the OpenAI shape) and
// POST /openai/deployments/{deployment}/chat/completions?api-version=...
// (the Azure shape, with an api-key header or a Bearer token) from a
// script of [Turn]s, one turn a request: text, tool calls and usage, as
// JSON or as SSE when the request asks "stream": true. Turns can also
// fail: 429 with Retry-After ([RateLimited]), 500 ([ServerError]), a
// content-filter refusal as Azure gives it ([ContentFilterRefusal],
// [ContentFiltered]), or a slow answer ([Slow]).
//
// Every request is recorded ([Server.Requests]): path, deployment, the
// kind of credential, headers without secrets and the decoded body, so a
// test can check what the client sent. It listens on loopback only and
// needs no network.
package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// ToolCall is a tool call in a scripted answer.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string // JSON text
}

// Turn is the answer to one request.
type Turn struct {
	Text      string
	ToolCalls []ToolCall
	// FinishReason defaults to "tool_calls" with tool calls, else "stop".
	FinishReason string
	// PromptTokens and CompletionTokens are the usage reported.
	PromptTokens, CompletionTokens int

	// Status, when not zero, makes the turn an error answer with this
	// HTTP status and ErrorCode as the error's code.
	Status    int
	ErrorCode string
	// RetryAfter and RetryAfterMs are sent as the Retry-After and
	// retry-after-ms headers when not empty.
	RetryAfter, RetryAfterMs string
	// Delay holds the answer back (until the client gives up, if sooner).
	Delay time.Duration
}

// Text is a turn answering text.
func Text(text string) Turn { return Turn{Text: text, PromptTokens: 10, CompletionTokens: 5} }

// Calls is a turn answering tool calls.
func Calls(calls ...ToolCall) Turn {
	return Turn{ToolCalls: calls, PromptTokens: 20, CompletionTokens: 8}
}

// RateLimited is a 429 turn with the Retry-After header retryAfter
// (none when empty).
func RateLimited(retryAfter string) Turn {
	return Turn{Status: http.StatusTooManyRequests, ErrorCode: "429", RetryAfter: retryAfter}
}

// ServerError is a 500 turn.
func ServerError() Turn {
	return Turn{Status: http.StatusInternalServerError, ErrorCode: "server_error"}
}

// ContentFilterRefusal is Azure's refusal of a prompt: 400 with code
// content_filter.
func ContentFilterRefusal() Turn {
	return Turn{Status: http.StatusBadRequest, ErrorCode: "content_filter"}
}

// ContentFiltered is an answer cut by the content filter: what text came
// before, and finish_reason content_filter.
func ContentFiltered(text string) Turn {
	return Turn{Text: text, FinishReason: "content_filter", PromptTokens: 10, CompletionTokens: 1}
}

// Slow is t held back by d.
func Slow(d time.Duration, t Turn) Turn { t.Delay = d; return t }

// Options are the credentials a [Server] accepts; when both are empty it
// accepts any (or none).
type Options struct {
	// APIKey is the key: the api-key header in the Azure shape, the
	// Bearer token in the OpenAI shape.
	APIKey string
	// BearerToken is the Entra ID token accepted in the Azure shape.
	BearerToken string
	// Anonymous also accepts requests with no credential, as a local
	// server does.
	Anonymous bool
}

// Request is a request as the server received it.
type Request struct {
	Shape      string // "openai" or "azure"
	Path       string
	Deployment string // Azure
	APIVersion string // Azure
	// Auth is the kind of credential sent: "api-key", "bearer" or "none".
	Auth string
	// Header is the request's header without Authorization, Api-Key and
	// Cookie.
	Header http.Header
	// Body is the decoded JSON body.
	Body   map[string]any
	Stream bool
}

// Model is the body's model field.
func (r Request) Model() string { s, _ := r.Body["model"].(string); return s }

// Messages are the body's messages.
func (r Request) Messages() []map[string]any { return objects(r.Body["messages"]) }

// ToolNames are the names of the tools offered.
func (r Request) ToolNames() []string {
	var names []string
	for _, t := range objects(r.Body["tools"]) {
		fn, _ := t["function"].(map[string]any)
		name, _ := fn["name"].(string)
		names = append(names, name)
	}
	return names
}

func objects(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's root: the Azure endpoint. The OpenAI base URL
	// is [Server.BaseURL].
	URL string

	t    testing.TB
	opts Options
	srv  *httptest.Server

	mu     sync.Mutex
	script []Turn
	reqs   []Request
	served int
}

// NewServer starts a fake answering turns in order; it stops when the test
// ends.
func NewServer(t testing.TB, opts Options, turns ...Turn) *Server {
	s := &Server{t: t, opts: opts, script: append([]Turn(nil), turns...)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		s.handle(w, r, "openai")
	})
	mux.HandleFunc("POST /openai/deployments/{deployment}/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		s.handle(w, r, "azure")
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// BaseURL is the OpenAI-shape base URL (URL + "/v1").
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Script appends turns to the script.
func (s *Server) Script(turns ...Turn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, turns...)
}

// Requests returns a copy of the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Remaining is the number of turns not yet served.
func (s *Server) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script) - s.served
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, shape string) {
	rec := Request{Shape: shape, Path: r.URL.Path, Header: r.Header.Clone(), Auth: "none"}
	for _, h := range []string{"Authorization", "Api-Key", "Cookie"} {
		rec.Header.Del(h)
	}
	bearer, hasBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	key := r.Header.Get("Api-Key")
	switch {
	case key != "":
		rec.Auth = "api-key"
	case hasBearer:
		rec.Auth = "bearer"
	}
	if shape == "azure" {
		rec.Deployment = r.PathValue("deployment")
		rec.APIVersion = r.URL.Query().Get("api-version")
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err == nil {
		err = json.Unmarshal(raw, &rec.Body)
	}
	rec.Stream, _ = rec.Body["stream"].(bool)

	s.mu.Lock()
	s.reqs = append(s.reqs, rec)
	s.mu.Unlock()

	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "the body is not JSON", "")
		return
	case shape == "azure" && rec.APIVersion == "":
		writeError(w, http.StatusBadRequest, "missing_api_version", "api-version is required", "")
		return
	case !s.authorized(shape, key, bearer, hasBearer):
		writeError(w, http.StatusUnauthorized, "invalid_api_key", "access denied", "")
		return
	}

	s.mu.Lock()
	if s.served >= len(s.script) {
		s.mu.Unlock()
		s.t.Errorf("llmtest: request %d to %s has no turn left in the script", len(s.Requests()), rec.Path)
		writeError(w, http.StatusTeapot, "llmtest_script_exhausted", "the script has no turn left", "")
		return
	}
	turn := s.script[s.served]
	s.served++
	s.mu.Unlock()

	if turn.Delay > 0 {
		select {
		case <-time.After(turn.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if turn.RetryAfter != "" {
		w.Header().Set("Retry-After", turn.RetryAfter)
	}
	if turn.RetryAfterMs != "" {
		w.Header().Set("Retry-After-Ms", turn.RetryAfterMs)
	}
	if turn.Status != 0 {
		writeError(w, turn.Status, turn.ErrorCode, http.StatusText(turn.Status), shape)
		return
	}
	model := rec.Model()
	if shape == "azure" {
		model = rec.Deployment
	}
	if rec.Stream {
		opts, _ := rec.Body["stream_options"].(map[string]any)
		usage, _ := opts["include_usage"].(bool)
		writeStream(w, turn, model, shape, usage)
		return
	}
	writeJSON(w, turn, model)
}

func (s *Server) authorized(shape, key, bearer string, hasBearer bool) bool {
	if s.opts.APIKey == "" && s.opts.BearerToken == "" {
		return true
	}
	if key == "" && !hasBearer {
		return s.opts.Anonymous
	}
	if shape == "openai" {
		return s.opts.APIKey != "" && hasBearer && bearer == s.opts.APIKey && key == ""
	}
	switch {
	case key != "" && hasBearer:
		return false
	case key != "":
		return s.opts.APIKey != "" && key == s.opts.APIKey
	case hasBearer:
		return s.opts.BearerToken != "" && bearer == s.opts.BearerToken
	}
	return false
}

func writeError(w http.ResponseWriter, status int, code, message, shape string) {
	e := map[string]any{"message": message, "type": "invalid_request_error", "param": nil, "code": code}
	if code == "content_filter" {
		e["message"] = "The response was filtered due to the prompt triggering the content management policy."
		e["param"] = "prompt"
		if shape == "azure" {
			e["status"] = status
			e["innererror"] = map[string]any{
				"code": "ResponsibleAIPolicyViolation",
				"content_filter_result": map[string]any{
					"hate": map[string]any{"filtered": true, "severity": "high"},
				},
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}

func finishReason(t Turn) string {
	switch {
	case t.FinishReason != "":
		return t.FinishReason
	case len(t.ToolCalls) > 0:
		return "tool_calls"
	default:
		return "stop"
	}
}

func usage(t Turn) map[string]any {
	return map[string]any{
		"prompt_tokens":     t.PromptTokens,
		"completion_tokens": t.CompletionTokens,
		"total_tokens":      t.PromptTokens + t.CompletionTokens,
	}
}

func writeJSON(w http.ResponseWriter, t Turn, model string) {
	msg := map[string]any{"role": "assistant", "content": nil}
	if t.Text != "" {
		msg["content"] = t.Text
	}
	if len(t.ToolCalls) > 0 {
		var calls []map[string]any
		for _, c := range t.ToolCalls {
			calls = append(calls, map[string]any{
				"id": c.ID, "type": "function",
				"function": map[string]any{"name": c.Name, "arguments": c.Arguments},
			})
		}
		msg["tool_calls"] = calls
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-llmtest", "object": "chat.completion", "created": 1700000000, "model": model,
		"choices": []map[string]any{{"index": 0, "message": msg, "finish_reason": finishReason(t), "logprobs": nil}},
		"usage":   usage(t),
	})
}

// writeStream sends t as Server-Sent Events: the text in pieces, each tool
// call as its name then its arguments in two pieces, the finish reason,
// the usage when asked, and [DONE].
func writeStream(w http.ResponseWriter, t Turn, model, shape string, withUsage bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher, _ := w.(http.Flusher)
	send := func(choices []map[string]any, extra map[string]any) {
		chunk := map[string]any{
			"id": "chatcmpl-llmtest", "object": "chat.completion.chunk", "created": 1700000000,
			"model": model, "choices": choices,
		}
		for k, v := range extra {
			chunk[k] = v
		}
		b, _ := json.Marshal(chunk)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	delta := func(d map[string]any, finish any) []map[string]any {
		return []map[string]any{{"index": 0, "delta": d, "finish_reason": finish, "logprobs": nil}}
	}
	if shape == "azure" {
		// Azure opens with the prompt's filter results and no choice.
		send([]map[string]any{}, map[string]any{"model": "", "prompt_filter_results": []map[string]any{
			{"prompt_index": 0, "content_filter_results": map[string]any{}},
		}})
	}
	send(delta(map[string]any{"role": "assistant", "content": ""}, nil), nil)
	for _, piece := range pieces(t.Text) {
		send(delta(map[string]any{"content": piece}, nil), nil)
	}
	for i, c := range t.ToolCalls {
		send(delta(map[string]any{"tool_calls": []map[string]any{{
			"index": i, "id": c.ID, "type": "function",
			"function": map[string]any{"name": c.Name, "arguments": ""},
		}}}, nil), nil)
		half := len(c.Arguments) / 2
		for _, a := range []string{c.Arguments[:half], c.Arguments[half:]} {
			send(delta(map[string]any{"tool_calls": []map[string]any{{
				"index": i, "function": map[string]any{"arguments": a},
			}}}, nil), nil)
		}
	}
	send(delta(map[string]any{}, finishReason(t)), nil)
	if withUsage {
		send([]map[string]any{}, map[string]any{"usage": usage(t)})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// pieces cuts text after each space, as a model streams words.
func pieces(text string) []string {
	var out []string
	for text != "" {
		i := strings.IndexByte(text, ' ')
		if i < 0 {
			out = append(out, text)
			break
		}
		out = append(out, text[:i+1])
		text = text[i+1:]
	}
	return out
}
