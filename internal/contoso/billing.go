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
