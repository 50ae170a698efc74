package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanCustomer(sc scanner, c *contoso.Customer) error {
	return sc.Scan(&c.CustomerID, &c.FirstName, &c.LastName, &c.Email, &c.Phone, &c.Address, &c.LoyaltyLevel)
}

func scanProduct(sc scanner, p *contoso.Product) error {
	var fee int64
	err := sc.Scan(&p.ProductID, &p.Name, &p.Description, &p.Category, &fee)
	p.MonthlyFee = contoso.Dollars(fee)
	return err
}

func scanSubscription(sc scanner, s *contoso.Subscription) error {
	var end sql.NullString
	var dataCap sql.NullFloat64
	err := sc.Scan(&s.SubscriptionID, &s.CustomerID, &s.ProductID, &s.StartDate, &end, &s.Status,
		&s.RoamingEnabled, &s.ServiceStatus, &s.SpeedTier, &dataCap, &s.AutopayEnabled)
	s.EndDate = end.String
	s.DataCapGB = nil
	if dataCap.Valid {
		v := dataCap.Float64
		s.DataCapGB = &v
	}
	return err
}

func scanInvoice(sc scanner, i *contoso.Invoice) error {
	var amount int64
	err := sc.Scan(&i.InvoiceID, &i.SubscriptionID, &i.InvoiceDate, &amount, &i.Description, &i.DueDate)
	i.Amount = contoso.Dollars(amount)
	return err
}

func scanPayment(sc scanner, p *contoso.Payment) error {
	var amount int64
	var key, principal sql.NullString
	err := sc.Scan(&p.PaymentID, &p.InvoiceID, &p.PaymentDate, &amount, &p.Method, &p.Status, &key, &principal)
	p.Amount = contoso.Dollars(amount)
	p.IdempotencyKey, p.IdempotencyPrincipal = key.String, principal.String
	return err
}

func scanPromotion(sc scanner, p *contoso.Promotion) error {
	var elig []byte
	if err := sc.Scan(&p.PromotionID, &p.ProductID, &p.Name, &p.Description, &elig, &p.StartDate, &p.EndDate, &p.DiscountPercent); err != nil {
		return err
	}
	p.Eligibility = contoso.Eligibility{}
	if err := json.Unmarshal(elig, &p.Eligibility); err != nil {
		return fmt.Errorf("promotion %d: decoding eligibility: %w", p.PromotionID, err)
	}
	return nil
}

func scanSecurityLog(sc scanner, l *contoso.SecurityLog) error {
	return sc.Scan(&l.LogID, &l.CustomerID, &l.EventType, &l.EventTimestamp, &l.Description)
}

func scanOrder(sc scanner, o *contoso.Order) error {
	var amount int64
	err := sc.Scan(&o.OrderID, &o.CustomerID, &o.ProductID, &o.OrderDate, &amount, &o.OrderStatus)
	o.Amount = contoso.Dollars(amount)
	return err
}

func scanTicket(sc scanner, t *contoso.SupportTicket) error {
	var closed sql.NullString
	err := sc.Scan(&t.TicketID, &t.CustomerID, &t.SubscriptionID, &t.Category, &t.OpenedAt, &closed,
		&t.Status, &t.Priority, &t.Subject, &t.Description, &t.CSAgent)
	t.ClosedAt = closed.String
	return err
}

func scanUsage(sc scanner, u *contoso.DataUsage) error {
	return sc.Scan(&u.UsageID, &u.SubscriptionID, &u.UsageDate, &u.DataUsedMB, &u.VoiceMinutes, &u.SMSCount)
}

func scanIncident(sc scanner, i *contoso.ServiceIncident) error {
	return sc.Scan(&i.IncidentID, &i.SubscriptionID, &i.IncidentDate, &i.Description, &i.ResolutionStatus)
}

func scanDocument(sc scanner, d *contoso.KnowledgeDocument) error {
	return sc.Scan(&d.DocumentID, &d.Title, &d.DocType, &d.Content)
}

func scanHit(sc scanner, h *contoso.KnowledgeHit) error {
	var bm25 float64
	err := sc.Scan(&h.DocumentID, &h.Title, &h.DocType, &h.Snippet, &bm25, &h.Content)
	h.Score = -bm25 // bm25() is lower for better matches
	return err
}

