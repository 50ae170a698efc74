package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/store/storetest"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "tenant.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) contoso.Store { return openTemp(t) })
}

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "nested", "dir", "contoso.db") // Open creates the directory
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.applied) != len(ms) {
		t.Errorf("first Open applied migrations %v, want all %d", s.applied, len(ms))
	}
	if err := s.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: 2, Amount: 10, Method: "ach", IdempotencyKey: "reopen", Date: "2025-05-20"}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var appliedAt string
	if err := s.r.QueryRowContext(ctx, `SELECT applied_at FROM schema_migrations WHERE version = 1`).Scan(&appliedAt); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	time.Sleep(1100 * time.Millisecond) // a re-applied migration would get a new applied_at
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if len(s2.applied) != 0 {
		t.Errorf("reopening an up-to-date database applied migrations %v, want none", s2.applied)
	}
	var n int
	var appliedAt2 string
	if err := s2.r.QueryRowContext(ctx, `SELECT count(*), max(applied_at) FROM schema_migrations`).Scan(&n, &appliedAt2); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || appliedAt2 != appliedAt {
		t.Errorf("schema_migrations after reopen: %d rows, applied_at %s; want %d rows, %s", n, appliedAt2, len(ms), appliedAt)
	}
	after, err := s2.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, after); d != "" {
		t.Errorf("Fingerprint changed across reopen (-before +after):\n%s", d)
	}
	r, err := s2.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: 2, Amount: 10, Method: "ach", IdempotencyKey: "reopen", Date: "2025-05-20"})
	if err != nil || !r.Replayed || r.OutstandingAfter != 90 {
		t.Errorf("replay after reopen = %+v, %v; want a replay with 90 outstanding", r, err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "future.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from_the_future', '2030-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(ctx, path)
	if err == nil {
		s2.Close()
		t.Fatal("Open of a database at schema version 999 succeeded; want it refused")
	}
	if !strings.Contains(err.Error(), "version 999") || !strings.Contains(err.Error(), "newer release") {
		t.Errorf("error %q should name the version and say the binary is too old", err)
	}
}

func TestPragmas(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	for name, db := range map[string]*sql.DB{"reader": s.r, "writer": s.w} {
		var mode string
		var fk, sync, busy int
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		if mode != "wal" || fk != 1 || sync != 1 || busy != int(busyTimeout.Milliseconds()) {
			t.Errorf("%s: journal_mode %s, foreign_keys %d, synchronous %d, busy_timeout %d; want wal, 1, 1 (NORMAL), %d",
				name, mode, fk, sync, busy, busyTimeout.Milliseconds())
		}
	}
	// Foreign keys are enforced: a payment of an unknown invoice is refused.
	if _, err := s.w.ExecContext(ctx, `INSERT INTO payments (invoice_id, payment_date, amount, method, status) VALUES (12345, '2025-01-01', 100, 'ach', 'failed')`); err == nil ||
		!strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("insert of an orphan payment: %v; want a FOREIGN KEY error", err)
	}
	// The CHECK constraints hold the enumerations.
	if _, err := s.w.ExecContext(ctx, `INSERT INTO customers (customer_id, first_name, last_name, email, phone, address, loyalty_level) VALUES (1, 'a', 'b', 'c', 'd', 'e', 'Diamond')`); err == nil ||
		!strings.Contains(err.Error(), "CHECK") {
		t.Errorf("insert of an unknown loyalty level: %v; want a CHECK error", err)
	}
	// The read pool cannot write.
	if _, err := s.r.ExecContext(ctx, `DELETE FROM customers`); err == nil {
		t.Errorf("a write through the read pool succeeded; want it refused (query_only)")
	}
}

func TestTenantPath(t *testing.T) {
	dir := filepath.Join("var", "data")
	for _, tenant := range []string{"contoso", "fabrikam", "a", "0", "tenant-2", strings.Repeat("a", 63)} {
		got, err := TenantPath(dir, tenant)
		if err != nil || got != filepath.Join(dir, tenant+".db") {
			t.Errorf("TenantPath(%q) = %q, %v; want %q", tenant, got, err, filepath.Join(dir, tenant+".db"))
		}
	}
	for _, tenant := range []string{"", "Contoso", "-contoso", "con_toso", "../etc/passwd", "a/b", "a.b", "contoso.db", " contoso", "contoso\n", strings.Repeat("a", 64), "tenänt"} {
		if got, err := TenantPath(dir, tenant); err == nil {
			t.Errorf("TenantPath(%q) = %q; want an error", tenant, got)
		}
	}
	if _, err := TenantPath("", "contoso"); err == nil {
		t.Errorf("TenantPath with no data directory succeeded; want an error")
	}
}

func TestOpenRejectsURIs(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", filepath.Join(t.TempDir(), "x.db?mode=ro")} {
		if s, err := Open(t.Context(), p); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded; want an error", p)
		}
	}
}

