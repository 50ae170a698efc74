package mcpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/contoso/contoso-mcp/internal/tools"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// callRaw sends arguments exactly as written, so that numbers reach the
// server as the caller wrote them.
func callRaw(t *testing.T, cs *mcp.ClientSession, tool, args string) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: json.RawMessage(args)})
	if err != nil {
		t.Fatalf("%s %s: protocol error: %v", tool, args, err)
	}
	return res
}

// TestInputRulesOverHTTP (issue 11): over HTTP, through the fast path and
// through the go-sdk, in both protocol eras, with verified callers:
// amounts are checked on the number text sent (1e-9, 10.505 and 1e300 are
// refused, 1.05e1 is $10.50), text with control or bidi characters is
// refused, and an idempotency key is bound to the principal that used it:
// another agent of the same tenant, or the same agent with another method,
// is refused; the same agent's exact retry replays. Nothing refused changes
// the data.
func TestInputRulesOverHTTP(t *testing.T) {
	for _, path := range []struct {
		name    string
		sdkOnly bool
	}{{"fast-path", false}, {"go-sdk", true}} {
		for _, tr := range []transport{httpLegacy, httpCurrent} {
			t.Run(path.name+"/"+string(tr), func(t *testing.T) {
				f := newFixtureWith(t, nil, fixtureOptions{sdkOnly: path.sdkOnly})
				alice := f.connectAs(t, tr, f.token(t, "contoso", "agent-alice", "query", "admin"))
				bob := f.connectAs(t, tr, f.token(t, "contoso", "agent-bob", "query", "admin"))
				john := scenario(1)
				inv := findLatestInvoice(t, f.store, john) // $100 outstanding
				before, err := f.store.Fingerprint(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				pay := func(amount string, extra string) string {
					return fmt.Sprintf(`{"invoice_id":%d,"amount":%s%s}`, inv, amount, extra)
				}
				ticket := func(subject, description string) string {
					b, _ := json.Marshal(map[string]any{"customer_id": john, "subscription_id": john, "category": "billing",
						"priority": "low", "subject": subject, "description": description})
					return string(b)
				}
				for _, c := range []struct{ name, tool, args, want string }{
					{"amount 1e-9", "pay_invoice", pay("1e-9", ""), "amount must be a positive amount in whole cents, e.g. 12.34"},
					{"amount 10.505", "pay_invoice", pay("10.505", ""), "fraction of a cent"},
					// (1e400 itself is tested in package tools: the go-sdk client
					// cannot name the tool in Mcp-Name for arguments that do not
					// fit a float, so the 2026-07-28 transport refuses to send it.)
					{"amount 1e300", "pay_invoice", pay("1e300", ""), "amount must be at most 100000"},
					{"id 1e20", "get_customer_detail", `{"customer_id":1e20}`, "customer_id must be at most"},
					{"ESC in a subject", "create_support_ticket", ticket("\x1b[2Jhi", "d"), "subject must be a single line"},
					{"RLO in a description", "create_support_ticket", ticket("s", "abc\u202Efed"), "description must not contain invisible formatting characters"},
				} {
					res := callRaw(t, alice, c.tool, c.args)
					if msg := text(res); !res.IsError || !strings.Contains(msg, c.want) {
						t.Errorf("%s: got %q (isError %v); want a tool error saying %q", c.name, msg, res.IsError, c.want)
					}
				}
				after, err := f.store.Fingerprint(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(before, after); d != "" {
					t.Errorf("refused calls changed the data:\n%s", d)
				}

				var first, again tools.PaymentOutput
				decode(t, callRaw(t, alice, "pay_invoice", pay("1.05e1", `,"method":"paypal","idempotency_key":"k-http"`)), &first)
				if first.Replayed || first.Payment.Amount != 10.5 || first.OutstandingAfter != 89.5 {
					t.Fatalf("first payment = %+v; want $10.50, 100 -> 89.50", first)
				}
				for _, c := range []struct {
					name string
					cs   *mcp.ClientSession
					args string
				}{
					{"another agent of the tenant", bob, pay("10.50", `,"method":"paypal","idempotency_key":"k-http"`)},
					{"another method", alice, pay("10.50", `,"method":"ach","idempotency_key":"k-http"`)},
				} {
					res := callRaw(t, c.cs, "pay_invoice", c.args)
					if msg := text(res); !res.IsError || !strings.Contains(msg, "idempotency key already used for a different payment") {
						t.Errorf("%s: got %q (isError %v); want the key refused", c.name, msg, res.IsError)
					}
				}
				decode(t, callRaw(t, alice, "pay_invoice", pay("10.5", `,"method":"paypal","idempotency_key":"k-http"`)), &again)
				first.Replayed = true
				if d := cmp.Diff(first, again); d != "" {
					t.Errorf("the retry is not the first result replayed (-want +got):\n%s", d)
				}
				var ip tools.InvoicePayments
				call(t, alice, "get_invoice_payments", map[string]any{"invoice_id": inv}, &ip)
				if ip.Outstanding != 89.5 {
					t.Errorf("outstanding %.2f after one payment of 10.50 and refused or replayed ones; want 89.50", ip.Outstanding)
				}
			})
		}
	}
}
