// Package storetest is the contract suite of contoso.Store: every backend
// runs Run against a fresh, empty store of its own and must pass all of it.
// The assertions name exact values of the hand-written Fixture.
package storetest

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// Run runs the contract suite. open must return a fresh, empty store each
// time it is called and register its cleanup (Close) with t.
func Run(t *testing.T, open func(t *testing.T) contoso.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s contoso.Store)
	}{
		{"Customers", testCustomers},
		{"Subscriptions", testSubscriptions},
		{"Invoices", testInvoices},
		{"Payments", testPayments},
		{"Incidents", testIncidents},
		{"DataUsage", testDataUsage},
		{"Promotions", testPromotions},
		{"SecurityLogs", testSecurityLogs},
		{"Orders", testOrders},
		{"SupportTickets", testSupportTickets},
		{"Products", testProducts},
		{"SearchKnowledge", testSearchKnowledge},
		{"SearchKnowledgeInvalid", testSearchKnowledgeInvalid},
		{"PayInvoicePartialThenSettle", testPayPartialThenSettle},
		{"PayInvoiceRejects", testPayRejects},
		{"PayInvoiceIdempotent", testPayIdempotent},
		{"PayInvoiceConcurrent", testPayConcurrent},
		{"PayInvoiceKeyBoundToPayment", testPayKeyBound},
		{"PayInvoiceKeyConcurrent", testPayKeyConcurrent},
		{"CreateSupportTicket", testCreateTicket},
		{"UpdateSubscription", testUpdateSubscription},
		{"UnlockAccount", testUnlockAccount},
		{"Fingerprint", testFingerprint},
		{"LoadReplaces", testLoadReplaces},
		{"AuditTrail", testAuditTrail},
		{"AddInvoices", testAddInvoices},
		{"Tasks", testTasks},
	}
	t.Run("Seeded", func(t *testing.T) { testSeeded(t, open(t)) })
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			if err := s.Load(t.Context(), Fixture()); err != nil {
				t.Fatalf("Load(Fixture()): %v", err)
			}
			tc.fn(t, s)
		})
	}
}

// payDate is the date of every payment the suite makes.
const payDate = "2025-05-20"

// ---- helpers ----

// equate compares records: empty and nil slices are equal, and a payment's
// idempotency key and principal (never shown to clients) are not compared.
var equate = []cmp.Option{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(contoso.Payment{}, "IdempotencyKey", "IdempotencyPrincipal")}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got, equate...); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// check fails the test now on an unexpected error.
func check(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// wantKind checks that err is a contoso error of the kind.
func wantKind(t *testing.T, what string, err error, kind contoso.Kind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want %s", what, kind)
		return
	}
	if got := contoso.ErrorKind(err); got != kind {
		t.Errorf("%s: got error kind %s (%v), want %s", what, got, err, kind)
	}
}

// nonNil checks that a list is not nil (empty lists are [] on the wire, never null).
func nonNil[T any](t *testing.T, what string, list []T) {
	t.Helper()
	if list == nil {
		t.Errorf("%s: got a nil list, want a non-nil (possibly empty) one", what)
	}
}

func fingerprint(t *testing.T, s contoso.Store) map[string]string {
	t.Helper()
	fp, err := s.Fingerprint(t.Context())
	check(t, "Fingerprint", err)
	return fp
}

// failsUnchanged runs a write that must fail with the kind and checks that
// it changed nothing.
func failsUnchanged(t *testing.T, s contoso.Store, what string, kind contoso.Kind, write func(ctx context.Context) error) {
	t.Helper()
	before := fingerprint(t, s)
	wantKind(t, what, write(t.Context()), kind)
	if d := cmp.Diff(before, fingerprint(t, s)); d != "" {
		t.Errorf("%s: the failed write changed the data (-before +after):\n%s", what, d)
	}
}

func ids[T any](list []T, id func(T) int64) []int64 {
	out := make([]int64, len(list))
	for i, v := range list {
		out[i] = id(v)
	}
	return out
}

func wantIDs[T any](t *testing.T, what string, list []T, err error, id func(T) int64, want ...int64) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: unexpected error: %v", what, err)
		return
	}
	nonNil(t, what, list)
	if want == nil {
		want = []int64{}
	}
	if d := cmp.Diff(want, ids(list, id)); d != "" {
		t.Errorf("%s: ids mismatch (-want +got):\n%s", what, d)
	}
}

// pick returns the fixture rows with the ids, in that order.
func pick[T any](rows []T, id func(T) int64, want ...int64) []T {
	out := []T{}
	for _, w := range want {
		for _, r := range rows {
			if id(r) == w {
				out = append(out, r)
			}
		}
	}
	return out
}

func customerID(c contoso.Customer) int64          { return c.CustomerID }
func subscriptionID(s contoso.Subscription) int64  { return s.SubscriptionID }
func invoiceID(i contoso.Invoice) int64            { return i.InvoiceID }
func paymentID(p contoso.Payment) int64            { return p.PaymentID }
func incidentID(i contoso.ServiceIncident) int64   { return i.IncidentID }
func usageID(u contoso.DataUsage) int64            { return u.UsageID }
func promotionID(p contoso.Promotion) int64        { return p.PromotionID }
func logID(l contoso.SecurityLog) int64            { return l.LogID }
func orderID(o contoso.Order) int64                { return o.OrderID }
func ticketID(t contoso.SupportTicket) int64       { return t.TicketID }
func productID(p contoso.Product) int64            { return p.ProductID }
func hitID(h contoso.KnowledgeHit) int64           { return h.DocumentID }
func documentID(d contoso.KnowledgeDocument) int64 { return d.DocumentID }
func outstanding(inv contoso.Invoice, ps []contoso.Payment) float64 {
	return contoso.Outstanding(inv, ps)
}

