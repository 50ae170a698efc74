package main

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// era is how a client speaks MCP over Streamable HTTP.
type era string

const (
	// eraStateless: 2026-07-28, every POST stands alone: Mcp-Protocol-Version,
	// Mcp-Method and Mcp-Name headers and the _meta fields in the body.
	eraStateless era = "2026-07-28"
	// eraSession: 2025-11-25, initialize once per client connection, then
	// every request carries Mcp-Session-Id.
	eraSession era = "2025-11-25"
)

// target is a server under test.
type target struct {
	name  string
	addr  string // host:port
	path  string // the MCP endpoint's path (empty: /mcp)
	token string // bearer token; empty sends none
	// statelessVersion is the protocol version a stateless call names
	// (2026-07-28, or the newest a peer knows).
	statelessVersion string
	// debugAddr, when set, serves /debug/memstats (bench builds only).
	debugAddr string
}

// tool is a tools/call the generator sends: args renders the arguments of
// worker w's call number seq.
type tool struct {
	name string
	args func(b []byte, w, seq int) []byte
}

func (t *target) head(e era, method, name, sid string) []byte {
	var b bytes.Buffer
	path := t.path
	if path == "" {
		path = "/mcp"
	}
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nUser-Agent: contoso-bench-loadgen\r\n", path, t.addr)
	if t.token != "" {
		fmt.Fprintf(&b, "Authorization: Bearer %s\r\n", t.token)
	}
	switch {
	case e == eraStateless:
		fmt.Fprintf(&b, "Mcp-Protocol-Version: %s\r\nMcp-Method: %s\r\n", t.statelessVersion, method)
		if name != "" {
			fmt.Fprintf(&b, "Mcp-Name: %s\r\n", name)
		}
	case sid != "":
		fmt.Fprintf(&b, "Mcp-Session-Id: %s\r\nMcp-Protocol-Version: %s\r\n", sid, eraSession)
	}
	return b.Bytes()
}

const clientInfo = `{"name":"contoso-bench-loadgen","version":"1"}`

func (t *target) meta(b []byte) []byte {
	b = append(b, `"_meta":{"io.modelcontextprotocol/protocolVersion":"`...)
	b = append(b, t.statelessVersion...)
	b = append(b, `","io.modelcontextprotocol/clientInfo":`+clientInfo+`,"io.modelcontextprotocol/clientCapabilities":{}}`...)
	return b
}

// callBody renders a tools/call request.
func (t *target) callBody(b []byte, e era, id int, tl *tool, w, seq int) []byte {
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `,"method":"tools/call","params":{"name":"`...)
	b = append(b, tl.name...)
	b = append(b, `","arguments":`...)
	b = tl.args(b, w, seq)
	if e == eraStateless {
		b = t.meta(append(b, ','))
	}
	return append(b, "}}"...)
}

// listBody renders a stateless tools/list request.
func (t *target) listBody() []byte {
	b := t.meta([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{`))
	return append(b, "}}"...)
}

var initializeBody = []byte(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":` + clientInfo + `}}`)
var initializedBody = []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)

// openSession runs the 2025-11-25 handshake on c: initialize, then
// notifications/initialized; it returns the session id.
func (t *target) openSession(c *conn, r *response) (string, error) {
	dl := time.Now().Add(30 * time.Second)
	if err := c.do(t.head(eraSession, "", "", ""), initializeBody, dl, r); err != nil {
		return "", err
	}
	if r.status != 200 || r.sessionID == "" {
		return "", fmt.Errorf("initialize: HTTP %d, session id %q: %.200s", r.status, r.sessionID, r.body)
	}
	sid := r.sessionID
	if err := c.do(t.head(eraSession, "", "", sid), initializedBody, dl, r); err != nil {
		return "", err
	}
	if r.status != 202 && r.status != 200 && r.status != 204 {
		return "", fmt.Errorf("notifications/initialized: HTTP %d: %.200s", r.status, r.body)
	}
	return sid, nil
}

var (
	isErrorTrue = []byte(`"isError":true`)
	rpcError    = []byte(`"error":{`)
	resultKey   = []byte(`"result"`)
)

// check returns "" for a successful tools/call (or tools/list) response and
// otherwise what went wrong.
func check(r *response) string {
	switch {
	case r.status != 200:
		return fmt.Sprintf("HTTP %d: %.300s", r.status, r.body)
	case bytes.Contains(r.body, isErrorTrue):
		return fmt.Sprintf("tool error: %.300s", r.body)
	case bytes.Contains(r.body, rpcError):
		return fmt.Sprintf("JSON-RPC error: %.300s", r.body)
	case !bytes.Contains(r.body, resultKey):
		return fmt.Sprintf("no result: %.300s", r.body)
	}
	return ""
}

// The tools the generator calls.

func customerDetailTool() *tool {
	return &tool{name: "get_customer_detail", args: func(b []byte, w, seq int) []byte {
		b = append(b, `{"customer_id":`...)
		b = strconv.AppendInt(b, int64(1+(w*7919+seq)%250), 10)
		return append(b, '}')
	}}
}

var searchQueries = []string{"roaming charges abroad", "late payment fee", "refund policy", "unlock account", "data overage",
	"autopay discount", "SLA credit outage", "cancel subscription", "international calls", "slow internet speed"}

func searchTool() *tool {
	return &tool{name: "search_knowledge_base", args: func(b []byte, w, seq int) []byte {
		b = append(b, `{"query":"`...)
		b = append(b, searchQueries[(w*3+seq)%len(searchQueries)]...)
		return append(b, `"}`...)
	}}
}

// payTool pays one cent on the given invoices (each topped up beforehand to
// hold far more than a run can pay), with a fresh idempotency key per call:
// run and point make the key unique across runs and points.
func payTool(invoices []int64, run string, point int) *tool {
	return &tool{name: "pay_invoice", args: func(b []byte, w, seq int) []byte {
		b = append(b, `{"invoice_id":`...)
		b = strconv.AppendInt(b, invoices[(w*31+seq)%len(invoices)], 10)
		b = append(b, `,"amount":0.01,"method":"credit_card","idempotency_key":"bench-`...)
		b = append(b, run...)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(point), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(w), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(seq), 10)
		return append(b, `"}`...)
	}}
}
