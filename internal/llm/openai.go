package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// sdkClient is the [Client] on the openai-go SDK. The SDK's own retries
// are off: the loop in call does them, by [RetryPolicy].
type sdkClient struct {
	cfg   Config
	svc   openai.ChatCompletionService
	model string
}

// New returns a [Client] for cfg. For a Config that is not configured it
// returns an error that matches both [ErrConfig] and [ErrNotConfigured].
func New(cfg Config) (Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	opts := []option.RequestOption{option.WithHTTPClient(hc), option.WithMaxRetries(0)}
	model := cfg.Model
	switch cfg.Provider {
	case ProviderAzure:
		model = cfg.Deployment
		opts = append(opts, azure.WithEndpoint(cfg.Endpoint, cfg.APIVersion))
		if cfg.APIKey != "" {
			opts = append(opts, azure.WithAPIKey(cfg.APIKey))
		} else {
			cred := cfg.Credential
			if cred == nil {
				c, err := azidentity.NewDefaultAzureCredential(nil)
				if err != nil {
					return nil, &Error{Kind: KindConfig, Variable: EnvAzureAPIKey,
						Detail: "is not set and no Entra ID credential is available"}
				}
				cred = c
			}
			opts = append(opts, azure.WithTokenCredential(markedCredential{cred}, azure.WithTokenCredentialScopes([]string{AzureScope})))
		}
		if u, _ := url.Parse(cfg.Endpoint); u != nil && u.Scheme == "http" && isLoopback(u) {
			opts = append(opts, azure.WithUnsafeAllowHTTP())
		}
	default:
		opts = append(opts, option.WithBaseURL(cfg.Endpoint))
		if cfg.APIKey != "" {
			opts = append(opts, option.WithAPIKey(cfg.APIKey))
		}
	}
	return &sdkClient{cfg: cfg, svc: openai.NewChatCompletionService(opts...), model: model}, nil
}

// markedCredential marks the errors of the token credential so that a
// failure to get a token reads as bad configuration.
type markedCredential struct{ azcore.TokenCredential }

type credentialError struct{ err error }

func (e *credentialError) Error() string { return "Entra ID token: " + e.err.Error() }
func (e *credentialError) Unwrap() error { return e.err }

// NonRetriable tells the Azure pipeline not to retry.
func (e *credentialError) NonRetriable() {}

func (c markedCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := c.TokenCredential.GetToken(ctx, opts)
	if err != nil {
		return tok, &credentialError{err}
	}
	return tok, nil
}

func (c *sdkClient) Chat(ctx context.Context, req Request) (Response, error) {
	return c.call(ctx, req, false, nil)
}

func (c *sdkClient) ChatStream(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	return c.call(ctx, req, true, onDelta)
}

func (c *sdkClient) call(ctx context.Context, req Request, stream bool, onDelta func(string)) (Response, error) {
	params, err := c.params(req)
	if err != nil {
		return Response{}, err
	}
	if c.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
		defer cancel()
	}
	if stream {
		params.StreamOptions.IncludeUsage = openai.Bool(true)
	}
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		var (
			resp    Response
			emitted bool
		)
		if stream {
			resp, emitted, err = c.streamOnce(ctx, params, onDelta)
		} else {
			resp, err = c.chatOnce(ctx, params)
		}
		if err == nil {
			if resp.FinishReason == FinishContentFilter {
				return resp, &Error{Kind: KindContentFiltered, Attempts: attempt,
					Detail: "the answer was cut by the content filter"}
			}
			return resp, nil
		}
		var apiErr *openai.Error
		if ctx.Err() == nil && !emitted && errors.As(err, &apiErr) && retryable(apiErr.StatusCode) && !isContentFilter(apiErr) {
			var h http.Header
			if apiErr.Response != nil {
				h = apiErr.Response.Header
			}
			if d, ok := c.cfg.Retry.delay(attempt, h, waited, time.Now()); ok {
				if c.cfg.Logger != nil {
					c.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "llm: retrying",
						slog.String("provider", string(c.cfg.Provider)),
						slog.Int("status", apiErr.StatusCode),
						slog.Int("attempt", attempt),
						slog.Duration("wait", d))
				}
				if !sleep(ctx, d) {
					return resp, c.classify(ctx, ctx.Err(), attempt)
				}
				waited += d
				continue
			}
		}
		return resp, c.classify(ctx, err, attempt)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func isContentFilter(e *openai.Error) bool {
	return e.Code == "content_filter" || e.Code == "content_policy_violation"
}