// owed returns what is outstanding on an invoice, as the store holds it.
func owed(t *testing.T, s contoso.Store, invoiceID int64) float64 {
	t.Helper()
	inv, err := s.GetInvoice(t.Context(), invoiceID)
	check(t, "GetInvoice", err)
	ps, err := s.InvoicePayments(t.Context(), invoiceID)
	check(t, "InvoicePayments", err)
	return outstanding(inv, ps)
}

// ---- reads ----

func testSeeded(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	seeded, err := s.Seeded(ctx)
	check(t, "Seeded before Load", err)
	if seeded {
		t.Errorf("Seeded before Load = true, want false")
	}
	cs, err := s.ListCustomers(ctx)
	wantIDs(t, "ListCustomers on an empty store", cs, err, customerID)
	if d := cmp.Diff(Fingerprint(&contoso.Dataset{}), fingerprint(t, s)); d != "" {
		t.Errorf("Fingerprint of an empty store (-want +got):\n%s", d)
	}
	check(t, "Load", s.Load(ctx, Fixture()))
	seeded, err = s.Seeded(ctx)
	check(t, "Seeded after Load", err)
	if !seeded {
		t.Errorf("Seeded after Load = false, want true")
	}
}

func testCustomers(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	cs, err := s.ListCustomers(ctx)
	check(t, "ListCustomers", err)
	diff(t, "ListCustomers", cs, f.Customers)

	c, err := s.GetCustomer(ctx, 2)
	check(t, "GetCustomer(2)", err)
	diff(t, "GetCustomer(2)", c, f.Customers[1])

	_, err = s.GetCustomer(ctx, 99)
	wantKind(t, "GetCustomer(99)", err, contoso.KindNotFound)
}

func testSubscriptions(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	subs, err := s.CustomerSubscriptions(ctx, 1)
	check(t, "CustomerSubscriptions(1)", err)
	diff(t, "CustomerSubscriptions(1)", subs, pick(f.Subscriptions, subscriptionID, 1, 2))

	subs, err = s.CustomerSubscriptions(ctx, 2)
	wantIDs(t, "CustomerSubscriptions(2)", subs, err, subscriptionID, 3, 5)
	subs, err = s.CustomerSubscriptions(ctx, 4)
	wantIDs(t, "CustomerSubscriptions(4) (none)", subs, err, subscriptionID)
	_, err = s.CustomerSubscriptions(ctx, 99)
	wantKind(t, "CustomerSubscriptions(99)", err, contoso.KindNotFound)

	for _, id := range []int64{1, 2, 3, 4, 5} {
		sub, err := s.GetSubscription(ctx, id)
		check(t, "GetSubscription", err)
		diff(t, "GetSubscription", sub, pick(f.Subscriptions, subscriptionID, id)[0])
	}
	sub, err := s.GetSubscription(ctx, 3)
	check(t, "GetSubscription(3)", err)
	if sub.DataCapGB == nil || *sub.DataCapGB != 20.5 || sub.EndDate != "2025-01-31" {
		t.Errorf("GetSubscription(3): data cap %v, end date %q; want 20.5 and 2025-01-31", sub.DataCapGB, sub.EndDate)
	}
	sub, err = s.GetSubscription(ctx, 2)
	check(t, "GetSubscription(2)", err)
	if sub.DataCapGB != nil || sub.EndDate != "" || !sub.RoamingEnabled || sub.AutopayEnabled {
		t.Errorf("GetSubscription(2) = %+v; want an unlimited, open-ended plan with roaming on and autopay off", sub)
	}
	_, err = s.GetSubscription(ctx, 99)
	wantKind(t, "GetSubscription(99)", err, contoso.KindNotFound)
}

func testInvoices(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	invs, err := s.SubscriptionInvoices(ctx, 1)
	check(t, "SubscriptionInvoices(1)", err)
	// Newest first; invoices 2 and 3 share a date, so the higher id comes first.
	diff(t, "SubscriptionInvoices(1)", invs, pick(f.Invoices, invoiceID, 3, 2, 1))

	invs, err = s.SubscriptionInvoices(ctx, 5)
	wantIDs(t, "SubscriptionInvoices(5) (none)", invs, err, invoiceID)

	inv, err := s.GetInvoice(ctx, 6)
	check(t, "GetInvoice(6)", err)
	diff(t, "GetInvoice(6)", inv, f.Invoices[5])
	_, err = s.GetInvoice(ctx, 99)
	wantKind(t, "GetInvoice(99)", err, contoso.KindNotFound)
}

func testPayments(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	ps, err := s.SubscriptionPayments(ctx, 1)
	check(t, "SubscriptionPayments(1)", err)
	diff(t, "SubscriptionPayments(1)", ps, pick(f.Payments, paymentID, 1, 2, 3, 4))
	ps, err = s.SubscriptionPayments(ctx, 2)
	wantIDs(t, "SubscriptionPayments(2)", ps, err, paymentID, 5)
	ps, err = s.SubscriptionPayments(ctx, 5)
	wantIDs(t, "SubscriptionPayments(5) (none)", ps, err, paymentID)

	ps, err = s.InvoicePayments(ctx, 2)
	check(t, "InvoicePayments(2)", err)
	diff(t, "InvoicePayments(2)", ps, pick(f.Payments, paymentID, 2, 3, 4))
	ps, err = s.InvoicePayments(ctx, 3)
	wantIDs(t, "InvoicePayments(3) (none)", ps, err, paymentID)
	_, err = s.InvoicePayments(ctx, 99)
	wantKind(t, "InvoicePayments(99)", err, contoso.KindNotFound)

	// Only successful and partial payments count.
	for id, want := range map[int64]float64{1: 0, 2: 100, 3: 15, 4: 0, 5: 100, 6: 95.5} {
		if got := owed(t, s, id); got != want {
			t.Errorf("outstanding on invoice %d = %.2f, want %.2f", id, got, want)
		}
	}
}

