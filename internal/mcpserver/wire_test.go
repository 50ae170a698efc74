package mcpserver_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestServeRefusesWhatItCouldReadOtherwise: the probe's bodies, which name
// one tool or method in one spelling and another in another case, repeat a
// member, or carry a second message, are refused (400) in both eras, on the
// fast path and the SDK path, and change nothing; so are repeated MCP
// headers and tokens in the query string in any case.
func TestServeRefusesWhatItCouldReadOtherwise(t *testing.T) {
	for _, sdkOnly := range []bool{false, true} {
		for _, era := range []string{"2025-11-25", "2026-07-28"} {
			t.Run(fmt.Sprintf("%s/sdkOnly=%v", era, sdkOnly), func(t *testing.T) {
				f := newFixtureWith(t, nil, fixtureOptions{sdkOnly: sdkOnly})
				url := f.endpoint(t)
				full := f.token(t, "contoso", "agent-1", "query", "admin", "security")
				inv := findLatestInvoice(t, f.store, scenario(1))
				h := map[string]string{"Authorization": "Bearer " + full}
				meta := ""
				if era == "2026-07-28" {
					h["Mcp-Protocol-Version"], h["Mcp-Method"], h["Mcp-Name"] = era, "tools/call", "pay_invoice"
					meta = `,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}`
				} else {
					h["Mcp-Session-Id"], h["Mcp-Protocol-Version"] = openSession(t, f, full), era
				}
				args := fmt.Sprintf(`"arguments":{"invoice_id":%d,"amount":1}`, inv)
				bodies := map[string]string{
					"name and Name":        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","Name":"get_promotions",` + args + meta + `}}`,
					"Name and name":        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"Name":"get_promotions","name":"pay_invoice",` + args + meta + `}}`,
					"method and Method":    `{"jsonrpc":"2.0","id":1,"method":"tools/call","Method":"tools/list","params":{"name":"pay_invoice",` + args + meta + `}}`,
					"name twice":           `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_promotions","name":"pay_invoice",` + args + meta + `}}`,
					"amount and Amount":    fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","arguments":{"invoice_id":%d,"amount":1,"Amount":2}`+meta+`}}`, inv),
					"a second message":     `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice",` + args + meta + `}}{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
					"a name over 128":      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + strings.Repeat("p", 900000) + `","arguments":{}` + meta + `}}`,
					"a method over 128":    `{"jsonrpc":"2.0","id":1,"method":"` + strings.Repeat("m", 900000) + `"}`,
					"Arguments in another": `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","Arguments":{}` + meta + `}}`,
				}
				before, err := f.store.Fingerprint(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				for name, body := range bodies {
					resp, text := postRaw(t, url, body, h)
					// Refused for what the body is, before any header check.
					if resp.StatusCode != http.StatusBadRequest || len(text) > 400 || strings.Contains(text, "-32020") {
						t.Errorf("%s: HTTP %d: %.300s", name, resp.StatusCode, text)
					}
				}
				pay := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice",` + args + meta + `}}`
				for _, k := range []string{"Mcp-Method", "Mcp-Name", "Mcp-Protocol-Version", "Origin", "Mcp-Session-Id"} {
					req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(pay))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Accept", "application/json, text/event-stream")
					for k, v := range h {
						req.Header.Set(k, v)
					}
					req.Header.Add(k, "tools/call")
					req.Header.Add(k, "pay_invoice")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusBadRequest {
						t.Errorf("%s twice: HTTP %d", k, resp.StatusCode)
					}
				}
				for _, q := range []string{"Access_Token=x", "ACCESS_TOKEN=x", "a=1&id_TOKEN=x", "access%5Ftoken=x", "a=1;Token=x"} {
					if resp, _ := postRaw(t, url+"?"+q, pay, h); resp.StatusCode != http.StatusBadRequest {
						t.Errorf("?%s: HTTP %d", q, resp.StatusCode)
					}
				}
				after, err := f.store.Fingerprint(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("refused requests changed data: %s", diff)
				}
				for _, line := range strings.Split(f.logs.String(), "\n") {
					if len(line) > 2000 {
						t.Errorf("a log line of %d bytes: %.200s", len(line), line)
					}
				}
				if resp, text := postRaw(t, url, pay, h); resp.StatusCode != 200 || !strings.Contains(text, "Recorded payment") {
					t.Errorf("the same call, spelt once: HTTP %d %.300s", resp.StatusCode, text)
				}
			})
		}
	}
}
