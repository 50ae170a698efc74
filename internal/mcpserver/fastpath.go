package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The fast path answers the commonest request of the 2026-07-28 era, a
// tools/call of an ordinary (not long-running) tool that the caller may use,
// without the go-sdk's per-request machinery: its stateless handler builds
// and tears down a whole server session for every POST and decodes the body
// several more times (each decode allocating 32 KiB), which is most of the
// cost of a call (docs/PERFORMANCE.md).
//
// It calls the very tool handler the SDK would call, through the same
// logging and audit middleware, and writes the same response (an SSE
// message with the result, its resultType and the server's identity in
// _meta). It only takes requests it can answer exactly as the SDK would;
// anything else, including every malformed or unusual request, every error
// the SDK reports before a tool runs, tasks, other methods and the
// 2025-11-25 era, goes to the SDK unchanged. TestFastPathMatchesSDK sends
// the same requests both ways and compares the answers. FAST_PATH=false
// turns it off.
type fastPath struct {
	svc *Service
	// serverMeta is the result _meta the SDK adds in the 2026-07-28 era.
	serverMeta map[string]any
}

// fastPathKey marks the context of a call the fast path serves (logged).
type fastPathKey struct{}

// fastVersion is the only protocol version the fast path serves.
const fastVersion = "2026-07-28"

const (
	metaClientInfo         = mcp.MetaKeyClientInfo
	metaClientCapabilities = mcp.MetaKeyClientCapabilities
	tasksExtension         = "io.modelcontextprotocol/tasks"
)

func newFastPath(s *Service, impl *mcp.Implementation) *fastPath {
	return &fastPath{svc: s, serverMeta: map[string]any{mcp.MetaKeyServerInfo: impl}}
}

// serve answers r and returns true, or returns false without touching w
// when the request is not one the fast path takes.
func (f *fastPath) serve(w http.ResponseWriter, r *http.Request) bool {
	in, _ := r.Context().Value(inspectedKey{}).(*inspected)
	if in == nil || !in.parseable || in.method != "tools/call" || in.jsonrpc != "2.0" || !plainID(in.id) {
		return false
	}
	h := r.Header
	if h.Get("Mcp-Protocol-Version") != fastVersion || h.Get("Mcp-Method") != "tools/call" || h.Get("Mcp-Name") != in.name ||
		h.Get("Mcp-Session-Id") != "" || len(h.Values("Last-Event-ID")) > 0 || !acceptsBoth(h.Values("Accept")) {
		return false
	}
	if !plainCall(in) {
		return false
	}
	p := PrincipalFrom(r.Context())
	if p == nil {
		return false
	}
	handler := f.svc.toolHandler(f.svc.cfg.Grants(p), in.name)
	if handler == nil {
		return false
	}
	req := &mcp.CallToolRequest{
		Params: &mcp.CallToolParamsRaw{Name: in.name, Arguments: in.params["arguments"]},
		Extra:  &mcp.RequestExtra{TokenInfo: tokenInfo(p), Header: h},
	}
	ctx := context.WithValue(r.Context(), fastPathKey{}, true)
	res, err := f.svc.callChain(handler)(ctx, "tools/call", req)
	f.write(w, in.id, res, err)
	return true
}

// plainID: a string without escapes or a whole number of at most 15
// digits, which the SDK echoes byte for byte as the fast path does.
func plainID(id json.RawMessage) bool {
	if len(id) >= 2 && id[0] == '"' {
		return bytes.IndexByte(id, '\\') < 0
	}
	digits := bytes.TrimPrefix(id, []byte("-"))
	if len(digits) == 0 || len(digits) > 15 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// plainCall: params hold only name, arguments and _meta; _meta names this
// version, carries client capabilities (an object) that do not declare the
// Tasks extension (the SDK path makes such calls tasks), and a client info
// that is absent or an implementation.
func plainCall(in *inspected) bool {
	for k := range in.params {
		if k != "name" && k != "arguments" && k != "_meta" {
			return false
		}
	}
	if args, ok := in.params["arguments"]; ok {
		if t := bytes.TrimSpace(args); len(t) == 0 || t[0] != '{' {
			return false
		}
	}
	var version string
	if json.Unmarshal(in.meta[metaProtocolVersion], &version) != nil || version != fastVersion {
		return false
	}
	var caps struct {
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	raw := bytes.TrimSpace(in.meta[metaClientCapabilities])
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &caps) != nil {
		return false
	}
	if _, ok := caps.Extensions[tasksExtension]; ok {
		return false
	}
	if info, ok := in.meta[metaClientInfo]; ok {
		var impl struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		}
		if t := bytes.TrimSpace(info); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &impl) != nil {
			return false
		}
	}
	return true
}