func testIncidents(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	is, err := s.SubscriptionIncidents(ctx, 1)
	check(t, "SubscriptionIncidents(1)", err)
	diff(t, "SubscriptionIncidents(1)", is, pick(f.ServiceIncidents, incidentID, 1, 2))
	is, err = s.SubscriptionIncidents(ctx, 2)
	wantIDs(t, "SubscriptionIncidents(2) (none)", is, err, incidentID)
}

func testDataUsage(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	us, err := s.DataUsage(ctx, 1, "2025-05-02", "2025-05-04")
	check(t, "DataUsage(1, 05-02..05-04)", err)
	// Both bounds inclusive, oldest first.
	diff(t, "DataUsage(1, 05-02..05-04)", us, pick(f.DataUsage, usageID, 3, 1, 5))

	us, err = s.DataUsage(ctx, 1, "2025-05-01", "2025-05-05")
	wantIDs(t, "DataUsage(1, 05-01..05-05)", us, err, usageID, 2, 3, 1, 5, 4)
	us, err = s.DataUsage(ctx, 1, "2025-05-05", "2025-05-05")
	wantIDs(t, "DataUsage(1, 05-05..05-05)", us, err, usageID, 4)
	us, err = s.DataUsage(ctx, 1, "2025-04-01", "2025-12-31")
	wantIDs(t, "DataUsage(1, wide)", us, err, usageID, 2, 3, 1, 5, 4)
	us, err = s.DataUsage(ctx, 1, "2025-06-01", "2025-06-30")
	wantIDs(t, "DataUsage(1, June) (none)", us, err, usageID)
	us, err = s.DataUsage(ctx, 2, "2025-05-01", "2025-05-31")
	check(t, "DataUsage(2)", err)
	diff(t, "DataUsage(2)", us, pick(f.DataUsage, usageID, 6))
	us, err = s.DataUsage(ctx, 5, "2025-05-01", "2025-05-31")
	wantIDs(t, "DataUsage(5) (none)", us, err, usageID)
}

func testPromotions(t *testing.T, s contoso.Store) {
	ps, err := s.ListPromotions(t.Context())
	check(t, "ListPromotions", err)
	diff(t, "ListPromotions", ps, Fixture().Promotions)
	wantIDs(t, "ListPromotions", ps, err, promotionID, 1, 2, 3)
}

func testSecurityLogs(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	logs, err := s.SecurityLogs(ctx, 3)
	check(t, "SecurityLogs(3)", err)
	diff(t, "SecurityLogs(3)", logs, pick(f.SecurityLogs, logID, 3, 2, 1, 9))
	logs, err = s.SecurityLogs(ctx, 1) // same timestamp: higher log_id first
	wantIDs(t, "SecurityLogs(1)", logs, err, logID, 8, 7)
	logs, err = s.SecurityLogs(ctx, 2)
	wantIDs(t, "SecurityLogs(2)", logs, err, logID, 6, 5, 4)
	logs, err = s.SecurityLogs(ctx, 4)
	wantIDs(t, "SecurityLogs(4) (none)", logs, err, logID)
	_, err = s.SecurityLogs(ctx, 99)
	wantKind(t, "SecurityLogs(99)", err, contoso.KindNotFound)
}

func testOrders(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	os, err := s.CustomerOrders(ctx, 1)
	check(t, "CustomerOrders(1)", err)
	diff(t, "CustomerOrders(1)", os, pick(f.Orders, orderID, 2, 4, 1))
	os, err = s.CustomerOrders(ctx, 2)
	wantIDs(t, "CustomerOrders(2)", os, err, orderID, 3)
	os, err = s.CustomerOrders(ctx, 4)
	wantIDs(t, "CustomerOrders(4) (none)", os, err, orderID)
	_, err = s.CustomerOrders(ctx, 99)
	wantKind(t, "CustomerOrders(99)", err, contoso.KindNotFound)
}

func testSupportTickets(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	ts, err := s.SupportTickets(ctx, 1, false)
	check(t, "SupportTickets(1)", err)
	diff(t, "SupportTickets(1)", ts, pick(f.SupportTickets, ticketID, 2, 3, 1))
	ts, err = s.SupportTickets(ctx, 1, true) // pending counts as not closed
	wantIDs(t, "SupportTickets(1, openOnly)", ts, err, ticketID, 2, 3)
	ts, err = s.SupportTickets(ctx, 2, false)
	wantIDs(t, "SupportTickets(2)", ts, err, ticketID, 4)
	ts, err = s.SupportTickets(ctx, 2, true)
	wantIDs(t, "SupportTickets(2, openOnly) (none)", ts, err, ticketID)
	ts, err = s.SupportTickets(ctx, 4, false)
	wantIDs(t, "SupportTickets(4) (none)", ts, err, ticketID)
	for _, openOnly := range []bool{false, true} {
		_, err = s.SupportTickets(ctx, 99, openOnly)
		wantKind(t, "SupportTickets(99)", err, contoso.KindNotFound)
	}
}

