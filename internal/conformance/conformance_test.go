//lint:file-ignore SA1019 the conformance suite still tests logging, sampling and roots (deprecated by SEP-2577 but in force for 2025-era sessions), so these fixtures use them on purpose.

package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	era2025 = "2025-11-25"
	era2026 = "2026-07-28"
)

// peer is a connected in-memory client/server pair with the fixtures
// registered, and a record of what the client received.
type peer struct {
	cs *mcp.ClientSession

	mu        sync.Mutex
	logs      []*mcp.LoggingMessageParams
	progress  []*mcp.ProgressNotificationParams
	elicits   []*mcp.ElicitParams
	samplings int
	updated   chan string
}

func (p *peer) elicitations() []*mcp.ElicitParams {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.elicits)
}

// newPeer starts a server with the fixtures (and their background work) and connects a client
// that speaks protocolVersion, answers sampling and elicitation requests, and
// exposes one root.
func newPeer(t *testing.T, protocolVersion string) *peer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	opts := &mcp.ServerOptions{}
	Options(opts)
	srv := mcp.NewServer(&mcp.Implementation{Name: "fixtures-test", Version: "0.0.0"}, opts)
	Register(srv)
	go runEvery(ctx, srv, 10*time.Millisecond) // Run, at test speed

	p := &peer{updated: make(chan string, 16)}
	client := mcp.NewClient(&mcp.Implementation{Name: "fixtures-test-client", Version: "0.0.0"}, &mcp.ClientOptions{
		CreateMessageHandler: func(_ context.Context, req *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			p.mu.Lock()
			p.samplings++
			p.mu.Unlock()
			return &mcp.CreateMessageResult{
				Role:    "assistant",
				Model:   "test-model",
				Content: &mcp.TextContent{Text: "Paris"},
			}, nil
		},
		ElicitationHandler: func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			p.mu.Lock()
			p.elicits = append(p.elicits, req.Params)
			p.mu.Unlock()
			return &mcp.ElicitResult{Action: "accept", Content: formAnswer(t, req.Params)}, nil
		},
		LoggingMessageHandler: func(_ context.Context, req *mcp.LoggingMessageRequest) {
			p.mu.Lock()
			p.logs = append(p.logs, req.Params)
			p.mu.Unlock()
		},
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			p.mu.Lock()
			p.progress = append(p.progress, req.Params)
			p.mu.Unlock()
		},
		ResourceUpdatedHandler: func(_ context.Context, req *mcp.ResourceUpdatedNotificationRequest) {
			select {
			case p.updated <- req.Params.URI:
			default:
			}
		},
	})
	client.AddRoots(&mcp.Root{URI: "file:///work/project", Name: "project"})

	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatalf("server connect: %v", err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := client.Connect(ctx, ct, &mcp.ClientSessionOptions{ProtocolVersion: protocolVersion})
	if err != nil {
		t.Fatalf("client connect: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	if got := cs.InitializeResult().ProtocolVersion; got != protocolVersion {
		t.Fatalf("negotiated protocol version %q, want %q", got, protocolVersion)
	}
	p.cs = cs
	return p
}

// formAnswer fills in an elicitation form the way a user accepting it would:
// the first choice or a sample value for each field.
func formAnswer(t *testing.T, params *mcp.ElicitParams) map[string]any {
	raw, err := json.Marshal(params.RequestedSchema)
	if err != nil {
		t.Errorf("marshal requested schema: %v", err)
		return nil
	}
	var form struct {
		Properties map[string]struct {
			Type  string                   `json:"type"`
			Enum  []string                 `json:"enum"`
			OneOf []struct{ Const string } `json:"oneOf"`
			Items *struct {
				Enum  []string                 `json:"enum"`
				AnyOf []struct{ Const string } `json:"anyOf"`
			} `json:"items"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &form); err != nil {
		t.Errorf("unmarshal requested schema: %v", err)
		return nil
	}
	answer := map[string]any{}
	for name, prop := range form.Properties {
		switch {
		case len(prop.Enum) > 0:
			answer[name] = prop.Enum[0]
		case len(prop.OneOf) > 0:
			answer[name] = prop.OneOf[0].Const
		case prop.Type == "array" && prop.Items != nil && len(prop.Items.Enum) > 0:
			answer[name] = []any{prop.Items.Enum[0]}
		case prop.Type == "array" && prop.Items != nil && len(prop.Items.AnyOf) > 0:
			answer[name] = []any{prop.Items.AnyOf[0].Const}
		case prop.Type == "boolean":
			answer[name] = true
		case prop.Type == "integer", prop.Type == "number":
			answer[name] = 7
		case name == "name":
			answer[name] = "Alice"
		case name == "color":
			answer[name] = "green"
		default:
			answer[name] = "answer-" + name
		}
	}
	return answer
}

func (p *peer) call(t *testing.T, name string, args any) *mcp.CallToolResult {
	t.Helper()
	res, err := p.cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}

// texts returns the text of every text block of res.
func texts(res *mcp.CallToolResult) []string {
	var out []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			out = append(out, tc.Text)
		}
	}
	return out
}

// waitFor polls cond for up to two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// peersFixtureTools are the fixture tools the conformance suite calls by name.
var peersFixtureTools = []string{
	"test_simple_text", "test_image_content", "test_audio_content", "test_embedded_resource",
	"test_multiple_content_types", "test_tool_with_logging", "test_error_handling",
	"test_tool_with_progress", "test_sampling", "test_elicitation",
	"test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums", "json_schema_2020_12_tool",
}

func TestListsEveryFixture(t *testing.T) {
	ctx := context.Background()
	p := newPeer(t, era2025)

	var listed []string
	for tool, err := range p.cs.Tools(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, tool.Name)
		if tool.Description == "" {
			t.Errorf("tool %s has no description", tool.Name)
		}
	}
	slices.Sort(listed)
	if want := ToolNames(); !slices.Equal(listed, want) {
		t.Errorf("tools/list = %v\nwant %v", listed, want)
	}
	for _, name := range peersFixtureTools {
		if !slices.Contains(listed, name) {
			t.Errorf("tool %s missing", name)
		}
	}
	for _, name := range []string{"greet", "slow_compute", "failing_job", "protocol_error_job", "confirm_delete", "multi_input", "test_tool_with_task"} {
		if !slices.Contains(listed, name) {
			t.Errorf("Tasks fixture %s missing", name)
		}
	}

	var resources []string
	for r, err := range p.cs.Resources(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Name == "" || r.MIMEType == "" {
			t.Errorf("resource %s lacks a name or MIME type", r.URI)
		}
		resources = append(resources, r.URI)
	}
	for tmpl, err := range p.cs.ResourceTemplates(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		resources = append(resources, tmpl.URITemplate)
	}
	slices.Sort(resources)
	want := []string{"test://static-binary", "test://static-text", "test://template/{id}/data", "test://watched-resource"}
	if !slices.Equal(resources, want) || !slices.Equal(ResourceURIs(), want) {
		t.Errorf("resources = %v, ResourceURIs() = %v, want %v", resources, ResourceURIs(), want)
	}

	var prompts []string
	for pr, err := range p.cs.Prompts(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if pr.Description == "" {
			t.Errorf("prompt %s has no description", pr.Name)
		}
		prompts = append(prompts, pr.Name)
	}
	slices.Sort(prompts)
	if want := PromptNames(); !slices.Equal(prompts, want) {
		t.Errorf("prompts/list = %v, want %v", prompts, want)
	}
	for _, name := range []string{"test_simple_prompt", "test_prompt_with_arguments", "test_prompt_with_embedded_resource", "test_prompt_with_image"} {
		if !slices.Contains(prompts, name) {
			t.Errorf("prompt %s missing", name)
		}
	}

	caps := p.cs.InitializeResult().Capabilities
	if caps.Completions == nil || caps.Logging == nil || caps.Resources == nil || !caps.Resources.Subscribe {
		t.Errorf("capabilities %+v: want completions, logging and resource subscriptions", caps)
	}
}

func TestJSONSchema2020Preserved(t *testing.T) {
	p := newPeer(t, era2026)
	for tool, err := range p.cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if tool.Name != "json_schema_2020_12_tool" {
			continue
		}
		raw, err := json.Marshal(tool.InputSchema)
		if err != nil {
			t.Fatal(err)
		}
		var schema map[string]any
		if err := json.Unmarshal(raw, &schema); err != nil {
			t.Fatal(err)
		}
		if schema["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("$schema = %v", schema["$schema"])
		}
		for _, kw := range []string{"$defs", "allOf", "if", "then", "else"} {
			if _, ok := schema[kw]; !ok {
				t.Errorf("keyword %s lost: %s", kw, raw)
			}
		}
		if schema["additionalProperties"] != false {
			t.Errorf("additionalProperties = %v, want false", schema["additionalProperties"])
		}
		if !strings.Contains(string(raw), `"$anchor":"addressDef"`) || !strings.Contains(string(raw), `"$ref":"#/$defs/address"`) {
			t.Errorf("$anchor or $ref lost: %s", raw)
		}
		res := p.call(t, tool.Name, map[string]any{"name": "Ada", "email": "ada@example.com"})
		if res.IsError || !strings.Contains(strings.Join(texts(res), ""), "ada@example.com") {
			t.Errorf("call result %+v does not echo the arguments", res)
		}
		return
	}
	t.Fatal("json_schema_2020_12_tool not listed")
}

func TestContentTools(t *testing.T) {
	p := newPeer(t, era2026)
	for _, tc := range []struct {
		tool  string
		kinds []string // content block types, in order
	}{
		{"test_simple_text", []string{"text"}},
		{"test_image_content", []string{"image"}},
		{"test_audio_content", []string{"audio"}},
		{"test_embedded_resource", []string{"resource"}},
		{"test_multiple_content_types", []string{"text", "image", "resource"}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			res := p.call(t, tc.tool, nil)
			if res.IsError {
				t.Fatalf("isError set: %+v", res)
			}
			var kinds []string
			for _, c := range res.Content {
				switch c := c.(type) {
				case *mcp.TextContent:
					kinds = append(kinds, "text")
					if c.Text == "" {
						t.Error("empty text")
					}
				case *mcp.ImageContent:
					kinds = append(kinds, "image")
					if c.MIMEType != "image/png" || !strings.HasPrefix(string(c.Data), "\x89PNG\r\n\x1a\n") {
						t.Errorf("image %s is not a PNG", c.MIMEType)
					}
				case *mcp.AudioContent:
					kinds = append(kinds, "audio")
					if c.MIMEType != "audio/wav" || string(c.Data[:4]) != "RIFF" || string(c.Data[8:12]) != "WAVE" {
						t.Errorf("audio %s is not a WAV file", c.MIMEType)
					}
				case *mcp.EmbeddedResource:
					kinds = append(kinds, "resource")
					if r := c.Resource; r == nil || r.URI == "" || r.MIMEType == "" || (r.Text == "" && len(r.Blob) == 0) {
						t.Errorf("embedded resource incomplete: %+v", c.Resource)
					}
				default:
					kinds = append(kinds, "other")
				}
			}
			if !slices.Equal(kinds, tc.kinds) {
				t.Errorf("content kinds %v, want %v", kinds, tc.kinds)
			}
		})
	}
}

func TestErrorHandling(t *testing.T) {
	p := newPeer(t, era2026)
	res := p.call(t, "test_error_handling", map[string]any{})
	if !res.IsError || len(texts(res)) == 0 || texts(res)[0] == "" {
		t.Errorf("result %+v: want isError with a message", res)
	}
}

func TestLogging(t *testing.T) {
	p := newPeer(t, era2025)
	if err := p.cs.SetLoggingLevel(context.Background(), &mcp.SetLoggingLevelParams{Level: "debug"}); err != nil {
		t.Fatal(err)
	}
	res := p.call(t, "test_tool_with_logging", nil)
	if res.IsError {
		t.Fatalf("isError: %+v", res)
	}
	waitFor(t, "three log messages", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.logs) >= 3
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.logs {
		if l.Level != "info" || l.Data == nil {
			t.Errorf("log message %+v", l)
		}
	}
}

func TestProgress(t *testing.T) {
	for _, era := range []string{era2025, era2026} {
		t.Run(era, func(t *testing.T) {
			p := newPeer(t, era)
			params := &mcp.CallToolParams{Name: "test_tool_with_progress"}
			params.SetProgressToken("progress-test-1")
			res, err := p.cs.CallTool(context.Background(), params)
			if err != nil {
				t.Fatal(err)
			}
			if got := texts(res); len(got) != 1 || got[0] != "progress-test-1" {
				t.Errorf("result text %v, want the progress token", got)
			}
			waitFor(t, "three progress notifications", func() bool {
				p.mu.Lock()
				defer p.mu.Unlock()
				return len(p.progress) >= 3
			})
			p.mu.Lock()
			defer p.mu.Unlock()
			for i, n := range p.progress {
				if n.ProgressToken != "progress-test-1" || n.Total != 100 {
					t.Errorf("notification %d: %+v", i, n)
				}
				if i > 0 && n.Progress < p.progress[i-1].Progress {
					t.Errorf("progress goes backwards: %v after %v", n.Progress, p.progress[i-1].Progress)
				}
			}
		})
	}
}

func TestSamplingAndElicitation(t *testing.T) {
	p := newPeer(t, era2025)

	res := p.call(t, "test_sampling", map[string]any{"prompt": "Capital of France?"})
	if got := strings.Join(texts(res), ""); res.IsError || got != "LLM response: Paris" {
		t.Errorf("test_sampling: %q (isError %v)", got, res.IsError)
	}

	res = p.call(t, "test_elicitation", map[string]any{"message": "Who are you?"})
	if got := strings.Join(texts(res), ""); res.IsError || !strings.Contains(got, "action=accept") || !strings.Contains(got, "answer-username") {
		t.Errorf("test_elicitation: %q", got)
	}
	if e := p.elicitations(); len(e) != 1 || e[0].Message != "Who are you?" {
		t.Errorf("elicitation requests %+v", e)
	}
}

// elicitedProperties calls tool and returns the properties of the form it
// asked the client to fill in.
func elicitedProperties(t *testing.T, tool string) map[string]map[string]any {
	t.Helper()
	p := newPeer(t, era2025)
	res := p.call(t, tool, nil)
	if res.IsError {
		t.Fatalf("%s: %v", tool, texts(res))
	}
	e := p.elicitations()
	if len(e) != 1 {
		t.Fatalf("%d elicitation requests, want 1", len(e))
	}
	raw, err := json.Marshal(e[0].RequestedSchema)
	if err != nil {
		t.Fatal(err)
	}
	var form struct {
		Type       string                    `json:"type"`
		Properties map[string]map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(raw, &form); err != nil || form.Type != "object" {
		t.Fatalf("form %s: %v", raw, err)
	}
	return form.Properties
}

func TestElicitationDefaults(t *testing.T) {
	props := elicitedProperties(t, "test_elicitation_sep1034_defaults")
	for field, want := range map[string]struct {
		typ string
		def any
	}{
		"name":     {"string", "John Doe"},
		"age":      {"integer", 30.0},
		"score":    {"number", 95.5},
		"status":   {"string", "active"},
		"verified": {"boolean", true},
	} {
		p := props[field]
		if p["type"] != want.typ || p["default"] != want.def {
			t.Errorf("%s: %v, want type %s default %v", field, p, want.typ, want.def)
		}
	}
}

func TestElicitationEnums(t *testing.T) {
	props := elicitedProperties(t, "test_elicitation_sep1330_enums")
	has := func(field, path string) bool {
		v := any(props[field])
		for _, k := range strings.Split(path, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			v = m[k]
		}
		_, isList := v.([]any)
		return isList
	}
	checks := []struct {
		field, present, absent string
	}{
		{"untitledSingle", "enum", "oneOf"},
		{"titledSingle", "oneOf", "enum"},
		{"legacyEnum", "enumNames", "oneOf"},
		{"untitledMulti", "items.enum", "items.anyOf"},
		{"titledMulti", "items.anyOf", "items.enum"},
	}
	for _, c := range checks {
		if !has(c.field, c.present) || has(c.field, c.absent) {
			t.Errorf("%s: %v, want %s and no %s", c.field, props[c.field], c.present, c.absent)
		}
	}
	if got := props["legacyEnum"]; len(got["enum"].([]any)) != len(got["enumNames"].([]any)) {
		t.Errorf("legacyEnum: enum and enumNames differ in length: %v", got)
	}
}

func TestInputRequiredTools(t *testing.T) {
	// 2026-era clients retry with inputResponses themselves; for 2025-era
	// sessions the SDK turns the input requests into real requests.
	for _, era := range []string{era2025, era2026} {
		t.Run(era, func(t *testing.T) {
			p := newPeer(t, era)
			for tool, want := range map[string]string{
				"test_input_required_result_elicitation":     "Hello, Alice!",
				"test_input_required_result_sampling":        "Sampling response: Paris",
				"test_input_required_result_list_roots":      "Client exposed 1 root(s): file:///work/project",
				"test_input_required_result_request_state":   "state-ok",
				"test_input_required_result_multiple_inputs": "Paris Alice (1 root(s) visible)",
				"test_input_required_result_tampered_state":  "state-ok",
				"test_input_required_result_capabilities":    "Received 3 input response(s)",
				"test_streaming_elicitation":                 "Thanks, Alice",
			} {
				res := p.call(t, tool, nil)
				if got := strings.Join(texts(res), ""); res.IsError || !strings.Contains(got, want) {
					t.Errorf("%s: %q (isError %v), want it to contain %q", tool, got, res.IsError, want)
				}
			}
		})
	}
}

func TestInputRequiredMultiRound(t *testing.T) {
	p := newPeer(t, era2026)
	res := p.call(t, "test_input_required_result_multi_round", nil)
	if got := strings.Join(texts(res), ""); got != "Multi-round complete: Alice likes green" {
		t.Errorf("result %q", got)
	}
	var messages []string
	for _, e := range p.elicitations() {
		messages = append(messages, e.Message)
	}
	if !slices.Equal(messages, []string{"Step 1: What is your name?", "Step 2: What is your favorite color?"}) {
		t.Errorf("elicitations %q", messages)
	}
}

// callDirect calls a tool handler without a session, as a 2026-era request
// with the given retry fields would reach it.
func callDirect(t *testing.T, h mcp.ToolHandler, responses mcp.InputResponseMap, state string) (*mcp.CallToolResult, error) {
	t.Helper()
	return h(context.Background(), &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{
		InputResponses: responses,
		RequestState:   state,
	}})
}

func TestRequestStateIntegrity(t *testing.T) {
	first, err := callDirect(t, irTamperedState, nil, "")
	if err != nil || first.RequestState == "" || first.InputRequests["confirm"] == nil {
		t.Fatalf("round 1: %+v, %v", first, err)
	}
	confirm := mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"ok": true}}}

	if res, err := callDirect(t, irTamperedState, confirm, first.RequestState); err != nil || !strings.HasPrefix(texts(res)[0], "state-ok") {
		t.Errorf("genuine state: %+v, %v", res, err)
	}

	otherTool := sealState(flowState{Tool: "test_input_required_result_request_state", Round: 1})
	for name, state := range map[string]string{
		"suffix":       first.RequestState + "-TAMPERED",
		"flipped":      strings.ToUpper(first.RequestState),
		"no signature": strings.Split(first.RequestState, ".")[0],
		"other tool":   otherTool,
	} {
		_, err := callDirect(t, irTamperedState, confirm, state)
		var rpcErr *jsonrpc.Error
		if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
			t.Errorf("%s: error %v, want JSON-RPC invalid params", name, err)
		}
	}
}

func TestInputRequiredReasksOnWrongResponses(t *testing.T) {
	wrong := mcp.InputResponseMap{
		"unexpected": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Eve"}},
		"user_name":  &mcp.ElicitResult{Action: "decline"},
	}
	res, err := callDirect(t, irElicitation, wrong, "")
	if err != nil || res.InputRequests["user_name"] == nil {
		t.Errorf("got %+v, %v: want the name asked again", res, err)
	}
}

func TestMissingCapability(t *testing.T) {
	_, err := callDirect(t, missingCapability, nil, "")
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != mcp.CodeMissingRequiredClientCapabilities {
		t.Fatalf("error %v, want -32021", err)
	}
	var data struct {
		RequiredCapabilities map[string]any `json:"requiredCapabilities"`
	}
	if err := json.Unmarshal(rpcErr.Data, &data); err != nil || data.RequiredCapabilities["sampling"] == nil {
		t.Errorf("error data %s: want requiredCapabilities.sampling", rpcErr.Data)
	}

	// A client that declares sampling gets a result.
	p := newPeer(t, era2026)
	if res := p.call(t, "test_missing_capability", nil); res.IsError {
		t.Errorf("with sampling declared: %v", texts(res))
	}
}

func TestListChangedTriggers(t *testing.T) {
	ctx := context.Background()
	opts := &mcp.ServerOptions{}
	Options(opts)
	srv := mcp.NewServer(&mcp.Implementation{Name: "fixtures-test", Version: "0.0.0"}, opts)
	Register(srv)
	changed := make(chan string, 4)
	client := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "0"}, &mcp.ClientOptions{
		ToolListChangedHandler:   func(context.Context, *mcp.ToolListChangedRequest) { changed <- "tools" },
		PromptListChangedHandler: func(context.Context, *mcp.PromptListChangedRequest) { changed <- "prompts" },
	})
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := client.Connect(ctx, ct, &mcp.ClientSessionOptions{ProtocolVersion: era2025})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	for tool, want := range map[string]string{"test_trigger_tool_change": "tools", "test_trigger_prompt_change": "prompts"} {
		if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool}); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-changed:
			if got != want {
				t.Errorf("%s: %s list changed, want %s", tool, got, want)
			}
		case <-time.After(2 * time.Second):
			t.Errorf("%s: no list_changed notification", tool)
		}
	}
	var n int
	for _, err := range cs.Tools(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != len(ToolNames()) {
		t.Errorf("%d tools after the triggers, want %d (the list must stay the same)", n, len(ToolNames()))
	}
}

func TestResources(t *testing.T) {
	ctx := context.Background()
	p := newPeer(t, era2025)
	read := func(uri string) *mcp.ResourceContents {
		t.Helper()
		res, err := p.cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri})
		if err != nil {
			t.Fatalf("read %s: %v", uri, err)
		}
		if len(res.Contents) != 1 || res.Contents[0].URI != uri {
			t.Fatalf("read %s: %+v", uri, res.Contents)
		}
		return res.Contents[0]
	}
	if c := read("test://static-text"); c.MIMEType != "text/plain" || c.Text == "" {
		t.Errorf("static text: %+v", c)
	}
	if c := read("test://static-binary"); c.MIMEType != "image/png" || len(c.Blob) == 0 {
		t.Errorf("static binary: %+v", c)
	}
	c := read("test://template/123/data")
	var doc struct {
		ID           string `json:"id"`
		TemplateTest bool   `json:"templateTest"`
	}
	if err := json.Unmarshal([]byte(c.Text), &doc); err != nil || doc.ID != "123" || !doc.TemplateTest || c.MIMEType != "application/json" {
		t.Errorf("template: %+v (%v)", c, err)
	}
	if _, err := p.cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "test://template/a/b/data"}); err == nil {
		t.Error("reading test://template/a/b/data succeeded; want not found")
	}
	if _, err := p.cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "test://nonexistent"}); err == nil {
		t.Error("reading test://nonexistent succeeded; want not found")
	}
}

func TestWatchedResourceSubscription(t *testing.T) {
	ctx := context.Background()
	p := newPeer(t, era2025)
	before := p.readWatched(t)
	if err := p.cs.Subscribe(ctx, &mcp.SubscribeParams{URI: watchedURI}); err != nil {
		t.Fatal(err)
	}
	select {
	case uri := <-p.updated:
		if uri != watchedURI {
			t.Errorf("update for %s", uri)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no notifications/resources/updated after subscribing")
	}
	if after := p.readWatched(t); after == before {
		t.Errorf("watched resource did not change: %q", after)
	}
	if err := p.cs.Unsubscribe(ctx, &mcp.UnsubscribeParams{URI: watchedURI}); err != nil {
		t.Fatal(err)
	}
}

func (p *peer) readWatched(t *testing.T) string {
	t.Helper()
	res, err := p.cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: watchedURI})
	if err != nil || len(res.Contents) != 1 {
		t.Fatalf("read watched: %v", err)
	}
	return res.Contents[0].Text
}

func TestPrompts(t *testing.T) {
	ctx := context.Background()
	p := newPeer(t, era2025)
	get := func(name string, args map[string]string) *mcp.GetPromptResult {
		t.Helper()
		res, err := p.cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("get %s: %v", name, err)
		}
		if len(res.Messages) == 0 {
			t.Fatalf("get %s: no messages", name)
		}
		for _, m := range res.Messages {
			if m.Role == "" || m.Content == nil {
				t.Errorf("get %s: message %+v lacks role or content", name, m)
			}
		}
		return res
	}
	get("test_simple_prompt", nil)

	res := get("test_prompt_with_arguments", map[string]string{"arg1": "testValue1", "arg2": "testValue2"})
	if raw, _ := json.Marshal(res.Messages); !strings.Contains(string(raw), "testValue1") || !strings.Contains(string(raw), "testValue2") {
		t.Errorf("arguments not substituted: %s", raw)
	}

	res = get("test_prompt_with_embedded_resource", map[string]string{"resourceUri": "test://example-resource"})
	if er, ok := res.Messages[0].Content.(*mcp.EmbeddedResource); !ok || er.Resource.URI != "test://example-resource" {
		t.Errorf("first message %+v: want the embedded resource", res.Messages[0].Content)
	}

	res = get("test_prompt_with_image", nil)
	if img, ok := res.Messages[0].Content.(*mcp.ImageContent); !ok || img.MIMEType != "image/png" || len(img.Data) == 0 {
		t.Errorf("first message %+v: want a PNG image", res.Messages[0].Content)
	}

	res = get("test_input_required_result_prompt", nil)
	if tc, ok := res.Messages[0].Content.(*mcp.TextContent); !ok || tc.Text != "Context: answer-context" {
		t.Errorf("input-required prompt: %+v", res.Messages[0].Content)
	}
}

func TestCompletion(t *testing.T) {
	ctx := context.Background()
	p := newPeer(t, era2026)
	complete := func(ref *mcp.CompleteReference, arg, value string) []string {
		t.Helper()
		res, err := p.cs.Complete(ctx, &mcp.CompleteParams{Ref: ref, Argument: mcp.CompleteParamsArgument{Name: arg, Value: value}})
		if err != nil {
			t.Fatalf("complete: %v", err)
		}
		if res.Completion.Values == nil {
			t.Fatal("values is null, want an array")
		}
		return res.Completion.Values
	}
	prompt := &mcp.CompleteReference{Type: "ref/prompt", Name: "test_prompt_with_arguments"}
	if got := complete(prompt, "arg1", "PA"); !slices.Equal(got, []string{"paris", "park", "party"}) {
		t.Errorf("arg1 'PA': %v", got)
	}
	if got := complete(prompt, "arg1", "zzz"); len(got) != 0 {
		t.Errorf("arg1 'zzz': %v", got)
	}
	tmpl := &mcp.CompleteReference{Type: "ref/resource", URI: "test://template/{id}/data"}
	if got := complete(tmpl, "id", "1"); !slices.Equal(got, []string{"1", "123"}) {
		t.Errorf("template id '1': %v", got)
	}
	if got := complete(&mcp.CompleteReference{Type: "ref/prompt", Name: "unknown"}, "x", ""); len(got) != 0 {
		t.Errorf("unknown prompt: %v", got)
	}
}

func TestOptionsKeepsProductHandlers(t *testing.T) {
	var completed, subscribed []string
	opts := &mcp.ServerOptions{
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
		CompletionHandler: func(_ context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
			completed = append(completed, req.Params.Ref.Name)
			return &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: []string{"product"}}}, nil
		},
		SubscribeHandler: func(_ context.Context, req *mcp.SubscribeRequest) error {
			subscribed = append(subscribed, req.Params.URI)
			return nil
		},
	}
	Options(opts)
	if opts.Capabilities.Logging == nil {
		t.Error("explicit capabilities: logging not added back")
	}
	if opts.UnsubscribeHandler == nil {
		t.Error("no unsubscribe handler")
	}
	ctx := context.Background()
	res, err := opts.CompletionHandler(ctx, &mcp.CompleteRequest{Params: &mcp.CompleteParams{
		Ref: &mcp.CompleteReference{Type: "ref/prompt", Name: "product_prompt"},
	}})
	if err != nil || !slices.Equal(res.Completion.Values, []string{"product"}) {
		t.Errorf("product completion: %+v, %v", res, err)
	}
	res, err = opts.CompletionHandler(ctx, &mcp.CompleteRequest{Params: &mcp.CompleteParams{
		Ref:      &mcp.CompleteReference{Type: "ref/prompt", Name: "test_prompt_with_arguments"},
		Argument: mcp.CompleteParamsArgument{Name: "arg2", Value: "b"},
	}})
	if err != nil || !slices.Equal(res.Completion.Values, []string{"blue"}) {
		t.Errorf("fixture completion: %+v, %v", res, err)
	}
	for _, uri := range []string{"contoso://customers/1", "test://watched-resource"} {
		if err := opts.SubscribeHandler(ctx, &mcp.SubscribeRequest{Params: &mcp.SubscribeParams{URI: uri}}); err != nil {
			t.Errorf("subscribe %s: %v", uri, err)
		}
	}
	if !slices.Equal(completed, []string{"product_prompt"}) || !slices.Equal(subscribed, []string{"contoso://customers/1"}) {
		t.Errorf("product handlers saw completions %v and subscriptions %v", completed, subscribed)
	}
	Options(nil) // must not panic
}

func TestRunStopsWithContext(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "0"}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Run(ctx, srv); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestNamesHaveNoDuplicates(t *testing.T) {
	for what, names := range map[string][]string{"tools": ToolNames(), "prompts": PromptNames(), "resources": ResourceURIs()} {
		if len(names) == 0 || len(slices.Compact(slices.Clone(names))) != len(names) {
			t.Errorf("%s: %v", what, names)
		}
	}
}
