//lint:file-ignore SA1019 the conformance suite still tests logging, sampling and roots (deprecated by SEP-2577 but in force for 2025-era sessions), so these fixtures use them on purpose.

package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// toolFixture is one fixture tool: its definition and its handler.
type toolFixture struct {
	tool    *mcp.Tool
	handler mcp.ToolHandler
}

// noArguments is the input schema of the fixture tools that take no arguments.
var noArguments = json.RawMessage(`{"type":"object","properties":{}}`)

// toolFixtures lists every fixture tool. srv is the server the tools are
// registered on (the list-changed diagnostics mutate it); it may be nil when
// only the definitions are wanted.
func toolFixtures(srv *mcp.Server) []toolFixture {
	fixtures := []toolFixture{
		// Content of every kind.
		simpleTextFixture(),
		{plainTool("test_image_content", "Returns one image content block (PNG)."), imageContent},
		{plainTool("test_audio_content", "Returns one audio content block (WAV)."), audioContent},
		{plainTool("test_embedded_resource", "Returns one embedded text resource."), embeddedResource},
		{plainTool("test_multiple_content_types", "Returns text, image and embedded-resource blocks in one result."), multipleContentTypes},
		{plainTool("test_error_handling", "Always fails with a tool error (isError: true)."), errorHandling},

		// Notifications sent while a call runs.
		{plainTool("test_tool_with_logging", "Sends three log messages (level info) while it runs."), toolWithLogging},
		{plainTool("test_tool_with_progress", "Sends three progress notifications (0, 50, 100 of 100) when the call carries a progress token."), toolWithProgress},

		// Requests from the server to the client within a call (2025-era sessions).
		{samplingTool(), sampling},
		{elicitationTool(), elicitation},
		{plainTool("test_elicitation_sep1034_defaults", "Elicits a form whose primitive fields carry default values (SEP-1034)."), elicitationDefaults},
		{plainTool("test_elicitation_sep1330_enums", "Elicits a form with every enum style: untitled, titled, legacy enumNames, single and multi select (SEP-1330)."), elicitationEnums},

		// Schema preservation.
		{jsonSchema2020Tool(), jsonSchema2020},
	}
	fixtures = append(fixtures, inputRequiredTools()...)
	fixtures = append(fixtures, statelessDiagnosticTools(srv)...)
	return fixtures
}

func simpleTextFixture() toolFixture {
	return toolFixture{plainTool("test_simple_text", "Returns one text content block."), simpleText}
}

func plainTool(name, description string) *mcp.Tool {
	return &mcp.Tool{Name: name, Description: description, InputSchema: noArguments}
}

// textResult is a successful result with one text block.
func textResult(text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}
}

// toolError is a tool-level error: a result with isError set and the message
// as its text, which the model calling the tool gets to see.
func toolError(format string, args ...any) *mcp.CallToolResult {
	res := textResult(fmt.Sprintf(format, args...))
	res.IsError = true
	return res
}

// decodeArguments unmarshals the call's arguments into v; absent arguments
// leave v as it is.
func decodeArguments(req *mcp.CallToolRequest, v any) error {
	if len(req.Params.Arguments) == 0 || string(req.Params.Arguments) == "null" {
		return nil
	}
	return json.Unmarshal(req.Params.Arguments, v)
}

func simpleText(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return textResult("This is a simple text response for testing."), nil
}

func imageContent(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return &mcp.CallToolResult{Content: []mcp.Content{
		&mcp.ImageContent{Data: pngImage(), MIMEType: pngMIME},
	}}, nil
}

func audioContent(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return &mcp.CallToolResult{Content: []mcp.Content{
		&mcp.AudioContent{Data: wavAudio(), MIMEType: wavMIME},
	}}, nil
}

func embeddedResource(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return &mcp.CallToolResult{Content: []mcp.Content{
		&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{
			URI:      "test://embedded-resource",
			MIMEType: "text/plain",
			Text:     "This is an embedded resource content.",
		}},
	}}, nil
}