func testProducts(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	ps, err := s.ListProducts(ctx, "")
	check(t, "ListProducts()", err)
	diff(t, "ListProducts()", ps, f.Products)
	for cat, want := range map[string][]int64{"mobile": {1, 5}, "internet": {2}, "bundle": {3}, "addon": {4}} {
		ps, err := s.ListProducts(ctx, cat)
		wantIDs(t, "ListProducts("+cat+")", ps, err, productID, want...)
	}
	p, err := s.GetProduct(ctx, 5)
	check(t, "GetProduct(5)", err)
	diff(t, "GetProduct(5)", p, f.Products[4])
	_, err = s.GetProduct(ctx, 99)
	wantKind(t, "GetProduct(99)", err, contoso.KindNotFound)
}

func testSearchKnowledge(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	docs := Fixture().KnowledgeDocuments

	hits, err := s.SearchKnowledge(ctx, "roaming", 5)
	// Document 3 has the word in its title, document 5 only in its content.
	wantIDs(t, `SearchKnowledge("roaming")`, hits, err, hitID, 3, 5)
	if len(hits) == 2 {
		if !(hits[0].Score > hits[1].Score) {
			t.Errorf(`SearchKnowledge("roaming"): scores %v, %v; want the title hit scored higher`, hits[0].Score, hits[1].Score)
		}
		for _, h := range hits {
			d := pick(docs, documentID, h.DocumentID)[0]
			if h.Title != d.Title || h.DocType != d.DocType || h.Content != d.Content {
				t.Errorf("hit %d: title %q, type %q, content %q; want the document's %q, %q, %q", h.DocumentID, h.Title, h.DocType, h.Content, d.Title, d.DocType, d.Content)
			}
			if !strings.Contains(strings.ToLower(h.Snippet), "[roaming]") {
				t.Errorf("hit %d: snippet %q does not mark the matched word in [brackets]", h.DocumentID, h.Snippet)
			}
		}
	}

	hits, err = s.SearchKnowledge(ctx, "roaming", 1)
	wantIDs(t, `SearchKnowledge("roaming", topK 1)`, hits, err, hitID, 3)

	hits, err = s.SearchKnowledge(ctx, "How do I unlock my account?", 3)
	check(t, "SearchKnowledge(question)", err)
	if len(hits) == 0 || hits[0].DocumentID != 4 {
		t.Errorf("SearchKnowledge(%q): got %v, want document 4 first", "How do I unlock my account?", ids(hits, hitID))
	}
	if len(hits) > 3 {
		t.Errorf("SearchKnowledge(topK 3) returned %d hits", len(hits))
	}

	hits, err = s.SearchKnowledge(ctx, "Data overage policy", 20)
	check(t, "SearchKnowledge(data overage policy)", err)
	if len(hits) == 0 || hits[0].DocumentID != 1 {
		t.Errorf("SearchKnowledge(data overage policy): got %v, want document 1 first", ids(hits, hitID))
	}

	hits, err = s.SearchKnowledge(ctx, "zebra", 3)
	wantIDs(t, `SearchKnowledge("zebra") (no match)`, hits, err, hitID)

	// Query syntax in the text is searched as words, never interpreted.
	for _, q := range []string{`roaming" OR title:*`, `NEAR(roaming travel)`, `roam*`, `-roaming`, `"roaming`, `roaming AND NOT`, `{title}: roaming ^`} {
		hits, err := s.SearchKnowledge(ctx, q, 5)
		if err != nil {
			t.Errorf("SearchKnowledge(%q): %v", q, err)
			continue
		}
		nonNil(t, "SearchKnowledge", hits)
	}
}

func testSearchKnowledgeInvalid(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	for _, q := range []string{"", "   ", "?!...", `"*" - () :`, "roaming\x1b[2J", "roaming\nrefund", "roaming \u202Egnimaor", "roam\u200Bing", "roaming\xff", strings.Repeat("roaming ", 63)} {
		_, err := s.SearchKnowledge(ctx, q, 3)
		wantKind(t, "SearchKnowledge("+q+")", err, contoso.KindInvalid)
	}
	for _, k := range []int{0, -1, 21, 1000} {
		_, err := s.SearchKnowledge(ctx, "roaming", k)
		wantKind(t, "SearchKnowledge(topK out of range)", err, contoso.KindInvalid)
	}
	hits, err := s.SearchKnowledge(ctx, "roaming", 20)
	wantIDs(t, "SearchKnowledge(topK 20)", hits, err, hitID, 3, 5)
}

// ---- writes ----

