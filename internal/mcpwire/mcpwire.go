// Package mcpwire reads an MCP request off the wire: its body (bounded in
// size and in time), the JSON-RPC envelope and the members of params that
// route and limit it, and the MCP headers. serve's guard and the gateway
// both read requests through it, so that no component can see a message
// differently from another or from the go-sdk that executes it.
//
// The go-sdk decodes JSON with member names matched exactly (case-sensitive)
// and, for a name given twice, one of the values. encoding/json matches
// struct fields case-insensitively. A reader of either kind can be shown
// {"name":"pay_invoice","Name":"get_promotions"} and see another tool than
// the executor does. So Parse reads member names exactly and refuses what
// two readers could disagree on: a member name given twice, or in two
// spellings that differ only by case (in the envelope, params, arguments
// and _meta), a spelling of a known member that differs from it only by
// case, a body that is not exactly one JSON object, invalid UTF-8, and
// members of the wrong type.
package mcpwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Message is what Parse reads of a JSON-RPC message.
type Message struct {
	// JSONRPC is the jsonrpc member ("" when absent).
	JSONRPC string
	// ID is the id member as sent (whitespace trimmed), when it is a string
	// or a number: the id an error answer echoes. Nil otherwise.
	ID json.RawMessage
	// HasID reports an id member of any value (a request, not a notification).
	HasID bool
	// Method is the method member ("" for a response).
	Method string
	// Params holds every member of params as sent (nil when params is
	// absent or null); Meta every member of params._meta.
	Params map[string]json.RawMessage
	Meta   map[string]json.RawMessage
	// Name is params.name, else params.uri, else params.taskId: what the
	// Mcp-Name header must equal.
	Name string
	// NewEra reports that _meta names a protocol version (2026-07-28).
	NewEra bool
}

// MetaProtocolVersion is the _meta member that names a request's protocol
// version in the 2026-07-28 era.
const MetaProtocolVersion = "io.modelcontextprotocol/protocolVersion"

// Problem is a refusal: the HTTP status, the JSON-RPC error code and a
// message that never echoes more than a bounded part of the request.
type Problem struct {
	Status int
	Code   int
	Text   string
	// ID is the request's id, when it was read, for the error answer.
	ID json.RawMessage
}

func (p *Problem) Error() string { return p.Text }

// Write answers the request with p: its status and a JSON-RPC error with
// the request's id when it was read.
func (p *Problem) Write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	var id any
	if len(p.ID) > 0 {
		id = p.ID
	}
	json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": id, "error": map[string]any{"code": p.Code, "message": p.Text}})
}

// JSON-RPC error codes.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	// CodeHeaderMismatch: an MCP header disagrees with the body.
	CodeHeaderMismatch = -32020
)

// Bounds on what an answer or a log line may echo. MCP tool names are at
// most 128 characters; method names are short; ids are handles.
const (
	MaxMethodBytes = 128
	MaxNameBytes   = 128
	MaxTaskIDBytes = 256
	MaxURIBytes    = 2048
	MaxIDBytes     = 256
)

// known are the member names whose case variants are refused, per object.
var (
	envelopeMembers = []string{"jsonrpc", "id", "method", "params", "result", "error"}
	paramsMembers   = []string{"name", "arguments", "uri", "taskId", "_meta", "cursor"}
)

func invalid(format string, args ...any) *Problem {
	return &Problem{Status: http.StatusBadRequest, Code: CodeInvalidRequest, Text: fmt.Sprintf(format, args...)}
}

