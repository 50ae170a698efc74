package mcpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fastCase is one raw HTTP request of the differential test.
type fastCase struct {
	name    string
	body    string
	headers map[string]string // on top of the defaults of a 2026-07-28 tools/call
	role    []string          // the token's roles (nil: query, admin, security)
	subject string            // the token's subject ("": agent-1)
	fast    bool              // the fast path must serve it
}

const fastMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`

func fastCall(id, tool, args string) string {
	return `{"jsonrpc":"2.0","id":` + id + `,"method":"tools/call","params":{"name":"` + tool + `","arguments":` + args + `,` + fastMeta + `}}`
}

// validCases are the calls of validCalls as raw requests made by req (i
// numbers them); the fast path must serve all but the long-running tools.
func validCases(t *testing.T, inv int64, req func(i int, tool, args string) fastCase) []fastCase {
	var cases []fastCase
	for i, c := range validCalls(inv) {
		args, err := json.Marshal(c.args)
		if err != nil {
			t.Fatal(err)
		}
		if c.args == nil {
			args = []byte("{}")
		}
		fc := req(i, c.tool, string(args))
		fc.name, fc.fast = "valid "+c.tool, c.tool != "trouble_shoot_device" && c.tool != "rerate_usage"
		cases = append(cases, fc)
	}
	return cases
}

// fastCases: every tool with valid arguments, bad arguments, and every
// kind of request the fast path must leave to the SDK.
func fastCases(t *testing.T, inv int64) []fastCase {
	cases := validCases(t, inv, func(i int, tool, args string) fastCase {
		return fastCase{body: fastCall(fmt.Sprint(100+i), tool, args), headers: map[string]string{"Mcp-Name": tool}}
	})
	bad := []struct{ tool, args string }{
		{"get_customer_detail", `{"customer_id":999999}`},
		{"get_customer_detail", `{"customer_id":"one"}`},
		{"get_customer_detail", `{}`},
		{"get_customer_detail", `{"customer_id":0}`},
		{"get_customer_detail", `{"customer_id":3,"extra":1}`},
		{"get_customer_detail", `{"customer_id":1.5}`},
		{"get_customer_detail", `{"customer_id":null}`},
		{"get_data_usage", `{"subscription_id":1,"start_date":"2026-13-01","end_date":"2026-06-15"}`},
		{"search_knowledge_base", `{"query":"refund","topk":500}`},
		{"get_products", `{"category":"satellite"}`},
		{"pay_invoice", fmt.Sprintf(`{"invoice_id":%d,"amount":-5}`, inv)},
		{"pay_invoice", fmt.Sprintf(`{"invoice_id":%d,"amount":10,"method":"bitcoin"}`, inv)},
		{"pay_invoice", fmt.Sprintf(`{"invoice_id":%d,"amount":100000.5}`, inv)},
		{"update_subscription", `{"subscription_id":1}`},
		{"unlock_account", `{"customer_id":999999}`},
	}
	for i, c := range bad {
		cases = append(cases, fastCase{name: "bad " + c.tool + " " + c.args, body: fastCall(fmt.Sprint(200+i), c.tool, c.args), headers: map[string]string{"Mcp-Name": c.tool}, fast: true})
	}
	detail := func(id, params string) string {
		return `{"jsonrpc":"2.0","id":` + id + `,"method":"tools/call","params":{"name":"get_customer_detail"` + params + `}}`
	}
	args := `,"arguments":{"customer_id":3}`
	name := map[string]string{"Mcp-Name": "get_customer_detail"}
	with := func(kv ...string) map[string]string {
		h := map[string]string{"Mcp-Name": "get_customer_detail"}
		for i := 0; i+1 < len(kv); i += 2 {
			h[kv[i]] = kv[i+1]
		}
		return h
	}
	cases = append(cases,
		fastCase{name: "string id", body: detail(`"abc-1"`, args+","+fastMeta), headers: name, fast: true},
		fastCase{name: "negative id", body: detail(`-4`, args+","+fastMeta), headers: name, fast: true},
		fastCase{name: "no arguments", body: detail(`5`, ","+fastMeta), headers: name, fast: true},
		fastCase{name: "null arguments", body: detail(`5`, `,"arguments":null,`+fastMeta), headers: name},
		fastCase{name: "arguments not an object", body: detail(`5`, `,"arguments":5,`+fastMeta), headers: name},
		fastCase{name: "arguments an array", body: detail(`5`, `,"arguments":[],`+fastMeta), headers: name},
		fastCase{name: "escaped string id", body: detail(`"\u0041"`, args+","+fastMeta), headers: name},
		fastCase{name: "fractional id", body: detail(`1.5`, args+","+fastMeta), headers: name},
		fastCase{name: "null id", body: detail(`null`, args+","+fastMeta), headers: name},
		fastCase{name: "no id", body: `{"jsonrpc":"2.0","method":"tools/call","params":{"name":"get_customer_detail"` + args + "," + fastMeta + `}}`, headers: name},
		fastCase{name: "jsonrpc 1.0", body: strings.Replace(detail(`6`, args+","+fastMeta), `"2.0"`, `"1.0"`, 1), headers: name},
		fastCase{name: "unknown tool", body: fastCall("7", "no_such_tool", `{}`), headers: map[string]string{"Mcp-Name": "no_such_tool"}},
		fastCase{name: "tool hidden from a query token", body: fastCall("8", "pay_invoice", fmt.Sprintf(`{"invoice_id":%d,"amount":1}`, inv)), headers: map[string]string{"Mcp-Name": "pay_invoice"}, role: []string{"query"}},
		fastCase{name: "query token reads", body: fastCall("9", "get_customer_detail", `{"customer_id":3}`), headers: name, role: []string{"query"}, fast: true},
		fastCase{name: "no Mcp-Name header", body: fastCall("10", "get_customer_detail", `{"customer_id":3}`), headers: map[string]string{}},
		fastCase{name: "Mcp-Name mismatch", body: fastCall("11", "get_customer_detail", `{"customer_id":3}`), headers: with("Mcp-Name", "get_products")},
		fastCase{name: "no Mcp-Method header", body: fastCall("12", "get_customer_detail", `{"customer_id":3}`), headers: with("Mcp-Method", "")},
		fastCase{name: "Accept json only", body: fastCall("13", "get_customer_detail", `{"customer_id":3}`), headers: with("Accept", "application/json")},
		fastCase{name: "Accept with parameters", body: fastCall("14", "get_customer_detail", `{"customer_id":3}`), headers: with("Accept", "application/json;q=0.9, text/event-stream"), fast: true},
		fastCase{name: "header version differs from _meta", body: strings.Replace(fastCall("15", "get_customer_detail", `{"customer_id":3}`), `protocolVersion":"2026-07-28"`, `protocolVersion":"2027-01-01"`, 1), headers: name},
		fastCase{name: "future version header", body: fastCall("16", "get_customer_detail", `{"customer_id":3}`), headers: with("Mcp-Protocol-Version", "2027-01-01")},
		fastCase{name: "no client capabilities", body: strings.Replace(fastCall("17", "get_customer_detail", `{"customer_id":3}`), `,"io.modelcontextprotocol/clientCapabilities":{}`, ``, 1), headers: name},
		fastCase{name: "client capabilities not an object", body: strings.Replace(fastCall("18", "get_customer_detail", `{"customer_id":3}`), `"io.modelcontextprotocol/clientCapabilities":{}`, `"io.modelcontextprotocol/clientCapabilities":7`, 1), headers: name},
		fastCase{name: "client info not an object", body: strings.Replace(fastCall("19", "get_customer_detail", `{"customer_id":3}`), `{"name":"raw","version":"1"}`, `"raw"`, 1), headers: name},
		fastCase{name: "no client info", body: strings.Replace(fastCall("20", "get_customer_detail", `{"customer_id":3}`), `"io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},`, ``, 1), headers: name, fast: true},
		fastCase{name: "tasks declared", body: strings.Replace(fastCall("21", "get_customer_detail", `{"customer_id":3}`), `"io.modelcontextprotocol/clientCapabilities":{}`, `"io.modelcontextprotocol/clientCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}`, 1), headers: name},
		fastCase{name: "other extension declared", body: strings.Replace(fastCall("22", "get_customer_detail", `{"customer_id":3}`), `"io.modelcontextprotocol/clientCapabilities":{}`, `"io.modelcontextprotocol/clientCapabilities":{"extensions":{"example.com/other":{}}}`, 1), headers: name, fast: true},
		fastCase{name: "progress token and log level", body: strings.Replace(fastCall("23", "get_customer_detail", `{"customer_id":3}`), `"_meta":{`, `"_meta":{"progressToken":"p1","io.modelcontextprotocol/logLevel":"debug",`, 1), headers: name, fast: true},
		fastCase{name: "extra params member", body: detail(`24`, args+`,"task":{"ttl":1000},`+fastMeta), headers: name},
		fastCase{name: "Last-Event-ID", body: fastCall("25", "get_customer_detail", `{"customer_id":3}`), headers: with("Last-Event-ID", "1")},
		fastCase{name: "session id", body: fastCall("26", "get_customer_detail", `{"customer_id":3}`), headers: with("Mcp-Session-Id", "nope")},
		fastCase{name: "batch", body: "[" + fastCall("27", "get_customer_detail", `{"customer_id":3}`) + "]", headers: name},
		fastCase{name: "Host not loopback (DNS rebinding)", body: fastCall("29", "get_customer_detail", `{"customer_id":3}`), headers: with("Host", "evil.example:8000")},
		fastCase{name: "Host LOCALHOST", body: fastCall("30", "get_customer_detail", `{"customer_id":3}`), headers: with("Host", "LOCALHOST:8000")},
		fastCase{name: "Host localhost", body: fastCall("31", "get_customer_detail", `{"customer_id":3}`), headers: with("Host", "localhost:8000"), fast: true},
		fastCase{name: "tools/list", body: `{"jsonrpc":"2.0","id":40,"method":"tools/list","params":{` + fastMeta + `}}`, headers: with("Mcp-Method", "tools/list", "Mcp-Name", ""), fast: true},
		fastCase{name: "tools/list, query token", body: `{"jsonrpc":"2.0","id":41,"method":"tools/list","params":{` + fastMeta + `}}`, headers: with("Mcp-Method", "tools/list", "Mcp-Name", ""), role: []string{"query"}, fast: true},
		fastCase{name: "tools/list with a cursor", body: `{"jsonrpc":"2.0","id":42,"method":"tools/list","params":{"cursor":"x",` + fastMeta + `}}`, headers: with("Mcp-Method", "tools/list", "Mcp-Name", "")},
		fastCase{name: "tools/list without _meta", body: `{"jsonrpc":"2.0","id":43,"method":"tools/list"}`, headers: with("Mcp-Method", "tools/list", "Mcp-Name", "")},
		fastCase{name: "tools/list with Mcp-Name", body: `{"jsonrpc":"2.0","id":44,"method":"tools/list","params":{` + fastMeta + `}}`, headers: with("Mcp-Method", "tools/list")},
		fastCase{name: "case of params member", body: `{"jsonrpc":"2.0","id":28,"method":"tools/call","params":{"Name":"get_customer_detail"` + args + "," + fastMeta + `}}`, headers: name},
	)
	return cases
}