func testPayPartialThenSettle(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	r1, err := s.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: 3, Amount: 5, Method: "credit_card", Date: payDate})
	check(t, "PayInvoice(3, 5.00)", err)
	if r1.Replayed || r1.OutstandingBefore != 15 || r1.OutstandingAfter != 10 {
		t.Errorf("PayInvoice(3, 5.00) = %+v; want before 15, after 10, not replayed", r1)
	}
	want1 := contoso.Payment{PaymentID: r1.Payment.PaymentID, InvoiceID: 3, PaymentDate: payDate, Amount: 5, Method: "credit_card", Status: "partial"}
	diff(t, "first payment", r1.Payment, want1)
	if r1.Payment.PaymentID <= 6 {
		t.Errorf("new payment id %d; want above the fixture's 6", r1.Payment.PaymentID)
	}

	r2, err := s.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: 3, Amount: 10, Method: "ach", Date: payDate})
	check(t, "PayInvoice(3, 10.00)", err)
	if r2.Replayed || r2.OutstandingBefore != 10 || r2.OutstandingAfter != 0 {
		t.Errorf("PayInvoice(3, 10.00) = %+v; want before 10, after 0", r2)
	}
	want2 := contoso.Payment{PaymentID: r2.Payment.PaymentID, InvoiceID: 3, PaymentDate: payDate, Amount: 10, Method: "ach", Status: "successful"}
	diff(t, "settling payment", r2.Payment, want2)
	if r2.Payment.PaymentID <= r1.Payment.PaymentID {
		t.Errorf("payment ids %d then %d; want increasing", r1.Payment.PaymentID, r2.Payment.PaymentID)
	}

	ps, err := s.InvoicePayments(ctx, 3)
	check(t, "InvoicePayments(3)", err)
	diff(t, "InvoicePayments(3)", ps, []contoso.Payment{want1, want2})
	if got := owed(t, s, 3); got != 0 {
		t.Errorf("outstanding on invoice 3 = %.2f, want 0", got)
	}
	sp, err := s.SubscriptionPayments(ctx, 1)
	wantIDs(t, "SubscriptionPayments(1)", sp, err, paymentID, 1, 2, 3, 4, want1.PaymentID, want2.PaymentID)

	failsUnchanged(t, s, "PayInvoice on the now settled invoice 3", contoso.KindConflict, func(ctx context.Context) error {
		_, err := s.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: 3, Amount: 1, Method: "credit_card", Date: payDate})
		return err
	})
}

func testPayRejects(t *testing.T, s contoso.Store) {
	req := func(invoice int64, amount float64) contoso.PaymentRequest {
		return contoso.PaymentRequest{InvoiceID: invoice, Amount: amount, Method: "credit_card", Date: payDate}
	}
	with := func(r contoso.PaymentRequest, f func(*contoso.PaymentRequest)) contoso.PaymentRequest {
		f(&r)
		return r
	}
	cases := []struct {
		name string
		req  contoso.PaymentRequest
		kind contoso.Kind
	}{
		{"overpay invoice 2 (owes 100.00)", req(2, 120), contoso.KindInvalid},
		{"overpay invoice 6 by a cent", req(6, 95.51), contoso.KindInvalid},
		{"zero amount", req(2, 0), contoso.KindInvalid},
		{"negative amount", req(2, -5), contoso.KindInvalid},
		{"NaN amount", req(2, math.NaN()), contoso.KindInvalid},
		{"infinite amount", req(2, math.Inf(1)), contoso.KindInvalid},
		{"fraction of a cent", req(2, 10.005), contoso.KindInvalid},
		{"1e-9, which rounds to 0 cents", req(2, 1e-9), contoso.KindInvalid},
		{"1e-8", req(2, 1e-8), contoso.KindInvalid},
		{"0.0000000001", req(2, 0.0000000001), contoso.KindInvalid},
		{"10.505", req(2, 10.505), contoso.KindInvalid},
		{"1.0000000001", req(2, 1.0000000001), contoso.KindInvalid},
		{"unknown method", with(req(2, 10), func(r *contoso.PaymentRequest) { r.Method = "cash" }), contoso.KindInvalid},
		{"empty method", with(req(2, 10), func(r *contoso.PaymentRequest) { r.Method = "" }), contoso.KindInvalid},
		{"bad date", with(req(2, 10), func(r *contoso.PaymentRequest) { r.Date = "20/05/2025" }), contoso.KindInvalid},
		{"invoice id 0", req(0, 10), contoso.KindInvalid},
		{"unknown invoice", req(999, 10), contoso.KindNotFound},
		{"paid invoice 1", req(1, 10), contoso.KindConflict},
		{"paid invoice 4", req(4, 10), contoso.KindConflict},
		{"key used for invoice 4, now on invoice 2", with(req(2, 30), func(r *contoso.PaymentRequest) { r.IdempotencyKey = "fixture-key-5" }), contoso.KindConflict},
	}
	for _, c := range cases {
		failsUnchanged(t, s, "PayInvoice: "+c.name, c.kind, func(ctx context.Context) error {
			_, err := s.PayInvoice(ctx, c.req)
			return err
		})
	}
	if got := owed(t, s, 2); got != 100 {
		t.Errorf("outstanding on invoice 2 after rejected payments = %.2f, want 100", got)
	}
}

func testPayIdempotent(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	req := contoso.PaymentRequest{InvoiceID: 2, Amount: 10, Method: "paypal", IdempotencyKey: "k-1", Date: payDate}
	first, err := s.PayInvoice(ctx, req)
	check(t, "PayInvoice(k-1)", err)
	if first.Replayed || first.Payment.Status != "partial" || first.OutstandingBefore != 100 || first.OutstandingAfter != 90 {
		t.Errorf("first PayInvoice(k-1) = %+v; want a partial payment, 100 -> 90, not replayed", first)
	}

	before := fingerprint(t, s)
	again, err := s.PayInvoice(ctx, req)
	check(t, "PayInvoice(k-1) replay", err)
	if !again.Replayed || again.OutstandingAfter != 90 {
		t.Errorf("replayed PayInvoice(k-1) = %+v; want Replayed and 90 outstanding", again)
	}
	diff(t, "replayed payment", again.Payment, first.Payment)
	if d := cmp.Diff(before, fingerprint(t, s)); d != "" {
		t.Errorf("a replay changed the data:\n%s", d)
	}
	ps, err := s.InvoicePayments(ctx, 2)
	wantIDs(t, "InvoicePayments(2) after a payment and its replay", ps, err, paymentID, 2, 3, 4, first.Payment.PaymentID)

	failsUnchanged(t, s, "key k-1 with another amount", contoso.KindConflict, func(ctx context.Context) error {
		r := req
		r.Amount = 20
		_, err := s.PayInvoice(ctx, r)
		return err
	})
	failsUnchanged(t, s, "key k-1 on another invoice", contoso.KindConflict, func(ctx context.Context) error {
		r := req
		r.InvoiceID = 6
		_, err := s.PayInvoice(ctx, r)
		return err
	})

	// A key of the loaded data replays too, even though its invoice is paid.
	before = fingerprint(t, s)
	old, err := s.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: 4, Amount: 30, Method: "credit_card", IdempotencyKey: "fixture-key-5", Date: payDate})
	check(t, "PayInvoice(fixture-key-5) replay", err)
	if !old.Replayed || old.Payment.PaymentID != 5 || old.OutstandingAfter != 0 {
		t.Errorf("PayInvoice(fixture-key-5) = %+v; want a replay of payment 5 with nothing outstanding", old)
	}
	if d := cmp.Diff(before, fingerprint(t, s)); d != "" {
		t.Errorf("a replay changed the data:\n%s", d)
	}
}