// Parse reads a JSON-RPC request, notification or response from body, or
// refuses it. A JSON array (a batch) is refused too.
func Parse(body []byte) (*Message, *Problem) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return nil, invalid("JSON-RPC batches are not supported")
	}
	if !utf8.Valid(body) {
		return nil, &Problem{Status: http.StatusBadRequest, Code: CodeParseError, Text: "the body is not valid UTF-8"}
	}
	if !json.Valid(body) {
		return nil, &Problem{Status: http.StatusBadRequest, Code: CodeParseError, Text: "the body is not a JSON-RPC message: not one JSON value"}
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, invalid("the body must be a JSON-RPC message (a JSON object)")
	}
	m := &Message{}
	var params, id []byte
	err := members(trimmed, "the message", envelopeMembers, func(key string, val []byte) error {
		var err error
		switch key {
		case "jsonrpc":
			m.JSONRPC, err = stringMember(val, "jsonrpc", 16)
		case "method":
			m.Method, err = stringMember(val, "method", MaxMethodBytes)
		case "id":
			id, m.HasID = val, true
		case "params":
			params = val
		}
		return err
	})
	if err != nil {
		return nil, problemOf(err)
	}
	switch {
	case id == nil:
	case id[0] == '"' || id[0] == '-' || (id[0] >= '0' && id[0] <= '9'):
		if len(id) > MaxIDBytes {
			return nil, invalid("id is longer than %d bytes", MaxIDBytes)
		}
		m.ID = id
	case string(id) != "null":
		return nil, invalid("id must be a string or a number")
	}
	if p := problemOf(m.readParams(params)); p != nil {
		p.ID = m.ID
		return nil, p
	}
	return m, nil
}

