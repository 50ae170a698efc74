//lint:file-ignore SA1019 the conformance suite still tests logging, sampling and roots (deprecated by SEP-2577 but in force for 2025-era sessions), so these fixtures use them on purpose.

package conformance

// Diagnostic tools of the stateless-protocol scenario (SEP-2575,
// "server-stateless" in the 2026-07-28 requirement set) and of the
// HTTP-header scenarios (SEP-2243). Each one lets the suite exercise a rule
// that no ordinary tool would show.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func statelessDiagnosticTools(srv *mcp.Server) []toolFixture {
	return []toolFixture{
		{plainTool("test_missing_capability", "Needs the client's sampling capability; without it the call fails with MissingRequiredClientCapabilityError (-32021)."), missingCapability},
		{plainTool("test_streaming_elicitation", "Asks for input in band (an input-required result) instead of sending an elicitation request on the response stream."), streamingElicitation},
		{plainTool("test_logging_tool", "Tries to log one message; the SDK drops it unless the request set a log level."), loggingTool},
		{plainTool("test_trigger_tool_change", "Re-registers a fixture tool, which announces notifications/tools/list_changed."), triggerToolChange(srv)},
		{mirroredHeaderTool(), mirroredHeader},
		{plainTool("test_trigger_prompt_change", "Re-registers a fixture prompt, which announces notifications/prompts/list_changed."), triggerPromptChange(srv)},
	}
}

func missingCapability(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if caps := req.ClientCapabilities(); caps != nil && caps.Sampling != nil {
		return textResult("The client declared the sampling capability"), nil
	}
	data, err := json.Marshal(mcp.MissingRequiredClientCapabilityData{
		RequiredCapabilities: &mcp.ClientCapabilities{Sampling: &mcp.SamplingCapabilities{}},
	})
	if err != nil {
		return nil, err
	}
	return nil, &jsonrpc.Error{
		Code:    mcp.CodeMissingRequiredClientCapabilities,
		Message: "this tool needs the client's sampling capability, which the request did not declare",
		Data:    data,
	}
}

func streamingElicitation(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if name, ok := formString(req.Params.InputResponses, "user_name", "name"); ok {
		return textResult("Thanks, " + name), nil
	}
	if caps := req.ClientCapabilities(); caps == nil || caps.Elicitation == nil {
		return textResult("The client declared no elicitation capability: nothing to ask"), nil
	}
	return inputRequired(mcp.InputRequestMap{"user_name": askName("What is your name?")}, ""), nil
}

func loggingTool(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if err := req.Session.Log(ctx, &mcp.LoggingMessageParams{
		Level:  "info",
		Logger: "conformance",
		Data:   "test_logging_tool ran",
	}); err != nil {
		return nil, err
	}
	return textResult("Logged one message at level info (sent only if the request asked for logs)"), nil
}

func triggerToolChange(srv *mcp.Server) mcp.ToolHandler {
	return func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		// Adding a tool under an existing name replaces it and notifies the
		// listeners; the list itself stays the same.
		f := simpleTextFixture()
		srv.AddTool(f.tool, f.handler)
		return textResult("notifications/tools/list_changed sent"), nil
	}
}

func triggerPromptChange(srv *mcp.Server) mcp.ToolHandler {
	return func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		p := simplePrompt()
		srv.AddPrompt(p.prompt, p.handler)
		return textResult("notifications/prompts/list_changed sent"), nil
	}
}

// mirroredHeaderTool has an argument that clients mirror into an HTTP header
// (x-mcp-header, SEP-2243): the SDK's HTTP handler checks that the
// Mcp-Param-Region header matches the argument.
func mirroredHeaderTool() *mcp.Tool {
	return &mcp.Tool{
		Name:        "test_x_mcp_header",
		Description: "Has an argument mirrored into the Mcp-Param-Region header (SEP-2243); echoes it.",
		InputSchema: json.RawMessage(`{
			"type": "object",
			"properties": {
				"region": {"type": "string", "description": "Mirrored into the Mcp-Param-Region header", "x-mcp-header": "Region"},
				"level": {"type": "integer", "description": "Not mirrored"}
			}
		}`),
	}
}

func mirroredHeader(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var args struct {
		Region string `json:"region"`
		Level  int    `json:"level"`
	}
	if err := decodeArguments(req, &args); err != nil {
		return toolError("invalid arguments: %v", err), nil
	}
	return textResult(fmt.Sprintf("region=%q level=%d", args.Region, args.Level)), nil
}