func multipleContentTypes(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return &mcp.CallToolResult{Content: []mcp.Content{
		&mcp.TextContent{Text: "Multiple content types test:"},
		&mcp.ImageContent{Data: pngImage(), MIMEType: pngMIME},
		&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{
			URI:      "test://mixed-content-resource",
			MIMEType: "application/json",
			Text:     `{"test":"data","value":123}`,
		}},
	}}, nil
}

func errorHandling(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return toolError("This tool intentionally returns an error for testing"), nil
}

// pause waits for d or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func toolWithLogging(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	for i, msg := range []string{"Tool execution started", "Tool processing data", "Tool execution completed"} {
		if i > 0 {
			if err := pause(ctx, 20*time.Millisecond); err != nil {
				return nil, err
			}
		}
		// The SDK drops the message when the client has not asked for logs
		// (logging/setLevel, or the request's log level on 2026-era calls).
		if err := req.Session.Log(ctx, &mcp.LoggingMessageParams{
			Level:  "info",
			Logger: "conformance",
			Data:   msg,
		}); err != nil {
			return nil, err
		}
	}
	return textResult("Tool with logging executed successfully"), nil
}

func toolWithProgress(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	token := req.Params.GetProgressToken()
	if token == nil {
		return textResult("No progress token: no progress notifications sent"), nil
	}
	const total = 100.0
	for i, done := range []float64{0, 50, 100} {
		if i > 0 {
			if err := pause(ctx, 20*time.Millisecond); err != nil {
				return nil, err
			}
		}
		if err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
			ProgressToken: token,
			Progress:      done,
			Total:         total,
			Message:       fmt.Sprintf("Completed %.0f of %.0f", done, total),
		}); err != nil {
			return nil, err
		}
	}
	return textResult(fmt.Sprint(token)), nil
}

func samplingTool() *mcp.Tool {
	return &mcp.Tool{
		Name:        "test_sampling",
		Description: "Asks the client's model to complete a prompt (sampling/createMessage) and returns its answer.",
		InputSchema: json.RawMessage(`{
			"type": "object",
			"properties": {"prompt": {"type": "string", "description": "The prompt to send to the client's model"}},
			"required": ["prompt"]
		}`),
	}
}

func sampling(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var args struct {
		Prompt string `json:"prompt"`
	}
	if err := decodeArguments(req, &args); err != nil {
		return toolError("invalid arguments: %v", err), nil
	}
	if args.Prompt == "" {
		return toolError("invalid arguments: prompt is required"), nil
	}
	res, err := req.Session.CreateMessage(ctx, &mcp.CreateMessageParams{
		Messages:  []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: args.Prompt}}},
		MaxTokens: 100,
	})
	if err != nil {
		return toolError("sampling failed: %v", err), nil
	}
	answer := "(no text in the response)"
	if tc, ok := res.Content.(*mcp.TextContent); ok {
		answer = tc.Text
	}
	return textResult(fmt.Sprintf("LLM response: %s", answer)), nil
}

func elicitationTool() *mcp.Tool {
	return &mcp.Tool{
		Name:        "test_elicitation",
		Description: "Asks the user for a username (elicitation/create) and returns the answer.",
		InputSchema: json.RawMessage(`{
			"type": "object",
			"properties": {"message": {"type": "string", "description": "The message shown to the user"}},
			"required": ["message"]
		}`),
	}
}

// usernameForm is the form that test_elicitation asks the user to fill in.
var usernameForm = json.RawMessage(`{
	"type": "object",
	"properties": {
		"username": {"type": "string", "description": "User's response"},
		"email": {"type": "string", "description": "User's email address"}
	},
	"required": ["username"]
}`)

func elicitation(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var args struct {
		Message string `json:"message"`
	}
	if err := decodeArguments(req, &args); err != nil {
		return toolError("invalid arguments: %v", err), nil
	}
	if args.Message == "" {
		args.Message = "Please provide your information"
	}
	return elicitForm(ctx, req, args.Message, usernameForm)
}

// defaultsForm is the SEP-1034 form: every primitive type with a default.
var defaultsForm = json.RawMessage(`{
	"type": "object",
	"properties": {
		"name": {"type": "string", "description": "User name", "default": "John Doe"},
		"age": {"type": "integer", "description": "User age", "default": 30},
		"score": {"type": "number", "description": "User score", "default": 95.5},
		"status": {"type": "string", "description": "User status", "enum": ["active", "inactive", "pending"], "default": "active"},
		"verified": {"type": "boolean", "description": "Verification status", "default": true}
	}
}`)