// list runs a prepared query and scans every row; the result is never nil.
func list[T any](ctx context.Context, st *sql.Stmt, scan func(scanner, *T) error, what string, args ...any) ([]T, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, contoso.Internal(err, what)
	}
	return collect(rows, scan, what)
}

func collect[T any](rows *sql.Rows, scan func(scanner, *T) error, what string) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, contoso.Internal(err, what)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, contoso.Internal(err, what)
	}
	return out, nil
}

// one runs a prepared single-row query; a missing row is KindNotFound with
// the message "<noun> <id> does not exist".
func one[T any](ctx context.Context, st *sql.Stmt, scan func(scanner, *T) error, noun string, id int64) (T, error) {
	var v T
	if err := scan(st.QueryRowContext(ctx, id), &v); err != nil {
		var zero T
		if errors.Is(err, sql.ErrNoRows) {
			return zero, notFound(noun, id)
		}
		return zero, contoso.Internal(err, "reading "+noun+" "+fmt.Sprint(id))
	}
	return v, nil
}

func notFound(noun string, id int64) error {
	return contoso.Errorf(contoso.KindNotFound, "%s %d does not exist", noun, id)
}

// exists runs a prepared SELECT EXISTS(...) query.
func exists(ctx context.Context, st *sql.Stmt, id int64, what string) (bool, error) {
	var ok bool
	if err := st.QueryRowContext(ctx, id).Scan(&ok); err != nil {
		return false, contoso.Internal(err, what)
	}
	return ok, nil
}

