// Package tools defines the Contoso MCP tools: their names and parameters
// (the public contract of docs/DOMAIN.md), typed inputs and outputs whose JSON
// schemas are published in tools/list, and thin handlers over the caller's
// tenant store.
//
// A handler never chooses a tenant: Env.Store resolves the caller's store
// from the request (in time, from its verified token). Domain errors become
// tool results with isError and a message the model can act on; anything
// unexpected, including a panic, becomes a generic tool error while the
// cause goes to the log.
package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Env is what the handlers need from the process.
type Env struct {
	// Store returns the caller's tenant store.
	Store func(ctx context.Context, req *mcp.CallToolRequest) (contoso.Store, error)
	// Now is the clock: "today" for promotions, the time of writes.
	Now func() time.Time
	// Logger receives the causes of internal errors (never arguments).
	Logger *slog.Logger
	// TroubleshootStep is the duration of each of trouble_shoot_device's nine
	// steps (0: 5 s, about 45 s in all).
	TroubleshootStep time.Duration
}

// The rights a tool needs, from the least privileged (the roles of the
// domain: query reads, admin also writes, security also unlocks accounts).
var (
	Read     = contoso.Rights{Read: true}
	Write    = contoso.Rights{Write: true}
	Security = contoso.Rights{Unlock: true}
)

// Spec describes one registered tool: its name, the rights it needs, and
// whether it runs long (reports progress; may run as a task).
type Spec struct {
	Name        string
	Needs       contoso.Rights
	LongRunning bool
}

// Set is the Contoso tools, defined afresh by NewSet: a tool is defined by
// a function that adds it to a set (no package state, no init), so that a
// tool can be given what it depends on when the set is built.
type Set struct{ defs []definition }

// NewSet defines every data tool.
func NewSet() *Set {
	s := &Set{}
	defineReads(s)
	defineWrites(s)
	defineLongRunning(s)
	defineBatch(s)
	return s
}

// Catalog lists every tool of the set with the rights it needs, in the
// order tools/list shows them.
func (s *Set) Catalog() []Spec {
	specs := make([]Spec, 0, len(s.defs))
	for _, d := range s.defs {
		specs = append(specs, d.spec())
	}
	return specs
}

// Register adds to srv every tool of the set that rights cover, and
// returns their handlers by name: the very functions the server calls for
// tools/call, for a caller that answers tools/call itself (the HTTP fast
// path of package mcpserver).
func (s *Set) Register(srv *mcp.Server, env Env, rights contoso.Rights) map[string]mcp.ToolHandler {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	if env.TroubleshootStep <= 0 {
		env.TroubleshootStep = 5 * time.Second
	}
	handlers := map[string]mcp.ToolHandler{}
	for _, d := range s.defs {
		if rights.Covers(d.needs) {
			h := d.handler(&env)
			srv.AddTool(d.tool, h)
			handlers[d.tool.Name] = h
		}
	}
	return handlers
}

// Tools returns the tools Register adds for rights: the very values the
// server lists, sorted by name as tools/list sorts them.
func (s *Set) Tools(rights contoso.Rights) []*mcp.Tool {
	var out []*mcp.Tool
	for _, d := range s.defs {
		if rights.Covers(d.needs) {
			out = append(out, d.tool)
		}
	}
	slices.SortFunc(out, func(a, b *mcp.Tool) int { return strings.Compare(a.Name, b.Name) })
	return out
}

type definition struct {
	tool        *mcp.Tool
	needs       contoso.Rights
	longRunning bool
	handler     func(env *Env) mcp.ToolHandler
}

func (d definition) spec() Spec {
	return Spec{Name: d.tool.Name, Needs: d.needs, LongRunning: d.longRunning}
}

// last is the definition added last (to mark it long-running).
func (s *Set) last() *definition { return &s.defs[len(s.defs)-1] }

// requestKey carries the MCP request to the handler's helpers (progress,
// the caller's principal).
type requestKey struct{}

// principalKey returns the caller as the server verified it: the request's
// TokenInfo.UserID, which the server sets to the principal's key (issuer,
// tenant and subject). It is "" on transports without tokens (stdio, in
// memory), whose one caller is the server's local principal.
func principalKey(ctx context.Context) string {
	req, _ := ctx.Value(requestKey{}).(*mcp.CallToolRequest)
	if req == nil || req.Extra == nil || req.Extra.TokenInfo == nil {
		return ""
	}
	return req.Extra.TokenInfo.UserID
}

// Result is implemented by every tool output: Summary is the readable text
// that goes with the structured content.
type Result interface{ Summary() string }

