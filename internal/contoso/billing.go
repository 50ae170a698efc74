package contoso

import "context"

// Biller is the part of a store that batch billing jobs use.
type Biller interface {
	// AddInvoices records invoices in one transaction (ids are assigned; the
	// given InvoiceID is ignored) and returns those created. An invoice whose
	// subscription already has one with the same description is skipped and
	// counted, so a rerun of a batch never bills twice. Every subscription
	// must exist (KindNotFound) and every invoice be valid (KindInvalid:
	// positive amount in cents, dates in YYYY-MM-DD form, due not before the
	// invoice date, a description); on any error nothing is recorded.
	AddInvoices(ctx context.Context, invs []Invoice) (created []Invoice, skipped int, err error)
}

// Validate checks an invoice before it is recorded.
func (inv Invoice) Validate() error {
	switch {
	case inv.SubscriptionID <= 0:
		return Errorf(KindInvalid, "subscription_id must be a positive integer; got %d", inv.SubscriptionID)
	case !WholeCents(inv.Amount):
		return Errorf(KindInvalid, "an invoice amount %s", AmountRule)
	case !ValidDate(inv.InvoiceDate) || !ValidDate(inv.DueDate):
		return Errorf(KindInvalid, "invoice and due dates must be YYYY-MM-DD")
	case inv.DueDate < inv.InvoiceDate:
		return Errorf(KindInvalid, "due date %s is before the invoice date %s", inv.DueDate, inv.InvoiceDate)
	}
	return CheckTextLen("description", inv.Description, SingleLine, 1, 500)
}

// SamePayment reports whether req repeats the keyed payment p exactly: the
// same principal, invoice, amount (in cents) and method. Only then does the
// key replay p.
func SamePayment(p Payment, req PaymentRequest) bool {
	return p.IdempotencyPrincipal == req.Principal && p.InvoiceID == req.InvoiceID &&
		Cents(p.Amount) == Cents(req.Amount) && p.Method == req.Method
}

// ErrIdempotencyKeyReused is the error for a key that an earlier payment
// holds with another principal, invoice, amount or method. It says nothing
// of that payment, which may be another caller's.
func ErrIdempotencyKeyReused() *Error {
	return Errorf(KindConflict, "idempotency key already used for a different payment; use a new key for a new payment")
}

// ReplayedPayment is the result PayInvoice returned when it recorded p,
// rebuilt from the invoice's payments (which are never changed once
// recorded): what was outstanding before p, from the payments recorded
// before it, and after it.
func ReplayedPayment(inv Invoice, payments []Payment, p Payment) PaymentResult {
	before := Cents(inv.Amount)
	for _, q := range payments {
		if q.PaymentID < p.PaymentID && q.InvoiceID == inv.InvoiceID && Counts(q.Status) {
			before -= Cents(q.Amount)
		}
	}
	before = max(before, 0)
	after := before
	if Counts(p.Status) {
		after = max(before-Cents(p.Amount), 0)
	}
	return PaymentResult{Payment: p, OutstandingBefore: Dollars(before), OutstandingAfter: Dollars(after), Replayed: true}
}
