package mcpserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/tools"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestToolsListGolden pins tools/list: names, descriptions, schemas and
// annotations are the public contract, so every change shows in review.
func TestToolsListGolden(t *testing.T) {
	cs := newFixture(t, nil).connect(t, inMemory)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(res.Tools, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "tools_list.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("tools/list changed (-want +got); run go test ./internal/mcpserver -update if intended:\n%s", diff)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if tool.OutputSchema == nil || tool.Description == "" || tool.Annotations == nil || tool.Annotations.OpenWorldHint == nil || *tool.Annotations.OpenWorldHint {
			t.Errorf("%s: want an output schema, a description and openWorldHint false", tool.Name)
		}
	}
	wantNames := []string{"get_all_customers", "get_customer_detail", "get_subscription_detail", "get_invoice_payments",
		"get_data_usage", "get_promotions", "get_eligible_promotions", "search_knowledge_base", "get_security_logs",
		"get_customer_orders", "get_support_tickets", "get_products", "get_product_detail", "get_billing_summary",
		"pay_invoice", "create_support_ticket", "update_subscription", "unlock_account", "trouble_shoot_device", "rerate_usage"}
	slices.Sort(names)
	slices.Sort(wantNames)
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("tool names (-want +got):\n%s", diff)
	}
}

// validCalls has one successful call of every tool, against the seeded data;
// johnsInvoice is scenario 1's latest invoice.
func validCalls(johnsInvoice int64) []struct {
	tool string
	args map[string]any
} {
	john := scenario(1)
	return []struct {
		tool string
		args map[string]any
	}{
		{"get_all_customers", nil},
		{"get_customer_detail", map[string]any{"customer_id": 1}},
		{"get_subscription_detail", map[string]any{"subscription_id": john}},
		{"get_invoice_payments", map[string]any{"invoice_id": 1}},
		{"get_data_usage", map[string]any{"subscription_id": 1, "start_date": day(-10), "end_date": day(0)}},
		{"get_data_usage", map[string]any{"subscription_id": 1, "start_date": day(-10), "end_date": day(0), "aggregate": true}},
		{"get_promotions", nil},
		{"get_eligible_promotions", map[string]any{"customer_id": scenario(5)}},
		{"search_knowledge_base", map[string]any{"query": "refund", "topk": 5}},
		{"search_knowledge_base", map[string]any{"query": "zzzzqqqq"}},
		{"get_security_logs", map[string]any{"customer_id": scenario(4)}},
		{"get_customer_orders", map[string]any{"customer_id": scenario(6)}},
		{"get_support_tickets", map[string]any{"customer_id": scenario(7)}},
		{"get_products", nil},
		{"get_products", map[string]any{"category": "mobile"}},
		{"get_product_detail", map[string]any{"product_id": 1}},
		{"get_billing_summary", map[string]any{"customer_id": john}},
		{"pay_invoice", map[string]any{"invoice_id": johnsInvoice, "amount": 10, "method": "paypal"}},
		{"create_support_ticket", map[string]any{"customer_id": john, "subscription_id": john, "category": "billing", "priority": "normal", "subject": "Overage", "description": "Customer disputes the overage charge."}},
		{"update_subscription", map[string]any{"subscription_id": john, "roaming_enabled": true, "data_cap_gb": 50}},
		{"unlock_account", map[string]any{"customer_id": scenario(4)}},
		{"trouble_shoot_device", map[string]any{"device_name": "router-1", "detail": "no internet since this morning"}},
		{"rerate_usage", map[string]any{"start_date": day(-29), "end_date": day(-1), "dry_run": true}},
		{"rerate_usage", map[string]any{"start_date": day(-29), "end_date": day(-1), "loyalty_level": "Silver", "batch_size": 5}},
	}
}

func findLatestInvoice(t *testing.T, st contoso.Store, sub int64) int64 {
	t.Helper()
	invs, err := st.SubscriptionInvoices(context.Background(), sub)
	if err != nil || len(invs) == 0 {
		t.Fatalf("invoices of %d: %v", sub, err)
	}
	return invs[0].InvoiceID
}

