//lint:file-ignore SA1019 the conformance suite still tests logging, sampling and roots (deprecated by SEP-2577 but in force for 2025-era sessions), so these fixtures use them on purpose.

package conformance

// Multi-round-trip fixtures (SEP-2322): tools and a prompt that answer with an
// "input required" result (inputRequests, and an opaque requestState) and
// complete when the client retries with the matching inputResponses. For
// 2025-era sessions the SDK turns such results into real server-to-client
// requests, so these fixtures work for both protocol eras.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func inputRequiredTools() []toolFixture {
	return []toolFixture{
		{plainTool("test_input_required_result_elicitation", "Multi-round trip (SEP-2322): asks for the caller's name through an elicitation input request, then greets them."), irElicitation},
		{plainTool("test_input_required_result_sampling", "Multi-round trip (SEP-2322): asks the client's model a question through a sampling input request."), irSampling},
		{plainTool("test_input_required_result_list_roots", "Multi-round trip (SEP-2322): asks for the client's roots through a roots/list input request."), irListRoots},
		{plainTool("test_input_required_result_request_state", "Multi-round trip (SEP-2322): round-trips a signed requestState with an elicitation input request."), irRequestState},
		{plainTool("test_input_required_result_multiple_inputs", "Multi-round trip (SEP-2322): asks for elicitation, sampling and roots input in one round."), irMultipleInputs},
		{plainTool("test_input_required_result_multi_round", "Multi-round trip (SEP-2322): two elicitation rounds, the requestState evolving between them."), irMultiRound},
		{plainTool("test_input_required_result_tampered_state", "Multi-round trip (SEP-2322): rejects a retry whose requestState fails its integrity check."), irTamperedState},
		{plainTool("test_input_required_result_capabilities", "Multi-round trip (SEP-2322): requests only the kinds of input the client declared capabilities for."), irCapabilities},
	}
}

// --- input requests -------------------------------------------------------