// sessionCases are fastCases for a 2025-11-25 session: "$SID" in a header
// is the session of agent-1 with every role, "$QSID" one of agent-1 with
// the query role only.
func sessionCases(t *testing.T, inv int64) []fastCase {
	call := func(id, tool, args, meta string) string {
		return `{"jsonrpc":"2.0","id":` + id + `,"method":"tools/call","params":{"name":"` + tool + `","arguments":` + args + meta + `}}`
	}
	cases := validCases(t, inv, func(i int, tool, args string) fastCase {
		return fastCase{body: call(fmt.Sprint(300+i), tool, args, "")}
	})
	detail := `{"customer_id":3}`
	gcd := "get_customer_detail"
	with := func(kv ...string) map[string]string {
		h := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			h[kv[i]] = kv[i+1]
		}
		return h
	}
	return append(cases,
		fastCase{name: "bad argument", body: call("400", gcd, `{"customer_id":0}`, ""), fast: true},
		fastCase{name: "unknown customer", body: call("401", gcd, `{"customer_id":999999}`, ""), fast: true},
		fastCase{name: "with Mcp-Method and Mcp-Name", body: call("402", gcd, detail, ""), headers: with("Mcp-Method", "tools/call", "Mcp-Name", gcd), fast: true},
		fastCase{name: "string id", body: call(`"s-1"`, gcd, detail, ""), fast: true},
		fastCase{name: "progress token", body: call("403", gcd, detail, `,"_meta":{"progressToken":7}`), fast: true},
		fastCase{name: "query session reads", body: call("404", gcd, detail, ""), headers: with("Mcp-Session-Id", "$QSID"), role: []string{"query"}, fast: true},
		fastCase{name: "query session, hidden tool", body: call("405", "pay_invoice", fmt.Sprintf(`{"invoice_id":%d,"amount":1}`, inv), ""), headers: with("Mcp-Session-Id", "$QSID"), role: []string{"query"}},
		fastCase{name: "query session, admin token now: its rights", body: call("406", "pay_invoice", fmt.Sprintf(`{"invoice_id":%d,"amount":1}`, inv), ""), headers: with("Mcp-Session-Id", "$QSID"), fast: true},
		fastCase{name: "full session, query token now: hidden", body: call("430", "pay_invoice", fmt.Sprintf(`{"invoice_id":%d,"amount":1}`, inv), ""), role: []string{"query"}},
		fastCase{name: "another principal", body: call("407", gcd, detail, ""), subject: "agent-2"},
		fastCase{name: "unknown session", body: call("408", gcd, detail, ""), headers: with("Mcp-Session-Id", "NOSUCHSESSION")},
		fastCase{name: "no version header", body: call("409", gcd, detail, ""), headers: with("Mcp-Protocol-Version", "")},
		fastCase{name: "older version header", body: call("410", gcd, detail, ""), headers: with("Mcp-Protocol-Version", "2025-06-18")},
		fastCase{name: "2026 _meta in a session", body: call("411", gcd, detail, ","+fastMeta)},
		fastCase{name: "unknown tool", body: call("412", "no_such_tool", `{}`, "")},
		fastCase{name: "extra params member", body: `{"jsonrpc":"2.0","id":413,"method":"tools/call","params":{"name":"get_customer_detail","arguments":{"customer_id":3},"task":{}}}`},
		fastCase{name: "fractional id", body: call("4.5", gcd, detail, "")},
		fastCase{name: "Mcp-Name mismatch", body: call("414", gcd, detail, ""), headers: with("Mcp-Name", "get_products")},
		fastCase{name: "Accept json only", body: call("415", gcd, detail, ""), headers: with("Accept", "application/json")},
		fastCase{name: "Host not loopback (DNS rebinding)", body: call("416", gcd, detail, ""), headers: with("Host", "evil.example")},
		fastCase{name: "tools/list", body: `{"jsonrpc":"2.0","id":417,"method":"tools/list"}`, fast: true},
		fastCase{name: "tools/list with empty params", body: `{"jsonrpc":"2.0","id":418,"method":"tools/list","params":{}}`, fast: true},
		fastCase{name: "tools/list, query session", body: `{"jsonrpc":"2.0","id":419,"method":"tools/list"}`, headers: with("Mcp-Session-Id", "$QSID"), role: []string{"query"}, fast: true},
		fastCase{name: "tools/list with a cursor", body: `{"jsonrpc":"2.0","id":420,"method":"tools/list","params":{"cursor":"x"}}`},
	)
}