// TestEveryToolMatchesItsOutputSchema calls every tool over every transport
// (in memory, HTTP 2025-11-25 with a session, HTTP 2026-07-28 stateless) and
// checks the structured content against the published outputSchema and
// that a readable text goes with it.
func TestEveryToolMatchesItsOutputSchema(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			f := newFixture(t, nil)
			inv := findLatestInvoice(t, f.store, scenario(1))
			cs := f.connect(t, tr)
			listed := listTools(t, cs)
			seen := map[string]bool{}
			for _, c := range validCalls(inv) {
				res := call(t, cs, c.tool, c.args, nil)
				checkOutputSchema(t, listed[c.tool], res)
				if len(res.Content) == 0 || text(res) == "" {
					t.Errorf("%s: no text content", c.tool)
				}
				seen[c.tool] = true
			}
			if len(seen) != len(listed) {
				t.Errorf("called %d of %d tools", len(seen), len(listed))
			}
		})
	}
}

// TestBadInputChangesNothing sends unknown ids, bad amounts, wrong types and
// unknown enum values; each must be a tool error that says what is wrong,
// and no table may change.
func TestBadInputChangesNothing(t *testing.T) {
	f := newFixture(t, nil)
	cs := f.connect(t, inMemory)
	ctx := context.Background()
	john := scenario(1)
	inv := findLatestInvoice(t, f.store, john) // $150, $100 outstanding
	before, err := f.store.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"get_customer_detail", map[string]any{"customer_id": 999999}, "999999"},
		{"get_customer_detail", map[string]any{"customer_id": "one"}, "customer_id must be a whole number"},
		{"get_customer_detail", map[string]any{}, "missing required argument customer_id"},
		{"get_customer_detail", map[string]any{"customer_id": 0}, "customer_id must be at least 1"},
		{"get_subscription_detail", map[string]any{"subscription_id": 999999}, "999999"},
		{"get_invoice_payments", map[string]any{"invoice_id": 999999}, "999999"},
		{"get_data_usage", map[string]any{"subscription_id": 1, "start_date": "2026-13-01", "end_date": day(0)}, "start_date must be a date"},
		{"get_data_usage", map[string]any{"subscription_id": 1, "start_date": day(0), "end_date": day(-5)}, "before"},
		{"get_data_usage", map[string]any{"subscription_id": 1, "start_date": day(-400), "end_date": day(0)}, "366"},
		{"get_data_usage", map[string]any{"subscription_id": 999999, "start_date": day(-5), "end_date": day(0)}, "999999"},
		{"search_knowledge_base", map[string]any{"query": "?!"}, "query"},
		{"search_knowledge_base", map[string]any{"query": "refund", "topk": 0}, "topk"},
		{"search_knowledge_base", map[string]any{"query": "refund", "topk": 500}, "topk must be at most 20"},
		{"get_products", map[string]any{"category": "satellite"}, "category must be one of mobile, internet, bundle, addon"},
		{"pay_invoice", map[string]any{"invoice_id": inv, "amount": -5}, "amount must be greater than 0"},
		{"pay_invoice", map[string]any{"invoice_id": inv, "amount": 0}, "amount"},
		{"pay_invoice", map[string]any{"invoice_id": inv, "amount": 100.01}, "exceeds"},
		{"pay_invoice", map[string]any{"invoice_id": inv, "amount": 1e9}, "amount must be at most 100000"},
		{"pay_invoice", map[string]any{"invoice_id": inv, "amount": 10.001}, "cents"},
		{"pay_invoice", map[string]any{"invoice_id": inv, "amount": "ten"}, "amount must be a number"},
		{"pay_invoice", map[string]any{"invoice_id": inv, "amount": 10, "method": "bitcoin"}, "method must be one of credit_card, ach, paypal, apple_pay"},
		{"pay_invoice", map[string]any{"invoice_id": 999999, "amount": 10}, "999999"},
		{"pay_invoice", map[string]any{"invoice_id": inv, "amount": 10, "surprise": true}, `unknown argument "surprise"`},
		{"create_support_ticket", map[string]any{"customer_id": john, "subscription_id": 1, "category": "billing", "priority": "low", "subject": "x", "description": "y"}, "belong"},
		{"create_support_ticket", map[string]any{"customer_id": john, "subscription_id": john, "category": "complaint", "priority": "low", "subject": "x", "description": "y"}, "category"},
		{"create_support_ticket", map[string]any{"customer_id": john, "subscription_id": john, "category": "billing", "priority": "asap", "subject": "x", "description": "y"}, "priority"},
		{"create_support_ticket", map[string]any{"customer_id": john, "subscription_id": john, "category": "billing", "priority": "low", "subject": "", "description": "y"}, "subject must not be empty"},
		{"create_support_ticket", map[string]any{"customer_id": 999999, "subscription_id": john, "category": "billing", "priority": "low", "subject": "x", "description": "y"}, "999999"},
		{"update_subscription", map[string]any{"subscription_id": john}, "nothing to update"},
		{"update_subscription", map[string]any{"subscription_id": john, "status": "paused"}, "status"},
		{"update_subscription", map[string]any{"subscription_id": john, "service_status": "broken"}, "service_status"},
		{"update_subscription", map[string]any{"subscription_id": john, "product_id": 99}, "99"},
		{"update_subscription", map[string]any{"subscription_id": john, "end_date": "1999-01-01"}, "before"},
		{"update_subscription", map[string]any{"subscription_id": john, "start_date": "yesterday"}, "start_date"},
		{"update_subscription", map[string]any{"subscription_id": john, "data_cap_gb": -1}, "data_cap_gb"},
		{"update_subscription", map[string]any{"subscription_id": 999999, "roaming_enabled": true}, "999999"},
		{"unlock_account", map[string]any{"customer_id": john}, "not locked"},
		{"rerate_usage", map[string]any{"start_date": day(-5), "end_date": day(-10)}, "before"},
		{"rerate_usage", map[string]any{"start_date": day(-60), "end_date": day(-1)}, "31 days"},
		{"rerate_usage", map[string]any{"start_date": day(-5), "end_date": day(3)}, "future"},
		{"rerate_usage", map[string]any{"start_date": day(-5), "end_date": day(-1), "rate_per_gb": 0}, "rate_per_gb must be greater than 0"},
		{"rerate_usage", map[string]any{"start_date": day(-5), "end_date": day(-1), "loyalty_level": "Diamond"}, "loyalty_level must be one of"},
		{"rerate_usage", map[string]any{"start_date": day(-5), "end_date": day(-1), "batch_size": 0}, "batch_size must be at least 1"},
		{"unlock_account", map[string]any{"customer_id": 999999}, "999999"},
	}
	for _, c := range cases {
		msg := callErr(t, cs, c.tool, c.args)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s(%v): error %q does not mention %q", c.tool, c.args, msg, c.want)
		}
	}
	after, err := f.store.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("failed calls changed the data (-before +after):\n%s", diff)
	}
}

