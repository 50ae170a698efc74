package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The fast path answers the commonest request, a tools/call of an ordinary
// (not long-running) tool that the caller may use, stateless in the
// 2026-07-28 era or on a 2025-11-25 session, without the go-sdk's
// per-request machinery: for a stateless POST it builds and tears down a
// whole server session, and for either era it decodes the body several
// more times, each decode allocating 32 KiB; that was most of the cost of a
// call (docs/PERFORMANCE.md).
//
// It calls the very tool handler the SDK would call, through the same
// logging and audit middleware, and writes the same response (an SSE
// message with the result; in 2026-07-28 also its resultType and the
// server's identity in _meta). It only takes requests it can answer exactly
// as the SDK would; anything else, including every malformed or unusual
// request, every error the SDK reports before a tool runs, tasks,
// long-running tools, other methods, sessions it does not know (sessions.go)
// and other protocol versions, goes to the SDK unchanged. Two differences
// remain, both on 2025-11-25 sessions and both about calls that take a
// millisecond: notifications/cancelled does not reach a call the fast path
// serves (closing its HTTP request does), and a request id already in
// flight on the session is not refused (each answer goes on its own HTTP
// response, so none is lost). TestFastPathMatchesSDK and
// TestFastPathMatchesSDKInSessions send the same requests both ways and
// compare the answers. FAST_PATH=false turns it off.
type fastPath struct {
	svc *Service
	// serverMeta is the result _meta the SDK adds in the 2026-07-28 era.
	serverMeta mcp.Meta
	infos      *tokenInfos // shared with the guard
}

// fastPathKey marks the context of a call the fast path serves (logged).
type fastPathKey struct{}

// The protocol versions the fast path serves: stateless requests of
// fastVersion, and sessions that negotiated sessionVersion.
const (
	fastVersion    = "2026-07-28"
	sessionVersion = "2025-11-25"
)

const (
	metaClientInfo         = mcp.MetaKeyClientInfo
	metaClientCapabilities = mcp.MetaKeyClientCapabilities
	tasksExtension         = "io.modelcontextprotocol/tasks"
)

// serve answers a 2026-07-28 request and returns true, or returns false
// without touching w when the request is not one the fast path takes.
func (f *fastPath) serve(w http.ResponseWriter, r *http.Request) bool {
	in := f.eligible(r, fastVersion)
	if in == nil || !plainMeta(in) {
		return false
	}
	p := PrincipalFrom(r.Context())
	if p == nil {
		return false
	}
	return f.answer(w, r, in, f.svc.cfg.Rights(p), p, true)
}

// serveSession answers a request on a 2025-11-25 session the SDK holds
// (sessions.go) and returns true, or returns false without touching w.
func (f *fastPath) serveSession(w http.ResponseWriter, r *http.Request, id string) bool {
	e, ok := f.svc.sessions.fresh(id)
	if !ok || e.version != sessionVersion {
		return false
	}
	in := f.eligible(r, sessionVersion)
	if in == nil || in.NewEra {
		return false
	}
	p := PrincipalFrom(r.Context())
	if p == nil || p.Key() != e.user {
		return false // the SDK answers 403
	}
	// The rights of this request's token, not of the one that opened the
	// session.
	return f.answer(w, r, in, f.svc.cfg.Rights(p), p, false)
}

// answer serves tools/call or tools/list; newEra selects the 2026-07-28
// form of the result.
func (f *fastPath) answer(w http.ResponseWriter, r *http.Request, in *inspected, g contoso.Rights, p *auth.Principal, newEra bool) bool {
	if in.Method == "tools/list" {
		return f.list(w, r, in, g, p, newEra)
	}
	return f.call(w, r, in, g, p, newEra)
}