// acceptsBoth: the Accept header lists application/json and
// text/event-stream (the SDK answers 400 otherwise).
func acceptsBoth(values []string) bool {
	var js, sse bool
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			js = js || mt == "application/json"
			sse = sse || mt == "text/event-stream"
		}
	}
	return js && sse
}

// write sends the answer as the SDK's stateless handler does: one SSE
// message event with the JSON-RPC response.
func (f *fastPath) write(w http.ResponseWriter, id json.RawMessage, res mcp.Result, err error) {
	var buf bytes.Buffer
	buf.WriteString("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":")
	buf.Write(id)
	if err == nil {
		err = f.appendResult(&buf, res)
	}
	if err != nil {
		buf.Truncate(len("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":") + len(id))
		werr, ok := err.(*jsonrpc.Error)
		if !ok {
			werr = &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: err.Error()}
		}
		e, _ := json.Marshal(werr)
		buf.WriteString(",\"error\":")
		buf.Write(e)
	}
	buf.WriteString("}\n\n")
	hd := w.Header()
	hd.Set("Cache-Control", "no-cache, no-transform")
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// appendResult writes ,"result":{...} with what the SDK adds to a
// 2026-07-28 result: content never null, the server's identity in _meta,
// resultType complete.
func (f *fastPath) appendResult(buf *bytes.Buffer, res mcp.Result) error {
	r, ok := res.(*mcp.CallToolResult)
	if !ok || r == nil {
		return fmt.Errorf("tools/call returned %T", res)
	}
	out := *r
	if out.Content == nil {
		out.Content = []mcp.Content{}
	}
	if out.Meta == nil {
		out.Meta = f.serverMeta
	} else if _, ok := out.Meta[mcp.MetaKeyServerInfo]; !ok {
		m := make(mcp.Meta, len(out.Meta)+1)
		for k, v := range out.Meta {
			m[k] = v
		}
		m[mcp.MetaKeyServerInfo] = f.serverMeta[mcp.MetaKeyServerInfo]
		out.Meta = m
	}
	b, err := json.Marshal(&out)
	if err != nil || len(b) < 2 || b[len(b)-1] != '}' {
		return fmt.Errorf("encoding the result: %v", err)
	}
	buf.WriteString(",\"result\":")
	buf.Write(b[:len(b)-1])
	buf.WriteString(",\"resultType\":\"complete\"}")
	return nil
}

// toolHandler returns the handler of a tool the grants allow, when the
// fast path may call it (not long-running: those report progress and run
// as tasks through the SDK).
func (s *Service) toolHandler(g Grants, name string) mcp.ToolHandler {
	if spec, ok := s.specs[name]; !ok || spec.LongRunning || !g.allows(spec) {
		return nil
	}
	s.server(g) // builds the grants' server, and its handlers, once
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handlers[g][name]
}

// callChain wraps a tool handler in the receiving middleware every server
// has (logging outermost, then audit), as the SDK runs them for tools/call.
func (s *Service) callChain(h mcp.ToolHandler) mcp.MethodHandler {
	var next mcp.MethodHandler = func(ctx context.Context, _ string, req mcp.Request) (mcp.Result, error) {
		return h(ctx, req.(*mcp.CallToolRequest))
	}
	return logging(s.cfg.Logger)(s.audit()(next))
}