// TestPayInvoiceIdempotent: a retried payment with the same key is recorded once.
func TestPayInvoiceIdempotent(t *testing.T) {
	f := newFixture(t, nil)
	cs := f.connect(t, httpCurrent)
	inv := findLatestInvoice(t, f.store, scenario(1))
	args := map[string]any{"invoice_id": inv, "amount": 40, "idempotency_key": "retry-7f3a"}
	var first, second tools.PaymentOutput
	call(t, cs, "pay_invoice", args, &first)
	call(t, cs, "pay_invoice", args, &second)
	if first.Replayed || !second.Replayed || first.Payment.PaymentID != second.Payment.PaymentID {
		t.Errorf("first %+v, second %+v: want one payment, the second call replayed", first, second)
	}
	if first.OutstandingBefore != 100 || first.OutstandingAfter != 60 || first.Payment.Status != "partial" || first.Payment.Method != "credit_card" {
		t.Errorf("first payment = %+v, want $40 partial by credit_card (the default), 100 -> 60", first)
	}
	var ip tools.InvoicePayments
	call(t, cs, "get_invoice_payments", map[string]any{"invoice_id": inv}, &ip)
	if len(ip.Payments) != 2 || ip.Outstanding != 60 {
		t.Errorf("invoice has %d payments and %.2f outstanding, want 2 and 60", len(ip.Payments), ip.Outstanding)
	}
	if msg := callErr(t, cs, "pay_invoice", map[string]any{"invoice_id": inv, "amount": 41, "idempotency_key": "retry-7f3a"}); !strings.Contains(msg, "idempotency") {
		t.Errorf("key reused for another amount: %q", msg)
	}
	var settle tools.PaymentOutput
	call(t, cs, "pay_invoice", map[string]any{"invoice_id": inv, "amount": 60}, &settle)
	if settle.Payment.Status != "successful" || settle.OutstandingAfter != 0 {
		t.Errorf("settling payment = %+v, want successful with nothing left", settle)
	}
	if msg := callErr(t, cs, "pay_invoice", map[string]any{"invoice_id": inv, "amount": 1}); !strings.Contains(msg, "paid") {
		t.Errorf("paying a settled invoice: %q", msg)
	}
}

