package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/contoso/contoso-mcp/internal/contoso"
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

// argumentSchema is a tool's input schema, compiled, with what is checked
// beyond it: every string against the text rules of package contoso, every
// number exactly on the text sent.
type argumentSchema struct {
	schema   *jsonschema.Schema
	resolved *jsonschema.Resolved
	fields   map[string]fieldRule
}

// fieldRule is what decode checks of one argument beyond its schema.
type fieldRule struct {
	text     bool             // a string, checked with contoso.CheckText
	textRule contoso.TextRule // SingleLine unless tagged input:"multiline"
	number   bool             // a number, checked exactly
	places   int              // the decimals it may have (0: a whole number)
	fraction string           // how too many decimals are explained
	hint     string           // the rule a bad value breaks, after the field name
}

// fieldRules reads the rules of an input struct's fields from their Go
// types: strings are single-line unless tagged input:"multiline"; integers
// are whole numbers; Money and Gigabytes have two decimals. Floats are not
// allowed: they cannot be checked exactly.
func fieldRules(tool string, t reflect.Type) map[string]fieldRule {
	rules := map[string]fieldRule{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			panic(fmt.Sprintf("tool %s: input field %s has no json name", tool, f.Name))
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		var r fieldRule
		switch {
		case ft == reflect.TypeFor[Money]():
			r = fieldRule{number: true, places: 2, fraction: "has a fraction of a cent", hint: contoso.AmountRule}
		case ft == reflect.TypeFor[Gigabytes]():
			r = fieldRule{number: true, places: 2, fraction: "has more than two decimals", hint: contoso.DataCapRule}
		case ft.Kind() == reflect.String:
			r = fieldRule{text: true}
			if f.Tag.Get("input") == "multiline" {
				r.textRule = contoso.MultiLine
			}
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Int64:
			r = fieldRule{number: true, fraction: "must be a whole number"}
		case ft.Kind() == reflect.Float32 || ft.Kind() == reflect.Float64:
			panic(fmt.Sprintf("tool %s: input field %s is a float; use Money, Gigabytes or an integer", tool, f.Name))
		}
		rules[name] = r
	}
	return rules
}

// inputTypes are how the input types that are not plain Go types publish.
var inputTypes = &jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{
	reflect.TypeFor[Money]():     {Type: "number"},
	reflect.TypeFor[Gigabytes](): {Type: "number"},
}}

func compile(tool string, s *jsonschema.Schema, fields map[string]fieldRule) *argumentSchema {
	r, err := s.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", tool, err))
	}
	// Every string and number is bounded, so that nothing of any size
	// reaches a handler; every property has its rule.
	for name, p := range s.Properties {
		f, ok := fields[name]
		switch {
		case !ok:
			panic(fmt.Sprintf("tool %s: property %s has no field", tool, name))
		case p.Type == "string" && (!f.text || p.Enum == nil && p.Pattern == "" && p.MaxLength == nil):
			panic(fmt.Sprintf("tool %s: string %s needs an enum, a pattern or a maxLength", tool, name))
		case (p.Type == "integer" || p.Type == "number") && (!f.number || p.Maximum == nil):
			panic(fmt.Sprintf("tool %s: number %s needs a maximum", tool, name))
		}
	}
	return &argumentSchema{schema: s, resolved: r, fields: fields}
}

// decode checks raw arguments and decodes them, with the schema's defaults
// for what is left out, into dst (a pointer to the tool's input struct). It
// returns "" or the problem as a sentence; dst is only usable when the
// problem is "". Absent or null arguments are an empty object.
//
// The checks: no unknown argument; each string by the text rules, each
// number exactly on its text (bounds, decimals); then the schema (types,
// enums, patterns, lengths, required). The arguments are decoded from the
// text sent, never from floats.
func (a *argumentSchema) decode(raw json.RawMessage, dst any) string {
	var args map[string]json.RawMessage
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &args); err != nil {
			return "invalid arguments: arguments must be a JSON object"
		}
	}
	names := slices.Sorted(maps.Keys(args))
	for _, name := range names {
		if a.schema.Properties[name] == nil {
			return "invalid arguments: " + a.unknown([]string{name})
		}
	}
	m := make(map[string]any, len(args))
	for _, name := range names {
		value := args[name]
		if problem := a.check(name, value); problem != "" {
			return "invalid arguments: " + problem
		}
		var v any
		if err := json.Unmarshal(value, &v); err != nil {
			return "invalid arguments: " + explainType(name, a.schema.Properties[name], a.fields[name])
		}
		m[name] = v
	}
	var v any = m
	if err := a.resolved.ApplyDefaults(&v); err != nil {
		return "invalid arguments: " + err.Error()
	}
	if err := a.resolved.Validate(&v); err != nil {
		return "invalid arguments: " + a.explain(sdkArgumentsPrefix+": "+err.Error())
	}
	if args == nil {
		args = map[string]json.RawMessage{}
	}
	for name, p := range a.schema.Properties {
		if _, given := args[name]; !given && p.Default != nil {
			args[name] = p.Default
		}
	}
	for name, value := range args {
		if a.fields[name].number && a.fields[name].places == 0 {
			// 1.0 and 1e2 are whole numbers, which encoding/json will not put
			// in an int: hand it the digits.
			d, _ := parseDecimal(string(value))
			n, _ := d.scaled(0)
			args[name] = strconv.AppendInt(nil, n, 10)
		}
	}
	b, err := json.Marshal(args)
	if err != nil {
		return "invalid arguments: " + err.Error()
	}
	if err := json.Unmarshal(b, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Sprintf("invalid arguments: %s cannot hold the %s given", te.Field, te.Value)
		}
		return "invalid arguments: the arguments do not fit the schema"
	}
	return ""
}