// payAtOnce makes the n payments req(i) at the same moment and returns
// their results and errors by i.
func payAtOnce(t *testing.T, s contoso.Store, n int, req func(i int) contoso.PaymentRequest) ([]contoso.PaymentResult, []error) {
	var wg sync.WaitGroup
	results := make([]contoso.PaymentResult, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = s.PayInvoice(t.Context(), req(i))
		})
	}
	close(start)
	wg.Wait()
	return results, errs
}

func testPayConcurrent(t *testing.T, s contoso.Store) {
	const n = 20
	results, errs := payAtOnce(t, s, n, func(int) contoso.PaymentRequest {
		return contoso.PaymentRequest{InvoiceID: 5, Amount: 10, Method: "ach", Date: payDate}
	})

	ok, conflicts := 0, 0
	after := map[float64]bool{}
	paymentIDs := map[int64]bool{}
	for i := range n {
		switch {
		case errs[i] == nil:
			ok++
			after[results[i].OutstandingAfter] = true
			paymentIDs[results[i].Payment.PaymentID] = true
		case contoso.ErrorKind(errs[i]) == contoso.KindConflict:
			conflicts++
		default:
			t.Errorf("concurrent PayInvoice: unexpected error %v", errs[i])
		}
	}
	if ok != 10 || conflicts != 10 {
		t.Errorf("20 concurrent payments of 10.00 on 100.00: %d succeeded and %d conflicted; want 10 and 10", ok, conflicts)
	}
	if len(after) != ok || len(paymentIDs) != ok {
		t.Errorf("the successful payments saw outstanding amounts %v and got ids %v; want all distinct", after, paymentIDs)
	}
	if got := owed(t, s, 5); got != 0 {
		t.Errorf("outstanding on invoice 5 = %.2f, want 0", got)
	}
	ps, err := s.InvoicePayments(t.Context(), 5)
	check(t, "InvoicePayments(5)", err)
	statuses := map[string]int{}
	for _, p := range ps {
		statuses[p.Status]++
	}
	if d := cmp.Diff(map[string]int{"partial": 9, "successful": 1}, statuses); d != "" {
		t.Errorf("payment statuses on invoice 5 (-want +got):\n%s", d)
	}
}

func testCreateTicket(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	opened := time.Date(2025, 5, 20, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	nt := contoso.NewTicket{CustomerID: 2, SubscriptionID: 5, Category: "billing", Priority: "high",
		Subject: "Roaming charge", Description: "I was charged for roaming I did not use.", OpenedAt: opened}
	got, err := s.CreateSupportTicket(ctx, nt)
	check(t, "CreateSupportTicket", err)
	want := contoso.SupportTicket{TicketID: got.TicketID, CustomerID: 2, SubscriptionID: 5, Category: "billing",
		OpenedAt: "2025-05-20T10:00:00Z", Status: "open", Priority: "high", Subject: nt.Subject, Description: nt.Description, CSAgent: "unassigned"}
	diff(t, "created ticket", got, want)
	if got.TicketID <= 4 {
		t.Errorf("new ticket id %d; want above the fixture's 4", got.TicketID)
	}
	ts, err := s.SupportTickets(ctx, 2, true)
	check(t, "SupportTickets(2, openOnly)", err)
	diff(t, "SupportTickets(2, openOnly) after create", ts, []contoso.SupportTicket{want})

	nt.CSAgent = "agent.kim"
	got2, err := s.CreateSupportTicket(ctx, nt)
	check(t, "CreateSupportTicket with an agent", err)
	if got2.CSAgent != "agent.kim" || got2.TicketID == got.TicketID {
		t.Errorf("second ticket = %+v; want cs_agent agent.kim and a new id", got2)
	}

	bad := func(name string, kind contoso.Kind, f func(*contoso.NewTicket)) {
		r := nt
		f(&r)
		failsUnchanged(t, s, "CreateSupportTicket: "+name, kind, func(ctx context.Context) error {
			_, err := s.CreateSupportTicket(ctx, r)
			return err
		})
	}
	bad("subscription of another customer", contoso.KindInvalid, func(r *contoso.NewTicket) { r.SubscriptionID = 1 })
	bad("unknown customer", contoso.KindNotFound, func(r *contoso.NewTicket) { r.CustomerID = 99 })
	bad("unknown subscription", contoso.KindNotFound, func(r *contoso.NewTicket) { r.SubscriptionID = 99 })
	bad("unknown category", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Category = "complaint" })
	bad("unknown priority", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Priority = "p0" })
	bad("empty subject", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Subject = "  " })
	bad("empty description", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Description = "" })
	bad("NUL in the subject", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Subject = "a\x00b" })
	bad("escape sequence in the subject", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Subject = "\x1b[2Jcleared" })
	bad("line break in the subject", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Subject = "one\r\ntwo" })
	bad("right-to-left override in the subject", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Subject = "refund \u202Ednuf" })
	bad("isolate in the description", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Description = "a \u2066b\u2069 c" })
	bad("zero-width space in the description", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Description = "a\u200Bb" })
	bad("carriage return in the description", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Description = "a\rb" })
	bad("invalid UTF-8 in the description", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Description = "a\xffb" })
	bad("201 characters of subject", contoso.KindInvalid, func(r *contoso.NewTicket) { r.Subject = strings.Repeat("é", 201) })

	// Lengths are characters, and a description may span lines.
	wide := nt
	wide.Subject, wide.Description = strings.Repeat("é", contoso.MaxTicketSubjectLen), "first line\n\tsecond line "+strings.Repeat("😀", 50)
	got3, err := s.CreateSupportTicket(ctx, wide)
	check(t, "CreateSupportTicket with 200 é and a two-line description", err)
	if got3.Subject != wide.Subject || got3.Description != wide.Description {
		t.Errorf("stored subject/description differ from those sent: %q / %q", got3.Subject, got3.Description)
	}
}