// failingStore breaks in the two ways a store can: a panic and an
// unexpected error.
type failingStore struct {
	contoso.Store
}

func (failingStore) GetCustomer(context.Context, int64) (contoso.Customer, error) {
	panic("boom: nil map in GetCustomer")
}

func (failingStore) ListProducts(context.Context, string) ([]contoso.Product, error) {
	return nil, contoso.Internal(errors.New("disk I/O error at page 7"), "listing products")
}

// TestInternalFailuresAreSafe: a panic or an internal error becomes a generic
// tool error; the cause is logged, never sent; the server keeps serving.
func TestInternalFailuresAreSafe(t *testing.T) {
	f := newFixture(t, failingStore{seededStore(t)})
	cs := f.connect(t, httpLegacy)
	for _, c := range []struct {
		tool  string
		args  map[string]any
		cause string
	}{
		{"get_customer_detail", map[string]any{"customer_id": 1}, "boom: nil map"},
		{"get_products", nil, "disk I/O error"},
	} {
		msg := callErr(t, cs, c.tool, c.args)
		if !strings.Contains(msg, "internal error") || strings.Contains(msg, c.cause) {
			t.Errorf("%s: client saw %q, want a generic internal error", c.tool, msg)
		}
		if !strings.Contains(f.logs.String(), c.cause) {
			t.Errorf("%s: the cause %q is not in the log", c.tool, c.cause)
		}
	}
	call(t, cs, "get_security_logs", map[string]any{"customer_id": 1}, nil)
}

// TestLogsCarryNoArguments: the log has method, tool, outcome and duration
// of each call, and none of the arguments (which hold personal data).
func TestLogsCarryNoArguments(t *testing.T) {
	f := newFixture(t, nil)
	cs := f.connect(t, httpCurrent)
	inv := findLatestInvoice(t, f.store, scenario(1))
	call(t, cs, "search_knowledge_base", map[string]any{"query": "refund Zebediah-Marker"}, nil)
	call(t, cs, "pay_invoice", map[string]any{"invoice_id": inv, "amount": 12.34, "idempotency_key": "Secret-Key-Marker"}, nil)
	callErr(t, cs, "get_customer_detail", map[string]any{"customer_id": 987654})
	logs := f.logs.String()
	for _, secret := range []string{"Zebediah", "Secret-Key-Marker", "12.34", "987654"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains an argument value %q:\n%s", secret, logs)
		}
	}
	for _, want := range []string{`"tool":"search_knowledge_base"`, `"tool":"pay_invoice"`, `"outcome":"tool_error"`, `"outcome":"ok"`, `"duration"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s:\n%s", want, logs)
		}
	}
}
