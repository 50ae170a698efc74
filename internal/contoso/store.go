package contoso

import (
	"context"
	"time"
)

// Store is one tenant's data. Every backend (internal/store/sqlite,
// internal/store/cosmos) implements all of it and passes the same contract
// suite (internal/store/storetest). A Store never sees another tenant's data:
// the caller picks the Store from the verified tenant, never from an argument.
//
// Errors are *Error values: KindNotFound when a record named by id does not
// exist, KindInvalid for a request that breaks a rule of the domain,
// KindConflict when the data's state forbids the change; anything else is
// KindInternal. Lists are never nil; an empty list is not an error.
// A write either happens whole or not at all.
type Store interface {
	// ListCustomers returns every customer, by customer_id.
	ListCustomers(ctx context.Context) ([]Customer, error)
	// GetCustomer returns one customer, or KindNotFound.
	GetCustomer(ctx context.Context, customerID int64) (Customer, error)
	// CustomerSubscriptions returns the customer's subscriptions, by
	// subscription_id; KindNotFound when the customer does not exist.
	CustomerSubscriptions(ctx context.Context, customerID int64) ([]Subscription, error)
	// GetSubscription returns one subscription, or KindNotFound.
	GetSubscription(ctx context.Context, subscriptionID int64) (Subscription, error)
	// SubscriptionInvoices returns the subscription's invoices, newest
	// invoice_date first (ties by invoice_id descending).
	SubscriptionInvoices(ctx context.Context, subscriptionID int64) ([]Invoice, error)
	// SubscriptionPayments returns the payments of all the subscription's
	// invoices, by payment_id.
	SubscriptionPayments(ctx context.Context, subscriptionID int64) ([]Payment, error)
	// SubscriptionIncidents returns the subscription's service incidents,
	// newest first.
	SubscriptionIncidents(ctx context.Context, subscriptionID int64) ([]ServiceIncident, error)
	// GetInvoice returns one invoice, or KindNotFound.
	GetInvoice(ctx context.Context, invoiceID int64) (Invoice, error)
	// InvoicePayments returns the invoice's payments by payment_id;
	// KindNotFound when the invoice does not exist.
	InvoicePayments(ctx context.Context, invoiceID int64) ([]Payment, error)
	// DataUsage returns the subscription's daily usage with start <= usage_date
	// <= end (YYYY-MM-DD, both inclusive), oldest first.
	DataUsage(ctx context.Context, subscriptionID int64, start, end string) ([]DataUsage, error)
	// ListPromotions returns every promotion, by promotion_id.
	ListPromotions(ctx context.Context) ([]Promotion, error)
	// SearchKnowledge returns at most topK documents matching the query, best
	// first (BM25, title weighted above content). A query that matches
	// nothing returns an empty list; a query with no searchable word is
	// KindInvalid.
	SearchKnowledge(ctx context.Context, query string, topK int) ([]KnowledgeHit, error)
	// SecurityLogs returns the customer's security events, newest first
	// (ties by log_id descending); KindNotFound when the customer does not exist.
	SecurityLogs(ctx context.Context, customerID int64) ([]SecurityLog, error)
	// CustomerOrders returns the customer's orders, newest first;
	// KindNotFound when the customer does not exist.
	CustomerOrders(ctx context.Context, customerID int64) ([]Order, error)
	// SupportTickets returns the customer's tickets, newest opened_at first;
	// with openOnly, only those whose status is not closed. KindNotFound
	// when the customer does not exist.
	SupportTickets(ctx context.Context, customerID int64, openOnly bool) ([]SupportTicket, error)
	// ListProducts returns the products, by product_id; with a category, only
	// that category's.
	ListProducts(ctx context.Context, category string) ([]Product, error)
	// GetProduct returns one product, or KindNotFound.
	GetProduct(ctx context.Context, productID int64) (Product, error)

	// PayInvoice records a payment against an invoice in one transaction
	// (see PaymentRequest for the rules). An idempotency key is bound to the
	// principal, invoice, amount and method of the payment that first used
	// it: an exact repeat records nothing and returns that payment's
	// original result (its payment, and what was outstanding before and
	// after it) with Replayed set; the key with any other principal,
	// invoice, amount or method is KindConflict, checked before anything
	// else about the invoice, and records nothing.
	PayInvoice(ctx context.Context, req PaymentRequest) (PaymentResult, error)
	// CreateSupportTicket opens a ticket; the subscription must belong to
	// the customer (KindInvalid otherwise).
	CreateSupportTicket(ctx context.Context, t NewTicket) (SupportTicket, error)
	// UpdateSubscription changes the fields set in u and returns the
	// subscription as it is after the change.
	UpdateSubscription(ctx context.Context, subscriptionID int64, u SubscriptionUpdate) (Subscription, error)
	// UnlockAccount records an account_unlocked event at the given instant;
	// KindConflict when the account is not locked.
	UnlockAccount(ctx context.Context, customerID int64, at time.Time) (SecurityLog, error)

	// Seeded reports whether the store holds a data set.
	Seeded(ctx context.Context) (bool, error)
	// Load replaces the whole data set with d, in one transaction where the
	// backend has them.
	Load(ctx context.Context, d *Dataset) error
	// Fingerprint returns a digest per table of every row's content, so
	// that tests can prove a failed write changed nothing and that two
	// backends hold the same data.
	Fingerprint(ctx context.Context) (map[string]string, error)
	// Close releases the store's resources.
	Close() error

	Auditor
	Biller
	TaskStore
}