// define declares a tool. patch adjusts the inferred input schema (enums,
// defaults, bounds) so that tools/list tells a model exactly what is valid
// and anything else is refused before the handler runs.
//
// The tool is registered raw (mcp.Server.AddTool) rather than through the
// SDK's generic mcp.AddTool, which validates by round-tripping arguments and
// output through maps with a decoder that allocates 32 KiB per use. Here the
// schemas are published pre-marshalled (tools/list copies bytes instead of
// re-marshalling every schema per request) and compiled once; arguments are
// validated against the same compiled schema with the same validator and the
// same defaults, then decoded straight into In; the output is marshalled
// once. Validation failures read as sentences ("amount must be greater than
// 0"; see explain).
func define[In any, Out Result](s *Set, t *mcp.Tool, needs contoso.Rights, patch func(*jsonschema.Schema), h func(ctx context.Context, env *Env, st contoso.Store, in In) (Out, error)) {
	in, err := jsonschema.For[In](inputTypes)
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", t.Name, err))
	}
	// Optional inputs are pointers, which infer as ["null", T]; null means
	// nothing to a caller, so publish plain T (some clients accept one type only).
	for _, p := range in.Properties {
		if len(p.Types) == 2 && slices.Contains(p.Types, "null") {
			t := p.Types[0]
			if t == "null" {
				t = p.Types[1]
			}
			p.Type, p.Types = t, nil
		}
	}
	if patch != nil {
		patch(in)
	}
	out, err := jsonschema.ForType(reflect.TypeFor[Out](), &jsonschema.ForOptions{})
	if err != nil {
		panic(fmt.Sprintf("tool %s: output schema: %v", t.Name, err))
	}
	args := compile(t.Name, in, fieldRules(t.Name, reflect.TypeFor[In]()))
	t.InputSchema = mustMarshal(t.Name, in)
	t.OutputSchema = mustMarshal(t.Name, out)
	t.Annotations = annotations(t.Title, needs, t.Annotations)
	s.defs = append(s.defs, definition{
		tool:  t,
		needs: needs,
		handler: func(env *Env) mcp.ToolHandler {
			return func(ctx context.Context, req *mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
				defer func() {
					if p := recover(); p != nil {
						env.Logger.ErrorContext(ctx, "tool panicked", "tool", t.Name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
						res, err = errorResult("internal error"), nil
					}
				}()
				var input In
				if problem := args.decode(req.Params.Arguments, &input); problem != "" {
					return errorResult(problem), nil
				}
				ctx = context.WithValue(ctx, requestKey{}, req)
				st, err := env.Store(ctx, req)
				if err != nil {
					return errorResult(toolError(ctx, env, t.Name, err)), nil
				}
				output, err := h(ctx, env, st, input)
				if err != nil {
					return errorResult(toolError(ctx, env, t.Name, err)), nil
				}
				structured, err := json.Marshal(output)
				if err != nil {
					return errorResult(toolError(ctx, env, t.Name, contoso.Internal(err, "encoding the result"))), nil
				}
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: output.Summary()}}, StructuredContent: json.RawMessage(structured)}, nil
			}
		},
	})
}

func errorResult(text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}, IsError: true}
}

func mustMarshal(tool string, s *jsonschema.Schema) json.RawMessage {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("tool %s: schema: %v", tool, err))
	}
	return b
}

// toolError turns err into the error a client sees; internal causes are
// logged and replaced by a generic message.
func toolError(ctx context.Context, env *Env, tool string, err error) string {
	if contoso.ErrorKind(err) == contoso.KindInternal {
		env.Logger.ErrorContext(ctx, "tool failed", "tool", tool, "err", err)
		return "internal error; the failure was logged"
	}
	return contoso.PublicMessage(err)
}

func annotations(title string, a contoso.Rights, base *mcp.ToolAnnotations) *mcp.ToolAnnotations {
	if base == nil {
		base = &mcp.ToolAnnotations{}
	}
	base.Title = title
	f := false
	base.OpenWorldHint = &f
	if a == Read {
		base.ReadOnlyHint = true
		base.IdempotentHint = true
	} else {
		d := base.DestructiveHint != nil && *base.DestructiveHint
		base.DestructiveHint = &d
	}
	return base
}

// Schema patches.

func prop(s *jsonschema.Schema, name string) *jsonschema.Schema {
	p, ok := s.Properties[name]
	if !ok {
		panic("schema has no property " + name)
	}
	return p
}

func enum(s *jsonschema.Schema, name string, values []string) {
	p := prop(s, name)
	p.Enum = make([]any, len(values))
	for i, v := range values {
		p.Enum[i] = v
	}
}

// maxID is the largest id: the largest integer a JSON number holds exactly
// in every client (2^53 - 1).
const maxID = 1<<53 - 1

func positiveID(s *jsonschema.Schema, names ...string) {
	one, most := 1.0, float64(maxID)
	for _, n := range names {
		p := prop(s, n)
		p.Minimum, p.Maximum = &one, &most
	}
}

// moneyField publishes a Money field: a number above 0 and at most most.
// It does not publish multipleOf 0.01: validators that test it in floating
// point (the go-sdk's among them) refuse one amount in nine of those in
// whole cents (0.07 / 0.01 is 7.000000000000001); the exact check is ours.
func moneyField(s *jsonschema.Schema, name string, most float64) {
	zero := 0.0
	p := prop(s, name)
	p.ExclusiveMinimum, p.Maximum = &zero, &most
}

func maxLength(s *jsonschema.Schema, name string, n int) {
	prop(s, name).MaxLength = &n
}

const (
	datePattern         = `^\d{4}-\d{2}-\d{2}$`
	optionalDatePattern = `^(\d{4}-\d{2}-\d{2})?$`
)

func dateFormat(s *jsonschema.Schema, names ...string) {
	for _, n := range names {
		p := prop(s, n)
		p.Pattern = datePattern
	}
}

func withDefault(s *jsonschema.Schema, name string, v string) {
	prop(s, name).Default = []byte(v)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func money(v float64) string { return fmt.Sprintf("$%.2f", v) }

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