// diffRun sends each case to a service with the fast path and to one
// without (each on its own copy of the same data, in the same order, so
// writes stay in step) and requires the same answer: status, content type,
// the same JSON-RPC message; the fast path must serve exactly the cases
// marked fast. It returns how many it served.
func diffRun(t *testing.T, fast, sdk *fixture, cases []fastCase, base map[string]string, sids map[*fixture]map[string]string) int {
	t.Helper()
	served := 0
	for _, c := range cases {
		reqID := fmt.Sprintf("case-%04d", caseSeq.Add(1))
		var got [2]struct {
			status int
			ctype  string
			msg    any
		}
		for j, f := range []*fixture{fast, sdk} {
			roles, subject := c.role, c.subject
			if roles == nil {
				roles = []string{"query", "admin", "security"}
			}
			if subject == "" {
				subject = "agent-1"
			}
			h := map[string]string{"Authorization": "Bearer " + f.token(t, "contoso", subject, roles...), "X-Request-Id": reqID}
			for k, v := range base {
				h[k] = v
			}
			for k, v := range c.headers {
				h[k] = v
			}
			for k, v := range h {
				if sid, ok := sids[f][v]; ok {
					h[k] = sid
				}
			}
			got[j].status, got[j].ctype, got[j].msg = postMessage(t, f.endpoint(t), c.body, h)
		}
		if got[0].status != got[1].status || got[0].ctype != got[1].ctype {
			t.Errorf("%s: fast path HTTP %d %q, SDK HTTP %d %q", c.name, got[0].status, got[0].ctype, got[1].status, got[1].ctype)
		}
		if diff := cmp.Diff(got[1].msg, got[0].msg); diff != "" {
			t.Errorf("%s: answers differ (-sdk +fast):\n%s", c.name, diff)
		}
		byFast := logLine(fast.logs.String(), reqID, `"fast_path":true`)
		if byFast != c.fast {
			t.Errorf("%s: served by the fast path = %v, want %v (HTTP %d: %v)", c.name, byFast, c.fast, got[0].status, got[0].msg)
		}
		if logLine(sdk.logs.String(), reqID, `"fast_path"`) {
			t.Errorf("%s: the SDK-only service logged fast_path", c.name)
		}
		if byFast {
			served++
		}
	}
	return served
}

