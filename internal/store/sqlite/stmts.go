package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// Column lists, in the order the scan functions read them.
const (
	customerCols     = `customer_id, first_name, last_name, email, phone, address, loyalty_level`
	productCols      = `product_id, name, description, category, monthly_fee`
	subscriptionCols = `subscription_id, customer_id, product_id, start_date, end_date, status, roaming_enabled, service_status, speed_tier, data_cap_gb, autopay_enabled`
	invoiceCols      = `invoice_id, subscription_id, invoice_date, amount, description, due_date`
	paymentCols      = `payment_id, invoice_id, payment_date, amount, method, status, idempotency_key, idempotency_principal`
	promotionCols    = `promotion_id, product_id, name, description, eligibility, start_date, end_date, discount_percent`
	securityLogCols  = `log_id, customer_id, event_type, event_timestamp, description`
	orderCols        = `order_id, customer_id, product_id, order_date, amount, order_status`
	ticketCols       = `ticket_id, customer_id, subscription_id, category, opened_at, closed_at, status, priority, subject, description, cs_agent`
	usageCols        = `usage_id, subscription_id, usage_date, data_used_mb, voice_minutes, sms_count`
	incidentCols     = `incident_id, subscription_id, incident_date, description, resolution_status`
	documentCols     = `document_id, title, doc_type, content`
)

// readStmts are prepared once, on the read pool, at Open.
type readStmts struct {
	listCustomers, getCustomer, customerExists                  *sql.Stmt
	customerSubscriptions, getSubscription                      *sql.Stmt
	subscriptionInvoices, subscriptionPayments, subscriptionInc *sql.Stmt
	getInvoice, invoiceExists, invoicePayments                  *sql.Stmt
	dataUsage, listPromotions, search                           *sql.Stmt
	securityLogs, customerOrders, supportTickets, openTickets   *sql.Stmt
	listProducts, productsByCategory, getProduct, seeded        *sql.Stmt
}

func (rs *readStmts) specs() []stmtSpec {
	return []stmtSpec{
		{&rs.listCustomers, `SELECT ` + customerCols + ` FROM customers ORDER BY customer_id`},
		{&rs.getCustomer, `SELECT ` + customerCols + ` FROM customers WHERE customer_id = ?`},
		{&rs.customerExists, `SELECT EXISTS (SELECT 1 FROM customers WHERE customer_id = ?)`},
		{&rs.customerSubscriptions, `SELECT ` + subscriptionCols + ` FROM subscriptions WHERE customer_id = ? ORDER BY subscription_id`},
		{&rs.getSubscription, `SELECT ` + subscriptionCols + ` FROM subscriptions WHERE subscription_id = ?`},
		{&rs.subscriptionInvoices, `SELECT ` + invoiceCols + ` FROM invoices WHERE subscription_id = ? ORDER BY invoice_date DESC, invoice_id DESC`},
		{&rs.subscriptionPayments, `SELECT p.payment_id, p.invoice_id, p.payment_date, p.amount, p.method, p.status, p.idempotency_key, p.idempotency_principal
			FROM invoices i JOIN payments p ON p.invoice_id = i.invoice_id
			WHERE i.subscription_id = ? ORDER BY p.payment_id`},
		{&rs.subscriptionInc, `SELECT ` + incidentCols + ` FROM service_incidents WHERE subscription_id = ? ORDER BY incident_date DESC, incident_id DESC`},
		{&rs.getInvoice, `SELECT ` + invoiceCols + ` FROM invoices WHERE invoice_id = ?`},
		{&rs.invoiceExists, `SELECT EXISTS (SELECT 1 FROM invoices WHERE invoice_id = ?)`},
		{&rs.invoicePayments, `SELECT ` + paymentCols + ` FROM payments WHERE invoice_id = ? ORDER BY payment_id`},
		{&rs.dataUsage, `SELECT ` + usageCols + ` FROM data_usage WHERE subscription_id = ? AND usage_date >= ? AND usage_date <= ? ORDER BY usage_date, usage_id`},
		{&rs.listPromotions, `SELECT ` + promotionCols + ` FROM promotions ORDER BY promotion_id`},
		{&rs.search, `SELECT d.document_id, d.title, d.doc_type,
				snippet(knowledge_fts, -1, '[', ']', '...', 24),
				bm25(knowledge_fts, 10.0, 1.0) AS score,
				d.content
			FROM knowledge_fts JOIN knowledge_documents d ON d.document_id = knowledge_fts.rowid
			WHERE knowledge_fts MATCH ?
			ORDER BY score, d.document_id
			LIMIT ?`},
		{&rs.securityLogs, `SELECT ` + securityLogCols + ` FROM security_logs WHERE customer_id = ? ORDER BY event_timestamp DESC, log_id DESC`},
		{&rs.customerOrders, `SELECT ` + orderCols + ` FROM orders WHERE customer_id = ? ORDER BY order_date DESC, order_id DESC`},
		{&rs.supportTickets, `SELECT ` + ticketCols + ` FROM support_tickets WHERE customer_id = ? ORDER BY opened_at DESC, ticket_id DESC`},
		{&rs.openTickets, `SELECT ` + ticketCols + ` FROM support_tickets WHERE customer_id = ? AND status <> 'closed' ORDER BY opened_at DESC, ticket_id DESC`},
		{&rs.listProducts, `SELECT ` + productCols + ` FROM products ORDER BY product_id`},
		{&rs.productsByCategory, `SELECT ` + productCols + ` FROM products WHERE category = ? ORDER BY product_id`},
		{&rs.getProduct, `SELECT ` + productCols + ` FROM products WHERE product_id = ?`},
		{&rs.seeded, `SELECT EXISTS (SELECT 1 FROM customers)`},
	}
}

