package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
)

// Every tool checks its arguments against its published input schema
// before the handler runs, with the JSON Schema validator the go-sdk uses
// (github.com/google/jsonschema-go), compiled once per tool. The validator's
// wording ("exclusiveMinimum: -5/1 is less than or equal to 0.000000") is
// rewritten into sentences a model or a person can act on, from the same
// schema: "amount must be greater than 0".

var (
	propertyProblem = regexp.MustCompile(`validating /properties/([A-Za-z0-9_]+): ([A-Za-z]+): `)
	extraProperties = regexp.MustCompile(`unexpected additional properties \[(.*)\]`)
	missingRequired = regexp.MustCompile(`required: missing properties: \[(.*)\]`)
)

const sdkArgumentsPrefix = `validating "arguments"`

// argumentSchema is a tool's input schema, compiled.
type argumentSchema struct {
	schema   *jsonschema.Schema
	resolved *jsonschema.Resolved
	defaults bool // some property has a default
}

func compile(tool string, s *jsonschema.Schema) *argumentSchema {
	r, err := s.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", tool, err))
	}
	a := &argumentSchema{schema: s, resolved: r}
	for _, p := range s.Properties {
		a.defaults = a.defaults || p.Default != nil
	}
	return a
}

// decode checks raw arguments against the schema, with the schema's
// defaults applied, and decodes them into dst (a pointer to the tool's input
// struct). It returns "" or the problem as a sentence; dst is only usable
// when the problem is "". Absent or null arguments are an empty object.
func (a *argumentSchema) decode(raw json.RawMessage, dst any) string {
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			return "invalid arguments: arguments must be a JSON object"
		}
	}
	if m == nil {
		m = map[string]any{}
	}
	given := len(m)
	var v any = m
	if a.defaults {
		if err := a.resolved.ApplyDefaults(&v); err != nil {
			return "invalid arguments: " + err.Error()
		}
	}
	if err := a.resolved.Validate(&v); err != nil {
		return "invalid arguments: " + explain(sdkArgumentsPrefix+": "+err.Error(), a.schema)
	}
	if len(m) != given { // defaults were filled in: decode the completed object
		b, err := json.Marshal(m)
		if err != nil {
			return "invalid arguments: " + err.Error()
		}
		raw = b
	}
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Sprintf("invalid arguments: %s cannot hold the %s given", te.Field, te.Value)
		}
		return "invalid arguments: " + err.Error()
	}
	return ""
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