func testUpdateSubscription(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	f := Fixture()
	str := func(v string) *string { return &v }
	yes, no := true, false
	product, dataCap := int64(5), 25.5
	got, err := s.UpdateSubscription(ctx, 2, contoso.SubscriptionUpdate{
		Status: str("inactive"), ServiceStatus: str("offline"), ProductID: &product, StartDate: str("2024-02-01"),
		EndDate: str("2025-06-30"), AutopayEnabled: &yes, RoamingEnabled: &no, SpeedTier: str("5G"), DataCapGB: &dataCap,
	})
	check(t, "UpdateSubscription(2, everything)", err)
	want := contoso.Subscription{SubscriptionID: 2, CustomerID: 1, ProductID: 5, StartDate: "2024-02-01", EndDate: "2025-06-30",
		Status: "inactive", RoamingEnabled: false, ServiceStatus: "offline", SpeedTier: "5G", DataCapGB: &dataCap, AutopayEnabled: true}
	diff(t, "UpdateSubscription(2) result", got, want)
	stored, err := s.GetSubscription(ctx, 2)
	check(t, "GetSubscription(2)", err)
	diff(t, "GetSubscription(2) after update", stored, want)

	// One field changes; the others stay.
	got, err = s.UpdateSubscription(ctx, 1, contoso.SubscriptionUpdate{ServiceStatus: str("normal")})
	check(t, "UpdateSubscription(1, service_status)", err)
	want1 := f.Subscriptions[0]
	want1.ServiceStatus = "normal"
	diff(t, "UpdateSubscription(1) result", got, want1)

	// An empty end date clears it.
	got, err = s.UpdateSubscription(ctx, 3, contoso.SubscriptionUpdate{EndDate: str(""), Status: str("active")})
	check(t, "UpdateSubscription(3, clear end date)", err)
	want3 := f.Subscriptions[2]
	want3.EndDate, want3.Status = "", "active"
	diff(t, "UpdateSubscription(3) result", got, want3)
	stored, err = s.GetSubscription(ctx, 3)
	check(t, "GetSubscription(3)", err)
	diff(t, "GetSubscription(3) after update", stored, want3)

	unknownProduct := int64(99)
	bad := func(name string, kind contoso.Kind, id int64, u contoso.SubscriptionUpdate) {
		failsUnchanged(t, s, "UpdateSubscription: "+name, kind, func(ctx context.Context) error {
			_, err := s.UpdateSubscription(ctx, id, u)
			return err
		})
	}
	bad("unknown product", contoso.KindNotFound, 1, contoso.SubscriptionUpdate{ProductID: &unknownProduct, ServiceStatus: str("offline")})
	bad("unknown subscription", contoso.KindNotFound, 99, contoso.SubscriptionUpdate{ServiceStatus: str("slow")})
	bad("end before start", contoso.KindInvalid, 1, contoso.SubscriptionUpdate{EndDate: str("2020-01-01")})
	bad("start after the stored end", contoso.KindInvalid, 2, contoso.SubscriptionUpdate{StartDate: str("2026-01-01")})
	bad("empty update", contoso.KindInvalid, 1, contoso.SubscriptionUpdate{})
	bad("unknown status", contoso.KindInvalid, 1, contoso.SubscriptionUpdate{Status: str("paused")})
	bad("bad date", contoso.KindInvalid, 1, contoso.SubscriptionUpdate{StartDate: str("yesterday")})
	tiny, third := 1e-9, 2.333
	bad("a data cap of 1e-9 GB", contoso.KindInvalid, 1, contoso.SubscriptionUpdate{DataCapGB: &tiny})
	bad("a data cap with three decimals", contoso.KindInvalid, 1, contoso.SubscriptionUpdate{DataCapGB: &third})
	bad("an escape sequence in the speed tier", contoso.KindInvalid, 1, contoso.SubscriptionUpdate{SpeedTier: str("1Gbps\x1b[0m")})
	bad("a 33-character speed tier", contoso.KindInvalid, 1, contoso.SubscriptionUpdate{SpeedTier: str(strings.Repeat("9", 33))})
}

