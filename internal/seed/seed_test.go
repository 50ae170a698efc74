package seed

import (
	"fmt"
	"hash/fnv"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// testAsOf has a time of day on purpose: only its UTC date may count.
var testAsOf = time.Date(2025, 6, 15, 13, 45, 12, 0, time.UTC)

func opts(n int) Options { return Options{Customers: n, AsOf: testAsOf} }

func generate(t testing.TB, o Options) *contoso.Dataset {
	t.Helper()
	d, err := Generate(o)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	return d
}

// variants are the option sets the integrity and scenario checks run over:
// the default, no and few ordinary customers, other seeds, and as-of dates
// at awkward places in the calendar.
func variants() []Options {
	return []Options{
		opts(DefaultCustomers),
		opts(0),
		opts(10),
		{Seed: 1, Customers: 40, AsOf: testAsOf},
		{Seed: TenantSeed("fabrikam"), Customers: DefaultCustomers, AsOf: testAsOf},
		{Seed: 99, Customers: 120, AsOf: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{Seed: 7, Customers: 60, AsOf: time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)},
		{Customers: 30, AsOf: time.Date(2025, 3, 31, 8, 0, 0, 0, time.UTC)},
		{Customers: 30, AsOf: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
}

func name(o Options) string {
	return fmt.Sprintf("seed=%d,n=%d,asof=%s", o.Seed, o.Customers, o.AsOf.UTC().Format(contoso.DateLayout))
}

// asOfDate returns the as-of date at 00:00 UTC, computed independently of
// the generator.
func asOfDate(o Options) time.Time {
	y, m, d := o.AsOf.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func day(o Options, days int) string {
	return asOfDate(o).AddDate(0, 0, days).Format(contoso.DateLayout)
}

func at(o Options, d time.Duration) string {
	return asOfDate(o).Add(d).Format(contoso.TimestampLayout)
}

func parseDate(t *testing.T, what, s string) time.Time {
	t.Helper()
	v, err := time.Parse(contoso.DateLayout, s)
	if err != nil {
		t.Errorf("%s: bad date %q: %v", what, s, err)
	}
	return v
}

func parseInstant(t *testing.T, what, s string) time.Time {
	t.Helper()
	v, err := time.Parse(contoso.TimestampLayout, s)
	if err != nil {
		t.Errorf("%s: bad instant %q: %v", what, s, err)
	}
	return v
}

func wholeCents(v float64) bool {
	return math.Abs(v*100-math.Round(v*100)) < 1e-6
}

// index groups a data set's records by what they belong to.
type index struct {
	customers map[int64]contoso.Customer
	subs      map[int64]contoso.Subscription
	products  map[int64]contoso.Product
	invoices  map[int64]contoso.Invoice
	invBySub  map[int64][]contoso.Invoice
	payByInv  map[int64][]contoso.Payment
	usage     map[int64][]contoso.DataUsage
	logs      map[int64][]contoso.SecurityLog
	orders    map[int64][]contoso.Order
	tickets   map[int64][]contoso.SupportTicket
	incidents map[int64][]contoso.ServiceIncident
}

func newIndex(d *contoso.Dataset) *index {
	x := &index{
		customers: map[int64]contoso.Customer{},
		subs:      map[int64]contoso.Subscription{},
		products:  map[int64]contoso.Product{},
		invoices:  map[int64]contoso.Invoice{},
		invBySub:  map[int64][]contoso.Invoice{},
		payByInv:  map[int64][]contoso.Payment{},
		usage:     map[int64][]contoso.DataUsage{},
		logs:      map[int64][]contoso.SecurityLog{},
		orders:    map[int64][]contoso.Order{},
		tickets:   map[int64][]contoso.SupportTicket{},
		incidents: map[int64][]contoso.ServiceIncident{},
	}
	for _, c := range d.Customers {
		x.customers[c.CustomerID] = c
	}
	for _, s := range d.Subscriptions {
		x.subs[s.SubscriptionID] = s
	}
	for _, p := range d.Products {
		x.products[p.ProductID] = p
	}
	for _, v := range d.Invoices {
		x.invoices[v.InvoiceID] = v
		x.invBySub[v.SubscriptionID] = append(x.invBySub[v.SubscriptionID], v)
	}
	for _, p := range d.Payments {
		x.payByInv[p.InvoiceID] = append(x.payByInv[p.InvoiceID], p)
	}
	for _, u := range d.DataUsage {
		x.usage[u.SubscriptionID] = append(x.usage[u.SubscriptionID], u)
	}
	for _, l := range d.SecurityLogs {
		x.logs[l.CustomerID] = append(x.logs[l.CustomerID], l)
	}
	for _, o := range d.Orders {
		x.orders[o.CustomerID] = append(x.orders[o.CustomerID], o)
	}
	for _, t := range d.SupportTickets {
		x.tickets[t.CustomerID] = append(x.tickets[t.CustomerID], t)
	}
	for _, in := range d.ServiceIncidents {
		x.incidents[in.SubscriptionID] = append(x.incidents[in.SubscriptionID], in)
	}
	return x
}

// subPayments returns the payments of all of a subscription's invoices.
func (x *index) subPayments(sub int64) []contoso.Payment {
	var out []contoso.Payment
	for _, v := range x.invBySub[sub] {
		out = append(out, x.payByInv[v.InvoiceID]...)
	}
	return out
}

// same reports whether a and b are deeply equal; cmp.Diff, which is slow on
// whole data sets, runs only to explain a difference.
func same(t *testing.T, what string, a, b any) {
	t.Helper()
	if !reflect.DeepEqual(a, b) {
		t.Errorf("%s differ (-first +second):\n%s", what, cmp.Diff(a, b))
	}
}

func TestDeterministic(t *testing.T) {
	a := generate(t, opts(DefaultCustomers))
	b := generate(t, opts(DefaultCustomers))
	same(t, "two Generates with the same options", a, b)

	zero := generate(t, Options{Seed: 0, Customers: DefaultCustomers, AsOf: testAsOf})
	def := generate(t, Options{Seed: DefaultSeed, Customers: DefaultCustomers, AsOf: testAsOf})
	same(t, "seed 0 and DefaultSeed", zero, def)

	// Only the UTC calendar date of AsOf counts.
	midnight := generate(t, Options{Customers: DefaultCustomers, AsOf: time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)})
	same(t, "two times of day on the same date", a, midnight)
	pacific := time.FixedZone("UTC-7", -7*3600)
	evening := generate(t, Options{Customers: DefaultCustomers, AsOf: time.Date(2025, 6, 14, 20, 0, 0, 0, pacific)}) // 2025-06-15 03:00 UTC
	same(t, "an as-of in another zone on the same UTC date", a, evening)

	other := generate(t, Options{Seed: 12345, Customers: DefaultCustomers, AsOf: testAsOf})
	if reflect.DeepEqual(a, other) {
		t.Fatal("a different seed gave the same data set")
	}
	same := 0
	for i := range DefaultCustomers {
		if a.Customers[i].FirstName == other.Customers[i].FirstName && a.Customers[i].LastName == other.Customers[i].LastName {
			same++
		}
	}
	if same > DefaultCustomers/10 {
		t.Errorf("a different seed kept %d of %d ordinary customer names", same, DefaultCustomers)
	}
	if reflect.DeepEqual(a.Invoices, other.Invoices) || reflect.DeepEqual(a.DataUsage, other.DataUsage) || reflect.DeepEqual(a.SupportTickets, other.SupportTickets) {
		t.Error("a different seed left invoices, usage or tickets unchanged")
	}
	fab := generate(t, Options{Seed: TenantSeed("fabrikam"), Customers: DefaultCustomers, AsOf: testAsOf})
	if reflect.DeepEqual(a.Customers, fab.Customers) {
		t.Error("fabrikam has contoso's customers")
	}
	// The fixed parts do not depend on the seed.
	if diff := cmp.Diff(a.KnowledgeDocuments, other.KnowledgeDocuments); diff != "" {
		t.Errorf("knowledge documents depend on the seed:\n%s", diff)
	}
	if diff := cmp.Diff(a.Products, other.Products); diff != "" {
		t.Errorf("products depend on the seed:\n%s", diff)
	}
}

func shiftDate(t *testing.T, s string, days int) string {
	t.Helper()
	return parseDate(t, "shift", s).AddDate(0, 0, days).Format(contoso.DateLayout)
}

func shiftInstant(t *testing.T, s string, days int) string {
	t.Helper()
	if s == "" {
		return ""
	}
	return parseInstant(t, "shift", s).AddDate(0, 0, days).Format(contoso.TimestampLayout)
}

// TestAsOfShift: moving the as-of date moves every date relative to it and
// leaves every value alone. Monthly invoices fall on calendar billing days,
// so their dates are checked for shape rather than an exact shift.
func TestAsOfShift(t *testing.T) {
	const shift = 10
	o1 := opts(DefaultCustomers)
	o2 := Options{Customers: DefaultCustomers, AsOf: testAsOf.AddDate(0, 0, shift)}
	a, b := generate(t, o1), generate(t, o2)

	if diff := cmp.Diff(a.Customers, b.Customers); diff != "" {
		t.Errorf("customers depend on the as-of date:\n%s", diff)
	}
	if len(a.DataUsage) != len(b.DataUsage) || len(a.Promotions) != len(b.Promotions) ||
		len(a.SecurityLogs) != len(b.SecurityLogs) || len(a.SupportTickets) != len(b.SupportTickets) ||
		len(a.Orders) != len(b.Orders) || len(a.ServiceIncidents) != len(b.ServiceIncidents) ||
		len(a.Invoices) != len(b.Invoices) || len(a.Payments) != len(b.Payments) {
		t.Fatal("table sizes depend on the as-of date")
	}
	for i, u := range a.DataUsage {
		w := u
		w.UsageDate = shiftDate(t, u.UsageDate, shift)
		if a.Subscriptions[u.SubscriptionID-1].Status == "inactive" {
			// Use stops at the end date, which falls on the calendar.
			w.DataUsedMB, w.VoiceMinutes, w.SMSCount = b.DataUsage[i].DataUsedMB, b.DataUsage[i].VoiceMinutes, b.DataUsage[i].SMSCount
		}
		if w != b.DataUsage[i] {
			t.Fatalf("usage row %d: shifted %+v, got %+v", i, w, b.DataUsage[i])
		}
	}
	for i, p := range a.Promotions {
		w := p
		w.StartDate, w.EndDate = shiftDate(t, p.StartDate, shift), shiftDate(t, p.EndDate, shift)
		if diff := cmp.Diff(w, b.Promotions[i]); diff != "" {
			t.Errorf("promotion %d not shifted:\n%s", p.PromotionID, diff)
		}
	}
	for i, l := range a.SecurityLogs {
		w := l
		w.EventTimestamp = shiftInstant(t, l.EventTimestamp, shift)
		if w != b.SecurityLogs[i] {
			t.Fatalf("security log %d: shifted %+v, got %+v", i, w, b.SecurityLogs[i])
		}
	}
	for i, k := range a.SupportTickets {
		w := k
		w.OpenedAt, w.ClosedAt = shiftInstant(t, k.OpenedAt, shift), shiftInstant(t, k.ClosedAt, shift)
		w.Description = b.SupportTickets[i].Description // scenario tickets quote dates
		if w != b.SupportTickets[i] {
			t.Fatalf("ticket %d: shifted %+v, got %+v", i, w, b.SupportTickets[i])
		}
	}
	for i, o := range a.Orders {
		w := o
		w.OrderDate = shiftDate(t, o.OrderDate, shift)
		if w != b.Orders[i] {
			t.Fatalf("order %d: shifted %+v, got %+v", i, w, b.Orders[i])
		}
	}
	for i, in := range a.ServiceIncidents {
		w := in
		w.IncidentDate = shiftDate(t, in.IncidentDate, shift)
		if w != b.ServiceIncidents[i] {
			t.Fatalf("incident %d: shifted %+v, got %+v", i, w, b.ServiceIncidents[i])
		}
	}
	for i, v := range a.Invoices {
		u := b.Invoices[i]
		if v.SubscriptionID != u.SubscriptionID || v.Amount != u.Amount || v.Description != u.Description {
			t.Fatalf("invoice %d changed with the as-of date: %+v vs %+v", v.InvoiceID, v, u)
		}
		if v.SubscriptionID > int64(o1.Customers) && shiftDate(t, v.InvoiceDate, shift) != u.InvoiceDate {
			t.Errorf("scenario invoice %d not shifted: %s vs %s", v.InvoiceID, v.InvoiceDate, u.InvoiceDate)
		}
	}
	for i, p := range a.Payments {
		q := b.Payments[i]
		if p.InvoiceID != q.InvoiceID || p.Amount != q.Amount || p.Method != q.Method || p.Status != q.Status {
			t.Fatalf("payment %d changed with the as-of date: %+v vs %+v", p.PaymentID, p, q)
		}
	}
	// The newest invoice of each active ordinary subscription is within the
	// month before the as-of date.
	x := newIndex(b)
	for id := int64(1); id <= int64(o2.Customers); id++ {
		if x.subs[id].Status != "active" {
			continue
		}
		inv := x.invBySub[id]
		newest := inv[len(inv)-1].InvoiceDate
		if newest < day(o2, -31) || newest >= day(o2, 0) {
			t.Errorf("subscription %d: newest invoice %s is not in the month before %s", id, newest, day(o2, 0))
		}
	}
}

var wantTitles = []string{
	"Invoice Adjustment Policy",
	"Troubleshooting Slow Internet",
	"International Roaming Options",
	"Account Unlock Procedure",
	"Promotion Eligibility Guidelines",
	"Return Policy",
	"Billing Dispute Escalation",
	"Late Payment Fee Policy",
	"Troubleshooting Call Dropping",
	"Text Messaging FAQ",
	"Data Overage Policy",
	"Payment Failure & Reinstatement",
	"Financial Hardship Payment Plan",
	"Dropped Call Investigation Workflow",
	"Service Reliability SLA Credit Matrix",
	"Autopay Discount Terms",
	"Roaming Activation Cut-off Times",
}

func TestCounts(t *testing.T) {
	for _, n := range []int{DefaultCustomers, 500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			o := opts(n)
			d := generate(t, o)
			x := newIndex(d)
			if len(d.Customers) != n+9 || len(d.Subscriptions) != n+9 {
				t.Fatalf("%d customers and %d subscriptions; want %d each", len(d.Customers), len(d.Subscriptions), n+9)
			}

			statuses := map[string]int{}
			payments := 0
			inactive, normal := 0, 0
			for id := int64(1); id <= int64(n); id++ {
				s := x.subs[id]
				if s.Status == "inactive" {
					inactive++
				}
				if s.ServiceStatus == "normal" {
					normal++
				}
				inv := x.invBySub[id]
				if len(inv) < 8 || len(inv) > 14 {
					t.Errorf("subscription %d has %d invoices; want 8-14", id, len(inv))
				}
				for _, v := range inv {
					p := x.payByInv[v.InvoiceID]
					if len(p) != 1 {
						t.Errorf("invoice %d has %d payments; want 1", v.InvoiceID, len(p))
						continue
					}
					statuses[p[0].Status]++
					payments++
				}
				u := x.usage[id]
				if len(u) != 60 {
					t.Errorf("subscription %d has %d usage rows; want 60", id, len(u))
					continue
				}
				for i, r := range u {
					if want := day(o, i-59); r.UsageDate != want {
						t.Errorf("subscription %d usage row %d dated %s; want %s", id, i, r.UsageDate, want)
						break
					}
				}
			}
			share := func(s string) float64 { return float64(statuses[s]) / float64(payments) }
			if s := share("successful"); s < 0.71 || s > 0.79 {
				t.Errorf("successful payments %.3f; want about 0.75", s)
			}
			if s := share("failed"); s < 0.07 || s > 0.13 {
				t.Errorf("failed payments %.3f; want about 0.10", s)
			}
			if s := share("partial"); s < 0.115 || s > 0.185 {
				t.Errorf("partial payments %.3f; want about 0.15", s)
			}
			if statuses["successful"]+statuses["failed"]+statuses["partial"] != payments {
				t.Errorf("ordinary payment statuses %v; want only successful, failed, partial", statuses)
			}
			if inactive == 0 || inactive > n/5 {
				t.Errorf("%d of %d ordinary subscriptions inactive; want some, not many", inactive, n)
			}
			if normal < n*4/5 {
				t.Errorf("only %d of %d ordinary subscriptions have service_status normal", normal, n)
			}

			levels := map[string]int{}
			for _, c := range d.Customers[:n] {
				levels[c.LoyaltyLevel]++
			}
			for _, l := range contoso.LoyaltyLevels {
				if levels[l] < n/10 {
					t.Errorf("loyalty %s: %d of %d customers; want a spread", l, levels[l], n)
				}
			}

			ordinary := func(cust int64) bool { return cust <= int64(n) }
			count := func(total int, each func(i int) int64) (c int) {
				for i := range total {
					if ordinary(each(i)) {
						c++
					}
				}
				return c
			}
			for _, tc := range []struct {
				what string
				got  int
				base int
			}{
				{"tickets", count(len(d.SupportTickets), func(i int) int64 { return d.SupportTickets[i].CustomerID }), 120},
				{"orders", count(len(d.Orders), func(i int) int64 { return d.Orders[i].CustomerID }), 120},
				{"incidents", count(len(d.ServiceIncidents), func(i int) int64 { return d.ServiceIncidents[i].SubscriptionID }), 60},
				{"security events", count(len(d.SecurityLogs), func(i int) int64 { return d.SecurityLogs[i].CustomerID }), 40},
			} {
				if want := tc.base * n / DefaultCustomers; tc.got != want {
					t.Errorf("%d ordinary %s; want %d", tc.got, tc.what, want)
				}
			}
		})
	}
}

func TestFixedTables(t *testing.T) {
	d := generate(t, opts(DefaultCustomers))
	wantCats := []string{"mobile", "internet", "bundle", "addon"}
	if len(d.Products) != 4 {
		t.Fatalf("%d products; want 4", len(d.Products))
	}
	for i, p := range d.Products {
		if p.Category != wantCats[i] || p.Name == "" || len(p.Description) < 30 || p.MonthlyFee <= 0 || !wholeCents(p.MonthlyFee) {
			t.Errorf("product %d = %+v; want a %s product with a name, description and fee", p.ProductID, p, wantCats[i])
		}
	}
	if d.Products[3].Name != "International Roaming" {
		t.Errorf("product 4 is %q; want International Roaming", d.Products[3].Name)
	}

	if len(d.KnowledgeDocuments) != len(wantTitles) {
		t.Fatalf("%d knowledge documents; want %d", len(d.KnowledgeDocuments), len(wantTitles))
	}
	contents := map[string]string{}
	for i, k := range d.KnowledgeDocuments {
		if k.Title != wantTitles[i] {
			t.Errorf("document %d titled %q; want %q", k.DocumentID, k.Title, wantTitles[i])
		}
		if !slices.Contains(contoso.KnowledgeDocTypes, k.DocType) {
			t.Errorf("document %q has doc_type %q", k.Title, k.DocType)
		}
		if w := len(strings.Fields(k.Content)); w < 120 || w > 300 {
			t.Errorf("document %q has %d words; want 120-300", k.Title, w)
		}
		contents[k.Title] = strings.ToLower(k.Content)
	}
	// The facts docs/DOMAIN.md gives each document.
	facts := map[string][]string{
		"Invoice Adjustment Policy":             {"formal", "inquiry", "one to two billing cycles"},
		"Troubleshooting Slow Internet":         {"cable", "speed test", "reboot", "channel", "incident", "escalate", "25%"},
		"International Roaming Options":         {"packages", "device", "3 days before"},
		"Account Unlock Procedure":              {"two-factor", "identity", "temporary", "password reset", "fraud team"},
		"Promotion Eligibility Guidelines":      {"gold", "better offers", "6-month lapse"},
		"Return Policy":                         {"30 days", "proof of purchase", "7 to 10 business days"},
		"Billing Dispute Escalation":            {"second review", "arbitration"},
		"Late Payment Fee Policy":               {"1.5%", "month", "hardship", "waive"},
		"Data Overage Policy":                   {"per gb", "retroactive upgrade", "within 15 days", "loyalty discounts"},
		"Payment Failure & Reinstatement":       {"10 days", "suspended", "first reconnection", "12-month"},
		"Financial Hardship Payment Plan":       {"up to 6 equal", "late payment fees", "frozen"},
		"Dropped Call Investigation Workflow":   {"3 samples", "rf engineering"},
		"Service Reliability SLA Credit Matrix": {"1 to 3 hours: 10%", "3 to 24 hours: 25%", "over 24 hours: a full month"},
		"Autopay Discount Terms":                {"$5 a month", "fails", "2 successful payments"},
		"Roaming Activation Cut-off Times":      {"24 hours before", "same-day", "up to 6 hours"},
	}
	for title, want := range facts {
		for _, f := range want {
			if !strings.Contains(contents[title], f) {
				t.Errorf("document %q does not say %q", title, f)
			}
		}
	}
}

func TestIntegrity(t *testing.T) {
	for _, o := range variants() {
		t.Run(name(o), func(t *testing.T) {
			checkIntegrity(t, o, generate(t, o))
		})
	}
}

func checkIntegrity(t *testing.T, o Options, d *contoso.Dataset) {
	x := newIndex(d)
	today := day(o, 0)
	now := asOfDate(o)
	n := int64(o.Customers)

	ids := func(table string, got []int64) {
		t.Helper()
		for i, id := range got {
			if id != int64(i+1) {
				t.Errorf("%s: row %d has id %d; want ids 1..%d in order", table, i, id, len(got))
				return
			}
		}
	}
	collect := func(size int, f func(int) int64) []int64 {
		out := make([]int64, size)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	ids("customers", collect(len(d.Customers), func(i int) int64 { return d.Customers[i].CustomerID }))
	ids("products", collect(len(d.Products), func(i int) int64 { return d.Products[i].ProductID }))
	ids("subscriptions", collect(len(d.Subscriptions), func(i int) int64 { return d.Subscriptions[i].SubscriptionID }))
	ids("invoices", collect(len(d.Invoices), func(i int) int64 { return d.Invoices[i].InvoiceID }))
	ids("payments", collect(len(d.Payments), func(i int) int64 { return d.Payments[i].PaymentID }))
	ids("promotions", collect(len(d.Promotions), func(i int) int64 { return d.Promotions[i].PromotionID }))
	ids("security_logs", collect(len(d.SecurityLogs), func(i int) int64 { return d.SecurityLogs[i].LogID }))
	ids("orders", collect(len(d.Orders), func(i int) int64 { return d.Orders[i].OrderID }))
	ids("support_tickets", collect(len(d.SupportTickets), func(i int) int64 { return d.SupportTickets[i].TicketID }))
	ids("data_usage", collect(len(d.DataUsage), func(i int) int64 { return d.DataUsage[i].UsageID }))
	ids("service_incidents", collect(len(d.ServiceIncidents), func(i int) int64 { return d.ServiceIncidents[i].IncidentID }))
	ids("knowledge_documents", collect(len(d.KnowledgeDocuments), func(i int) int64 { return d.KnowledgeDocuments[i].DocumentID }))

	if len(d.Customers) != o.Customers+9 || len(d.Subscriptions) != len(d.Customers) {
		t.Fatalf("%d customers, %d subscriptions; want %d each", len(d.Customers), len(d.Subscriptions), o.Customers+9)
	}
	enum := func(what, v string, allowed []string) {
		t.Helper()
		if !slices.Contains(allowed, v) {
			t.Errorf("%s: %q is not one of %v", what, v, allowed)
		}
	}
	notAfter := func(what, date string) {
		t.Helper()
		parseDate(t, what, date)
		if date > today {
			t.Errorf("%s: %s is after the as-of date %s", what, date, today)
		}
	}
	instant := func(what, s string) time.Time {
		t.Helper()
		v := parseInstant(t, what, s)
		if v.After(now) {
			t.Errorf("%s: %s is after the as-of instant", what, s)
		}
		return v
	}
	amount := func(what string, v float64) {
		t.Helper()
		if v <= 0 || !wholeCents(v) {
			t.Errorf("%s: amount %v is not a positive amount in whole cents", what, v)
		}
	}

	emails := map[string]int64{}
	for _, c := range d.Customers {
		what := fmt.Sprintf("customer %d", c.CustomerID)
		if c.FirstName == "" || c.LastName == "" || c.Phone == "" || c.Address == "" || !strings.HasSuffix(c.Email, "@example.com") {
			t.Errorf("%s is incomplete: %+v", what, c)
		}
		if prev, dup := emails[c.Email]; dup {
			t.Errorf("%s and customer %d share the email %s", what, prev, c.Email)
		}
		emails[c.Email] = c.CustomerID
		enum(what+" loyalty_level", c.LoyaltyLevel, contoso.LoyaltyLevels)
	}
	for _, s := range d.Subscriptions {
		what := fmt.Sprintf("subscription %d", s.SubscriptionID)
		if s.CustomerID != s.SubscriptionID {
			t.Errorf("%s belongs to customer %d; want the same id", what, s.CustomerID)
		}
		if _, ok := x.customers[s.CustomerID]; !ok {
			t.Errorf("%s: no customer %d", what, s.CustomerID)
		}
		p, ok := x.products[s.ProductID]
		if !ok || p.Category == "addon" {
			t.Errorf("%s: product %d is not a plan", what, s.ProductID)
		}
		enum(what+" status", s.Status, contoso.SubscriptionStatus)
		enum(what+" service_status", s.ServiceStatus, contoso.ServiceStatuses)
		notAfter(what+" start_date", s.StartDate)
		if s.EndDate != "" {
			notAfter(what+" end_date", s.EndDate)
			if s.EndDate < s.StartDate {
				t.Errorf("%s ends %s before it starts %s", what, s.EndDate, s.StartDate)
			}
			if s.Status != "inactive" {
				t.Errorf("%s has ended but is %s", what, s.Status)
			}
		}
		switch p.Category {
		case "mobile":
			if s.SpeedTier != "" {
				t.Errorf("mobile %s has speed tier %q", what, s.SpeedTier)
			}
		case "internet", "bundle":
			enum(what+" speed_tier", s.SpeedTier, []string{"100Mbps", "300Mbps", "1Gbps"})
		}
		if p.Category == "internet" && s.RoamingEnabled {
			t.Errorf("internet-only %s has roaming enabled", what)
		}
		if s.DataCapGB != nil && *s.DataCapGB <= 0 {
			t.Errorf("%s has data cap %v", what, *s.DataCapGB)
		}
		if err := s.CheckDates(); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	for _, v := range d.Invoices {
		what := fmt.Sprintf("invoice %d", v.InvoiceID)
		s, ok := x.subs[v.SubscriptionID]
		if !ok {
			t.Errorf("%s: no subscription %d", what, v.SubscriptionID)
		}
		notAfter(what+" invoice_date", v.InvoiceDate)
		due := parseDate(t, what+" due_date", v.DueDate) // due dates may lie ahead: they are deadlines
		if v.SubscriptionID <= n && !due.Equal(parseDate(t, what, v.InvoiceDate).AddDate(0, 0, 30)) {
			t.Errorf("%s: due %s; want 30 days after %s", what, v.DueDate, v.InvoiceDate)
		}
		if v.InvoiceDate < s.StartDate || (s.EndDate != "" && v.InvoiceDate > s.EndDate) {
			t.Errorf("%s dated %s outside its subscription %s..%s", what, v.InvoiceDate, s.StartDate, s.EndDate)
		}
		amount(what, v.Amount)
		if v.Description == "" {
			t.Errorf("%s has no description", what)
		}
	}
	for _, p := range d.Payments {
		what := fmt.Sprintf("payment %d", p.PaymentID)
		v, ok := x.invoices[p.InvoiceID]
		if !ok {
			t.Errorf("%s: no invoice %d", what, p.InvoiceID)
		}
		notAfter(what+" payment_date", p.PaymentDate)
		if p.PaymentDate < v.InvoiceDate {
			t.Errorf("%s on %s is before invoice %d of %s", what, p.PaymentDate, v.InvoiceID, v.InvoiceDate)
		}
		amount(what, p.Amount)
		if p.Amount > v.Amount {
			t.Errorf("%s of %v exceeds invoice %d of %v", what, p.Amount, v.InvoiceID, v.Amount)
		}
		if p.Status == "partial" && p.Amount >= v.Amount {
			t.Errorf("partial %s pays the whole invoice", what)
		}
		enum(what+" method", p.Method, contoso.PaymentMethods)
		enum(what+" status", p.Status, contoso.PaymentStatuses)
		if p.IdempotencyKey != "" {
			t.Errorf("%s has an idempotency key", what)
		}
	}
	for _, p := range d.Promotions {
		what := fmt.Sprintf("promotion %d", p.PromotionID)
		if _, ok := x.products[p.ProductID]; !ok {
			t.Errorf("%s: no product %d", what, p.ProductID)
		}
		start, end := parseDate(t, what, p.StartDate), parseDate(t, what, p.EndDate)
		if end.Before(start) {
			t.Errorf("%s ends before it starts", what)
		}
		for _, l := range p.Eligibility.LoyaltyLevels {
			enum(what+" eligibility loyalty", l, contoso.LoyaltyLevels)
		}
		if c := p.Eligibility.ProductCategory; c != "" {
			enum(what+" eligibility category", c, contoso.ProductCategories)
		}
		if p.DiscountPercent <= 0 || p.DiscountPercent > 100 || p.Name == "" || p.Description == "" {
			t.Errorf("%s is malformed: %+v", what, p)
		}
	}
	for _, l := range d.SecurityLogs {
		what := fmt.Sprintf("security log %d", l.LogID)
		if _, ok := x.customers[l.CustomerID]; !ok {
			t.Errorf("%s: no customer %d", what, l.CustomerID)
		}
		enum(what+" event_type", l.EventType, contoso.SecurityEventTypes)
		instant(what, l.EventTimestamp)
		if l.Description == "" {
			t.Errorf("%s has no description", what)
		}
	}
	for _, r := range d.Orders {
		what := fmt.Sprintf("order %d", r.OrderID)
		if _, ok := x.customers[r.CustomerID]; !ok {
			t.Errorf("%s: no customer %d", what, r.CustomerID)
		}
		if _, ok := x.products[r.ProductID]; !ok {
			t.Errorf("%s: no product %d", what, r.ProductID)
		}
		notAfter(what, r.OrderDate)
		amount(what, r.Amount)
		enum(what+" order_status", r.OrderStatus, contoso.OrderStatuses)
	}
	for _, k := range d.SupportTickets {
		what := fmt.Sprintf("ticket %d", k.TicketID)
		if _, ok := x.customers[k.CustomerID]; !ok {
			t.Errorf("%s: no customer %d", what, k.CustomerID)
		}
		if s, ok := x.subs[k.SubscriptionID]; !ok || s.CustomerID != k.CustomerID {
			t.Errorf("%s: subscription %d does not belong to customer %d", what, k.SubscriptionID, k.CustomerID)
		}
		enum(what+" category", k.Category, contoso.TicketCategories)
		enum(what+" status", k.Status, contoso.TicketStatuses)
		enum(what+" priority", k.Priority, contoso.TicketPriorities)
		opened := instant(what+" opened_at", k.OpenedAt)
		if (k.Status == "closed") != (k.ClosedAt != "") {
			t.Errorf("%s is %s with closed_at %q", what, k.Status, k.ClosedAt)
		}
		if k.ClosedAt != "" && !instant(what+" closed_at", k.ClosedAt).After(opened) {
			t.Errorf("%s closed at %s, not after it opened at %s", what, k.ClosedAt, k.OpenedAt)
		}
		if s := strings.TrimSpace(k.Subject); s == "" || len(s) > contoso.MaxTicketSubjectLen {
			t.Errorf("%s subject %q", what, k.Subject)
		}
		if s := strings.TrimSpace(k.Description); s == "" || len(s) > contoso.MaxTicketBodyLen {
			t.Errorf("%s description %q", what, k.Description)
		}
		if k.CSAgent == "" {
			t.Errorf("%s has no agent", what)
		}
	}
	for _, u := range d.DataUsage {
		what := fmt.Sprintf("usage %d", u.UsageID)
		s, ok := x.subs[u.SubscriptionID]
		if !ok {
			t.Errorf("%s: no subscription %d", what, u.SubscriptionID)
		}
		notAfter(what, u.UsageDate)
		if u.DataUsedMB < 0 || u.VoiceMinutes < 0 || u.SMSCount < 0 {
			t.Errorf("%s is negative: %+v", what, u)
		}
		if s.EndDate != "" && u.UsageDate > s.EndDate && (u.DataUsedMB != 0 || u.VoiceMinutes != 0 || u.SMSCount != 0) {
			t.Errorf("%s: use on %s after subscription %d ended on %s", what, u.UsageDate, s.SubscriptionID, s.EndDate)
		}
		if x.products[s.ProductID].Category == "internet" && (u.VoiceMinutes != 0 || u.SMSCount != 0) {
			t.Errorf("%s: voice or SMS on an internet-only subscription", what)
		}
	}
	for _, in := range d.ServiceIncidents {
		what := fmt.Sprintf("incident %d", in.IncidentID)
		if _, ok := x.subs[in.SubscriptionID]; !ok {
			t.Errorf("%s: no subscription %d", what, in.SubscriptionID)
		}
		notAfter(what, in.IncidentDate)
		enum(what+" resolution_status", in.ResolutionStatus, contoso.IncidentStatuses)
		if in.Description == "" {
			t.Errorf("%s has no description", what)
		}
	}
	for _, k := range d.KnowledgeDocuments {
		enum(fmt.Sprintf("document %d doc_type", k.DocumentID), k.DocType, contoso.KnowledgeDocTypes)
	}

	// No ordinary account is locked.
	for id := int64(1); id <= n; id++ {
		if contoso.IsLocked(x.logs[id]) {
			t.Errorf("ordinary customer %d is locked", id)
		}
	}

	// The scenario customers hold exactly their scenario's records: none of
	// the ordinary data touches them.
	type holding struct{ invoices, payments, usage, logs, orders, tickets, incidents int }
	want := [10]holding{
		1: {invoices: 2, payments: 2, usage: 28},
		2: {incidents: 1},
		3: {tickets: 1},
		4: {logs: 9},
		6: {orders: 1},
		7: {tickets: 1},
		8: {invoices: 1, payments: 2},
		9: {invoices: 1, usage: 30},
	}
	for sc := 1; sc <= 9; sc++ {
		id := ScenarioCustomerID(o, sc)
		got := holding{
			invoices:  len(x.invBySub[id]),
			payments:  len(x.subPayments(id)),
			usage:     len(x.usage[id]),
			logs:      len(x.logs[id]),
			orders:    len(x.orders[id]),
			tickets:   len(x.tickets[id]),
			incidents: len(x.incidents[id]),
		}
		if got != want[sc] {
			t.Errorf("scenario %d (customer %d) holds %+v; want %+v", sc, id, got, want[sc])
		}
	}
}

func TestScenarios(t *testing.T) {
	for _, o := range variants() {
		t.Run(name(o), func(t *testing.T) {
			checkScenarios(t, o, generate(t, o))
		})
	}
}

// sortedInvoices returns the subscription's invoices, oldest first.
func (x *index) sortedInvoices(sub int64) []contoso.Invoice {
	inv := slices.Clone(x.invBySub[sub])
	slices.SortFunc(inv, func(a, b contoso.Invoice) int { return strings.Compare(a.InvoiceDate, b.InvoiceDate) })
	return inv
}

func checkScenarios(t *testing.T, o Options, d *contoso.Dataset) {
	x := newIndex(d)
	people := []struct {
		first, last, loyalty, category string
	}{
		{"John", "Doe", "Silver", "internet"},
		{"Jane", "Doe", "Gold", "internet"},
		{"Mark", "Doe", "Bronze", "mobile"},
		{"Alice", "Doe", "Gold", "mobile"},
		{"Ron", "Doe", "Gold", "mobile"},
		{"Mary", "Doe", "Silver", "mobile"},
		{"Tom", "Smith", "Silver", "mobile"},
		{"Sara", "Lee", "Gold", "internet"},
		{"Alex", "Brown", "Bronze", "mobile"},
	}
	for i, p := range people {
		id := ScenarioCustomerID(o, i+1)
		if id != int64(o.Customers+i+1) {
			t.Errorf("ScenarioCustomerID(%d) = %d; want %d", i+1, id, o.Customers+i+1)
		}
		c, s := x.customers[id], x.subs[id]
		if c.FirstName != p.first || c.LastName != p.last || c.LoyaltyLevel != p.loyalty {
			t.Errorf("scenario %d: customer %d is %s %s (%s); want %s %s (%s)", i+1, id, c.FirstName, c.LastName, c.LoyaltyLevel, p.first, p.last, p.loyalty)
		}
		if s.CustomerID != id || x.products[s.ProductID].Category != p.category {
			t.Errorf("scenario %d: subscription %+v; want a %s subscription of customer %d", i+1, s, p.category, id)
		}
	}
	sub := func(n int) (int64, contoso.Subscription) {
		id := ScenarioCustomerID(o, n)
		return id, x.subs[id]
	}
	totalMB := func(rows []contoso.DataUsage) (sum float64) {
		for _, u := range rows {
			sum += u.DataUsedMB
		}
		return sum
	}
	// usageCheck: rows on consecutive days ending the day before the as-of
	// date, each within [lo, hi] MB.
	usageCheck := func(id int64, days int, lo, hi float64) []contoso.DataUsage {
		t.Helper()
		rows := slices.Clone(x.usage[id])
		slices.SortFunc(rows, func(a, b contoso.DataUsage) int { return strings.Compare(a.UsageDate, b.UsageDate) })
		if len(rows) != days {
			t.Errorf("subscription %d has %d usage rows; want %d", id, len(rows), days)
			return rows
		}
		for i, u := range rows {
			if want := day(o, i-days); u.UsageDate != want {
				t.Errorf("subscription %d usage row %d on %s; want %s", id, i, u.UsageDate, want)
			}
			if u.DataUsedMB < lo || u.DataUsedMB > hi {
				t.Errorf("subscription %d used %v MB on %s; want %v-%v", id, u.DataUsedMB, u.UsageDate, lo, hi)
			}
		}
		return rows
	}

	t.Run("1 John Doe overage", func(t *testing.T) {
		id, s := sub(1)
		if s.SpeedTier != "300Mbps" || s.DataCapGB == nil || *s.DataCapGB != 10 || s.Status != "active" {
			t.Errorf("subscription %+v; want active 300Mbps with a 10 GB cap", s)
		}
		inv := x.sortedInvoices(id)
		if len(inv) != 2 {
			t.Fatalf("%d invoices; want 2", len(inv))
		}
		normal, bill := inv[0], inv[1]
		if normal.InvoiceDate != day(o, -30) || normal.Amount != 60 || normal.Description != "Standard monthly charge" {
			t.Errorf("first invoice %+v; want $60 Standard monthly charge 30 days ago", normal)
		}
		if p := x.payByInv[normal.InvoiceID]; len(p) != 1 || p[0].Status != "successful" || p[0].Amount != 60 {
			t.Errorf("payments of the $60 invoice %+v; want one successful $60", p)
		}
		if got := contoso.Outstanding(normal, x.payByInv[normal.InvoiceID]); got != 0 {
			t.Errorf("outstanding on the $60 invoice %v; want 0", got)
		}
		if bill.InvoiceDate != day(o, -1) || bill.Amount != 150 || bill.Description != "Unexpected overage charges" {
			t.Errorf("second invoice %+v; want $150 Unexpected overage charges yesterday", bill)
		}
		if bill.Amount/normal.Amount != 2.5 {
			t.Errorf("the bill is %vx the normal one; want 2.5x", bill.Amount/normal.Amount)
		}
		if p := x.payByInv[bill.InvoiceID]; len(p) != 1 || p[0].Status != "partial" || p[0].Amount != 50 {
			t.Errorf("payments of the $150 invoice %+v; want one partial $50", p)
		}
		if got := contoso.Outstanding(bill, x.payByInv[bill.InvoiceID]); got != 100 {
			t.Errorf("outstanding on the $150 invoice %v; want exactly 100", got)
		}
		gb := totalMB(usageCheck(id, 28, 800, 900)) / 1024
		if gb < 22.5 || gb > 23.5 || gb <= *s.DataCapGB {
			t.Errorf("used %.2f GB; want about 23 GB, over the 10 GB cap", gb)
		}
	})

	t.Run("2 Jane Doe slow internet", func(t *testing.T) {
		id, s := sub(2)
		if s.SpeedTier != "1Gbps" || s.ServiceStatus != "slow" || s.Status != "active" {
			t.Errorf("subscription %+v; want active 1Gbps, service slow", s)
		}
		in := x.incidents[id]
		if len(in) != 1 || in[0].IncidentDate != day(o, -2) || in[0].ResolutionStatus != "investigating" ||
			!strings.Contains(in[0].Description, "slow speeds for 3 days") {
			t.Errorf("incidents %+v; want one from 2 days ago about slow speeds for 3 days, investigating", in)
		}
	})

	t.Run("3 Mark Doe roaming", func(t *testing.T) {
		id, s := sub(3)
		if s.RoamingEnabled || s.Status != "active" {
			t.Errorf("subscription %+v; want active with roaming off", s)
		}
		tk := x.tickets[id]
		if len(tk) != 1 || tk[0].Status != "open" || !strings.Contains(tk[0].Description, "2 days") ||
			!strings.Contains(strings.ToLower(tk[0].Description), "roaming") || !strings.Contains(tk[0].Description, day(o, 2)) {
			t.Errorf("tickets %+v; want one open ticket about roaming for travel in 2 days", tk)
		}
		if p := x.products[4]; p.Category != "addon" || p.Name != "International Roaming" {
			t.Errorf("product 4 %+v; want the International Roaming add-on", p)
		}
	})

	t.Run("4 Alice Doe locked", func(t *testing.T) {
		id, _ := sub(4)
		logs := x.logs[id]
		if !contoso.IsLocked(logs) {
			t.Fatal("account is not locked")
		}
		var failed []string
		var locked []string
		for _, l := range logs {
			switch l.EventType {
			case "login_attempt":
				failed = append(failed, l.EventTimestamp)
			case "account_locked":
				locked = append(locked, l.EventTimestamp)
			default:
				t.Errorf("unexpected event %+v", l)
			}
		}
		slices.Sort(failed)
		var want []string
		for m := 20; m >= 13; m-- {
			want = append(want, at(o, -time.Duration(m)*time.Minute))
		}
		if !slices.Equal(failed, want) {
			t.Errorf("failed logins at %v; want one a minute from 20 to 13 minutes before the as-of instant: %v", failed, want)
		}
		if len(locked) != 1 || locked[0] != at(o, -12*time.Minute) {
			t.Errorf("account_locked at %v; want once, 12 minutes before the as-of instant", locked)
		}
	})

	t.Run("5 Ron Doe promotions", func(t *testing.T) {
		id, s := sub(5)
		c := x.customers[id]
		if s.Status != "active" || s.StartDate > day(o, -366) {
			t.Errorf("subscription %+v; want active, started over a year ago", s)
		}
		var eligible []contoso.Promotion
		future := 0
		for _, p := range d.Promotions {
			check := contoso.CheckEligibility(p, c, []contoso.Subscription{s}, x.products, day(o, 0))
			if check.Eligible {
				eligible = append(eligible, p)
			}
			e := p.Eligibility
			if slices.Contains(e.LoyaltyLevels, "Gold") && e.ProductCategory == "mobile" && p.StartDate > day(o, 25) && p.StartDate <= day(o, 40) {
				future++
				if check.Eligible || len(check.Reasons) != 1 || !strings.Contains(check.Reasons[0], "starts on") {
					t.Errorf("future Gold mobile promotion %q: %+v; want not eligible only because it has not started", p.Name, check)
				}
			}
		}
		if len(eligible) != 1 || eligible[0].Name != "Mobile Loyalty Discount" {
			t.Fatalf("eligible promotions %+v; want exactly Mobile Loyalty Discount", eligible)
		}
		p := eligible[0]
		if p.DiscountPercent != 10 || p.StartDate != day(o, -30) || p.EndDate != day(o, 60) ||
			!slices.Equal(p.Eligibility.LoyaltyLevels, []string{"Gold", "Platinum"}) || p.Eligibility.ProductCategory != "mobile" {
			t.Errorf("Mobile Loyalty Discount %+v; want 10%%, Gold and Platinum, mobile, as-of -30..+60 days", p)
		}
		if future != 1 {
			t.Errorf("%d Gold mobile promotions start next month; want 1", future)
		}
		if len(d.Promotions) < 7 {
			t.Errorf("%d promotions; want the two of scenario 5 and at least 5 others", len(d.Promotions))
		}
	})

	t.Run("6 Mary Doe return", func(t *testing.T) {
		id, _ := sub(6)
		or := x.orders[id]
		if len(or) != 1 || or[0].OrderDate != day(o, -25) || or[0].Amount != 75 || or[0].OrderStatus != "returned" {
			t.Fatalf("orders %+v; want one $75 order 25 days ago, returned", or)
		}
		if age := asOfDate(o).Sub(parseDate(t, "order", or[0].OrderDate)); age > 30*24*time.Hour {
			t.Errorf("order is %v old; want within the 30-day return window", age)
		}
	})

	t.Run("7 Tom Smith dropped calls", func(t *testing.T) {
		id, s := sub(7)
		if !s.RoamingEnabled {
			t.Errorf("subscription %+v; want roaming on", s)
		}
		tk := x.tickets[id]
		if len(tk) != 1 {
			t.Fatalf("tickets %+v; want one", tk)
		}
		k := tk[0]
		if k.Status != "open" || k.Priority != "high" || k.Category != "call_drop" || k.OpenedAt != at(o, -5*time.Hour) {
			t.Errorf("ticket %+v; want open, high, call_drop, opened 5 h before the as-of instant", k)
		}
		if !strings.Contains(k.Description, "5th & Pine") {
			t.Errorf("ticket description %q does not name 5th & Pine", k.Description)
		}
		times := regexp.MustCompile(`\b\d{2}:\d{2} UTC\b`).FindAllString(k.Description, -1)
		if len(times) != 3 {
			t.Errorf("ticket description gives %d times (%v); want 3", len(times), times)
		}
		for _, tm := range times {
			if tm >= "19:00" { // the ticket opens at 19:00 UTC
				t.Errorf("drop at %s is not before the ticket was opened", tm)
			}
		}
	})

	t.Run("8 Sara Lee suspended", func(t *testing.T) {
		id, s := sub(8)
		if s.Status != "inactive" || s.ServiceStatus != "offline" || s.AutopayEnabled {
			t.Errorf("subscription %+v; want inactive, offline, autopay off", s)
		}
		inv := x.invBySub[id]
		if len(inv) != 1 {
			t.Fatalf("%d invoices; want 1", len(inv))
		}
		v := inv[0]
		if v.InvoiceDate != day(o, -40) || v.DueDate != day(o, -30) || v.Amount != 95.50 {
			t.Errorf("invoice %+v; want $95.50 40 days ago, due 30 days ago", v)
		}
		p := x.payByInv[v.InvoiceID]
		if len(p) != 2 || p[0].Status != "failed" || p[1].Status != "failed" {
			t.Errorf("payments %+v; want two failed", p)
		}
		if got := contoso.Outstanding(v, p); got != 95.50 {
			t.Errorf("outstanding %v; want 95.50", got)
		}
		if graceEnd := parseDate(t, "due", v.DueDate).AddDate(0, 0, 10); !graceEnd.Before(asOfDate(o)) {
			t.Errorf("the 10-day grace period ends %s, not before the as-of date", graceEnd.Format(contoso.DateLayout))
		}
	})

	t.Run("9 Alex Brown overage", func(t *testing.T) {
		id, s := sub(9)
		if s.DataCapGB == nil || *s.DataCapGB != 10 {
			t.Errorf("subscription %+v; want a 10 GB cap", s)
		}
		gb := totalMB(usageCheck(id, 30, 700, 900)) / 1024
		if gb < 21.5 || gb > 22.5 {
			t.Errorf("used %.2f GB; want about 22 GB", gb)
		}
		if over := gb - *s.DataCapGB; over < 11.5 || over > 12.5 {
			t.Errorf("%.2f GB over the cap; want about 12", over)
		}
		inv := x.invBySub[id]
		if len(inv) != 1 || inv[0].InvoiceDate != day(o, -1) || inv[0].Amount != 150 || inv[0].Description != "Base plan + 12GB data overage" {
			t.Fatalf("invoices %+v; want one $150 'Base plan + 12GB data overage' yesterday", inv)
		}
		if p := x.payByInv[inv[0].InvoiceID]; len(p) != 0 {
			t.Errorf("payments %+v; want none", p)
		}
		if got := contoso.Outstanding(inv[0], nil); got != 150 {
			t.Errorf("outstanding %v; want 150", got)
		}
	})
}

func TestSmallCounts(t *testing.T) {
	d := generate(t, opts(0))
	if len(d.Customers) != 9 || d.Customers[0].FirstName != "John" || ScenarioCustomerID(opts(0), 1) != 1 {
		t.Errorf("with no ordinary customers: %d customers, first %q; want the 9 scenario customers from id 1", len(d.Customers), d.Customers[0].FirstName)
	}
	if len(d.Invoices) != 4 || len(d.Payments) != 4 || len(d.DataUsage) != 58 || len(d.SupportTickets) != 2 ||
		len(d.Orders) != 1 || len(d.ServiceIncidents) != 1 || len(d.SecurityLogs) != 9 {
		t.Errorf("with no ordinary customers: %d invoices, %d payments, %d usage, %d tickets, %d orders, %d incidents, %d logs; want scenario records only",
			len(d.Invoices), len(d.Payments), len(d.DataUsage), len(d.SupportTickets), len(d.Orders), len(d.ServiceIncidents), len(d.SecurityLogs))
	}
	if len(d.Promotions) == 0 || len(d.KnowledgeDocuments) != 17 || len(d.Products) != 4 {
		t.Error("with no ordinary customers the fixed tables are missing")
	}

	d = generate(t, opts(10))
	for n := 1; n <= 9; n++ {
		if got := ScenarioCustomerID(opts(10), n); got != int64(10+n) {
			t.Errorf("ScenarioCustomerID(10 customers, %d) = %d; want %d", n, got, 10+n)
		}
	}
	if d.Customers[10].FirstName != "John" || d.Customers[10].CustomerID != 11 || d.Subscriptions[10].SubscriptionID != 11 {
		t.Errorf("with 10 customers John Doe is %+v; want customer and subscription 11", d.Customers[10])
	}
	if got := ScenarioCustomerID(Options{}, 9); got != 9 {
		t.Errorf("ScenarioCustomerID(default options, 9) = %d; want 9", got)
	}
	if got := ScenarioCustomerID(Options{Customers: DefaultCustomers}, 1); got != 251 {
		t.Errorf("ScenarioCustomerID(250, 1) = %d; want 251", got)
	}
	for _, bad := range []int{0, 10} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("ScenarioCustomerID(_, %d) did not panic", bad)
				}
			}()
			ScenarioCustomerID(opts(0), bad)
		}()
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Customers: -1, AsOf: testAsOf},
		{Customers: 100001, AsOf: testAsOf},
		{Customers: 10},
		{Customers: 10, AsOf: time.Date(1200, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if d, err := Generate(o); err == nil || d != nil {
			t.Errorf("Generate(%+v) = %v, %v; want an error", o, d != nil, err)
		}
	}
}

func TestTenantSeed(t *testing.T) {
	if got := TenantSeed("contoso"); got != DefaultSeed {
		t.Errorf("TenantSeed(contoso) = %d; want DefaultSeed %d", got, DefaultSeed)
	}
	fab := TenantSeed("fabrikam")
	if fab == DefaultSeed || fab == 0 || fab != TenantSeed("fabrikam") {
		t.Errorf("TenantSeed(fabrikam) = %d; want a fixed seed other than the default", fab)
	}
	h := fnv.New64a()
	h.Write([]byte("northwind"))
	if got, want := TenantSeed("northwind"), int64(h.Sum64()); got != want {
		t.Errorf("TenantSeed(northwind) = %d; want FNV-1a %d", got, want)
	}
	if TenantSeed("tenant-a") == TenantSeed("tenant-b") {
		t.Error("two tenant names share a seed")
	}
}

func BenchmarkGenerate(b *testing.B) {
	o := opts(DefaultCustomers)
	for b.Loop() {
		if _, err := Generate(o); err != nil {
			b.Fatal(err)
		}
	}
}
