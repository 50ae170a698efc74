package mcpserver_test

import (
	"strings"
	"testing"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/seed"
	"github.com/contoso/contoso-mcp/internal/tools"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// One test per scenario of docs/DOMAIN.md: the calls a support agent would make,
// over the in-memory transport, asserting the facts of the scenario's last
// column.

func scenario(n int) int64 { return seed.ScenarioCustomerID(seedOpts, n) }

func day(offset int) string { return asOf.AddDate(0, 0, offset).Format(contoso.DateLayout) }

// customerSubscription returns the customer's only subscription, checking the
// customer's name on the way.
func customerSubscription(t *testing.T, cs *mcp.ClientSession, id int64, first, last string) tools.SubscriptionSummary {
	t.Helper()
	var d tools.CustomerDetail
	call(t, cs, "get_customer_detail", map[string]any{"customer_id": id}, &d)
	if d.Customer.FirstName != first || d.Customer.LastName != last {
		t.Fatalf("customer %d is %s %s, want %s %s", id, d.Customer.FirstName, d.Customer.LastName, first, last)
	}
	if len(d.Subscriptions) != 1 {
		t.Fatalf("customer %d has %d subscriptions, want 1", id, len(d.Subscriptions))
	}
	return d.Subscriptions[0]
}

// topDocument searches the knowledge base and returns the best hit's title and content.
func topDocument(t *testing.T, cs *mcp.ClientSession, query string) contoso.KnowledgeHit {
	t.Helper()
	var r tools.SearchResults
	call(t, cs, "search_knowledge_base", map[string]any{"query": query}, &r)
	if len(r.Results) == 0 {
		t.Fatalf("search %q found nothing", query)
	}
	return r.Results[0]
}

func wantTitle(t *testing.T, hit contoso.KnowledgeHit, title string, facts ...string) {
	t.Helper()
	if hit.Title != title {
		t.Errorf("best document is %q, want %q", hit.Title, title)
		return
	}
	for _, f := range facts {
		if !strings.Contains(hit.Content, f) {
			t.Errorf("%q does not state %q", title, f)
		}
	}
}

func usage(t *testing.T, cs *mcp.ClientSession, sub int64) tools.DataUsageReport {
	t.Helper()
	var u tools.DataUsageReport
	call(t, cs, "get_data_usage", map[string]any{"subscription_id": sub, "start_date": day(-60), "end_date": day(0), "aggregate": true}, &u)
	return u
}

func TestScenario1UnexpectedOverageBill(t *testing.T) {
	cs := newFixture(t, nil).connect(t, inMemory)
	sub := customerSubscription(t, cs, scenario(1), "John", "Doe")
	if sub.DataCapGB == nil || *sub.DataCapGB != 10 || sub.SpeedTier != "300Mbps" || sub.ProductCategory != "internet" {
		t.Errorf("subscription = %+v, want internet 300Mbps with a 10 GB cap", sub)
	}
	var d tools.SubscriptionDetail
	call(t, cs, "get_subscription_detail", map[string]any{"subscription_id": sub.SubscriptionID}, &d)
	if len(d.Invoices) != 2 {
		t.Fatalf("%d invoices, want 2", len(d.Invoices))
	}
	latest, normal := d.Invoices[0], d.Invoices[1]
	if latest.Amount != 150 || latest.Outstanding != 100 || latest.Description != "Unexpected overage charges" {
		t.Errorf("latest invoice = %+v, want $150 overage with $100 outstanding", latest)
	}
	if normal.Amount != 60 || normal.Outstanding != 0 {
		t.Errorf("previous invoice = %+v, want $60 fully paid", normal)
	}
	if ratio := latest.Amount / normal.Amount; ratio != 2.5 {
		t.Errorf("bill is %.2fx the normal one, want 2.5x", ratio)
	}
	u := usage(t, cs, sub.SubscriptionID)
	if u.Totals.DataUsedGB < 21 || u.Totals.DataUsedGB > 25 || u.OverCapGB <= 10 {
		t.Errorf("usage %.2f GB, %.2f over the cap; want about 23 GB, over the 10 GB cap", u.Totals.DataUsedGB, u.OverCapGB)
	}
	wantTitle(t, topDocument(t, cs, "data overage charges retroactive upgrade"), "Data Overage Policy", "15 days")
}

func TestScenario2SlowInternet(t *testing.T) {
	cs := newFixture(t, nil).connect(t, inMemory)
	sub := customerSubscription(t, cs, scenario(2), "Jane", "Doe")
	if sub.ServiceStatus != "slow" || sub.SpeedTier != "1Gbps" {
		t.Errorf("subscription = %+v, want 1Gbps with service status slow", sub)
	}
	var d tools.SubscriptionDetail
	call(t, cs, "get_subscription_detail", map[string]any{"subscription_id": sub.SubscriptionID}, &d)
	if len(d.Incidents) != 1 || d.Incidents[0].ResolutionStatus != "investigating" || d.Incidents[0].IncidentDate != day(-2) {
		t.Errorf("incidents = %+v, want one under investigation from 2 days ago", d.Incidents)
	}
	wantTitle(t, topDocument(t, cs, "troubleshooting slow internet speed"), "Troubleshooting Slow Internet", "25%")
}

func TestScenario3RoamingBeforeTravel(t *testing.T) {
	cs := newFixture(t, nil).connect(t, inMemory)
	sub := customerSubscription(t, cs, scenario(3), "Mark", "Doe")
	if sub.RoamingEnabled || sub.ProductCategory != "mobile" {
		t.Errorf("subscription = %+v, want mobile with roaming off", sub)
	}
	var p tools.Products
	call(t, cs, "get_products", map[string]any{"category": "addon"}, &p)
	if len(p.Products) != 1 || p.Products[0].ProductID != 4 || !strings.Contains(p.Products[0].Name, "Roaming") {
		t.Errorf("add-ons = %+v, want the International Roaming add-on (product 4)", p.Products)
	}
	wantTitle(t, topDocument(t, cs, "roaming activation cut-off"), "Roaming Activation Cut-off Times", "24")
	wantTitle(t, topDocument(t, cs, "international roaming options"), "International Roaming Options", "3 days")
}

func TestScenario4LockedAccount(t *testing.T) {
	cs := newFixture(t, nil).connect(t, inMemory)
	id := scenario(4)
	customerSubscription(t, cs, id, "Alice", "Doe")
	var logs tools.SecurityLogs
	call(t, cs, "get_security_logs", map[string]any{"customer_id": id}, &logs)
	if !logs.Locked || len(logs.Events) != 9 || logs.Events[0].EventType != "account_locked" {
		t.Fatalf("security logs = %+v, want 8 failed logins then a lock, newest first, locked", logs)
	}
	wantTitle(t, topDocument(t, cs, "account unlock procedure"), "Account Unlock Procedure", "password")
	var u tools.UnlockOutput
	call(t, cs, "unlock_account", map[string]any{"customer_id": id}, &u)
	if u.Locked || u.Event.EventType != "account_unlocked" {
		t.Errorf("unlock = %+v", u)
	}
	call(t, cs, "get_security_logs", map[string]any{"customer_id": id}, &logs)
	if logs.Locked {
		t.Error("still locked after unlock_account")
	}
	if msg := callErr(t, cs, "unlock_account", map[string]any{"customer_id": id}); !strings.Contains(msg, "not locked") {
		t.Errorf("second unlock: %q, want 'not locked'", msg)
	}
}

func TestScenario5GoldPromotions(t *testing.T) {
	cs := newFixture(t, nil).connect(t, inMemory)
	id := scenario(5)
	customerSubscription(t, cs, id, "Ron", "Doe")
	var e tools.EligiblePromotions
	call(t, cs, "get_eligible_promotions", map[string]any{"customer_id": id}, &e)
	if len(e.Eligible) != 1 || e.Eligible[0].Name != "Mobile Loyalty Discount" || e.Eligible[0].DiscountPercent != 10 {
		t.Fatalf("eligible = %+v, want exactly the Mobile Loyalty Discount at 10%%", e.Eligible)
	}
	future := false
	var all tools.PromotionList
	call(t, cs, "get_promotions", nil, &all)
	for _, p := range all.Promotions {
		if p.StartDate > e.Today && p.Eligibility.ProductCategory == "mobile" && contains(p.Eligibility.LoyaltyLevels, "Gold") {
			future = true
			for _, in := range e.Ineligible {
				if in.PromotionID == p.PromotionID && !strings.Contains(strings.Join(in.Reasons, " "), "starts") {
					t.Errorf("future promotion %q ineligible for %v, want because it has not started", p.Name, in.Reasons)
				}
			}
		}
	}
	if !future {
		t.Error("no Gold mobile promotion starting later")
	}
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func TestScenario6ReturnWithinWindow(t *testing.T) {
	cs := newFixture(t, nil).connect(t, inMemory)
	id := scenario(6)
	customerSubscription(t, cs, id, "Mary", "Doe")
	var o tools.Orders
	call(t, cs, "get_customer_orders", map[string]any{"customer_id": id}, &o)
	if len(o.Orders) != 1 || o.Orders[0].OrderStatus != "returned" || o.Orders[0].Amount != 75 || o.Orders[0].OrderDate != day(-25) {
		t.Fatalf("orders = %+v, want one $75 order returned, dated 25 days ago", o.Orders)
	}
	wantTitle(t, topDocument(t, cs, "return policy refund"), "Return Policy", "30 days", "business days")
}

func TestScenario7DroppedCalls(t *testing.T) {
	cs := newFixture(t, nil).connect(t, inMemory)
	id := scenario(7)
	sub := customerSubscription(t, cs, id, "Tom", "Smith")
	if !sub.RoamingEnabled {
		t.Error("roaming is off, want on")
	}
	var tk tools.Tickets
	call(t, cs, "get_support_tickets", map[string]any{"customer_id": id, "open_only": true}, &tk)
	if len(tk.Tickets) != 1 {
		t.Fatalf("%d open tickets, want 1", len(tk.Tickets))
	}
	ticket := tk.Tickets[0]
	if ticket.Category != "call_drop" || ticket.Priority != "high" || ticket.Status != "open" || !strings.Contains(ticket.Description, "5th & Pine") {
		t.Errorf("ticket = %+v, want an open high-priority call_drop ticket near 5th & Pine", ticket)
	}
	wantTitle(t, topDocument(t, cs, "dropped call investigation workflow"), "Dropped Call Investigation Workflow", "RF")
	wantTitle(t, topDocument(t, cs, "service reliability SLA credit matrix"), "Service Reliability SLA Credit Matrix", "10%", "25%")
}

func TestScenario8SuspendedForNonPayment(t *testing.T) {
	cs := newFixture(t, nil).connect(t, inMemory)
	id := scenario(8)
	sub := customerSubscription(t, cs, id, "Sara", "Lee")
	if sub.Status != "inactive" || sub.ServiceStatus != "offline" || sub.AutopayEnabled {
		t.Errorf("subscription = %+v, want inactive, offline, autopay off", sub)
	}
	var b tools.BillingSummary
	call(t, cs, "get_billing_summary", map[string]any{"customer_id": id}, &b)
	if b.TotalOutstanding != 95.5 || len(b.Subscriptions) != 1 || len(b.Subscriptions[0].OverdueInvoices) != 1 {
		t.Fatalf("billing = %+v, want $95.50 owed on one overdue invoice", b)
	}
	var ip tools.InvoicePayments
	call(t, cs, "get_invoice_payments", map[string]any{"invoice_id": b.Subscriptions[0].OverdueInvoices[0]}, &ip)
	failed := 0
	for _, p := range ip.Payments {
		if p.Status == "failed" {
			failed++
		}
	}
	if failed != 2 || ip.Invoice.InvoiceDate != day(-40) || ip.Invoice.DueDate >= day(-10) {
		t.Errorf("invoice %+v with %d failed payments; want dated 40 days ago, past the 10-day grace, 2 failed", ip.Invoice, failed)
	}
	wantTitle(t, topDocument(t, cs, "payment failure reinstatement"), "Payment Failure & Reinstatement", "10-day")
	wantTitle(t, topDocument(t, cs, "financial hardship payment plan"), "Financial Hardship Payment Plan", "6")
	wantTitle(t, topDocument(t, cs, "late payment fee"), "Late Payment Fee Policy", "1.5%")
}

func TestScenario9OverageSuggestBiggerPlan(t *testing.T) {
	cs := newFixture(t, nil).connect(t, inMemory)
	id := scenario(9)
	sub := customerSubscription(t, cs, id, "Alex", "Brown")
	if sub.DataCapGB == nil || *sub.DataCapGB != 10 || sub.ProductCategory != "mobile" {
		t.Errorf("subscription = %+v, want mobile with a 10 GB cap", sub)
	}
	u := usage(t, cs, sub.SubscriptionID)
	if u.Totals.DataUsedGB < 20 || u.Totals.DataUsedGB > 26.5 || u.OverCapGB < 10 {
		t.Errorf("usage %.2f GB (%.2f over), want about 22 GB, about 12 over", u.Totals.DataUsedGB, u.OverCapGB)
	}
	var b tools.BillingSummary
	call(t, cs, "get_billing_summary", map[string]any{"customer_id": id}, &b)
	if b.TotalOutstanding != 150 || b.Subscriptions[0].LatestInvoice == nil || b.Subscriptions[0].LatestInvoice.Description != "Base plan + 12GB data overage" {
		t.Errorf("billing = %+v, want the unpaid $150 overage invoice", b)
	}
	wantTitle(t, topDocument(t, cs, "data overage"), "Data Overage Policy", "15 days")
}
