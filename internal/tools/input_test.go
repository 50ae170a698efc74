package tools

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/store/sqlite"
	"github.com/contoso/contoso-mcp/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The tests of issue 11 (input validation) call the tools through a real
// go-sdk client over in-memory transports, against a SQLite file holding
// storetest's fixture: invoice 2 owes 100.00, invoice 5 owes 100.00,
// invoice 6 owes 95.50; customer 2 holds subscription 5.

var inputNow = time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)

type toolsFixture struct {
	store    contoso.Store
	client   *mcp.ClientSession
	handlers map[string]mcp.ToolHandler
}

func newToolsFixture(t *testing.T) *toolsFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "contoso.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: "tools-test", Version: "1"}, nil)
	handlers := NewSet().Register(srv, Env{
		Store:            func(context.Context, *mcp.CallToolRequest) (contoso.Store, error) { return st, nil },
		Now:              func() time.Time { return inputNow },
		TroubleshootStep: time.Microsecond,
	}, contoso.AllRights)
	ct, sst := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, sst, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return &toolsFixture{store: st, client: cs, handlers: handlers}
}

// call sends the arguments exactly as written (raw JSON text, so that the
// number text is the caller's, not a float's).
func (f *toolsFixture) call(t *testing.T, tool, args string) *mcp.CallToolResult {
	t.Helper()
	res, err := f.client.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: json.RawMessage(args)})
	if err != nil {
		t.Fatalf("%s %s: protocol error: %v", tool, args, err)
	}
	return res
}

func (f *toolsFixture) fingerprint(t *testing.T) map[string]string {
	t.Helper()
	fp, err := f.store.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func structured(t *testing.T, res *mcp.CallToolResult, out any) {
	t.Helper()
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
}

type refusal struct {
	name, tool, args string
	want             []string // parts of the error message
}

// refuses calls each case, which must be a tool error whose message holds
// every wanted part and no part of the arguments' strings, and must change
// nothing in the store.
func (f *toolsFixture) refuses(t *testing.T, cases []refusal) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.fingerprint(t)
			res := f.call(t, c.tool, c.args)
			msg := resultText(res)
			if !res.IsError {
				t.Fatalf("%s %s succeeded (%s); want a tool error", c.tool, c.args, msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			for _, bad := range []string{"\x00", "\x1b", "\u202e", "\u2066", "\u200b", "\r", "\ufeff"} {
				if strings.Contains(msg, bad) {
					t.Errorf("error %q repeats a control or formatting character %q", msg, bad)
				}
			}
			if d := cmp.Diff(before, f.fingerprint(t)); d != "" {
				t.Errorf("the refused call changed the data:\n%s", d)
			}
		})
	}
}

const amountRule = "amount must be a positive amount in whole cents, e.g. 12.34"