// PaymentRequest asks to pay an invoice. Amount must be a positive amount
// in whole cents (WholeCents), at most what is outstanding on the invoice
// (KindInvalid otherwise) and at most MaxPaymentAmount; Method one of
// PaymentMethods. The payment is recorded as successful when it settles the
// invoice, partial otherwise.
type PaymentRequest struct {
	InvoiceID      int64
	Amount         float64
	Method         string
	IdempotencyKey string
	// Principal is who asks (the tools pass the verified principal's key:
	// issuer, tenant and subject; "" for the local principal of stdio). An
	// idempotency key replays only for the principal that first used it.
	Principal string
	Date      string // YYYY-MM-DD
}

// PaymentResult is what PayInvoice did.
type PaymentResult struct {
	Payment           Payment `json:"payment"`
	OutstandingBefore float64 `json:"outstanding_before" jsonschema:"USD owed on the invoice before this payment"`
	OutstandingAfter  float64 `json:"outstanding_after" jsonschema:"USD still owed on the invoice"`
	Replayed          bool    `json:"replayed" jsonschema:"true when this idempotency key was used before by the same caller for the same payment: nothing new was recorded and this is the first call's result"`
}

// NewTicket asks to open a support ticket.
type NewTicket struct {
	CustomerID     int64
	SubscriptionID int64
	Category       string
	Priority       string
	Subject        string
	Description    string
	CSAgent        string // who opened it; "unassigned" when empty
	OpenedAt       time.Time
}

// SubscriptionUpdate names the fields to change; nil means unchanged.
type SubscriptionUpdate struct {
	Status         *string
	ServiceStatus  *string
	ProductID      *int64
	StartDate      *string
	EndDate        *string
	AutopayEnabled *bool
	RoamingEnabled *bool
	SpeedTier      *string
	DataCapGB      *float64
}

// AuditRecord is one call of a write or privileged tool, as the audit trail
// keeps it: who, what, when and how it ended; never the arguments.
type AuditRecord struct {
	Time      string `json:"time" jsonschema:"RFC 3339, UTC"`
	Tenant    string `json:"tenant"`
	Subject   string `json:"subject"`
	Tool      string `json:"tool"`
	Outcome   string `json:"outcome" jsonschema:"ok, tool_error or error"`
	RequestID string `json:"request_id"`
}

// Auditor is the part of a store that keeps the audit trail. The trail is
// not part of the data set: Load leaves it alone and Fingerprint ignores it.
type Auditor interface {
	// RecordAudit appends one record.
	RecordAudit(ctx context.Context, r AuditRecord) error
	// AuditTrail returns at most limit records, newest first.
	AuditTrail(ctx context.Context, limit int) ([]AuditRecord, error)
}