func TestFTSQuery(t *testing.T) {
	for in, want := range map[string]string{
		"roaming":                       `"roaming"`,
		"How do I unlock my account?":   `"unlock" OR "account"`,
		`roaming" OR title:* NEAR(x y)`: `"roaming" OR "title" OR "near" OR "x" OR "y"`,
		"Data data DATA overage":        `"data" OR "overage"`,
		"30-day return, 7–10 days":      `"30" OR "day" OR "return" OR "7" OR "10" OR "days"`,
		"Café résumé":                   `"café" OR "résumé"`,
	} {
		got, ok := ftsQuery(in)
		if !ok || got != want {
			t.Errorf("ftsQuery(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "?!", "the and of", "  -- ** ()"} {
		if got, ok := ftsQuery(in); ok {
			t.Errorf("ftsQuery(%q) = %q; want no usable word", in, got)
		}
	}
	long := strings.Repeat("word ", 5) + strings.Repeat("x", 500)
	for i := range 40 {
		long += fmt.Sprintf(" term%d", i)
	}
	got, ok := ftsQuery(long)
	if !ok || strings.Count(got, `"`) != 2*maxSearchTerms {
		t.Errorf("ftsQuery(long) = %q; want %d terms", got, maxSearchTerms)
	}
}

func TestErrorMessages(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	if err := s.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	pay := func(invoice int64, amount float64) error {
		_, err := s.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: invoice, Amount: amount, Method: "ach", Date: "2025-05-20"})
		return err
	}
	str := func(v string) *string { return &v }
	p := int64(9)
	upd := func(id int64, u contoso.SubscriptionUpdate) error {
		_, err := s.UpdateSubscription(ctx, id, u)
		return err
	}
	_, errSearch := s.SearchKnowledge(ctx, "?!", 3)
	_, errUnlock := s.UnlockAccount(ctx, 1, time.Now())
	_, errTicket := s.CreateSupportTicket(ctx, contoso.NewTicket{CustomerID: 2, SubscriptionID: 1, Category: "billing", Priority: "low", Subject: "s", Description: "d"})
	for _, c := range []struct {
		err  error
		kind contoso.Kind
		msg  string
	}{
		{pay(2, 120), contoso.KindInvalid, "amount 120.00 exceeds the 100.00 outstanding on invoice 2"},
		{pay(1, 10), contoso.KindConflict, "invoice already paid: nothing is outstanding on invoice 1"},
		{pay(77, 10), contoso.KindNotFound, "invoice 77 does not exist"},
		{upd(1, contoso.SubscriptionUpdate{ProductID: &p}), contoso.KindNotFound, "product 9 does not exist"},
		{upd(1, contoso.SubscriptionUpdate{EndDate: str("2020-01-01")}), contoso.KindInvalid, "end_date 2020-01-01 is before start_date 2024-01-15"},
		{errUnlock, contoso.KindConflict, "account is not locked: customer 1 has no lock newer than its last unlock"},
		{errTicket, contoso.KindInvalid, "subscription 1 does not belong to customer 2"},
		{errSearch, contoso.KindInvalid, `the search query has no searchable word: use a few keywords such as "data overage" or "unlock account"`},
	} {
		if contoso.ErrorKind(c.err) != c.kind || contoso.PublicMessage(c.err) != c.msg {
			t.Errorf("got %v; want %s %q", c.err, c.kind, c.msg)
		}
	}
	// An unlock dated before the lock would leave the account locked.
	if _, err := s.UnlockAccount(ctx, 3, time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)); contoso.ErrorKind(err) != contoso.KindInvalid {
		t.Errorf("UnlockAccount before the lock: %v; want invalid", err)
	}
	// Internal errors do not show their cause to the client.
	s.Close()
	_, err := s.GetCustomer(ctx, 1)
	if contoso.ErrorKind(err) != contoso.KindInternal || contoso.PublicMessage(err) != "internal error while reading customer 1" {
		t.Errorf("GetCustomer on a closed store: %v (%q); want an internal error with a generic message", err, contoso.PublicMessage(err))
	}
}

func TestSearchRankingAndSnippet(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	if err := s.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	hits, err := s.SearchKnowledge(ctx, "Why are my calls dropping while roaming?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].DocumentID != 3 {
		t.Fatalf("hits %+v; want document 3 first", hits)
	}
	for _, h := range hits {
		t.Logf("%d %-30q score %.3f snippet %q", h.DocumentID, h.Title, h.Score, h.Snippet)
		if h.Score <= 0 {
			t.Errorf("hit %d has score %v; want > 0", h.DocumentID, h.Score)
		}
	}
	// Stemming: "unlocking" finds "Unlock".
	hits, err = s.SearchKnowledge(ctx, "unlocking", 5)
	if err != nil || len(hits) == 0 || hits[0].DocumentID != 4 {
		t.Errorf("SearchKnowledge(unlocking) = %+v, %v; want document 4 first", hits, err)
	}
	// Only stop words: nothing to search for.
	if _, err := s.SearchKnowledge(ctx, "what is the", 5); contoso.ErrorKind(err) != contoso.KindInvalid {
		t.Errorf("SearchKnowledge(stop words only): %v; want invalid", err)
	}
}

