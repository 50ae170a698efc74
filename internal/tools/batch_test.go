package tools

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/seed"
	"github.com/contoso/contoso-mcp/internal/store/sqlite"
)

var batchAsOf = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

func seeded(t *testing.T) contoso.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "contoso.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, err := seed.Generate(seed.Options{Customers: 250, AsOf: batchAsOf})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Load(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	return st
}

// cancelAfter is a Reporter that cancels the run after the first batch
// report whose message contains when (never when empty), counting batch
// reports.
type cancelAfter struct {
	when   string
	seen   int
	cancel context.CancelFunc
}

func (c *cancelAfter) Report(_ context.Context, _, _ float64, msg string) {
	if strings.HasPrefix(msg, "Batch ") {
		c.seen++
		if c.when != "" && strings.Contains(msg, c.when) {
			c.cancel()
			c.when = ""
		}
	}
}

func countInvoices(t *testing.T, st contoso.Store, desc string) (n int, total int64) {
	t.Helper()
	cs, err := st.ListCustomers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		subs, _ := st.CustomerSubscriptions(t.Context(), c.CustomerID)
		for _, s := range subs {
			invs, _ := st.SubscriptionInvoices(t.Context(), s.SubscriptionID)
			for _, inv := range invs {
				if inv.Description == desc {
					n++
					total += contoso.Cents(inv.Amount)
				}
			}
		}
	}
	return n, total
}

// TestRerateCancelledKeepsWholeBatches: cancelling between batches leaves
// exactly the committed batches' invoices, and the result says how far it
// got; a rerun completes the rest and bills nothing twice.
func TestRerateCancelledKeepsWholeBatches(t *testing.T) {
	st := seeded(t)
	env := &Env{Now: func() time.Time { return batchAsOf.Add(9 * time.Hour) }}
	in := RerateInput{StartDate: "2026-05-17", EndDate: "2026-06-14", BatchSize: 10, RatePerGB: 1000 /* $10.00 */}
	desc := "Data overage re-rating 2026-05-17 to 2026-06-14"

	ctx, cancel := context.WithCancel(context.Background())
	// Cancel once the first invoice is in: the scenario customers over
	// their caps (ids 251 and 259) come in the last batch, still to do.
	r := &cancelAfter{when: " 1 invoice", cancel: cancel}
	out, err := rerateUsage(WithReporter(ctx, r), env, st, in)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Cancelled || out.BatchesDone != r.seen || out.BatchesDone >= out.BatchesTotal || out.SubscriptionsProcessed != 10*out.BatchesDone {
		t.Fatalf("cancelled run: %+v after %d batch reports", out, r.seen)
	}
	n, total := countInvoices(t, st, desc)
	if n != out.InvoicesCreated || total != contoso.Cents(out.AmountBilled) || n == 0 {
		t.Errorf("store has %d invoices ($%d cents), the result says %d ($%.2f)", n, total, out.InvoicesCreated, out.AmountBilled)
	}
	if !strings.Contains(out.Summary(), fmt.Sprintf("Cancelled after %d of", out.SubscriptionsProcessed)) {
		t.Errorf("summary: %q", out.Summary())
	}

	full, err := rerateUsage(context.Background(), env, st, in)
	if err != nil {
		t.Fatal(err)
	}
	if full.Cancelled || full.BatchesDone != full.BatchesTotal || full.AlreadyBilled != out.InvoicesCreated {
		t.Errorf("rerun: %+v; want every batch done and the %d invoices of the first run skipped", full, out.InvoicesCreated)
	}
	n2, total2 := countInvoices(t, st, desc)
	if n2 != out.InvoicesCreated+full.InvoicesCreated || n2 != full.OverCap || total2 != total+contoso.Cents(full.AmountBilled) {
		t.Errorf("after the rerun: %d invoices, want %d (one per subscription over its cap)", n2, full.OverCap)
	}
	again, err := rerateUsage(context.Background(), env, st, in)
	if err != nil || again.InvoicesCreated != 0 || again.AlreadyBilled != full.OverCap {
		t.Errorf("third run: %+v %v; want nothing billed", again, err)
	}
}

// TestRerateDryRunRecordsNothing and reports per batch.
func TestRerateDryRunRecordsNothing(t *testing.T) {
	st := seeded(t)
	env := &Env{Now: func() time.Time { return batchAsOf }}
	before, _ := st.Fingerprint(t.Context())
	r := &cancelAfter{cancel: func() {}}
	out, err := rerateUsage(WithReporter(context.Background(), r), env, st, RerateInput{StartDate: "2026-05-17", EndDate: "2026-06-14", BatchSize: 50, DryRun: true, LoyaltyLevel: "Silver"})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := st.Fingerprint(t.Context())
	if before["invoices"] != after["invoices"] {
		t.Error("a dry run recorded invoices")
	}
	if out.InvoicesCreated == 0 || out.InvoicesCreated != len(out.Invoices) || r.seen != out.BatchesTotal {
		t.Errorf("dry run: %+v, %d batch reports", out, r.seen)
	}
	for _, l := range out.Invoices {
		if l.BilledGB < 1 || l.UsedGB <= l.CapGB || l.Amount != float64(l.BilledGB)*10 {
			t.Errorf("line %+v", l)
		}
	}
}
