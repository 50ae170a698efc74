// Package tools defines the Contoso MCP tools: their names and parameters
// (the public contract of DOMAIN.md), typed inputs and outputs whose JSON
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
	"errors"
	"fmt"
	"log/slog"
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

// Access says what a tool needs of the caller.
type Access int

// The access levels, from the least privileged. They map to the roles of
// DOMAIN.md: query reads, admin also writes, security also unlocks accounts.
const (
	Read Access = iota
	Write
	Security
)

// Spec describes one registered tool: its name, the access it needs, and
// whether it runs long (reports progress; may run as a task).
type Spec struct {
	Name        string
	Access      Access
	LongRunning bool
}

// Catalog lists every data tool with the access it needs, in the order
// tools/list shows them.
func Catalog() []Spec {
	specs := make([]Spec, 0, len(definitions))
	for _, d := range definitions {
		specs = append(specs, d.spec())
	}
	return specs
}

// Register adds to s every data tool for which allow returns true (nil
// allows all).
func Register(s *mcp.Server, env Env, allow func(Spec) bool) {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	if env.TroubleshootStep <= 0 {
		env.TroubleshootStep = 5 * time.Second
	}
	schemas := map[string]*jsonschema.Schema{}
	for _, d := range definitions {
		if allow == nil || allow(d.spec()) {
			d.register(s, &env)
			schemas[d.tool.Name] = d.tool.InputSchema.(*jsonschema.Schema)
		}
	}
	s.AddReceivingMiddleware(clarifyArguments(schemas))
}

type definition struct {
	tool        *mcp.Tool
	access      Access
	longRunning bool
	register    func(s *mcp.Server, env *Env)
}

func (d definition) spec() Spec {
	return Spec{Name: d.tool.Name, Access: d.access, LongRunning: d.longRunning}
}

var definitions []definition

func init() {
	defineReads()
	defineWrites()
	defineLongRunning()
	defineBatch()
}

// requestKey carries the MCP request to the handler's helpers (progress).
type requestKey struct{}

// Result is implemented by every tool output: Summary is the readable text
// that goes with the structured content.
type Result interface{ Summary() string }

// define declares a tool. patch adjusts the inferred input schema (enums,
// defaults, bounds) so that tools/list tells a model exactly what is valid
// and the SDK rejects anything else before the handler runs.
func define[In any, Out Result](t *mcp.Tool, access Access, patch func(*jsonschema.Schema), h func(ctx context.Context, env *Env, st contoso.Store, in In) (Out, error)) {
	in, err := jsonschema.For[In](nil)
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
	t.InputSchema = in
	t.Annotations = annotations(t.Title, access, t.Annotations)
	definitions = append(definitions, definition{
		tool:   t,
		access: access,
		register: func(s *mcp.Server, env *Env) {
			mcp.AddTool(s, t, func(ctx context.Context, req *mcp.CallToolRequest, input In) (res *mcp.CallToolResult, out Out, err error) {
				defer func() {
					if p := recover(); p != nil {
						env.Logger.ErrorContext(ctx, "tool panicked", "tool", t.Name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
						res, err = nil, errors.New("internal error")
					}
				}()
				ctx = context.WithValue(ctx, requestKey{}, req)
				st, err := env.Store(ctx, req)
				if err != nil {
					return nil, out, toolError(ctx, env, t.Name, err)
				}
				out, err = h(ctx, env, st, input)
				if err != nil {
					return nil, out, toolError(ctx, env, t.Name, err)
				}
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: out.Summary()}}}, out, nil
			})
		},
	})
}

// toolError turns err into the error a client sees; internal causes are
// logged and replaced by a generic message.
func toolError(ctx context.Context, env *Env, tool string, err error) error {
	if contoso.ErrorKind(err) == contoso.KindInternal {
		env.Logger.ErrorContext(ctx, "tool failed", "tool", tool, "err", err)
		return errors.New("internal error; the failure was logged")
	}
	return errors.New(contoso.PublicMessage(err))
}

func annotations(title string, a Access, base *mcp.ToolAnnotations) *mcp.ToolAnnotations {
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

func positiveID(s *jsonschema.Schema, names ...string) {
	one := 1.0
	for _, n := range names {
		prop(s, n).Minimum = &one
	}
}

const datePattern = `^\d{4}-\d{2}-\d{2}$`

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