// TestPayInvoiceAmountsExact: amounts are checked on the decimal text sent.
// Before the fix 1e-9, 1e-8 and 0.0000000001 were recorded as payments of
// $0.00, and 1e400 was "arguments must be a JSON object".
func TestPayInvoiceAmountsExact(t *testing.T) {
	f := newToolsFixture(t)
	f.refuses(t, []refusal{
		{"1e-9", "pay_invoice", `{"invoice_id":2,"amount":1e-9}`, []string{amountRule, "fraction of a cent"}},
		{"1e-8", "pay_invoice", `{"invoice_id":2,"amount":1e-8}`, []string{amountRule}},
		{"0.0000000001", "pay_invoice", `{"invoice_id":2,"amount":0.0000000001}`, []string{amountRule}},
		{"10.505", "pay_invoice", `{"invoice_id":2,"amount":10.505}`, []string{amountRule, "fraction of a cent"}},
		{"10.500000000000000001", "pay_invoice", `{"invoice_id":2,"amount":10.500000000000000001}`, []string{amountRule}},
		{"1.0000000001", "pay_invoice", `{"invoice_id":2,"amount":1.0000000001,"method":"ach"}`, []string{amountRule}},
		{"1e-400", "pay_invoice", `{"invoice_id":2,"amount":1e-400}`, []string{amountRule}},
		{"0", "pay_invoice", `{"invoice_id":2,"amount":0}`, []string{amountRule, "greater than 0"}},
		{"-0.0", "pay_invoice", `{"invoice_id":2,"amount":-0.0}`, []string{amountRule, "greater than 0"}},
		{"-1", "pay_invoice", `{"invoice_id":2,"amount":-1}`, []string{amountRule, "greater than 0"}},
		{"1e400", "pay_invoice", `{"invoice_id":2,"amount":1e400}`, []string{amountRule, "at most 100000"}},
		{"1e999999999999", "pay_invoice", `{"invoice_id":2,"amount":1e999999999999}`, []string{amountRule, "at most 100000"}},
		{"100000.01", "pay_invoice", `{"invoice_id":2,"amount":100000.01}`, []string{amountRule, "at most 100000"}},
		{"NaN as a string", "pay_invoice", `{"invoice_id":2,"amount":"NaN"}`, []string{amountRule, "must be a number"}},
		{"Infinity as a string", "pay_invoice", `{"invoice_id":2,"amount":"Infinity"}`, []string{amountRule, "must be a number"}},
		{"a numeric string", "pay_invoice", `{"invoice_id":2,"amount":"10.50"}`, []string{amountRule, "must be a number"}},
		{"null", "pay_invoice", `{"invoice_id":2,"amount":null}`, []string{amountRule, "must be a number"}},
		{"above what is owed", "pay_invoice", `{"invoice_id":6,"amount":95.51}`, []string{"exceeds"}},
	})

	for _, c := range []struct{ name, amount, cents string }{
		{"10.5", "10.5", "10.50"},
		{"10.50", "10.50", "10.50"},
		{"1.05e1", "1.05e1", "10.50"},
		{"1050e-2", "1050e-2", "10.50"},
		{"0.07 (not a multiple of 0.01 in floating point)", "0.07", "0.07"},
		{"3", "3", "3.00"},
	} {
		t.Run("accepts "+c.name, func(t *testing.T) {
			res := f.call(t, "pay_invoice", `{"invoice_id":5,"amount":`+c.amount+`}`)
			if res.IsError {
				t.Fatalf("refused: %s", resultText(res))
			}
			var out PaymentOutput
			structured(t, res, &out)
			if got := money(out.Payment.Amount); got != "$"+c.cents {
				t.Errorf("recorded %s, want $%s", got, c.cents)
			}
		})
	}
}

// TestNumbersExact: every number input is checked on its text: ids and
// counts are whole numbers within bounds, quantities have their decimals.
func TestNumbersExact(t *testing.T) {
	f := newToolsFixture(t)
	f.refuses(t, []refusal{
		{"id 1.0000000001", "get_customer_detail", `{"customer_id":1.0000000001}`, []string{"customer_id must be a whole number"}},
		{"id 1.0000000000000001 (1 as a float)", "get_invoice_payments", `{"invoice_id":1.0000000000000001}`, []string{"invoice_id must be a whole number"}},
		{"id 1e20", "get_customer_detail", `{"customer_id":1e20}`, []string{"customer_id must be at most 9007199254740991"}},
		{"id 9007199254740992", "get_subscription_detail", `{"subscription_id":9007199254740992}`, []string{"at most 9007199254740991"}},
		{"id 1e400", "get_product_detail", `{"product_id":1e400}`, []string{"product_id must be at most"}},
		{"id 1.5", "pay_invoice", `{"invoice_id":1.5,"amount":1}`, []string{"invoice_id must be a whole number"}},
		{"id -1", "unlock_account", `{"customer_id":-1}`, []string{"customer_id must be at least 1"}},
		{"topk 3.5", "search_knowledge_base", `{"query":"roaming","topk":3.5}`, []string{"topk must be a whole number"}},
		{"topk 1e9", "search_knowledge_base", `{"query":"roaming","topk":1e9}`, []string{"topk must be at most 20"}},
		{"topk 1e400", "search_knowledge_base", `{"query":"roaming","topk":1e400}`, []string{"topk must be at most 20"}},
		{"data cap 1e-9", "update_subscription", `{"subscription_id":1,"data_cap_gb":1e-9}`, []string{"data_cap_gb has more than two decimals", "data_cap_gb must be a positive number of GB"}},
		{"data cap 2.333", "update_subscription", `{"subscription_id":1,"data_cap_gb":2.333}`, []string{"data_cap_gb has more than two decimals"}},
		{"data cap 0", "update_subscription", `{"subscription_id":1,"data_cap_gb":0}`, []string{"data_cap_gb must be greater than 0"}},
		{"data cap 1e400", "update_subscription", `{"subscription_id":1,"data_cap_gb":1e400}`, []string{"data_cap_gb must be at most 100000"}},
		{"product id 2.5", "update_subscription", `{"subscription_id":1,"product_id":2.5}`, []string{"product_id must be a whole number"}},
		{"rate 0.001", "rerate_usage", `{"start_date":"2025-05-01","end_date":"2025-05-19","rate_per_gb":0.001}`, []string{"rate_per_gb has a fraction of a cent"}},
		{"batch size 2.5", "rerate_usage", `{"start_date":"2025-05-01","end_date":"2025-05-19","batch_size":2.5}`, []string{"batch_size must be a whole number"}},
		{"unknown argument with a huge number", "get_products", `{"n":1e400}`, []string{`unknown argument "n"`}},
	})

	t.Run("accepts whole numbers written with decimals or exponents", func(t *testing.T) {
		for _, args := range []string{`{"customer_id":1.0}`, `{"customer_id":1e0}`, `{"customer_id":0.1e1}`} {
			res := f.call(t, "get_customer_detail", args)
			if res.IsError {
				t.Fatalf("%s refused: %s", args, resultText(res))
			}
		}
		res := f.call(t, "search_knowledge_base", `{"query":"roaming","topk":2.0}`)
		if res.IsError {
			t.Fatalf("topk 2.0 refused: %s", resultText(res))
		}
	})
	t.Run("accepts a data cap of two decimals", func(t *testing.T) {
		res := f.call(t, "update_subscription", `{"subscription_id":1,"data_cap_gb":2.5e1}`)
		if res.IsError {
			t.Fatalf("refused: %s", resultText(res))
		}
		var out SubscriptionOutput
		structured(t, res, &out)
		if out.Subscription.DataCapGB == nil || *out.Subscription.DataCapGB != 25 {
			t.Errorf("data cap = %v, want 25", out.Subscription.DataCapGB)
		}
	})
}