// stringForm is a form with one required string field.
func stringForm(field string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"type":"object","properties":{%q:{"type":"string"}},"required":[%q]}`, field, field))
}

func askName(message string) *mcp.ElicitParams {
	return &mcp.ElicitParams{Message: message, RequestedSchema: stringForm("name")}
}

func askConfirmation() *mcp.ElicitParams {
	return &mcp.ElicitParams{
		Message:         "Please confirm",
		RequestedSchema: json.RawMessage(`{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}`),
	}
}

func askModel(prompt string, maxTokens int64) *mcp.CreateMessageParams {
	return &mcp.CreateMessageParams{
		Messages:  []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: prompt}}},
		MaxTokens: maxTokens,
	}
}

// inputRequired is a tool result that asks the client for input.
func inputRequired(requests mcp.InputRequestMap, state string) *mcp.CallToolResult {
	return &mcp.CallToolResult{InputRequests: requests, RequestState: state}
}

// --- input responses ------------------------------------------------------

// acceptedForm returns the content of an accepted elicitation response, or
// nil when the response is missing, of another kind, or declined.
func acceptedForm(responses mcp.InputResponseMap, key string) map[string]any {
	res, ok := responses[key].(*mcp.ElicitResult)
	if !ok || res == nil || res.Action != "accept" {
		return nil
	}
	return res.Content
}

// formString returns the non-empty string field of an accepted form.
func formString(responses mcp.InputResponseMap, key, field string) (string, bool) {
	s, _ := acceptedForm(responses, key)[field].(string)
	return s, s != ""
}

// sampledText returns the text of a sampling response.
func sampledText(responses mcp.InputResponseMap, key string) (string, bool) {
	var blocks []mcp.Content
	switch res := responses[key].(type) {
	case *mcp.CreateMessageWithToolsResult:
		if res == nil {
			return "", false
		}
		blocks = res.Content
	case *mcp.CreateMessageResult:
		if res == nil {
			return "", false
		}
		blocks = []mcp.Content{res.Content}
	default:
		return "", false
	}
	for _, c := range blocks {
		if tc, ok := c.(*mcp.TextContent); ok {
			return tc.Text, true
		}
	}
	return "(no text in the response)", true
}

// rootURIs returns the root URIs of a roots/list response.
func rootURIs(responses mcp.InputResponseMap, key string) ([]string, bool) {
	res, ok := responses[key].(*mcp.ListRootsResult)
	if !ok || res == nil {
		return nil, false
	}
	uris := make([]string, 0, len(res.Roots))
	for _, r := range res.Roots {
		uris = append(uris, r.URI)
	}
	return uris, true
}

// --- request state ----------------------------------------------------------

// flowState is what a multi-round fixture remembers between rounds. It travels
// to the client and back as requestState, signed so that the fixture can tell
// when it was changed: the servers are stateless between rounds.
type flowState struct {
	Tool  string `json:"tool"`
	Round int    `json:"round"`
	Name  string `json:"name,omitempty"`
}

// stateKey signs request states. It lives for the process, so that any
// server instance of the process (the stateless HTTP handler may build one per
// request) accepts the states another one issued.
var stateKey = func() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // crypto/rand.Read never fails
	return k
}()

var errBadState = errors.New("requestState failed its integrity check")

func stateMAC(payload string) []byte {
	m := hmac.New(sha256.New, stateKey)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// sealState encodes and signs s.
func sealState(s flowState) string {
	raw, err := json.Marshal(s)
	if err != nil {
		panic(err) // a struct of strings and ints always marshals
	}
	payload := base64.RawURLEncoding.EncodeToString(raw)
	return payload + "." + base64.RawURLEncoding.EncodeToString(stateMAC(payload))
}

// openState checks the signature of token and that it was issued by tool.
func openState(tool, token string) (flowState, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return flowState{}, errBadState
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, stateMAC(payload)) {
		return flowState{}, errBadState
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return flowState{}, errBadState
	}
	var s flowState
	if err := json.Unmarshal(raw, &s); err != nil || s.Tool != tool {
		return flowState{}, errBadState
	}
	return s, nil
}

// invalidState is the JSON-RPC error (-32602, invalid params) for a request
// state that failed its check.
func invalidState(err error) error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "invalid requestState: " + err.Error()}
}

// --- the tools ----------------------------------------------------------------

func irElicitation(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if name, ok := formString(req.Params.InputResponses, "user_name", "name"); ok {
		return textResult(fmt.Sprintf("Hello, %s!", name)), nil
	}
	// No usable answer (none yet, a declined form, or wrong keys): ask again.
	return inputRequired(mcp.InputRequestMap{"user_name": askName("What is your name?")}, ""), nil
}

func irSampling(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if text, ok := sampledText(req.Params.InputResponses, "capital_question"); ok {
		return textResult(fmt.Sprintf("Sampling response: %s", text)), nil
	}
	return inputRequired(mcp.InputRequestMap{
		"capital_question": askModel("What is the capital of France?", 100),
	}, ""), nil
}

func irListRoots(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if uris, ok := rootURIs(req.Params.InputResponses, "client_roots"); ok {
		return textResult(fmt.Sprintf("Client exposed %d root(s): %s", len(uris), strings.Join(uris, ", "))), nil
	}
	return inputRequired(mcp.InputRequestMap{"client_roots": &mcp.ListRootsParams{}}, ""), nil
}

func irRequestState(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	const tool = "test_input_required_result_request_state"
	if token := req.Params.RequestState; token != "" {
		if _, err := openState(tool, token); err != nil {
			return nil, invalidState(err)
		}
		if acceptedForm(req.Params.InputResponses, "confirm") != nil {
			return textResult("state-ok: requestState verified and confirmation received"), nil
		}
	}
	return inputRequired(mcp.InputRequestMap{"confirm": askConfirmation()},
		sealState(flowState{Tool: tool, Round: 1})), nil
}

func irMultipleInputs(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	const tool = "test_input_required_result_multiple_inputs"
	if token := req.Params.RequestState; token != "" {
		if _, err := openState(tool, token); err != nil {
			return nil, invalidState(err)
		}
	}
	responses := req.Params.InputResponses
	name, haveName := formString(responses, "user_name", "name")
	greeting, haveGreeting := sampledText(responses, "greeting")
	roots, haveRoots := rootURIs(responses, "client_roots")
	if haveName && haveGreeting && haveRoots {
		return textResult(fmt.Sprintf("%s %s (%d root(s) visible)", greeting, name, len(roots))), nil
	}
	return inputRequired(mcp.InputRequestMap{
		"user_name":    askName("What is your name?"),
		"greeting":     askModel("Generate a greeting", 50),
		"client_roots": &mcp.ListRootsParams{},
	}, sealState(flowState{Tool: tool, Round: 1})), nil
}

func irMultiRound(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	const tool = "test_input_required_result_multi_round"
	step1 := func() *mcp.CallToolResult {
		return inputRequired(mcp.InputRequestMap{"step1": askName("Step 1: What is your name?")},
			sealState(flowState{Tool: tool, Round: 1}))
	}
	step2 := func(name string) *mcp.CallToolResult {
		return inputRequired(mcp.InputRequestMap{"step2": &mcp.ElicitParams{
			Message:         "Step 2: What is your favorite color?",
			RequestedSchema: stringForm("color"),
		}}, sealState(flowState{Tool: tool, Round: 2, Name: name}))
	}
	token := req.Params.RequestState
	if token == "" {
		return step1(), nil
	}
	state, err := openState(tool, token)
	if err != nil {
		return nil, invalidState(err)
	}
	responses := req.Params.InputResponses
	switch state.Round {
	case 1:
		name, ok := formString(responses, "step1", "name")
		if !ok {
			return step1(), nil
		}
		return step2(name), nil
	case 2:
		color, ok := formString(responses, "step2", "color")
		if !ok {
			return step2(state.Name), nil
		}
		return textResult(fmt.Sprintf("Multi-round complete: %s likes %s", state.Name, color)), nil
	default:
		return nil, invalidState(errBadState)
	}
}

func irTamperedState(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	const tool = "test_input_required_result_tampered_state"
	if token := req.Params.RequestState; token != "" {
		if _, err := openState(tool, token); err != nil {
			return nil, invalidState(err)
		}
		if acceptedForm(req.Params.InputResponses, "confirm") != nil {
			return textResult("state-ok: requestState verified and confirmation received"), nil
		}
	}
	return inputRequired(mcp.InputRequestMap{"confirm": askConfirmation()},
		sealState(flowState{Tool: tool, Round: 1})), nil
}

func irCapabilities(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if len(req.Params.InputResponses) > 0 {
		return textResult(fmt.Sprintf("Received %d input response(s) for the declared capabilities", len(req.Params.InputResponses))), nil
	}
	caps := req.ClientCapabilities()
	if caps == nil {
		caps = &mcp.ClientCapabilities{}
	}
	requests := mcp.InputRequestMap{}
	if caps.Elicitation != nil {
		requests["user_name"] = askName("What is your name?")
	}
	if caps.Sampling != nil {
		requests["greeting"] = askModel("Generate a short greeting", 50)
	}
	if caps.RootsV2 != nil {
		requests["client_roots"] = &mcp.ListRootsParams{}
	}
	if len(requests) == 0 {
		return textResult("The client declared no capability that an input request could use"), nil
	}
	return inputRequired(requests, ""), nil
}

// irPrompt is the prompts/get counterpart (input-required results are not only
// for tools).
func irPrompt(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	if text, ok := formString(req.Params.InputResponses, "user_context", "context"); ok {
		return &mcp.GetPromptResult{
			Description: "A prompt built from elicited context",
			Messages: []*mcp.PromptMessage{
				{Role: "user", Content: &mcp.TextContent{Text: fmt.Sprintf("Context: %s", text)}},
			},
		}, nil
	}
	return &mcp.GetPromptResult{InputRequests: mcp.InputRequestMap{
		"user_context": &mcp.ElicitParams{
			Message:         "What context should the prompt use?",
			RequestedSchema: stringForm("context"),
		},
	}}, nil
}