// eligible returns what the guard read of a POST that is a plain
// tools/call or tools/list with the headers the SDK wants for version, or
// nil.
func (f *fastPath) eligible(r *http.Request, version string) *inspected {
	in, _ := r.Context().Value(inspectedKey{}).(*inspected)
	if in == nil || in.JSONRPC != "2.0" || !plainID(in.ID) || !plainParams(in) {
		return nil
	}
	if in.Method != "tools/call" && in.Method != "tools/list" {
		return nil
	}
	if !hostAllowed(r) {
		return nil // the SDK answers 403 (DNS rebinding protection)
	}
	h := r.Header
	if h.Get("Mcp-Protocol-Version") != version || len(h.Values("Last-Event-ID")) > 0 || !acceptsBoth(h.Values("Accept")) {
		return nil
	}
	if version == fastVersion && (h.Get("Mcp-Method") != in.Method || h.Get("Mcp-Name") != in.Name || h.Get("Mcp-Session-Id") != "") {
		return nil
	}
	return in
}

// hostAllowed: the request passes the SDK's DNS rebinding check, which on
// a loopback listener refuses a Host that is not loopback ("localhost" or a
// loopback address, exactly as the SDK reads them).
func hostAllowed(r *http.Request) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok || local == nil || !loopbackAddr(local.String()) {
		return true
	}
	return loopbackAddr(r.Host)
}