// TestTextInputs: every string input refuses control characters (a
// multi-line one admits line feeds and tabs), bidi controls, zero-width
// characters and broken encodings, and counts its length in characters.
func TestTextInputs(t *testing.T) {
	f := newToolsFixture(t)
	ticket := func(subject, description string) string {
		b, err := json.Marshal(map[string]any{"customer_id": 2, "subscription_id": 5, "category": "billing", "priority": "low",
			"subject": subject, "description": description})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const single, multi, invisible, utf = "must be a single line", "line breaks (\\n) and tabs but no other control characters",
		"invisible formatting characters", "valid UTF-8"
	f.refuses(t, []refusal{
		{"NUL in a subject", "create_support_ticket", ticket("a\x00b", "d"), []string{"subject " + single}},
		{"ESC sequence in a subject", "create_support_ticket", ticket("\x1b[2J\x1b[31mred", "d"), []string{"subject " + single}},
		{"CR LF in a subject", "create_support_ticket", ticket("one\r\ntwo", "d"), []string{"subject " + single}},
		{"LF in a subject", "create_support_ticket", ticket("one\ntwo", "d"), []string{"subject " + single}},
		{"tab in a subject", "create_support_ticket", ticket("one\ttwo", "d"), []string{"subject " + single}},
		{"RLO in a subject", "create_support_ticket", ticket("invoice \u202Efdp.exe", "d"), []string{"subject must not contain " + invisible}},
		{"isolates in a description", "create_support_ticket", ticket("s", "a \u2066b\u2069 c"), []string{"description must not contain " + invisible}},
		{"FSI in a description", "create_support_ticket", ticket("s", "a \u2068b"), []string{"description must not contain " + invisible}},
		{"zero-width space in a subject", "create_support_ticket", ticket("re\u200Bfund", "d"), []string{"subject must not contain " + invisible}},
		{"BOM in a description", "create_support_ticket", ticket("s", "\uFEFFtext"), []string{"description must not contain " + invisible}},
		{"CR in a description", "create_support_ticket", ticket("s", "one\rtwo"), []string{"description may contain " + multi}},
		{"ESC in a description", "create_support_ticket", ticket("s", "one\x1b]0;title\x07"), []string{"description may contain " + multi}},
		{"NUL in a description", "create_support_ticket", ticket("s", "a\x00"), []string{"description may contain " + multi}},
		{"lone surrogate in a subject", "create_support_ticket", `{"customer_id":2,"subscription_id":5,"category":"billing","priority":"low","subject":"a\ud800b","description":"d"}`, []string{"subject must be " + utf}},
		{"invalid UTF-8 bytes in a description", "create_support_ticket", "{\"customer_id\":2,\"subscription_id\":5,\"category\":\"billing\",\"priority\":\"low\",\"subject\":\"s\",\"description\":\"a\xff\xfeb\"}", []string{"description must be " + utf}},
		{"201 characters of subject", "create_support_ticket", ticket(strings.Repeat("é", 201), "d"), []string{"subject must be at most 200 characters"}},
		{"4001 characters of description", "create_support_ticket", ticket("s", strings.Repeat("😀", 4001)), []string{"description must be at most 4000 characters"}},
		{"only spaces in a subject", "create_support_ticket", ticket("   ", "d"), []string{"subject must not be empty"}},
		{"ESC in a device name", "trouble_shoot_device", `{"device_name":"router\u001b[1m","detail":"slow"}`, []string{"device_name " + single}},
		{"LF in a device name", "trouble_shoot_device", `{"device_name":"router\n1","detail":"slow"}`, []string{"device_name " + single}},
		{"RLO in a detail", "trouble_shoot_device", `{"device_name":"router-1","detail":"slow \u202E"}`, []string{"detail must not contain " + invisible}},
		{"CR in a detail", "trouble_shoot_device", `{"device_name":"router-1","detail":"slow\r"}`, []string{"detail may contain " + multi}},
		{"LF in a query", "search_knowledge_base", `{"query":"roaming\nrefund"}`, []string{"query " + single}},
		{"zero-width joiner in a query", "search_knowledge_base", `{"query":"roam\u200Ding"}`, []string{"query must not contain " + invisible}},
		{"501 characters of query", "search_knowledge_base", `{"query":"` + strings.Repeat("é", 501) + `"}`, []string{"query must be at most 500 characters"}},
		{"ESC in an idempotency key", "pay_invoice", `{"invoice_id":2,"amount":1,"idempotency_key":"k\u001b"}`, []string{"idempotency_key " + single}},
		{"RLO in an idempotency key", "pay_invoice", `{"invoice_id":2,"amount":1,"idempotency_key":"k\u202e"}`, []string{"idempotency_key must not contain " + invisible}},
		{"ESC in a method", "pay_invoice", `{"invoice_id":2,"amount":1,"method":"ach\u001b"}`, []string{"method " + single}},
		{"NUL in a category", "get_products", `{"category":"mobile\u0000"}`, []string{"category " + single}},
		{"LF after a date", "get_data_usage", `{"subscription_id":1,"start_date":"2025-05-01\n","end_date":"2025-05-02"}`, []string{"start_date " + single}},
		{"RLO in a date", "rerate_usage", `{"start_date":"2025-05-01","end_date":"\u202e2025-05-02"}`, []string{"end_date must not contain " + invisible}},
		{"non-date start of a subscription", "update_subscription", `{"subscription_id":1,"start_date":"yesterday"}`, []string{"start_date must be a date in YYYY-MM-DD form"}},
		{"ESC in a speed tier", "update_subscription", `{"subscription_id":1,"speed_tier":"1Gbps\u001b[0m"}`, []string{"speed_tier " + single}},
		{"33 characters of speed tier", "update_subscription", `{"subscription_id":1,"speed_tier":"` + strings.Repeat("9", 33) + `"}`, []string{"speed_tier must be at most 32 characters"}},
		{"NUL in a loyalty level", "rerate_usage", `{"start_date":"2025-05-01","end_date":"2025-05-02","loyalty_level":"Gold\u0000"}`, []string{"loyalty_level " + single}},
	})

	t.Run("accepts 200 é, 200 emoji and a multi-line description", func(t *testing.T) {
		for _, subject := range []string{strings.Repeat("é", 200), strings.Repeat("😀", 200), strings.Repeat("😀", 51)} {
			description := "First line.\n\tSecond line, tabbed. " + strings.Repeat("é", 3900)
			res := f.call(t, "create_support_ticket", ticket(subject, description))
			if res.IsError {
				t.Fatalf("refused: %s", resultText(res))
			}
			var out TicketOutput
			structured(t, res, &out)
			if out.Ticket.Subject != subject || out.Ticket.Description != description {
				t.Errorf("stored subject or description differs from what was sent")
			}
		}
	})
}

// payAs calls pay_invoice's handler as the server does for a verified
// caller: the request carries the principal's key as TokenInfo.UserID (the
// in-memory transport carries no token).
func (f *toolsFixture) payAs(t *testing.T, principal, args string) *mcp.CallToolResult {
	t.Helper()
	req := &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Name: "pay_invoice", Arguments: json.RawMessage(args)},
		Extra: &mcp.RequestExtra{TokenInfo: &auth.TokenInfo{UserID: principal}}}
	res, err := f.handlers["pay_invoice"](context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestPayInvoiceIdempotencyKeyBound: a key replays only for the principal,
// invoice, amount and method of its first payment. Before the fix, another
// principal of the tenant, or another method, replayed the first payment.
func TestPayInvoiceIdempotencyKeyBound(t *testing.T) {
	f := newToolsFixture(t)
	const alice, bob = "3:iss|7:contoso|7:contoso|5:alice", "3:iss|7:contoso|7:contoso|3:bob"
	const first = `{"invoice_id":2,"amount":10.00,"method":"paypal","idempotency_key":"retry-1"}`
	res := f.payAs(t, alice, first)
	if res.IsError {
		t.Fatalf("first payment refused: %s", resultText(res))
	}
	var original PaymentOutput
	structured(t, res, &original)

	const reused = "idempotency key already used for a different payment"
	for _, c := range []struct{ name, principal, args string }{
		{"another principal of the tenant", bob, first},
		{"the local principal", "", first},
		{"another method", alice, `{"invoice_id":2,"amount":10,"method":"ach","idempotency_key":"retry-1"}`},
		{"the default method", alice, `{"invoice_id":2,"amount":10,"idempotency_key":"retry-1"}`},
		{"another amount", alice, `{"invoice_id":2,"amount":10.01,"method":"paypal","idempotency_key":"retry-1"}`},
		{"another invoice", alice, `{"invoice_id":5,"amount":10,"method":"paypal","idempotency_key":"retry-1"}`},
		{"an unknown invoice", alice, `{"invoice_id":999,"amount":10,"method":"paypal","idempotency_key":"retry-1"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := f.fingerprint(t)
			res := f.payAs(t, c.principal, c.args)
			if msg := resultText(res); !res.IsError || !strings.Contains(msg, reused) || strings.Contains(msg, "paypal") {
				t.Errorf("got %q (isError %v); want a tool error saying %q and nothing of the first payment", msg, res.IsError, reused)
			}
			if d := cmp.Diff(before, f.fingerprint(t)); d != "" {
				t.Errorf("the refused call changed the data:\n%s", d)
			}
		})
	}

	t.Run("an exact repeat by the same principal replays the original result", func(t *testing.T) {
		if res := f.payAs(t, bob, `{"invoice_id":2,"amount":20}`); res.IsError {
			t.Fatalf("a later payment without a key: %s", resultText(res))
		}
		before := f.fingerprint(t)
		// The same amount written otherwise is the same payment.
		res := f.payAs(t, alice, `{"invoice_id":2,"amount":1e1,"method":"paypal","idempotency_key":"retry-1"}`)
		if res.IsError {
			t.Fatalf("replay refused: %s", resultText(res))
		}
		var again PaymentOutput
		structured(t, res, &again)
		want := original
		want.Replayed = true
		if d := cmp.Diff(want, again); d != "" {
			t.Errorf("replay differs from the original result (-want +got):\n%s", d)
		}
		if !strings.Contains(resultText(res), "Already recorded") {
			t.Errorf("summary %q does not say the payment was already recorded", resultText(res))
		}
		if d := cmp.Diff(before, f.fingerprint(t)); d != "" {
			t.Errorf("the replay changed the data:\n%s", d)
		}
	})
}

// TestUnknownArgumentNamesBounded: argument names the tool does not take
// are repeated quoted, three at most, and only when short: a name of 1,000
// characters, or an escape sequence, does not come back in the answer.
func TestUnknownArgumentNamesBounded(t *testing.T) {
	got := (&argumentSchema{schema: &jsonschema.Schema{Properties: map[string]*jsonschema.Schema{"customer_id": {}}}}).
		unknown([]string{strings.Repeat("A", 1000), "\x1b[31mred", "b", "c", "d"})
	want := `unknown argument (a name of over 64 characters), "\x1b[31mred", "b" and 2 more; this tool takes customer_id`
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
