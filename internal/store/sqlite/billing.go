package sqlite

import (
	"context"
	"database/sql"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// AddInvoices records a batch of invoices in one write transaction,
// skipping those whose subscription already has an invoice with the same
// description (so that a rerun bills nothing twice).
func (s *Store) AddInvoices(ctx context.Context, invs []contoso.Invoice) ([]contoso.Invoice, int, error) {
	for _, inv := range invs {
		if err := inv.Validate(); err != nil {
			return nil, 0, err
		}
	}
	created := []contoso.Invoice{}
	skipped := 0
	err := s.inTx(ctx, "recording invoices", func(tx *sql.Tx) error {
		for _, inv := range invs {
			if _, err := txOne(ctx, tx, s.ws.getSubscription, scanSubscription, "subscription", inv.SubscriptionID); err != nil {
				return err
			}
			var dup bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM invoices WHERE subscription_id = ? AND description = ?)`,
				inv.SubscriptionID, inv.Description).Scan(&dup); err != nil {
				return contoso.Internal(err, "recording invoices")
			}
			if dup {
				skipped++
				continue
			}
			r, err := tx.ExecContext(ctx, `INSERT INTO invoices (subscription_id, invoice_date, amount, description, due_date) VALUES (?, ?, ?, ?, ?)`,
				inv.SubscriptionID, inv.InvoiceDate, contoso.Cents(inv.Amount), inv.Description, inv.DueDate)
			if err != nil {
				return contoso.Internal(err, "recording invoices")
			}
			if inv.InvoiceID, err = r.LastInsertId(); err != nil {
				return contoso.Internal(err, "recording invoices")
			}
			inv.Amount = contoso.Dollars(contoso.Cents(inv.Amount))
			created = append(created, inv)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return created, skipped, nil
}