// requireParent completes a list query keyed by a parent id: an empty
// list is returned as is when the parent exists, KindNotFound otherwise. The
// existence check runs only when the list is empty, so the common case costs
// one query.
func requireParent[T any](ctx context.Context, items []T, err error, st *sql.Stmt, noun string, id int64) ([]T, error) {
	if err != nil || len(items) > 0 {
		return items, err
	}
	ok, err := exists(ctx, st, id, "checking "+noun+" "+fmt.Sprint(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound(noun, id)
	}
	return items, nil
}

// ListCustomers returns every customer, by customer_id.
func (s *Store) ListCustomers(ctx context.Context) ([]contoso.Customer, error) {
	return list(ctx, s.rs.listCustomers, scanCustomer, "listing customers")
}

// GetCustomer returns one customer, or KindNotFound.
func (s *Store) GetCustomer(ctx context.Context, customerID int64) (contoso.Customer, error) {
	return one(ctx, s.rs.getCustomer, scanCustomer, "customer", customerID)
}

// CustomerSubscriptions returns the customer's subscriptions, by subscription_id.
func (s *Store) CustomerSubscriptions(ctx context.Context, customerID int64) ([]contoso.Subscription, error) {
	subs, err := list(ctx, s.rs.customerSubscriptions, scanSubscription, "reading subscriptions", customerID)
	return requireParent(ctx, subs, err, s.rs.customerExists, "customer", customerID)
}

// GetSubscription returns one subscription, or KindNotFound.
func (s *Store) GetSubscription(ctx context.Context, subscriptionID int64) (contoso.Subscription, error) {
	return one(ctx, s.rs.getSubscription, scanSubscription, "subscription", subscriptionID)
}

// SubscriptionInvoices returns the subscription's invoices, newest first.
func (s *Store) SubscriptionInvoices(ctx context.Context, subscriptionID int64) ([]contoso.Invoice, error) {
	return list(ctx, s.rs.subscriptionInvoices, scanInvoice, "reading invoices", subscriptionID)
}

// SubscriptionPayments returns the payments of the subscription's invoices, by payment_id.
func (s *Store) SubscriptionPayments(ctx context.Context, subscriptionID int64) ([]contoso.Payment, error) {
	return list(ctx, s.rs.subscriptionPayments, scanPayment, "reading payments", subscriptionID)
}

// SubscriptionIncidents returns the subscription's incidents, newest first.
func (s *Store) SubscriptionIncidents(ctx context.Context, subscriptionID int64) ([]contoso.ServiceIncident, error) {
	return list(ctx, s.rs.subscriptionInc, scanIncident, "reading service incidents", subscriptionID)
}

// GetInvoice returns one invoice, or KindNotFound.
func (s *Store) GetInvoice(ctx context.Context, invoiceID int64) (contoso.Invoice, error) {
	return one(ctx, s.rs.getInvoice, scanInvoice, "invoice", invoiceID)
}

// InvoicePayments returns the invoice's payments by payment_id.
func (s *Store) InvoicePayments(ctx context.Context, invoiceID int64) ([]contoso.Payment, error) {
	ps, err := list(ctx, s.rs.invoicePayments, scanPayment, "reading payments", invoiceID)
	return requireParent(ctx, ps, err, s.rs.invoiceExists, "invoice", invoiceID)
}

// DataUsage returns the subscription's usage with start <= usage_date <= end, oldest first.
func (s *Store) DataUsage(ctx context.Context, subscriptionID int64, start, end string) ([]contoso.DataUsage, error) {
	if !contoso.ValidDate(start) {
		return nil, contoso.Errorf(contoso.KindInvalid, "start_date must be a date in YYYY-MM-DD form")
	}
	if !contoso.ValidDate(end) {
		return nil, contoso.Errorf(contoso.KindInvalid, "end_date must be a date in YYYY-MM-DD form")
	}
	return list(ctx, s.rs.dataUsage, scanUsage, "reading data usage", subscriptionID, start, end)
}

// ListPromotions returns every promotion, by promotion_id.
func (s *Store) ListPromotions(ctx context.Context) ([]contoso.Promotion, error) {
	return list(ctx, s.rs.listPromotions, scanPromotion, "listing promotions")
}

// SecurityLogs returns the customer's security events, newest first.
func (s *Store) SecurityLogs(ctx context.Context, customerID int64) ([]contoso.SecurityLog, error) {
	logs, err := list(ctx, s.rs.securityLogs, scanSecurityLog, "reading security logs", customerID)
	return requireParent(ctx, logs, err, s.rs.customerExists, "customer", customerID)
}

// CustomerOrders returns the customer's orders, newest first.
func (s *Store) CustomerOrders(ctx context.Context, customerID int64) ([]contoso.Order, error) {
	orders, err := list(ctx, s.rs.customerOrders, scanOrder, "reading orders", customerID)
	return requireParent(ctx, orders, err, s.rs.customerExists, "customer", customerID)
}

// SupportTickets returns the customer's tickets, newest opened_at first;
// with openOnly, only those not closed.
func (s *Store) SupportTickets(ctx context.Context, customerID int64, openOnly bool) ([]contoso.SupportTicket, error) {
	st := s.rs.supportTickets
	if openOnly {
		st = s.rs.openTickets
	}
	ts, err := list(ctx, st, scanTicket, "reading support tickets", customerID)
	return requireParent(ctx, ts, err, s.rs.customerExists, "customer", customerID)
}

// ListProducts returns the products by product_id, optionally of one
// category. The whole catalogue, which several tools read on every call to
// name products, comes from a cache at most catalogueTTL old.
func (s *Store) ListProducts(ctx context.Context, category string) ([]contoso.Product, error) {
	if category == "" {
		if c := s.catalogue.Load(); c != nil && time.Since(c.read) < catalogueTTL {
			return slices.Clone(c.products), nil
		}
		read := time.Now()
		ps, err := list(ctx, s.rs.listProducts, scanProduct, "listing products")
		if err == nil {
			s.catalogue.Store(&catalogue{products: slices.Clone(ps), read: read})
		}
		return ps, err
	}
	return list(ctx, s.rs.productsByCategory, scanProduct, "listing products", category)
}

// GetProduct returns one product, or KindNotFound.
func (s *Store) GetProduct(ctx context.Context, productID int64) (contoso.Product, error) {
	return one(ctx, s.rs.getProduct, scanProduct, "product", productID)
}

// Seeded reports whether the customers table has a row.
func (s *Store) Seeded(ctx context.Context) (bool, error) {
	var ok bool
	if err := s.rs.seeded.QueryRowContext(ctx).Scan(&ok); err != nil {
		return false, contoso.Internal(err, "checking whether the store is seeded")
	}
	return ok, nil
}
