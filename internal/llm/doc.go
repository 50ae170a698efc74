// Package llm is the model layer of the expert agents: a small,
// provider-neutral chat API that an agent loop uses to talk to a large
// language model, chaining the MCP tools between turns.
//
// What lives here:
//
//   - The chat types: [Message] (system, user, assistant with tool calls,
//     tool results by call id), [Tool] (name, description, JSON schema),
//     [Request] and [Response] (text, [ToolCall]s, [FinishReason], [Usage]).
//   - [Client], the interface the agent loop is written against, with
//     Chat and the streaming ChatStream.
//   - [Config] and [LoadConfig], which read the endpoint from a getenv
//     function: Azure OpenAI (key or Entra ID), OpenAI, or any
//     OpenAI-compatible server (Ollama, vLLM, llama.cpp). When nothing is
//     configured [Config.Configured] is false and the caller simply does
//     not offer the experts.
//   - [New], which builds a [Client] on the official openai-go SDK, with
//     retries on 429 and 5xx that honour Retry-After within a bounded
//     count and total time ([RetryPolicy]), and a per-call timeout.
//   - [Error] and its [Kind]: content filtered, rate limited, timeout,
//     bad configuration, other; test them with errors.Is against
//     [ErrContentFiltered], [ErrRateLimited], [ErrTimeout], [ErrConfig].
//
// Nothing in this package logs or puts in an error an API key, a token or
// the content of a message.
//
// The sub-package llmtest has a scripted fake server speaking both wire
// shapes (OpenAI and Azure) for tests.
package llm