var caseSeq atomic.Int64 // request ids unique across runs

// sameData requires the two fixtures' data and audit trails to be equal.
func sameData(t *testing.T, fast, sdk *fixture) {
	t.Helper()
	ctx := context.Background()
	fa, err := fast.store.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sa, err := sdk.store.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sa, fa); diff != "" {
		t.Errorf("the data differs after the same calls (-sdk +fast):\n%s", diff)
	}
	fAudit, sAudit := auditTrail(t, fast), auditTrail(t, sdk)
	if len(fAudit) == 0 || !reflect.DeepEqual(fAudit, sAudit) {
		t.Errorf("audit trails differ:\nfast %v\nsdk  %v", fAudit, sAudit)
	}
}

// TestFastPathMatchesSDK: 2026-07-28 requests, answered the same with and
// without the fast path.
func TestFastPathMatchesSDK(t *testing.T) {
	fast := newFixture(t, nil)
	sdk := newFixtureWith(t, nil, fixtureOptions{sdkOnly: true})
	inv := findLatestInvoice(t, fast.store, scenario(1))
	base := map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call"}
	if served := diffRun(t, fast, sdk, fastCases(t, inv), base, nil); served < 30 {
		t.Errorf("the fast path served %d cases; the corpus means at least 30", served)
	}
	sameData(t, fast, sdk)
}

