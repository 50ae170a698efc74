package conformance

// Fixtures of the Tasks extension scenarios (tasks-*, io.modelcontextprotocol/tasks).
// The task tools are registered with mcpserver.AddTaskTool, so that the
// product's own Tasks runtime runs them as tasks for the clients that declare
// the extension; for others (and on servers built elsewhere) they run
// synchronously. Those that need input ask for it the multi-round-trip way
// (an input-required result); inside a task the runtime turns that into the
// task's inputRequests and tasks/update.

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/contoso/contoso-mcp/internal/mcpserver"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// taskFixture is one fixture of the tasks scenarios; task is nil for a
// tool that never runs as a task.
type taskFixture struct {
	tool    *mcp.Tool
	handler mcp.ToolHandler
	task    *mcpserver.TaskTool
}

func taskFixtures() []taskFixture {
	optional := &mcpserver.TaskTool{}
	return []taskFixture{
		{schemaTool("greet", "Synchronous only: greets {name}.",
			`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}`), greet, nil},
		{schemaTool("slow_compute", "Task-capable: sleeps `seconds` (0 answers at once), then reports the label.",
			`{"type":"object","properties":{"seconds":{"type":"number","minimum":0,"maximum":600},"label":{"type":"string"}}}`), slowCompute, optional},
		{plainTool("failing_job", "Runs only as a task: about a second later, fails with a tool error (isError)."), failingJob,
			&mcpserver.TaskTool{Required: true}},
		{plainTool("protocol_error_job", "Task-capable: fails with a JSON-RPC (protocol-level) error."), protocolErrorJob, optional},
		{schemaTool("confirm_delete", "Task-capable: asks for confirmation (one elicitation) before it pretends to delete the file.",
			`{"type":"object","properties":{"filename":{"type":"string"}}}`), confirmDelete, optional},
		{plainTool("multi_input", "Task-capable: asks two questions at once (two elicitations pending together)."), multiInput, optional},
		{plainTool("test_tool_with_task", "Gathers the caller's name in a multi-round trip, then runs as a task (task support required) whose result greets them."),
			toolWithTask, &mcpserver.TaskTool{Required: true, Ready: func(req *mcp.CallToolRequest) bool {
				_, ok := formString(req.Params.InputResponses, "user_name", "name")
				return ok
			}}},
	}
}

// registerTaskFixtures adds the fixtures of the tasks scenarios to srv.
func registerTaskFixtures(srv *mcp.Server) {
	for _, f := range taskFixtures() {
		if f.task == nil {
			srv.AddTool(f.tool, f.handler)
			continue
		}
		mcpserver.AddTaskTool(srv, f.tool, f.handler, *f.task)
	}
}

// taskFixtureNames returns the names of the tasks fixtures.
func taskFixtureNames() []string {
	var names []string
	for _, f := range taskFixtures() {
		names = append(names, f.tool.Name)
	}
	return names
}

func schemaTool(name, description, schema string) *mcp.Tool {
	return &mcp.Tool{Name: name, Description: description, InputSchema: json.RawMessage(schema)}
}

func greet(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var args struct {
		Name string `json:"name"`
	}
	if err := decodeArguments(req, &args); err != nil {
		return toolError("invalid arguments: %v", err), nil
	}
	return textResult(fmt.Sprintf("Hello, %s!", args.Name)), nil
}

func slowCompute(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var args struct {
		Seconds float64 `json:"seconds"`
		Label   string  `json:"label"`
	}
	if err := decodeArguments(req, &args); err != nil {
		return toolError("invalid arguments: %v", err), nil
	}
	if err := pause(ctx, time.Duration(args.Seconds*float64(time.Second))); err != nil {
		return toolError("slow_compute %q stopped before it finished: %v", args.Label, err), nil
	}
	return textResult(fmt.Sprintf("slow_compute %q finished after %gs", args.Label, args.Seconds)), nil
}

func failingJob(ctx context.Context, _ *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if err := pause(ctx, time.Second); err != nil {
		return toolError("failing_job stopped: %v", err), nil
	}
	return toolError("failing_job failed: the job always fails (a tool execution error, not a protocol error)"), nil
}

func protocolErrorJob(ctx context.Context, _ *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if err := pause(ctx, 200*time.Millisecond); err != nil {
		return nil, err
	}
	return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "protocol_error_job: a simulated internal failure"}
}

func confirmDelete(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var args struct {
		Filename string `json:"filename"`
	}
	if err := decodeArguments(req, &args); err != nil {
		return toolError("invalid arguments: %v", err), nil
	}
	if args.Filename == "" {
		args.Filename = "the file"
	}
	if _, answered := req.Params.InputResponses["confirm"]; answered {
		if ok, _ := acceptedForm(req.Params.InputResponses, "confirm")["confirm"].(bool); ok {
			return textResult(fmt.Sprintf("Deleted %s", args.Filename)), nil
		}
		return textResult(fmt.Sprintf("Kept %s: the deletion was not confirmed", args.Filename)), nil
	}
	return inputRequired(mcp.InputRequestMap{"confirm": &mcp.ElicitParams{
		Message:         fmt.Sprintf("Delete %s?", args.Filename),
		RequestedSchema: json.RawMessage(`{"type":"object","properties":{"confirm":{"type":"boolean"}},"required":["confirm"]}`),
	}}, ""), nil
}

func multiInput(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	responses := req.Params.InputResponses
	name, haveName := formString(responses, "name", "name")
	_, haveConfirm := responses["confirm"]
	if haveName && haveConfirm {
		confirmed, _ := acceptedForm(responses, "confirm")["confirm"].(bool)
		return textResult(fmt.Sprintf("Hello, %s (confirmed: %t)", name, confirmed)), nil
	}
	return inputRequired(mcp.InputRequestMap{
		"name": askName("What is your name?"),
		"confirm": &mcp.ElicitParams{
			Message:         "Shall I go ahead?",
			RequestedSchema: json.RawMessage(`{"type":"object","properties":{"confirm":{"type":"boolean"}},"required":["confirm"]}`),
		},
	}, ""), nil
}

func toolWithTask(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	name, ok := formString(req.Params.InputResponses, "user_name", "name")
	if !ok {
		return inputRequired(mcp.InputRequestMap{"user_name": askName("What is your name?")}, ""), nil
	}
	if err := pause(ctx, 100*time.Millisecond); err != nil {
		return toolError("stopped: %v", err), nil
	}
	return textResult(fmt.Sprintf("Hello, %s! (gathered before the task, greeted by the task)", name)), nil
}
