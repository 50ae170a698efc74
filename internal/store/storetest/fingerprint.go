package storetest

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// Tables are the twelve tables of the domain: the keys of a Fingerprint.
var Tables = []string{
	"customers", "products", "subscriptions", "invoices", "payments", "promotions",
	"security_logs", "orders", "support_tickets", "data_usage", "service_incidents", "knowledge_documents",
}

// Fingerprint is the reference definition of contoso.Store.Fingerprint, so
// that every backend computes the same digests for the same data: for each
// of the twelve tables, the hex SHA-256 of its rows in primary-key order,
// each row written by encoding/json's Encoder (default settings: HTML
// escaping on, a newline after each value) as its contoso record type. A
// payment is written as the Payment with "idempotency_key" appended when it
// is set (see PaymentRow). A table without rows hashes the empty input.
//
// The contract suite checks that a store's Fingerprint after Load(d) equals
// Fingerprint(d).
func Fingerprint(d *contoso.Dataset) map[string]string {
	out := make(map[string]string, len(Tables))
	out["customers"] = digest(d.Customers, func(v contoso.Customer) int64 { return v.CustomerID }, identity)
	out["products"] = digest(d.Products, func(v contoso.Product) int64 { return v.ProductID }, identity)
	out["subscriptions"] = digest(d.Subscriptions, func(v contoso.Subscription) int64 { return v.SubscriptionID }, identity)
	out["invoices"] = digest(d.Invoices, func(v contoso.Invoice) int64 { return v.InvoiceID }, identity)
	out["payments"] = digest(d.Payments, func(v contoso.Payment) int64 { return v.PaymentID },
		func(p contoso.Payment) any { return PaymentRow{Payment: p, IdempotencyKey: p.IdempotencyKey} })
	out["promotions"] = digest(d.Promotions, func(v contoso.Promotion) int64 { return v.PromotionID }, identity)
	out["security_logs"] = digest(d.SecurityLogs, func(v contoso.SecurityLog) int64 { return v.LogID }, identity)
	out["orders"] = digest(d.Orders, func(v contoso.Order) int64 { return v.OrderID }, identity)
	out["support_tickets"] = digest(d.SupportTickets, func(v contoso.SupportTicket) int64 { return v.TicketID }, identity)
	out["data_usage"] = digest(d.DataUsage, func(v contoso.DataUsage) int64 { return v.UsageID }, identity)
	out["service_incidents"] = digest(d.ServiceIncidents, func(v contoso.ServiceIncident) int64 { return v.IncidentID }, identity)
	out["knowledge_documents"] = digest(d.KnowledgeDocuments, func(v contoso.KnowledgeDocument) int64 { return v.DocumentID }, identity)
	return out
}

// PaymentRow is how a payment is written for its fingerprint: the Payment's
// JSON with "idempotency_key" added when one is set (Payment itself hides
// the key from JSON).
type PaymentRow struct {
	contoso.Payment
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

func identity[T any](v T) any { return v }

func digest[T any](rows []T, key func(T) int64, row func(T) any) string {
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, v := range sorted {
		if err := enc.Encode(row(v)); err != nil {
			panic("storetest: encoding a row: " + err.Error())
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
