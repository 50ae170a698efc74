package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/mcpwire/wiretest"
)

// TestGatewayCutsOffSlowBodies: headers, then a body byte every 200 ms:
// with a token the client gets 408 once timeouts.read_body has passed and
// the connection closes (the probe's client never got the 400 the gateway
// logged, and its connection stayed open); without a token it gets its 401
// before sending the body. Nothing reaches the backend.
func TestGatewayCutsOffSlowBodies(t *testing.T) {
	b := newFakeBackend(t, "contoso")
	g := startGateway(t, twoRoutes(b.url(), b.url()), "timeouts: {read_body: 1s}")
	u, _ := url.Parse(g.url)
	a := wiretest.SlowPost(t, u.Host, "/contoso-mcp", 500, 200*time.Millisecond, 20*time.Second, "Authorization: Bearer "+g.token(t, "contoso", "agent"))
	if a.Status != 408 || !a.Closed || a.After > 8*time.Second || !strings.Contains(a.Body, "did not arrive within 1s") {
		t.Errorf("slow body with a token: %+v", a)
	}
	a = wiretest.SlowPost(t, u.Host, "/contoso-mcp", 500, 200*time.Millisecond, 20*time.Second)
	if a.Status != 401 || !a.Closed || a.Sent > 2 {
		t.Errorf("slow body without a token: %+v", a)
	}
	if n := b.count(); n != 0 {
		t.Errorf("%d requests reached the backend", n)
	}
}

// TestGatewayCountsWhatTheBackendExecutes: the probe's request, a body
// naming pay_invoice as name and get_promotions as Name, let 8 payments
// through a per-tool limit of burst 3, since the gateway read the second
// and the backend executes the first. Such bodies, and repeated MCP
// headers, are refused now; plain calls are limited as configured.
func TestGatewayCountsWhatTheBackendExecutes(t *testing.T) {
	b := newFakeBackend(t, "contoso")
	routes := fmt.Sprintf(`  - path: /contoso-mcp
    tenants: [contoso]
    backends: [%s]
    limits:
      rate_per_second: 100
      burst: 100
      methods: [{method: tools/call, name: pay_invoice, rate_per_second: 0.01, burst: 3}]
`, b.url())
	g := startGateway(t, routes, "")
	tok := g.token(t, "contoso", "agent")
	url := g.url + "/contoso-mcp"
	session := []string{"Mcp-Protocol-Version", "2025-11-25"}
	tricks := map[string]string{
		"name and Name":     `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","Name":"get_promotions","arguments":{"invoice_id":1,"amount":1}}}`,
		"Name and name":     `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"Name":"get_promotions","name":"pay_invoice","arguments":{"invoice_id":1,"amount":1}}}`,
		"method and Method": `{"jsonrpc":"2.0","id":1,"method":"tools/call","Method":"tools/list","params":{"name":"pay_invoice","arguments":{"invoice_id":1,"amount":1}}}`,
		"name twice":        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_promotions","name":"pay_invoice","arguments":{}}}`,
		"second message":    `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","arguments":{}}}{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_promotions"}}`,
	}
	for name, body := range tricks {
		for i := range 8 {
			if resp := post(t, url, tok, body, session...); resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%s #%d: %d, want 400", name, i, resp.StatusCode)
			}
		}
	}
	pay := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","arguments":{"invoice_id":1,"amount":1}}}`
	for _, h := range [][]string{
		{"Mcp-Method", "tools/call", "Mcp-Method", "tools/list"},
		{"Mcp-Name", "pay_invoice", "Mcp-Name", "get_promotions"},
		{"Mcp-Protocol-Version", "2025-11-25", "Mcp-Protocol-Version", "2026-07-28"},
		{"Origin", "http://127.0.0.1", "Origin", "https://evil.example"},
	} {
		if resp := post(t, url, tok, pay, h...); resp.StatusCode != http.StatusBadRequest || !strings.Contains(readAll(t, resp), "more than once") {
			t.Errorf("%s twice: %d", h[0], resp.StatusCode)
		}
	}
	if n := b.count(); n != 0 {
		t.Fatalf("%d refused requests reached the backend", n)
	}
	passed := 0
	for range 8 {
		switch resp := post(t, url, tok, pay, session...); resp.StatusCode {
		case http.StatusOK:
			passed++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("pay_invoice: %d", resp.StatusCode)
		}
	}
	if passed != 3 || b.count() != 3 {
		t.Errorf("%d of 8 payments passed a limit of burst 3 (%d at the backend)", passed, b.count())
	}
}

// TestGatewayRefusesQueryTokensAndLongNames: a token in the query string in
// another case or encoding is refused like access_token; a tool name no
// tool can have (900,000 characters) is refused without being echoed or
// logged whole. Nothing reaches the backend.
func TestGatewayRefusesQueryTokensAndLongNames(t *testing.T) {
	b := newFakeBackend(t, "contoso")
	g := startGateway(t, twoRoutes(b.url(), b.url()), "")
	tok := g.token(t, "contoso", "agent")
	for _, q := range []string{"Access_Token=x", "ACCESS_TOKEN=x", "a=1&Id_Token=x", "access%5Ftoken=x", "TOKEN=x"} {
		resp := post(t, g.url+"/contoso-mcp?"+q, tok, callBody)
		if body := readAll(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "query string") {
			t.Errorf("?%s: %d %s", q, resp.StatusCode, body)
		}
	}
	long := strings.Repeat("p", 900000)
	resp := post(t, g.url+"/contoso-mcp", tok, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"`+long+`"}}`)
	if body := readAll(t, resp); resp.StatusCode != http.StatusBadRequest || len(body) > 400 {
		t.Errorf("a 900,000-character name: %d %.300s", resp.StatusCode, body)
	}
	for _, line := range strings.Split(g.logs.String(), "\n") {
		if len(line) > 2000 {
			t.Errorf("a log line of %d bytes", len(line))
		}
	}
	if n := b.count(); n != 0 {
		t.Errorf("%d refused requests reached the backend", n)
	}
}
