package llm

import (
	"context"
	"encoding/json"
)

// Role is who speaks a [Message].
type Role string

// The roles of a conversation.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// Message is one turn of a conversation.
//
// An assistant message may carry ToolCalls (with or without Content); a
// tool message answers one of them: ToolCallID is the call's ID and
// Content its result.
type Message struct {
	Role       Role
	Content    string
	ToolCalls  []ToolCall
	ToolCallID string
}

// System returns a system message.
func System(text string) Message { return Message{Role: RoleSystem, Content: text} }

// User returns a user message.
func User(text string) Message { return Message{Role: RoleUser, Content: text} }

// Assistant returns an assistant message with text and/or tool calls, as
// the model answered them (put a [Response] back in the conversation with
// [Response.Message]).
func Assistant(text string, calls ...ToolCall) Message {
	return Message{Role: RoleAssistant, Content: text, ToolCalls: calls}
}

// ToolResult returns the message that answers the tool call callID.
func ToolResult(callID, content string) Message {
	return Message{Role: RoleTool, ToolCallID: callID, Content: content}
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON schema of the arguments: a JSON object, or
	// empty for a tool without arguments.
	Parameters json.RawMessage
}

// ToolCall is the model's request to call a tool.
type ToolCall struct {
	ID   string
	Name string
	// Arguments are the arguments as the model wrote them: JSON, but the
	// model is not bound to the schema, nor always to valid JSON, so the
	// caller validates them.
	Arguments json.RawMessage
}

// Request is one call to the model.
type Request struct {
	Messages []Message
	Tools    []Tool
	// MaxOutputTokens bounds the answer; zero leaves it to the server.
	MaxOutputTokens int
	// Temperature is left to the server when nil.
	Temperature *float64
}

// FinishReason tells why the model stopped.
type FinishReason string

// The usual finish reasons; a server may send others, passed on as they are.
const (
	FinishStop          FinishReason = "stop"
	FinishToolCalls     FinishReason = "tool_calls"
	FinishLength        FinishReason = "length"
	FinishContentFilter FinishReason = "content_filter"
)

// Usage counts the tokens of one call, as the server reported them.
type Usage struct {
	InputTokens  int
	OutputTokens int
}

// Response is the model's answer.
type Response struct {
	Text         string
	ToolCalls    []ToolCall
	FinishReason FinishReason
	Usage        Usage
}

// Message returns the assistant message that puts r back in the
// conversation before the tool results.
func (r Response) Message() Message { return Assistant(r.Text, r.ToolCalls...) }

// Client talks to a model. It is safe for concurrent use.
type Client interface {
	// Chat sends req and returns the whole answer. Errors are [*Error]s
	// (see [Kind]); with a content-filtered answer the Response still holds
	// what came before the cut.
	Chat(ctx context.Context, req Request) (Response, error)
	// ChatStream is Chat with the answer streamed: onDelta (which may be
	// nil) is called with each piece of text as it arrives, in order, on
	// the calling goroutine; the Response returned is the whole answer.
	ChatStream(ctx context.Context, req Request, onDelta func(text string)) (Response, error)
}