// TestFastPathMatchesSDKInSessions: the same for 2025-11-25 sessions, then
// a DELETE ends the session for both paths.
func TestFastPathMatchesSDKInSessions(t *testing.T) {
	fast := newFixture(t, nil)
	sdk := newFixtureWith(t, nil, fixtureOptions{sdkOnly: true})
	inv := findLatestInvoice(t, fast.store, scenario(1))
	sids := map[*fixture]map[string]string{}
	for _, f := range []*fixture{fast, sdk} {
		sids[f] = map[string]string{
			"$SID":  openSession(t, f, f.token(t, "contoso", "agent-1", "query", "admin", "security")),
			"$QSID": openSession(t, f, f.token(t, "contoso", "agent-1", "query")),
		}
	}
	base := map[string]string{"Mcp-Protocol-Version": "2025-11-25", "Mcp-Session-Id": "$SID"}
	if served := diffRun(t, fast, sdk, sessionCases(t, inv), base, sids); served < 25 {
		t.Errorf("the fast path served %d cases; the corpus means at least 25", served)
	}
	sameData(t, fast, sdk)
	for _, f := range []*fixture{fast, sdk} {
		h := map[string]string{"Authorization": "Bearer " + f.token(t, "contoso", "agent-1", "query", "admin", "security"),
			"Mcp-Protocol-Version": "2025-11-25", "Mcp-Session-Id": sids[f]["$SID"]}
		req, err := http.NewRequest(http.MethodDelete, f.endpoint(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("DELETE: HTTP %d", resp.StatusCode)
		}
	}
	after := []fastCase{{name: "call after DELETE", body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_customer_detail","arguments":{"customer_id":3}}}`}}
	diffRun(t, fast, sdk, after, base, sids)
}

// TestFastPathKeepsSessionsAlive: calls the fast path serves count as
// activity (the session outlives the idle timeout while in use), and a
// session idle for longer than the timeout is closed, as without the fast
// path.
func TestFastPathKeepsSessionsAlive(t *testing.T) {
	const idle = 2 * time.Second
	f := newFixtureWith(t, nil, fixtureOptions{idle: idle})
	token := f.token(t, "contoso", "agent-1", "query")
	sid := openSession(t, f, token)
	h := map[string]string{"Authorization": "Bearer " + token, "Mcp-Protocol-Version": "2025-11-25", "Mcp-Session-Id": sid}
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_customer_detail","arguments":{"customer_id":3}}}`
	status := func() int {
		s, _, _ := postMessage(t, f.endpoint(t), body, h)
		return s
	}
	for end := time.Now().Add(idle + idle/2); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if s := status(); s != http.StatusOK {
			t.Fatalf("a session in use for %v of a %v idle timeout: HTTP %d", idle+idle/2, idle, s)
		}
	}
	if n := strings.Count(f.logs.String(), `"fast_path":true`); n < 20 {
		t.Errorf("the fast path served %d of the calls", n)
	}
	time.Sleep(idle / 2)
	if s := status(); s != http.StatusOK {
		t.Fatalf("after %v idle (timeout %v): HTTP %d, want the session alive", idle/2, idle, s)
	}
	time.Sleep(idle + idle/4)
	if s := status(); s != http.StatusNotFound {
		t.Errorf("after %v idle (timeout %v): HTTP %d, want 404", idle+idle/4, idle, s)
	}
}

// openSession runs initialize and notifications/initialized over raw HTTP.
func openSession(t *testing.T, f *fixture, token string) string {
	t.Helper()
	h := map[string]string{"Authorization": "Bearer " + token}
	resp, body := postRaw(t, f.endpoint(t), initialize, h)
	sid := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || sid == "" {
		t.Fatalf("initialize: HTTP %d, session %q: %.300s", resp.StatusCode, sid, body)
	}
	h["Mcp-Session-Id"], h["Mcp-Protocol-Version"] = sid, "2025-11-25"
	if resp, body := postRaw(t, f.endpoint(t), `{"jsonrpc":"2.0","method":"notifications/initialized"}`, h); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("notifications/initialized: HTTP %d: %.300s", resp.StatusCode, body)
	}
	return sid
}

// postMessage posts body as postRaw does and returns the status, content
// type and decoded message.
func postMessage(t *testing.T, url, body string, headers map[string]string) (int, string, any) {
	t.Helper()
	resp, data := postRaw(t, url, body, headers)
	return resp.StatusCode, resp.Header.Get("Content-Type"), message(t, resp.Header.Get("Content-Type"), []byte(data))
}

// message decodes a response body: the JSON-RPC message of an SSE stream
// or a JSON body, or the text of anything else.
func message(t *testing.T, contentType string, data []byte) any {
	t.Helper()
	body := string(data)
	if strings.HasPrefix(contentType, "text/event-stream") {
		var msgs []any
		for line := range strings.SplitSeq(body, "\n") {
			if rest, ok := strings.CutPrefix(line, "data: "); ok {
				var v any
				if err := json.Unmarshal([]byte(rest), &v); err != nil {
					t.Fatalf("SSE data is not JSON: %q", rest)
				}
				msgs = append(msgs, v)
			}
		}
		return msgs
	}
	var v any
	if json.Unmarshal(data, &v) == nil {
		return v
	}
	return body
}

// logLine reports whether the log line of request reqID with a tool (the
// "mcp request" line) contains want.
func logLine(logs, reqID, want string) bool {
	for line := range strings.SplitSeq(logs, "\n") {
		if strings.Contains(line, `"msg":"mcp request"`) && strings.Contains(line, `"request_id":"`+reqID+`"`) {
			return strings.Contains(line, want)
		}
	}
	return false
}

// auditTrail is the tool, outcome and request id of every audit record.
func auditTrail(t *testing.T, f *fixture) []string {
	t.Helper()
	var out []string
	for line := range strings.SplitSeq(f.logs.String(), "\n") {
		if !strings.Contains(line, `"msg":"audit"`) {
			continue
		}
		var rec struct{ Tool, Outcome, RequestID string }
		var raw map[string]string
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatal(err)
		}
		rec.Tool, rec.Outcome, rec.RequestID = raw["tool"], raw["outcome"], raw["request_id"]
		out = append(out, fmt.Sprintf("%s %s %s", rec.RequestID, rec.Tool, rec.Outcome))
	}
	return out
}