// classify turns err into an *Error whose text holds nothing secret.
func (c *sdkClient) classify(ctx context.Context, err error, attempts int) error {
	e := &Error{Kind: KindOther, Attempts: attempts, Err: err}
	var apiErr *openai.Error
	var credErr *credentialError
	var urlErr *url.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Kind, e.Detail = KindTimeout, "no answer in time"
		if e.Err == nil || !errors.Is(e.Err, context.DeadlineExceeded) {
			e.Err = context.DeadlineExceeded
		}
	case errors.Is(err, context.Canceled):
		e.Detail = "cancelled"
	case errors.As(err, &credErr):
		e.Kind, e.Variable = KindConfig, EnvAzureAPIKey
		e.Detail = "is not set and the Entra ID credential gave no token"
	case errors.As(err, &apiErr):
		e.StatusCode, e.Code = apiErr.StatusCode, apiErr.Code
		switch {
		case isContentFilter(apiErr):
			e.Kind, e.Detail = KindContentFiltered, "the prompt was refused by the content filter"
		case apiErr.StatusCode == http.StatusTooManyRequests:
			e.Kind, e.Detail = KindRateLimited, "the server is still limiting requests"
		case apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden:
			e.Kind, e.Detail = KindConfig, "the server refused the credentials"
			e.Variable = c.keyVariable()
		case apiErr.StatusCode == http.StatusNotFound:
			e.Kind, e.Detail = KindConfig, "the server knows no such deployment or model"
			e.Variable = c.modelVariable()
		default:
			e.Detail = "the server refused the request"
		}
	case errors.As(err, &urlErr):
		// The URL holds no secret, but its error text is enough.
		e.Detail = "transport: " + urlErr.Err.Error()
	default:
		e.Detail = "the request failed"
	}
	return e
}

func (c *sdkClient) keyVariable() string {
	if c.cfg.Provider == ProviderAzure {
		return EnvAzureAPIKey
	}
	return EnvOpenAIAPIKey
}

func (c *sdkClient) modelVariable() string {
	if c.cfg.Provider == ProviderAzure {
		return EnvAzureDeployment
	}
	return EnvOpenAIModel
}

// params converts req to the SDK's request.
func (c *sdkClient) params(req Request) (openai.ChatCompletionNewParams, error) {
	p := openai.ChatCompletionNewParams{Model: shared.ChatModel(c.model)}
	for i, m := range req.Messages {
		switch m.Role {
		case RoleSystem:
			p.Messages = append(p.Messages, openai.SystemMessage(m.Content))
		case RoleUser:
			p.Messages = append(p.Messages, openai.UserMessage(m.Content))
		case RoleAssistant:
			a := &openai.ChatCompletionAssistantMessageParam{}
			if m.Content != "" || len(m.ToolCalls) == 0 {
				a.Content.OfString = openai.String(m.Content)
			}
			for _, tc := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
					OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
						ID: tc.ID,
						Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{
							Name:      tc.Name,
							Arguments: string(tc.Arguments),
						},
					},
				})
			}
			p.Messages = append(p.Messages, openai.ChatCompletionMessageParamUnion{OfAssistant: a})
		case RoleTool:
			if m.ToolCallID == "" {
				return p, &Error{Kind: KindOther, Detail: fmt.Sprintf("message %d: a tool result needs its call id", i)}
			}
			p.Messages = append(p.Messages, openai.ToolMessage(m.Content, m.ToolCallID))
		default:
			return p, &Error{Kind: KindOther, Detail: fmt.Sprintf("message %d: unknown role %q", i, string(m.Role))}
		}
	}
	for _, t := range req.Tools {
		fn := shared.FunctionDefinitionParam{Name: t.Name}
		if t.Description != "" {
			fn.Description = openai.String(t.Description)
		}
		if len(t.Parameters) > 0 {
			var schema map[string]any
			if err := json.Unmarshal(t.Parameters, &schema); err != nil || schema == nil {
				return p, &Error{Kind: KindOther, Detail: fmt.Sprintf("tool %q: the parameters are not a JSON object", t.Name)}
			}
			fn.Parameters = schema
		}
		p.Tools = append(p.Tools, openai.ChatCompletionFunctionTool(fn))
	}
	if req.MaxOutputTokens > 0 {
		if c.cfg.Provider == ProviderOpenAI {
			p.MaxCompletionTokens = openai.Int(int64(req.MaxOutputTokens))
		} else {
			// Older Azure API versions and most local servers know only this.
			p.MaxTokens = openai.Int(int64(req.MaxOutputTokens))
		}
	}
	if req.Temperature != nil {
		p.Temperature = openai.Float(*req.Temperature)
	}
	return p, nil
}

