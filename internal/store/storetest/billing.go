package storetest

import (
	"testing"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/go-cmp/cmp"
)

// testAddInvoices: a batch is recorded whole, a rerun skips what exists,
// and a batch with one bad invoice records nothing.
func testAddInvoices(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	subs := Fixture().Subscriptions
	a, b := subs[0].SubscriptionID, subs[1].SubscriptionID
	batch := []contoso.Invoice{
		{SubscriptionID: a, InvoiceDate: "2025-05-20", DueDate: "2025-06-19", Amount: 30.10, Description: "Data overage re-rating 2025-04"},
		{SubscriptionID: b, InvoiceDate: "2025-05-20", DueDate: "2025-06-19", Amount: 10, Description: "Data overage re-rating 2025-04"},
	}
	before, err := s.SubscriptionInvoices(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	created, skipped, err := s.AddInvoices(ctx, batch)
	if err != nil || len(created) != 2 || skipped != 0 {
		t.Fatalf("AddInvoices = %d created, %d skipped, %v; want 2, 0", len(created), skipped, err)
	}
	if created[0].InvoiceID == 0 || created[0].InvoiceID == created[1].InvoiceID || created[0].Amount != 30.10 {
		t.Errorf("created = %+v", created)
	}
	after, err := s.SubscriptionInvoices(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+1 {
		t.Errorf("subscription %d has %d invoices, want %d", a, len(after), len(before)+1)
	}
	got, err := s.GetInvoice(ctx, created[0].InvoiceID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created[0], got); diff != "" {
		t.Errorf("stored invoice (-created +got):\n%s", diff)
	}
	created, skipped, err = s.AddInvoices(ctx, batch)
	if err != nil || len(created) != 0 || skipped != 2 {
		t.Errorf("rerun = %d created, %d skipped, %v; want 0, 2", len(created), skipped, err)
	}

	fp, err := s.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]contoso.Invoice{
		{{SubscriptionID: a, InvoiceDate: "2025-05-20", DueDate: "2025-06-19", Amount: 5, Description: "ok"}, {SubscriptionID: 999999, InvoiceDate: "2025-05-20", DueDate: "2025-06-19", Amount: 5, Description: "unknown"}},
		{{SubscriptionID: a, InvoiceDate: "2025-05-20", DueDate: "2025-06-19", Amount: 5, Description: "ok2"}, {SubscriptionID: b, InvoiceDate: "2025-05-20", DueDate: "2025-06-19", Amount: -1, Description: "negative"}},
		{{SubscriptionID: a, InvoiceDate: "2025-05-20", DueDate: "2025-05-01", Amount: 5, Description: "due before"}},
		{{SubscriptionID: a, InvoiceDate: "May 20", DueDate: "2025-06-19", Amount: 5, Description: "bad date"}},
	} {
		if _, _, err := s.AddInvoices(ctx, bad); err == nil {
			t.Errorf("AddInvoices(%+v) succeeded", bad)
		}
	}
	if _, _, err := s.AddInvoices(ctx, []contoso.Invoice{{SubscriptionID: 999999, InvoiceDate: "2025-05-20", DueDate: "2025-06-19", Amount: 5, Description: "x"}}); contoso.ErrorKind(err) != contoso.KindNotFound {
		t.Errorf("unknown subscription: %v, want not found", err)
	}
	after2, err := s.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fp, after2); diff != "" {
		t.Errorf("failed batches changed the data:\n%s", diff)
	}
}
