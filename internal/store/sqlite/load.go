package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// Tables are the twelve tables of the domain, parents before children.
var Tables = []string{
	"customers", "products", "subscriptions", "invoices", "payments", "promotions",
	"security_logs", "orders", "support_tickets", "data_usage", "service_incidents", "knowledge_documents",
}

// Load replaces the whole data set with d in one write transaction: every
// table is emptied, d is inserted with prepared statements and the full-text
// index is rebuilt. On error nothing changes.
func (s *Store) Load(ctx context.Context, d *contoso.Dataset) error {
	if d == nil {
		return contoso.Errorf(contoso.KindInvalid, "no data set to load")
	}
	defer s.catalogue.Store(nil)
	return s.inTx(ctx, "loading the data set", func(tx *sql.Tx) error {
		for i := len(Tables) - 1; i >= 0; i-- {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+Tables[i]); err != nil {
				return contoso.Internal(fmt.Errorf("emptying %s: %w", Tables[i], err), "loading the data set")
			}
		}
		l := loader{ctx: ctx, tx: tx}
		insertAll(&l, "customers", `INSERT INTO customers (`+customerCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`, d.Customers,
			func(c *contoso.Customer) (int64, []any) {
				return c.CustomerID, []any{c.CustomerID, c.FirstName, c.LastName, c.Email, c.Phone, c.Address, c.LoyaltyLevel}
			})
		insertAll(&l, "products", `INSERT INTO products (`+productCols+`) VALUES (?, ?, ?, ?, ?)`, d.Products,
			func(p *contoso.Product) (int64, []any) {
				return p.ProductID, []any{p.ProductID, p.Name, p.Description, p.Category, contoso.Cents(p.MonthlyFee)}
			})
		insertAll(&l, "subscriptions", `INSERT INTO subscriptions (`+subscriptionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.Subscriptions,
			func(s *contoso.Subscription) (int64, []any) {
				var dataCap any
				if s.DataCapGB != nil {
					dataCap = *s.DataCapGB
				}
				return s.SubscriptionID, []any{s.SubscriptionID, s.CustomerID, s.ProductID, s.StartDate, nullString(s.EndDate), s.Status,
					s.RoamingEnabled, s.ServiceStatus, s.SpeedTier, dataCap, s.AutopayEnabled}
			})
		insertAll(&l, "invoices", `INSERT INTO invoices (`+invoiceCols+`) VALUES (?, ?, ?, ?, ?, ?)`, d.Invoices,
			func(i *contoso.Invoice) (int64, []any) {
				return i.InvoiceID, []any{i.InvoiceID, i.SubscriptionID, i.InvoiceDate, contoso.Cents(i.Amount), i.Description, i.DueDate}
			})
		insertAll(&l, "payments", `INSERT INTO payments (`+paymentCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.Payments,
			func(p *contoso.Payment) (int64, []any) {
				return p.PaymentID, []any{p.PaymentID, p.InvoiceID, p.PaymentDate, contoso.Cents(p.Amount), p.Method, p.Status,
					nullString(p.IdempotencyKey), nullString(p.IdempotencyPrincipal)}
			})
		insertAll(&l, "promotions", `INSERT INTO promotions (`+promotionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.Promotions,
			func(p *contoso.Promotion) (int64, []any) {
				elig, err := json.Marshal(p.Eligibility)
				if err != nil {
					l.fail("promotions", p.PromotionID, err)
				}
				return p.PromotionID, []any{p.PromotionID, p.ProductID, p.Name, p.Description, string(elig), p.StartDate, p.EndDate, p.DiscountPercent}
			})
		insertAll(&l, "security_logs", `INSERT INTO security_logs (`+securityLogCols+`) VALUES (?, ?, ?, ?, ?)`, d.SecurityLogs,
			func(x *contoso.SecurityLog) (int64, []any) {
				return x.LogID, []any{x.LogID, x.CustomerID, x.EventType, x.EventTimestamp, x.Description}
			})
		insertAll(&l, "orders", `INSERT INTO orders (`+orderCols+`) VALUES (?, ?, ?, ?, ?, ?)`, d.Orders,
			func(o *contoso.Order) (int64, []any) {
				return o.OrderID, []any{o.OrderID, o.CustomerID, o.ProductID, o.OrderDate, contoso.Cents(o.Amount), o.OrderStatus}
			})
		insertAll(&l, "support_tickets", `INSERT INTO support_tickets (`+ticketCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.SupportTickets,
			func(t *contoso.SupportTicket) (int64, []any) {
				return t.TicketID, []any{t.TicketID, t.CustomerID, t.SubscriptionID, t.Category, t.OpenedAt, nullString(t.ClosedAt),
					t.Status, t.Priority, t.Subject, t.Description, t.CSAgent}
			})
		insertAll(&l, "data_usage", `INSERT INTO data_usage (`+usageCols+`) VALUES (?, ?, ?, ?, ?, ?)`, d.DataUsage,
			func(u *contoso.DataUsage) (int64, []any) {
				return u.UsageID, []any{u.UsageID, u.SubscriptionID, u.UsageDate, u.DataUsedMB, u.VoiceMinutes, u.SMSCount}
			})
		insertAll(&l, "service_incidents", `INSERT INTO service_incidents (`+incidentCols+`) VALUES (?, ?, ?, ?, ?)`, d.ServiceIncidents,
			func(i *contoso.ServiceIncident) (int64, []any) {
				return i.IncidentID, []any{i.IncidentID, i.SubscriptionID, i.IncidentDate, i.Description, i.ResolutionStatus}
			})
		insertAll(&l, "knowledge_documents", `INSERT INTO knowledge_documents (`+documentCols+`) VALUES (?, ?, ?, ?)`, d.KnowledgeDocuments,
			func(k *contoso.KnowledgeDocument) (int64, []any) {
				return k.DocumentID, []any{k.DocumentID, k.Title, k.DocType, k.Content}
			})
		if l.err != nil {
			return l.err
		}
		// The triggers keep the index in step already; a rebuild makes the
		// index exactly the documents loaded, whatever it held before.
		if _, err := tx.ExecContext(ctx, `INSERT INTO knowledge_fts (knowledge_fts) VALUES ('rebuild')`); err != nil {
			return contoso.Internal(fmt.Errorf("rebuilding the full-text index: %w", err), "loading the data set")
		}
		return nil
	})
}

// loader inserts rows in a transaction and keeps the first error.
type loader struct {
	ctx context.Context
	tx  *sql.Tx
	err error
}

func (l *loader) fail(table string, id int64, err error) {
	if l.err == nil {
		// The cause names the table and row id only, never the row's content.
		l.err = contoso.Internal(fmt.Errorf("%s row %d: %w", table, id, err), "loading the data set")
	}
}

func insertAll[T any](l *loader, table, query string, rows []T, args func(*T) (int64, []any)) {
	if l.err != nil || len(rows) == 0 {
		return
	}
	st, err := l.tx.PrepareContext(l.ctx, query)
	if err != nil {
		l.fail(table, 0, err)
		return
	}
	defer st.Close()
	for i := range rows {
		id, a := args(&rows[i])
		if l.err != nil {
			return
		}
		if _, err := st.ExecContext(l.ctx, a...); err != nil {
			l.fail(table, id, err)
			return
		}
	}
}

// Fingerprint returns, for each of the twelve tables, the hex SHA-256 of its
// rows in primary-key order, each row written as the JSON encoding of its
// contoso record type followed by a newline; a payment's row also carries
// its idempotency key and principal (see paymentRow). The digest depends only on the data,
// not on how SQLite stores it, so another backend holding the same data
// computes the same digests. All tables are read in one read transaction,
// so the digests describe a single state.
func (s *Store) Fingerprint(ctx context.Context) (map[string]string, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, contoso.Internal(err, "fingerprinting the data")
	}
	defer tx.Rollback()
	out := make(map[string]string, len(Tables))
	f := fingerprinter{ctx: ctx, tx: tx, out: out}
	hashTable(&f, "customers", `SELECT `+customerCols+` FROM customers ORDER BY customer_id`, scanCustomer, identity)
	hashTable(&f, "products", `SELECT `+productCols+` FROM products ORDER BY product_id`, scanProduct, identity)
	hashTable(&f, "subscriptions", `SELECT `+subscriptionCols+` FROM subscriptions ORDER BY subscription_id`, scanSubscription, identity)
	hashTable(&f, "invoices", `SELECT `+invoiceCols+` FROM invoices ORDER BY invoice_id`, scanInvoice, identity)
	hashTable(&f, "payments", `SELECT `+paymentCols+` FROM payments ORDER BY payment_id`, scanPayment,
		func(p *contoso.Payment) any {
			return paymentRow{Payment: *p, IdempotencyKey: p.IdempotencyKey, IdempotencyPrincipal: p.IdempotencyPrincipal}
		})
	hashTable(&f, "promotions", `SELECT `+promotionCols+` FROM promotions ORDER BY promotion_id`, scanPromotion, identity)
	hashTable(&f, "security_logs", `SELECT `+securityLogCols+` FROM security_logs ORDER BY log_id`, scanSecurityLog, identity)
	hashTable(&f, "orders", `SELECT `+orderCols+` FROM orders ORDER BY order_id`, scanOrder, identity)
	hashTable(&f, "support_tickets", `SELECT `+ticketCols+` FROM support_tickets ORDER BY ticket_id`, scanTicket, identity)
	hashTable(&f, "data_usage", `SELECT `+usageCols+` FROM data_usage ORDER BY usage_id`, scanUsage, identity)
	hashTable(&f, "service_incidents", `SELECT `+incidentCols+` FROM service_incidents ORDER BY incident_id`, scanIncident, identity)
	hashTable(&f, "knowledge_documents", `SELECT `+documentCols+` FROM knowledge_documents ORDER BY document_id`, scanDocument, identity)
	if f.err != nil {
		return nil, f.err
	}
	return out, nil
}

// paymentRow is how a payment is written for its fingerprint: the Payment's
// JSON with "idempotency_key" and "idempotency_principal" added when set.
type paymentRow struct {
	contoso.Payment
	IdempotencyKey       string `json:"idempotency_key,omitempty"`
	IdempotencyPrincipal string `json:"idempotency_principal,omitempty"`
}

func identity[T any](v *T) any { return v }

type fingerprinter struct {
	ctx context.Context
	tx  *sql.Tx
	out map[string]string
	err error
}

func hashTable[T any](f *fingerprinter, table, query string, scan func(scanner, *T) error, row func(*T) any) {
	if f.err != nil {
		return
	}
	what := "fingerprinting " + table
	rows, err := f.tx.QueryContext(f.ctx, query)
	if err != nil {
		f.err = contoso.Internal(err, what)
		return
	}
	defer rows.Close()
	h := sha256.New()
	enc := json.NewEncoder(h) // Encode writes the value and a newline
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			f.err = contoso.Internal(err, what)
			return
		}
		if err := enc.Encode(row(&v)); err != nil {
			f.err = contoso.Internal(err, what)
			return
		}
	}
	if err := rows.Err(); err != nil {
		f.err = contoso.Internal(err, what)
		return
	}
	f.out[table] = hex.EncodeToString(h.Sum(nil))
}