// writeStmts are prepared once, on the writer, at Open, and used inside
// write transactions through Tx.StmtContext (which reuses the preparation:
// the writer has a single connection).
type writeStmts struct {
	getInvoice, invoicePayments, paymentByKey, insertPayment *sql.Stmt
	customerExists, getSubscription, productExists           *sql.Stmt
	insertTicket, getTicket, updateSubscription              *sql.Stmt
	securityLogs, insertSecurityLog                          *sql.Stmt
}

func (ws *writeStmts) specs() []stmtSpec {
	return []stmtSpec{
		{&ws.getInvoice, `SELECT ` + invoiceCols + ` FROM invoices WHERE invoice_id = ?`},
		{&ws.invoicePayments, `SELECT ` + paymentCols + ` FROM payments WHERE invoice_id = ? ORDER BY payment_id`},
		{&ws.paymentByKey, `SELECT ` + paymentCols + ` FROM payments WHERE idempotency_key = ?`},
		{&ws.insertPayment, `INSERT INTO payments (invoice_id, payment_date, amount, method, status, idempotency_key, idempotency_principal) VALUES (?, ?, ?, ?, ?, ?, ?)`},
		{&ws.customerExists, `SELECT EXISTS (SELECT 1 FROM customers WHERE customer_id = ?)`},
		{&ws.getSubscription, `SELECT ` + subscriptionCols + ` FROM subscriptions WHERE subscription_id = ?`},
		{&ws.productExists, `SELECT EXISTS (SELECT 1 FROM products WHERE product_id = ?)`},
		{&ws.insertTicket, `INSERT INTO support_tickets (customer_id, subscription_id, category, opened_at, closed_at, status, priority, subject, description, cs_agent)
			VALUES (?, ?, ?, ?, NULL, 'open', ?, ?, ?, ?)`},
		{&ws.getTicket, `SELECT ` + ticketCols + ` FROM support_tickets WHERE ticket_id = ?`},
		{&ws.updateSubscription, `UPDATE subscriptions SET product_id = ?, start_date = ?, end_date = ?, status = ?, roaming_enabled = ?,
			service_status = ?, speed_tier = ?, data_cap_gb = ?, autopay_enabled = ? WHERE subscription_id = ?`},
		{&ws.securityLogs, `SELECT ` + securityLogCols + ` FROM security_logs WHERE customer_id = ? ORDER BY event_timestamp DESC, log_id DESC`},
		{&ws.insertSecurityLog, `INSERT INTO security_logs (customer_id, event_type, event_timestamp, description) VALUES (?, ?, ?, ?)`},
	}
}

type stmtSpec struct {
	dst   **sql.Stmt
	query string
}

func (rs *readStmts) all() []*sql.Stmt  { return stmtsOf(rs.specs()) }
func (ws *writeStmts) all() []*sql.Stmt { return stmtsOf(ws.specs()) }

func stmtsOf(specs []stmtSpec) []*sql.Stmt {
	out := make([]*sql.Stmt, 0, len(specs))
	for _, sp := range specs {
		out = append(out, *sp.dst)
	}
	return out
}

func (s *Store) prepare(ctx context.Context) error {
	for _, set := range []struct {
		db    *sql.DB
		specs []stmtSpec
	}{{s.r, s.rs.specs()}, {s.w, s.ws.specs()}} {
		for _, sp := range set.specs {
			st, err := set.db.PrepareContext(ctx, sp.query)
			if err != nil {
				return fmt.Errorf("%w (in %s)", err, sp.query)
			}
			*sp.dst = st
		}
	}
	return nil
}