func loopbackAddr(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.Trim(hostport, "[]")
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// call runs the tool for p with the grants g and writes the answer.
func (f *fastPath) call(w http.ResponseWriter, r *http.Request, in *inspected, g contoso.Rights, p *auth.Principal, newEra bool) bool {
	handler := f.svc.toolHandler(g, in.Name)
	if handler == nil {
		return false
	}
	req := &mcp.CallToolRequest{
		Params: &mcp.CallToolParamsRaw{Name: in.Name, Arguments: in.Params["arguments"]},
		Extra:  &mcp.RequestExtra{TokenInfo: f.infos.get(p), Header: r.Header},
	}
	ctx := context.WithValue(r.Context(), fastPathKey{}, true)
	res, err := f.svc.callChain(handler)(ctx, "tools/call", req)
	var meta mcp.Meta
	if newEra {
		meta = f.serverMeta
	}
	writeMessage(w, in.ID, func(buf *bytes.Buffer) error {
		if err != nil {
			return err
		}
		return appendResult(buf, res, meta)
	})
	return true
}

// list answers tools/list from the result built once per set of grants
// and era (toolList), through the same logging middleware.
func (f *fastPath) list(w http.ResponseWriter, r *http.Request, in *inspected, g contoso.Rights, p *auth.Principal, newEra bool) bool {
	res, body := f.svc.toolList(g, newEra, f.serverMeta)
	if body == nil {
		return false
	}
	req := &mcp.ListToolsRequest{Params: &mcp.ListToolsParams{}, Extra: &mcp.RequestExtra{TokenInfo: f.infos.get(p), Header: r.Header}}
	ctx := context.WithValue(r.Context(), fastPathKey{}, true)
	next := func(context.Context, string, mcp.Request) (mcp.Result, error) { return res, nil }
	logging(f.svc.cfg.Logger)(next)(ctx, "tools/list", req)
	writeMessage(w, in.ID, func(buf *bytes.Buffer) error {
		buf.WriteString(",\"result\":")
		buf.Write(body)
		return nil
	})
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

// plainParams: the params of tools/call hold only name, arguments (an
// object) and _meta; those of tools/list only _meta (no cursor).
func plainParams(in *inspected) bool {
	for k := range in.Params {
		switch {
		case k == "_meta":
		case in.Method == "tools/call" && (k == "name" || k == "arguments"):
		default:
			return false
		}
	}
	if args, ok := in.Params["arguments"]; ok {
		if t := bytes.TrimSpace(args); len(t) == 0 || t[0] != '{' {
			return false
		}
	}
	return true
}

// plainMeta: _meta names this version, carries client capabilities (an
// object) that do not declare the Tasks extension (the SDK path makes such
// calls tasks), and a client info that is absent or an implementation.
func plainMeta(in *inspected) bool {
	var version string
	if json.Unmarshal(in.Meta[metaProtocolVersion], &version) != nil || version != fastVersion {
		return false
	}
	var caps struct {
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	raw := bytes.TrimSpace(in.Meta[metaClientCapabilities])
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &caps) != nil {
		return false
	}
	if _, ok := caps.Extensions[tasksExtension]; ok {
		return false
	}
	if info, ok := in.Meta[metaClientInfo]; ok {
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

// writeMessage sends the answer as the SDK does: one SSE message event
// with the JSON-RPC response whose id is id; body appends its
// ,"result":... member, or returns the error to answer instead.
func writeMessage(w http.ResponseWriter, id json.RawMessage, body func(*bytes.Buffer) error) {
	var buf bytes.Buffer
	buf.WriteString("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":")
	buf.Write(id)
	head := buf.Len()
	if err := body(&buf); err != nil {
		buf.Truncate(head)
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

// appendResult writes ,"result":{...}: content never null; with meta (the
// 2026-07-28 era) also the server's identity in _meta and resultType
// complete, as the SDK adds them. A result the tools produce (content,
// structured content already marshalled, isError) is written member by
// member, the structured content as it is; anything else goes through
// json.Marshal.
func appendResult(buf *bytes.Buffer, res mcp.Result, meta mcp.Meta) error {
	r, ok := res.(*mcp.CallToolResult)
	if !ok || r == nil {
		return fmt.Errorf("tools/call returned %T", res)
	}
	out := *r
	if out.Content == nil {
		out.Content = []mcp.Content{}
	}
	if meta != nil {
		if out.Meta == nil {
			out.Meta = meta
		} else {
			m := make(mcp.Meta, len(out.Meta)+len(meta))
			for k, v := range meta {
				m[k] = v
			}
			for k, v := range out.Meta {
				m[k] = v
			}
			out.Meta = m
		}
	}
	buf.WriteString(",\"result\":")
	raw, isRaw := out.StructuredContent.(json.RawMessage)
	if out.InputRequests != nil || out.RequestState != "" || (out.StructuredContent != nil && (!isRaw || len(raw) == 0)) {
		b, err := json.Marshal(&out)
		if err != nil || len(b) < 2 || b[len(b)-1] != '}' {
			return fmt.Errorf("encoding the result: %v", err)
		}
		buf.Write(b[:len(b)-1])
	} else {
		content, err := json.Marshal(out.Content)
		if err != nil {
			return fmt.Errorf("encoding the result: %v", err)
		}
		buf.WriteString("{\"content\":")
		buf.Write(content)
		if raw != nil {
			buf.WriteString(",\"structuredContent\":")
			buf.Write(raw)
		}
		if out.IsError {
			buf.WriteString(",\"isError\":true")
		}
		if out.Meta != nil {
			m, err := json.Marshal(out.Meta)
			if err != nil {
				return fmt.Errorf("encoding the result: %v", err)
			}
			buf.WriteString(",\"_meta\":")
			buf.Write(m)
		}
	}
	if meta != nil {
		buf.WriteString(",\"resultType\":\"complete\"")
	}
	buf.WriteByte('}')
	return nil
}

// toolList returns the tools/list result for the grants, as the SDK builds
// it (the registered tools sorted by name, cacheable only by the caller),
// and its JSON in the era's form (2026-07-28: with resultType and the
// server's identity in _meta). Built once per grants and era.
func (s *Service) toolList(g contoso.Rights, newEra bool, meta mcp.Meta) (*mcp.ListToolsResult, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := listKey{g, newEra}
	if l, ok := s.lists[k]; ok {
		return l.res, l.body
	}
	res := &mcp.ListToolsResult{Cacheable: mcp.Cacheable{CacheScope: "private"}, Tools: s.tools.Tools(g)}
	if newEra {
		res.Meta = meta
	}
	body, err := json.Marshal(res)
	if err != nil || len(body) < 2 {
		s.cfg.Logger.Error("encoding the tool list", "err", err)
		return nil, nil
	}
	if newEra {
		body = append(append(body[:len(body)-1:len(body)-1], `,"resultType":"complete"`...), '}')
	}
	s.lists[k] = toolListResult{res, body}
	return res, body
}

type listKey struct {
	g      contoso.Rights
	newEra bool
}

type toolListResult struct {
	res  *mcp.ListToolsResult
	body []byte
}

// toolHandler returns the handler of a tool the grants allow, when the
// fast path may call it (not long-running: those report progress and run
// as tasks through the SDK).
func (s *Service) toolHandler(g contoso.Rights, name string) mcp.ToolHandler {
	if spec, ok := s.specs[name]; !ok || spec.LongRunning || !g.Covers(spec.Needs) {
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
