package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// testPayKeyBound: an idempotency key is bound to the principal, invoice,
// amount and method of its first payment. Only an exact repeat by the same
// principal replays, with the first call's result even after later
// payments; anything else with the key is KindConflict, records nothing and
// says nothing of the first payment.
func testPayKeyBound(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	const alice, bob = "issuer|contoso|alice", "issuer|contoso|bob"
	first := contoso.PaymentRequest{InvoiceID: 2, Amount: 10, Method: "paypal", IdempotencyKey: "k-bound", Principal: alice, Date: payDate}
	r1, err := s.PayInvoice(ctx, first)
	check(t, "PayInvoice(k-bound) by alice", err)
	if r1.Replayed || r1.OutstandingBefore != 100 || r1.OutstandingAfter != 90 {
		t.Fatalf("first payment = %+v; want 100 -> 90, not replayed", r1)
	}
	with := func(f func(*contoso.PaymentRequest)) contoso.PaymentRequest {
		r := first
		f(&r)
		return r
	}
	for _, c := range []struct {
		name string
		req  contoso.PaymentRequest
	}{
		{"another principal of the tenant", with(func(r *contoso.PaymentRequest) { r.Principal = bob })},
		{"the local principal", with(func(r *contoso.PaymentRequest) { r.Principal = "" })},
		{"another method", with(func(r *contoso.PaymentRequest) { r.Method = "ach" })},
		{"another amount", with(func(r *contoso.PaymentRequest) { r.Amount = 10.01 })},
		{"another invoice", with(func(r *contoso.PaymentRequest) { r.InvoiceID = 5 })},
		{"an unknown invoice", with(func(r *contoso.PaymentRequest) { r.InvoiceID = 999 })},
		{"a settled invoice", with(func(r *contoso.PaymentRequest) { r.InvoiceID = 1 })},
		{"another principal, everything else different", contoso.PaymentRequest{InvoiceID: 6, Amount: 1, Method: "credit_card", IdempotencyKey: "k-bound", Principal: bob, Date: payDate}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var msg string
			failsUnchanged(t, s, "key k-bound with "+c.name, contoso.KindConflict, func(ctx context.Context) error {
				_, err := s.PayInvoice(ctx, c.req)
				msg = contoso.PublicMessage(err)
				return err
			})
			if !strings.Contains(msg, "idempotency key already used for a different payment") {
				t.Errorf("message %q; want it to say the key was used for a different payment", msg)
			}
			for _, secret := range []string{"paypal", "10.00", "invoice 2", alice} {
				if strings.Contains(msg, secret) {
					t.Errorf("message %q tells of the first payment (%s)", msg, secret)
				}
			}
		})
	}

	// A later payment on the invoice does not change what the replay says.
	_, err = s.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: 2, Amount: 20, Method: "ach", Principal: bob, Date: payDate})
	check(t, "PayInvoice(2, 20.00) without a key", err)
	before := fingerprint(t, s)
	again, err := s.PayInvoice(ctx, first)
	check(t, "exact repeat of k-bound by alice", err)
	r1.Replayed = true
	diff(t, "replay of k-bound", again, r1)
	diff(t, "data after a replay", fingerprint(t, s), before)

	// A key without a principal (the local one, and loaded data) is bound
	// to that absence.
	local := contoso.PaymentRequest{InvoiceID: 5, Amount: 5, Method: "ach", IdempotencyKey: "k-local", Date: payDate}
	_, err = s.PayInvoice(ctx, local)
	check(t, "PayInvoice(k-local) by the local principal", err)
	failsUnchanged(t, s, "key k-local by alice", contoso.KindConflict, func(ctx context.Context) error {
		r := local
		r.Principal = alice
		_, err := s.PayInvoice(ctx, r)
		return err
	})
	failsUnchanged(t, s, "the fixture's key-5 by bob", contoso.KindConflict, func(ctx context.Context) error {
		_, err := s.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: 4, Amount: 30, Method: "credit_card", IdempotencyKey: "fixture-key-5", Principal: bob, Date: payDate})
		return err
	})
	if got := owed(t, s, 2); got != 70 {
		t.Errorf("outstanding on invoice 2 = %.2f, want 70 (100 less 10 and 20)", got)
	}
}

// testPayKeyConcurrent: the same keyed payment sent at once by one
// principal is recorded once and replayed to every other call; sent by two
// principals, it is recorded once and every call of the other principal
// conflicts.
func testPayKeyConcurrent(t *testing.T, s contoso.Store) {
	const n = 10
	principals := []string{"p-even", "p-odd"}
	results, errs := payAtOnce(t, s, n, func(i int) contoso.PaymentRequest {
		return contoso.PaymentRequest{InvoiceID: 5, Amount: 10, Method: "ach", IdempotencyKey: "k-race", Principal: principals[i%2], Date: payDate}
	})
	recorded, replayed, conflicts := map[string]int{}, map[string]int{}, map[string]int{}
	for i := range n {
		principal := principals[i%2]
		switch {
		case errs[i] == nil && !results[i].Replayed:
			recorded[principal]++
		case errs[i] == nil:
			replayed[principal]++
		case contoso.ErrorKind(errs[i]) == contoso.KindConflict:
			conflicts[principal]++
		default:
			t.Errorf("unexpected error %v", errs[i])
		}
	}
	var winner, loser string
	switch {
	case recorded["p-even"] == 1 && recorded["p-odd"] == 0:
		winner, loser = "p-even", "p-odd"
	case recorded["p-odd"] == 1 && recorded["p-even"] == 0:
		winner, loser = "p-odd", "p-even"
	default:
		t.Fatalf("recorded %v; want exactly one payment", recorded)
	}
	if replayed[winner] != n/2-1 || conflicts[loser] != n/2 || replayed[loser] != 0 || conflicts[winner] != 0 {
		t.Errorf("replayed %v, conflicts %v; want the %d other calls of %s replayed and all %d of %s refused", replayed, conflicts, n/2-1, winner, n/2, loser)
	}
	if got := owed(t, s, 5); got != 90 {
		t.Errorf("outstanding on invoice 5 = %.2f, want 90", got)
	}
}
