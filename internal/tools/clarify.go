package tools

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The go-sdk rejects arguments that break a tool's input schema before the
// handler runs, with the validator's wording ("exclusiveMinimum: -5/1 is
// less than or equal to 0.000000"). clarifyArguments rewrites those tool
// errors into sentences a model or a person can act on, from the same
// schema: "amount must be greater than 0".

var (
	propertyProblem = regexp.MustCompile(`validating /properties/([A-Za-z0-9_]+): ([A-Za-z]+): `)
	extraProperties = regexp.MustCompile(`unexpected additional properties \[(.*)\]`)
	missingRequired = regexp.MustCompile(`required: missing properties: \[(.*)\]`)
)

const sdkArgumentsPrefix = `validating "arguments"`

func clarifyArguments(schemas map[string]*jsonschema.Schema) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			r, ok := res.(*mcp.CallToolResult)
			if err != nil || !ok || r == nil || !r.IsError || len(r.Content) != 1 {
				return res, err
			}
			tc, ok := r.Content[0].(*mcp.TextContent)
			p, _ := req.GetParams().(*mcp.CallToolParamsRaw)
			if !ok || p == nil || !strings.HasPrefix(tc.Text, sdkArgumentsPrefix) {
				return res, err
			}
			if s := schemas[p.Name]; s != nil {
				tc.Text = "invalid arguments: " + explain(tc.Text, s)
			}
			return res, err
		}
	}
}

// explain turns one validator message into a sentence.
func explain(msg string, s *jsonschema.Schema) string {
	names := func(list string) []string {
		var out []string
		for _, n := range strings.Split(list, " ") {
			if n = strings.Trim(n, `",`); n != "" {
				out = append(out, n)
			}
		}
		return out
	}
	if m := missingRequired.FindStringSubmatch(msg); m != nil {
		return "missing required argument " + strings.Join(names(m[1]), ", ")
	}
	if m := extraProperties.FindStringSubmatch(msg); m != nil {
		var known []string
		for k := range s.Properties {
			known = append(known, k)
		}
		slices.Sort(known)
		return fmt.Sprintf("unknown argument %s; this tool takes %s", strings.Join(names(m[1]), ", "), strings.Join(known, ", "))
	}
	m := propertyProblem.FindStringSubmatch(msg)
	if m == nil || s.Properties[m[1]] == nil {
		return strings.TrimPrefix(msg, sdkArgumentsPrefix+": validating root: ")
	}
	name, p := m[1], s.Properties[m[1]]
	num := func(f *float64) string { return strconv.FormatFloat(*f, 'f', -1, 64) }
	switch keyword := m[2]; {
	case keyword == "exclusiveMinimum" && p.ExclusiveMinimum != nil:
		return name + " must be greater than " + num(p.ExclusiveMinimum)
	case keyword == "minimum" && p.Minimum != nil:
		return name + " must be at least " + num(p.Minimum)
	case keyword == "maximum" && p.Maximum != nil:
		return name + " must be at most " + num(p.Maximum)
	case keyword == "type":
		return name + " must be " + map[string]string{"integer": "a whole number", "number": "a number", "string": "a string", "boolean": "true or false"}[p.Type]
	case keyword == "enum":
		var vals []string
		for _, v := range p.Enum {
			vals = append(vals, fmt.Sprint(v))
		}
		return name + " must be one of " + strings.Join(vals, ", ")
	case keyword == "pattern" && p.Pattern == datePattern:
		return name + " must be a date in YYYY-MM-DD form"
	case keyword == "minLength" && p.MinLength != nil && *p.MinLength == 1:
		return name + " must not be empty"
	case keyword == "maxLength" && p.MaxLength != nil:
		return fmt.Sprintf("%s must be at most %d characters", name, *p.MaxLength)
	}
	return strings.TrimPrefix(msg, sdkArgumentsPrefix+": validating root: ")
}