// TestConcurrentReadsAndWrites runs readers against a writer; with WAL and
// the single writer neither side may fail with SQLITE_BUSY.
func TestConcurrentReadsAndWrites(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	d := bigDataset(20)
	if err := s.Load(ctx, d); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 4 {
		wg.Go(func() {
			for i := range 25 {
				inv := d.Invoices[(w*25+i)%len(d.Invoices)].InvoiceID
				if _, err := s.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: inv, Amount: 0.01, Method: "ach", Date: "2025-05-20"}); err != nil &&
					contoso.ErrorKind(err) != contoso.KindConflict {
					errs <- err
				}
			}
		})
	}
	for r := range 8 {
		wg.Go(func() {
			for i := range 50 {
				id := d.Customers[(r*50+i)%len(d.Customers)].CustomerID
				if _, err := s.GetCustomer(ctx, id); err != nil {
					errs <- err
				}
				if _, err := s.SubscriptionInvoices(ctx, id); err != nil {
					errs <- err
				}
				if _, err := s.SearchKnowledge(ctx, "roaming", 3); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLoadLargeDataset(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	d := bigDataset(250)
	t.Logf("data set: %d customers, %d subscriptions, %d invoices, %d payments, %d usage rows, %d tickets, %d orders, %d security logs",
		len(d.Customers), len(d.Subscriptions), len(d.Invoices), len(d.Payments), len(d.DataUsage), len(d.SupportTickets), len(d.Orders), len(d.SecurityLogs))
	for i := range 2 { // the second Load also deletes the first's rows
		start := time.Now()
		if err := s.Load(ctx, d); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		t.Logf("Load #%d took %v (timing is measured by BenchmarkLoad, never asserted)", i+1, took)
	}
	start := time.Now()
	fp, err := s.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Fingerprint took %v", time.Since(start))
	if d := cmp.Diff(storetest.Fingerprint(d), fp); d != "" {
		t.Errorf("Fingerprint of the large data set (-want +got):\n%s", d)
	}
}

// bigDataset replicates the fixture's shapes to n customers at the scale of
// the generated data: per customer one subscription, 12 monthly invoices each
// with one payment (about 75% successful, 10% failed, 15% partial), 60 days of
// usage; about half a ticket, half an order and a sixth of a security event.
func bigDataset(n int) *contoso.Dataset {
	f := storetest.Fixture()
	d := &contoso.Dataset{Products: f.Products, Promotions: f.Promotions, KnowledgeDocuments: f.KnowledgeDocuments}
	day := func(base string, offset int) string {
		t, _ := time.Parse(contoso.DateLayout, base)
		return t.AddDate(0, 0, offset).Format(contoso.DateLayout)
	}
	var invoiceID, paymentID, usageID, ticketID, orderID, logID, incidentID int64
	for i := range n {
		id := int64(i + 1)
		c := f.Customers[i%len(f.Customers)]
		c.CustomerID = id
		c.Email = fmt.Sprintf("customer%d@example.com", id)
		d.Customers = append(d.Customers, c)
		sub := f.Subscriptions[i%len(f.Subscriptions)]
		sub.SubscriptionID, sub.CustomerID = id, id
		d.Subscriptions = append(d.Subscriptions, sub)
		for m := range 12 {
			invoiceID++
			amount := 30 + float64(i%7)*10 + 0.99
			d.Invoices = append(d.Invoices, contoso.Invoice{InvoiceID: invoiceID, SubscriptionID: id,
				InvoiceDate: day("2024-06-01", 30*m), Amount: amount, Description: "Monthly charge", DueDate: day("2024-06-15", 30*m)})
			paymentID++
			p := contoso.Payment{PaymentID: paymentID, InvoiceID: invoiceID, PaymentDate: day("2024-06-10", 30*m), Amount: amount, Method: contoso.PaymentMethods[m%4], Status: "successful"}
			switch k := (i*12 + m) % 20; {
			case k < 2:
				p.Status = "failed"
			case k < 5:
				p.Status, p.Amount = "partial", 20
			}
			d.Payments = append(d.Payments, p)
		}
		for day2 := range 60 {
			usageID++
			d.DataUsage = append(d.DataUsage, contoso.DataUsage{UsageID: usageID, SubscriptionID: id, UsageDate: day("2025-03-22", day2),
				DataUsedMB: float64(700+(i*31+day2*17)%250) + 0.25, VoiceMinutes: int64((i + day2) % 90), SMSCount: int64((i * day2) % 40)})
		}
		if i%2 == 0 {
			ticketID++
			tk := f.SupportTickets[i%len(f.SupportTickets)]
			tk.TicketID, tk.CustomerID, tk.SubscriptionID = ticketID, id, id
			d.SupportTickets = append(d.SupportTickets, tk)
			orderID++
			o := f.Orders[i%len(f.Orders)]
			o.OrderID, o.CustomerID = orderID, id
			d.Orders = append(d.Orders, o)
		}
		if i%6 == 0 {
			logID++
			l := f.SecurityLogs[i%len(f.SecurityLogs)]
			l.LogID, l.CustomerID = logID, id
			d.SecurityLogs = append(d.SecurityLogs, l)
		}
		if i%4 == 0 {
			incidentID++
			in := f.ServiceIncidents[i%len(f.ServiceIncidents)]
			in.IncidentID, in.SubscriptionID = incidentID, id
			d.ServiceIncidents = append(d.ServiceIncidents, in)
		}
	}
	return d
}

func BenchmarkLoad(b *testing.B) {
	s := openTemp(b)
	d := bigDataset(250)
	b.ResetTimer()
	for b.Loop() {
		if err := s.Load(b.Context(), d); err != nil {
			b.Fatal(err)
		}
	}
}

func benchStore(b *testing.B) (*Store, *contoso.Dataset) {
	s := openTemp(b)
	d := bigDataset(250)
	if err := s.Load(b.Context(), d); err != nil {
		b.Fatal(err)
	}
	return s, d
}

func BenchmarkGetCustomer(b *testing.B) {
	s, d := benchStore(b)
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.GetCustomer(ctx, d.Customers[i%len(d.Customers)].CustomerID); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkGetCustomerParallel(b *testing.B) {
	s, d := benchStore(b)
	ctx := b.Context()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.GetCustomer(ctx, d.Customers[i%len(d.Customers)].CustomerID); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

func BenchmarkSearchKnowledge(b *testing.B) {
	s, _ := benchStore(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if hits, err := s.SearchKnowledge(ctx, "How do I unlock my account?", 3); err != nil || len(hits) == 0 {
			b.Fatal(hits, err)
		}
	}
}

func BenchmarkSubscriptionInvoices(b *testing.B) {
	s, d := benchStore(b)
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if invs, err := s.SubscriptionInvoices(ctx, d.Subscriptions[i%len(d.Subscriptions)].SubscriptionID); err != nil || len(invs) != 12 {
			b.Fatal(len(invs), err)
		}
		i++
	}
}

func BenchmarkDataUsage(b *testing.B) {
	s, d := benchStore(b)
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if us, err := s.DataUsage(ctx, d.Subscriptions[i%len(d.Subscriptions)].SubscriptionID, "2025-04-01", "2025-04-30"); err != nil || len(us) != 30 {
			b.Fatal(len(us), err)
		}
		i++
	}
}

// BenchmarkPayInvoice pays 0.01 at a time, round robin over invoices that
// owe enough never to be settled during the run.
func BenchmarkPayInvoice(b *testing.B) {
	s := openTemp(b)
	d := bigDataset(250)
	for i := range d.Invoices {
		d.Invoices[i].Amount = 90000
	}
	if err := s.Load(b.Context(), d); err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := contoso.PaymentRequest{InvoiceID: d.Invoices[i%len(d.Invoices)].InvoiceID, Amount: 0.01, Method: "credit_card", Date: "2025-05-20"}
		if _, err := s.PayInvoice(ctx, req); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// TestProductCatalogueCache: the cached catalogue is the table's content, a
// caller changing the slice it got changes nothing, and Load replaces it at
// once.
func TestProductCatalogueCache(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	d := storetest.Fixture()
	if err := s.Load(ctx, d); err != nil {
		t.Fatal(err)
	}
	first, err := s.ListProducts(ctx, "")
	if err != nil || len(first) == 0 {
		t.Fatalf("ListProducts: %v, %d products", err, len(first))
	}
	want := slices.Clone(first)
	first[0].Name = "changed by the caller"
	again, err := s.ListProducts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, again); d != "" {
		t.Errorf("second ListProducts (-first +second):\n%s", d)
	}
	if s.catalogue.Load() == nil {
		t.Error("the catalogue is not cached")
	}
	d2 := *d
	d2.Products = slices.Clone(d.Products)
	d2.Products[0].Name = "Renamed Plan"
	if err := s.Load(ctx, &d2); err != nil {
		t.Fatal(err)
	}
	after, err := s.ListProducts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if after[0].Name != "Renamed Plan" {
		t.Errorf("after Load the catalogue names %q, want the loaded %q", after[0].Name, "Renamed Plan")
	}
}