func (m *Message) readParams(params []byte) error {
	if params == nil || string(params) == "null" {
		return nil
	}
	if params[0] != '{' {
		return invalid("params must be an object")
	}
	m.Params = map[string]json.RawMessage{}
	var name, uri, taskID string
	err := members(params, "params", paramsMembers, func(key string, val []byte) error {
		m.Params[key] = val
		var err error
		switch key {
		case "name":
			name, err = stringMember(val, "params.name", MaxNameBytes)
		case "uri":
			uri, err = stringMember(val, "params.uri", MaxURIBytes)
		case "taskId":
			taskID, err = stringMember(val, "params.taskId", MaxTaskIDBytes)
		case "arguments":
			if val[0] == '{' {
				err = members(val, "params.arguments", nil, func(string, []byte) error { return nil })
			}
		case "_meta":
			switch {
			case string(val) == "null":
			case val[0] != '{':
				err = invalid("params._meta must be an object")
			default:
				m.Meta = map[string]json.RawMessage{}
				err = members(val, "params._meta", nil, func(k string, v []byte) error { m.Meta[k] = v; return nil })
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if v, ok := m.Meta[MetaProtocolVersion]; ok {
		// Named in the go-sdk's error when it does not match the header.
		if _, err := stringMember(v, "the protocol version in params._meta", maxVersionBytes); err != nil {
			return err
		}
		m.NewEra = true
	}
	m.Name = firstNonEmpty(name, uri, taskID)
	return nil
}

func problemOf(err error) *Problem {
	if err == nil {
		return nil
	}
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	return invalid("%s", err.Error())
}

// stringMember decodes a member that must be a string (or null), at most
// limit bytes long.
func stringMember(val []byte, what string, limit int) (string, error) {
	if string(val) == "null" {
		return "", nil
	}
	if val[0] != '"' {
		return "", invalid("%s must be a string", what)
	}
	s, err := unquote(val)
	if err != nil {
		return "", invalid("%s is not a valid string", what)
	}
	if len(s) > limit {
		return "", invalid("%s is longer than %d bytes", what, limit)
	}
	return s, nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// members calls fn with each member of obj, a JSON object that json.Valid
// accepted, in order, with its name decoded. It refuses a name given twice,
// or in two spellings that differ only by case, and a name that differs
// from one of known only by case. The error names the object, not the
// member: names are the caller's input and are not echoed.
func members(obj []byte, what string, known []string, fn func(key string, val []byte) error) error {
	var seen names
	i := skipSpace(obj, 1)
	for i < len(obj) && obj[i] != '}' {
		end := endOfString(obj, i)
		key, err := memberName(obj[i:end])
		if err != nil {
			return invalid("%s has a member name that is not a valid string", what)
		}
		i = skipSpace(obj, end) + 1 // past ':'
		i = skipSpace(obj, i)
		vend := endOfValue(obj, i)
		if dup := seen.add(key); dup {
			return invalid("%s has a member name given twice (names are compared without case)", what)
		}
		for _, k := range known {
			if k != key && strings.EqualFold(k, key) {
				return invalid("%s has a member whose name differs from %q only by case", what, k)
			}
		}
		if err := fn(key, obj[i:vend]); err != nil {
			return err
		}
		i = skipSpace(obj, vend)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	return nil
}

// names are the member names of an object seen so far, compared without
// case: by strings.EqualFold while they are few, by fold past that.
type names struct {
	few    [16]string // no allocation for the objects of an ordinary call
	n      int
	folded map[string]struct{}
}

// add notes name and reports whether the object had it already.
func (n *names) add(name string) bool {
	if n.folded == nil {
		for _, k := range n.few[:n.n] {
			if strings.EqualFold(k, name) {
				return true
			}
		}
		if n.n < len(n.few) {
			n.few[n.n] = name
			n.n++
			return false
		}
		n.folded = make(map[string]struct{}, 2*len(n.few))
		for _, k := range n.few {
			n.folded[fold(k)] = struct{}{}
		}
	}
	f := fold(name)
	if _, ok := n.folded[f]; ok {
		return true
	}
	n.folded[f] = struct{}{}
	return false
}

// fold maps s to one spelling per case-insensitive class (Unicode simple
// folding, as strings.EqualFold and encoding/json's name matching use):
// each rune becomes the smallest rune of its folding orbit.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			b := make([]rune, 0, len(s))
			for _, r := range s {
				least := r
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					least = min(least, f)
				}
				b = append(b, least)
			}
			return string(b)
		}
	}
	// ASCII: the least rune of a letter's orbit is its upper case (also for
	// k and s, whose orbits hold the Kelvin sign and the long s).
	return strings.ToUpper(s)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// endOfString returns the index just past the string that starts at b[i].
func endOfString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// endOfValue returns the index just past the value that starts at b[i].
func endOfValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return endOfString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = endOfString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// commonNames are the member names of an ordinary call, returned without
// allocating a string for each.
var commonNames = func() map[string]string {
	m := map[string]string{}
	for _, k := range append(append([]string{"progressToken", MetaProtocolVersion,
		"io.modelcontextprotocol/clientInfo", "io.modelcontextprotocol/clientCapabilities"}, envelopeMembers...), paramsMembers...) {
		m[k] = k
	}
	return m
}()

// memberName decodes a member name token.
func memberName(tok []byte) (string, error) {
	if len(tok) >= 2 {
		if k, ok := commonNames[string(tok[1:len(tok)-1])]; ok {
			return k, nil
		}
	}
	return unquote(tok)
}

// unquote decodes a JSON string token.
func unquote(tok []byte) (string, error) {
	if len(tok) >= 2 && bytes.IndexByte(tok, '\\') < 0 {
		return string(tok[1 : len(tok)-1]), nil
	}
	var s string
	err := json.Unmarshal(tok, &s)
	return s, err
}

// CheckHeaders refuses Mcp-Method and Mcp-Name headers that do not equal
// the body's method and name (whatever protocol version the request
// claims), so that a header can never name another call than the body.
func CheckHeaders(h http.Header, m *Message) *Problem {
	if v := h.Get("Mcp-Method"); v != "" && v != m.Method {
		text := fmt.Sprintf("the Mcp-Method header %q does not match the body's method %q", v, m.Method)
		if len(v) > MaxMethodBytes {
			text = fmt.Sprintf("the Mcp-Method header does not match the body's method %q", m.Method)
		}
		return &Problem{Status: http.StatusBadRequest, Code: CodeHeaderMismatch, ID: m.ID, Text: text}
	}
	if v := h.Get("Mcp-Name"); v != "" && v != m.Name {
		return &Problem{Status: http.StatusBadRequest, Code: CodeHeaderMismatch, ID: m.ID, Text: "the Mcp-Name header does not match the body"}
	}
	return nil
}

// singleHeaders are the request headers that decide how a request is
// routed, limited or checked: given twice, one reader could take the first
// and another the last, so a request that repeats one is refused.
var singleHeaders = []string{"Content-Type", "Mcp-Method", "Mcp-Name", "Mcp-Protocol-Version", "Mcp-Session-Id", "Origin", "Last-Event-Id", "Host"}

// headerBounds are the longest values of the MCP headers that answers may
// echo (a protocol version the SDK does not know is named in its error).
var headerBounds = map[string]int{"Mcp-Method": MaxMethodBytes, "Mcp-Name": MaxURIBytes, "Mcp-Protocol-Version": maxVersionBytes, "Mcp-Session-Id": 256}

// maxVersionBytes bounds a protocol version (they read YYYY-MM-DD).
const maxVersionBytes = 64

// HeaderProblem refuses the routing headers of h that a reader could take
// differently from another: one given more than once (as separate fields),
// or an MCP header longer than any valid value. It returns "" or why.
func HeaderProblem(h http.Header) string {
	for _, k := range singleHeaders {
		if len(h[k]) > 1 {
			return "the " + k + " header is given more than once"
		}
	}
	for k, n := range headerBounds {
		if v := h[k]; len(v) == 1 && len(v[0]) > n {
			return fmt.Sprintf("the %s header is longer than %d bytes", k, n)
		}
	}
	return ""
}

// DropUnreadBody makes the answer to r close the connection without
// reading r's body. net/http would otherwise read up to 256 KiB of the body
// before sending the answer (without Connection: close) or after it (when
// it closes the body to reuse the connection), with no deadline: a client
// that sends its body slowly, or never, would hold the connection, and
// without the header never get its answer. Call it before answering a POST
// whose body is refused unread (no token, wrong content type, ...).
func DropUnreadBody(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
		_ = http.NewResponseController(w).SetReadDeadline(time.Now())
	}
}

// ReadBody reads r's body whole: at most limit bytes (413), within timeout
// of the call (0: no bound; 408 when it runs out). On a refusal the
// connection closes after the answer.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64, timeout time.Duration) ([]byte, *Problem) {
	rc := http.NewResponseController(w)
	if timeout > 0 {
		_ = rc.SetReadDeadline(time.Now().Add(timeout))
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= limit {
		buf.Grow(int(r.ContentLength) + 1)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		if timeout > 0 {
			_ = rc.SetReadDeadline(time.Time{})
		}
		return buf.Bytes(), nil
	}
	// Whatever is left of the body is not read.
	DropUnreadBody(w, r)
	var tooLarge *http.MaxBytesError
	var netErr interface{ Timeout() bool }
	switch {
	case errors.As(err, &tooLarge):
		return nil, &Problem{Status: http.StatusRequestEntityTooLarge, Code: CodeInvalidRequest,
			Text: fmt.Sprintf("request body exceeds %d bytes", tooLarge.Limit)}
	case errors.As(err, &netErr) && netErr.Timeout():
		return nil, &Problem{Status: http.StatusRequestTimeout, Code: CodeInvalidRequest,
			Text: fmt.Sprintf("the request body did not arrive within %s", timeout)}
	}
	return nil, &Problem{Status: http.StatusBadRequest, Code: CodeParseError, Text: "cannot read the request body"}
}

// queryTokenKeys are the query parameters that carry tokens (RFC 6750 §2.3
// and common variants), compared without case.
var queryTokenKeys = []string{"access_token", "token", "id_token"}

// TokenInQuery reports whether a raw query string carries a token parameter
// in any spelling: any case, percent-encoded, after & or ;. A token in a URL
// ends up in logs and histories, so such requests are refused whatever else
// they carry.
func TokenInQuery(rawQuery string) bool {
	if rawQuery == "" {
		return false
	}
	for part := range strings.FieldsFuncSeq(rawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
		key, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		for _, t := range queryTokenKeys {
			if strings.EqualFold(strings.TrimSpace(key), t) {
				return true
			}
		}
	}
	return false
}