func (c *sdkClient) chatOnce(ctx context.Context, p openai.ChatCompletionNewParams) (Response, error) {
	cc, err := c.svc.New(ctx, p)
	if err != nil {
		return Response{}, err
	}
	r := Response{Usage: Usage{InputTokens: int(cc.Usage.PromptTokens), OutputTokens: int(cc.Usage.CompletionTokens)}}
	if len(cc.Choices) == 0 {
		return r, &Error{Kind: KindOther, Detail: "the answer has no choice"}
	}
	ch := cc.Choices[0]
	r.Text = ch.Message.Content
	r.FinishReason = FinishReason(ch.FinishReason)
	for _, tc := range ch.Message.ToolCalls {
		r.ToolCalls = append(r.ToolCalls, ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: arguments(tc.Function.Arguments)})
	}
	return r, nil
}

// streamOnce reads one streamed answer; emitted tells whether onDelta was
// called (a failure after that is not retried).
func (c *sdkClient) streamOnce(ctx context.Context, p openai.ChatCompletionNewParams, onDelta func(string)) (Response, bool, error) {
	s := c.svc.NewStreaming(ctx, p)
	defer s.Close()
	var (
		r       Response
		text    strings.Builder
		emitted bool
		calls   = map[int64]*partialCall{}
	)
	for s.Next() {
		chunk := s.Current()
		if chunk.Usage.PromptTokens != 0 || chunk.Usage.CompletionTokens != 0 {
			r.Usage = Usage{InputTokens: int(chunk.Usage.PromptTokens), OutputTokens: int(chunk.Usage.CompletionTokens)}
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if d := ch.Delta.Content; d != "" {
				text.WriteString(d)
				emitted = true
				if onDelta != nil {
					onDelta(d)
				}
			}
			for _, tc := range ch.Delta.ToolCalls {
				pc := calls[tc.Index]
				if pc == nil {
					pc = &partialCall{}
					calls[tc.Index] = pc
				}
				if tc.ID != "" {
					pc.id = tc.ID
				}
				pc.name += tc.Function.Name
				pc.args.WriteString(tc.Function.Arguments)
			}
			if ch.FinishReason != "" {
				r.FinishReason = FinishReason(ch.FinishReason)
			}
		}
	}
	r.Text = text.String()
	idx := make([]int64, 0, len(calls))
	for i := range calls {
		idx = append(idx, i)
	}
	sort.Slice(idx, func(a, b int) bool { return idx[a] < idx[b] })
	for _, i := range idx {
		pc := calls[i]
		r.ToolCalls = append(r.ToolCalls, ToolCall{ID: pc.id, Name: pc.name, Arguments: arguments(pc.args.String())})
	}
	return r, emitted, s.Err()
}

type partialCall struct {
	id, name string
	args     strings.Builder
}

// arguments returns the model's arguments as they are, "{}" for none.
func arguments(s string) json.RawMessage {
	if strings.TrimSpace(s) == "" {
		return json.RawMessage("{}")
	}
	return json.RawMessage(s)
}