// check applies the rule of the named argument to its JSON text: strings by
// the text rules, numbers exactly. Values of another JSON type are left to
// the schema's type check.
func (a *argumentSchema) check(name string, value json.RawMessage) string {
	f, p := a.fields[name], a.schema.Properties[name]
	if len(value) == 0 {
		return ""
	}
	switch c := value[0]; {
	case f.text && c == '"':
		if !utf8.Valid(value) {
			return name + " must be valid UTF-8 text"
		}
		var s string
		if err := json.Unmarshal(value, &s); err != nil {
			return name + " must be a string"
		}
		if err := contoso.CheckText(name, s, f.textRule); err != nil {
			return contoso.PublicMessage(err)
		}
	case f.number && (c == '-' || isDigit(c)):
		d, ok := parseDecimal(string(value))
		if !ok {
			return a.withHint(name, name+" must be a number")
		}
		bound := func(b *float64, bad func(int) bool, words string) string {
			if b != nil && bad(d.cmp(floatDecimal(*b))) {
				return a.withHint(name, name+" must be "+words+" "+strconv.FormatFloat(*b, 'f', -1, 64))
			}
			return ""
		}
		for _, problem := range []string{
			bound(p.Minimum, func(c int) bool { return c < 0 }, "at least"),
			bound(p.ExclusiveMinimum, func(c int) bool { return c <= 0 }, "greater than"),
			bound(p.Maximum, func(c int) bool { return c > 0 }, "at most"),
			bound(p.ExclusiveMaximum, func(c int) bool { return c >= 0 }, "less than"),
		} {
			if problem != "" {
				return problem
			}
		}
		if _, ok := d.scaled(f.places); !ok {
			return a.withHint(name, name+" "+f.fraction)
		}
	}
	return ""
}

// withHint adds the field's rule, when it has one, to a problem.
func (a *argumentSchema) withHint(name, problem string) string {
	if h := a.fields[name].hint; h != "" {
		return problem + "; " + name + " " + h
	}
	return problem
}

// unknown explains arguments the tool does not take. The names are the
// caller's: at most three are named, quoted (no control character reaches
// the answer raw), and only when they are short.
func (a *argumentSchema) unknown(names []string) string {
	known := slices.Sorted(maps.Keys(a.schema.Properties))
	shown := make([]string, 0, 3)
	for _, n := range names {
		if len(shown) == cap(shown) {
			break
		}
		if utf8.RuneCountInString(n) > maxEchoedName {
			shown = append(shown, "(a name of over "+strconv.Itoa(maxEchoedName)+" characters)")
			continue
		}
		shown = append(shown, strconv.Quote(n))
	}
	list := strings.Join(shown, ", ")
	if more := len(names) - len(shown); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return fmt.Sprintf("unknown argument %s; this tool takes %s", list, strings.Join(known, ", "))
}

// maxEchoedName is the longest argument name an error repeats.
const maxEchoedName = 64

func explainType(name string, p *jsonschema.Schema, f fieldRule) string {
	problem := name + " must be " + map[string]string{"integer": "a whole number", "number": "a number", "string": "a string", "boolean": "true or false"}[p.Type]
	if f.hint != "" {
		problem += "; " + name + " " + f.hint
	}
	return problem
}

// explain turns one validator message into a sentence that names the
// argument and the rule, never the value.
func (a *argumentSchema) explain(msg string) string {
	s := a.schema
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
		return a.unknown(names(m[1]))
	}
	m := propertyProblem.FindStringSubmatch(msg)
	if m == nil || s.Properties[m[1]] == nil {
		return "the arguments do not match the tool's input schema"
	}
	name, p := m[1], s.Properties[m[1]]
	num := func(f *float64) string { return strconv.FormatFloat(*f, 'f', -1, 64) }
	switch keyword := m[2]; {
	case keyword == "exclusiveMinimum" && p.ExclusiveMinimum != nil:
		return a.withHint(name, name+" must be greater than "+num(p.ExclusiveMinimum))
	case keyword == "minimum" && p.Minimum != nil:
		return a.withHint(name, name+" must be at least "+num(p.Minimum))
	case keyword == "maximum" && p.Maximum != nil:
		return a.withHint(name, name+" must be at most "+num(p.Maximum))
	case keyword == "type":
		return explainType(name, p, a.fields[name])
	case keyword == "enum":
		var vals []string
		for _, v := range p.Enum {
			vals = append(vals, fmt.Sprint(v))
		}
		return name + " must be one of " + strings.Join(vals, ", ")
	case keyword == "pattern" && p.Pattern == datePattern:
		return name + " must be a date in YYYY-MM-DD form"
	case keyword == "pattern" && p.Pattern == optionalDatePattern:
		return name + " must be a date in YYYY-MM-DD form, or empty"
	case keyword == "minLength" && p.MinLength != nil && *p.MinLength == 1:
		return name + " must not be empty"
	case keyword == "minLength" && p.MinLength != nil:
		return fmt.Sprintf("%s must be at least %d characters", name, *p.MinLength)
	case keyword == "maxLength" && p.MaxLength != nil:
		return fmt.Sprintf("%s must be at most %d characters", name, *p.MaxLength)
	}
	return fmt.Sprintf("%s is not valid (%s)", name, m[2])
}