func testUnlockAccount(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	at := time.Date(2025, 5, 20, 12, 30, 0, 0, time.FixedZone("CEST", 2*3600)) // 10:30Z, after the 10:02Z lock
	got, err := s.UnlockAccount(ctx, 3, at)
	check(t, "UnlockAccount(3)", err)
	if got.CustomerID != 3 || got.EventType != "account_unlocked" || got.EventTimestamp != "2025-05-20T10:30:00Z" || got.Description == "" || got.LogID <= 9 {
		t.Errorf("UnlockAccount(3) = %+v; want an account_unlocked event of customer 3 at 2025-05-20T10:30:00Z with a description and a new id", got)
	}
	logs, err := s.SecurityLogs(ctx, 3)
	check(t, "SecurityLogs(3)", err)
	if len(logs) != 5 {
		t.Fatalf("SecurityLogs(3) after unlock: %d events, want 5", len(logs))
	}
	diff(t, "newest security log of customer 3", logs[0], got)
	if contoso.IsLocked(logs) {
		t.Errorf("customer 3 is still locked after UnlockAccount")
	}

	for _, c := range []struct {
		name string
		id   int64
		kind contoso.Kind
	}{
		{"customer 3 again", 3, contoso.KindConflict},
		{"customer 2 (unlocked earlier)", 2, contoso.KindConflict},
		{"customer 1 (never locked)", 1, contoso.KindConflict},
		{"customer 4 (no events)", 4, contoso.KindConflict},
		{"unknown customer", 99, contoso.KindNotFound},
	} {
		failsUnchanged(t, s, "UnlockAccount: "+c.name, c.kind, func(ctx context.Context) error {
			_, err := s.UnlockAccount(ctx, c.id, at.Add(time.Minute))
			return err
		})
	}
}

// ---- whole data set ----

func testFingerprint(t *testing.T, s contoso.Store) {
	fp := fingerprint(t, s)
	if len(fp) != len(Tables) {
		t.Errorf("Fingerprint has %d tables, want %d", len(fp), len(Tables))
	}
	if d := cmp.Diff(Fingerprint(Fixture()), fp); d != "" {
		t.Errorf("Fingerprint after Load(Fixture()) differs from storetest.Fingerprint(Fixture()) (-want +got):\n%s", d)
	}
	if d := cmp.Diff(fp, fingerprint(t, s)); d != "" {
		t.Errorf("Fingerprint is not stable:\n%s", d)
	}
	// A successful write changes exactly its table.
	_, err := s.PayInvoice(t.Context(), contoso.PaymentRequest{InvoiceID: 2, Amount: 1, Method: "ach", Date: payDate})
	check(t, "PayInvoice", err)
	after := fingerprint(t, s)
	for _, table := range Tables {
		if changed := after[table] != fp[table]; changed != (table == "payments") {
			t.Errorf("after a payment, table %s changed = %v", table, changed)
		}
	}
}

func testLoadReplaces(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	// Loading the same data again replaces it: no duplicates anywhere.
	check(t, "second Load(Fixture())", s.Load(ctx, Fixture()))
	if d := cmp.Diff(Fingerprint(Fixture()), fingerprint(t, s)); d != "" {
		t.Errorf("after loading twice (-want +got):\n%s", d)
	}
	cs, err := s.ListCustomers(ctx)
	wantIDs(t, "ListCustomers after loading twice", cs, err, customerID, 1, 2, 3, 4)
	hits, err := s.SearchKnowledge(ctx, "roaming", 5)
	wantIDs(t, `SearchKnowledge("roaming") after loading twice`, hits, err, hitID, 3, 5)

	// Writes made before a Load are gone after it.
	_, err = s.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: 2, Amount: 1, Method: "ach", Date: payDate})
	check(t, "PayInvoice", err)

	// A smaller data set replaces everything, the search index included.
	small := Fixture()
	small.Customers = small.Customers[:1]
	small.Subscriptions = small.Subscriptions[:2]
	small.Invoices = small.Invoices[:1]
	small.Payments = small.Payments[:1]
	small.SecurityLogs = pick(small.SecurityLogs, logID, 7, 8)
	small.Orders = pick(small.Orders, orderID, 1)
	small.SupportTickets = pick(small.SupportTickets, ticketID, 1)
	small.DataUsage = pick(small.DataUsage, usageID, 1)
	small.ServiceIncidents = nil
	small.KnowledgeDocuments = pick(small.KnowledgeDocuments, documentID, 1, 2)
	small.KnowledgeDocuments[1].Title = "Zebra Crossing Guide" // changed text must be searchable
	check(t, "Load(small)", s.Load(ctx, small))
	if d := cmp.Diff(Fingerprint(small), fingerprint(t, s)); d != "" {
		t.Errorf("after loading a smaller data set (-want +got):\n%s", d)
	}
	cs, err = s.ListCustomers(ctx)
	wantIDs(t, "ListCustomers after loading a smaller set", cs, err, customerID, 1)
	hits, err = s.SearchKnowledge(ctx, "roaming", 5)
	wantIDs(t, `SearchKnowledge("roaming") after loading a set without it`, hits, err, hitID)
	hits, err = s.SearchKnowledge(ctx, "zebra", 5)
	wantIDs(t, `SearchKnowledge("zebra") after loading a set with it`, hits, err, hitID, 2)
	is, err := s.SubscriptionIncidents(ctx, 1)
	wantIDs(t, "SubscriptionIncidents(1) after loading a set without incidents", is, err, incidentID)
}