func elicitationDefaults(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return elicitForm(ctx, req, "Test client default value handling - please accept with defaults", defaultsForm)
}

// enumsForm is the SEP-1330 form: the five enum styles.
var enumsForm = json.RawMessage(`{
	"type": "object",
	"properties": {
		"untitledSingle": {
			"type": "string",
			"description": "Pick one (untitled)",
			"enum": ["option1", "option2", "option3"]
		},
		"titledSingle": {
			"type": "string",
			"description": "Pick one (titled)",
			"oneOf": [
				{"const": "value1", "title": "First Option"},
				{"const": "value2", "title": "Second Option"},
				{"const": "value3", "title": "Third Option"}
			]
		},
		"legacyEnum": {
			"type": "string",
			"description": "Pick one (legacy enumNames)",
			"enum": ["opt1", "opt2", "opt3"],
			"enumNames": ["Option One", "Option Two", "Option Three"]
		},
		"untitledMulti": {
			"type": "array",
			"description": "Pick several (untitled)",
			"minItems": 1,
			"maxItems": 3,
			"items": {"type": "string", "enum": ["option1", "option2", "option3"]}
		},
		"titledMulti": {
			"type": "array",
			"description": "Pick several (titled)",
			"minItems": 1,
			"maxItems": 3,
			"items": {
				"anyOf": [
					{"const": "value1", "title": "First Option"},
					{"const": "value2", "title": "Second Option"},
					{"const": "value3", "title": "Third Option"}
				]
			}
		}
	}
}`)

func elicitationEnums(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return elicitForm(ctx, req, "Test enum schema styles (SEP-1330)", enumsForm)
}

// elicitForm asks the client to fill in form and reports what came back.
func elicitForm(ctx context.Context, req *mcp.CallToolRequest, message string, form json.RawMessage) (*mcp.CallToolResult, error) {
	res, err := req.Session.Elicit(ctx, &mcp.ElicitParams{Message: message, RequestedSchema: form})
	if err != nil {
		return toolError("elicitation failed: %v", err), nil
	}
	content, err := json.Marshal(res.Content)
	if err != nil {
		return nil, err
	}
	return textResult(fmt.Sprintf("Elicitation completed: action=%s, content=%s", res.Action, content)), nil
}

// schema2020 is the input schema of json_schema_2020_12_tool: the JSON Schema
// 2020-12 keywords ($schema, $defs, $anchor, $ref, allOf/anyOf,
// if/then/else, additionalProperties) that must reach the client verbatim
// (SEP-1613, SEP-2106).
var schema2020 = json.RawMessage(`{
	"$schema": "https://json-schema.org/draft/2020-12/schema",
	"type": "object",
	"$defs": {
		"address": {
			"$anchor": "addressDef",
			"type": "object",
			"properties": {
				"street": {"type": "string"},
				"city": {"type": "string"}
			}
		}
	},
	"properties": {
		"name": {"type": "string"},
		"address": {"$ref": "#/$defs/address"},
		"contactMethod": {"type": "string", "enum": ["phone", "email"]},
		"phone": {"type": "string"},
		"email": {"type": "string"}
	},
	"allOf": [
		{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}
	],
	"if": {
		"properties": {"contactMethod": {"const": "phone"}},
		"required": ["contactMethod"]
	},
	"then": {"required": ["phone"]},
	"else": {"required": ["email"]},
	"additionalProperties": false
}`)

func jsonSchema2020Tool() *mcp.Tool {
	return &mcp.Tool{
		Name:        "json_schema_2020_12_tool",
		Description: "Has an input schema that uses JSON Schema 2020-12 features (SEP-1613, SEP-2106); echoes its arguments.",
		InputSchema: schema2020,
	}
}

func jsonSchema2020(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	args := req.Params.Arguments
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	return textResult(fmt.Sprintf("JSON Schema 2020-12 tool called with: %s", args)), nil
}
