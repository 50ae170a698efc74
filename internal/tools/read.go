package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Inputs.

// CustomerInput names one customer.
type CustomerInput struct {
	CustomerID int64 `json:"customer_id" jsonschema:"the customer's id, as listed by get_all_customers"`
}

// SubscriptionInput names one subscription.
type SubscriptionInput struct {
	SubscriptionID int64 `json:"subscription_id" jsonschema:"the subscription's id, as shown by get_customer_detail"`
}

// InvoiceInput names one invoice.
type InvoiceInput struct {
	InvoiceID int64 `json:"invoice_id" jsonschema:"the invoice's id, as shown by get_subscription_detail or get_billing_summary"`
}

// ProductInput names one product.
type ProductInput struct {
	ProductID int64 `json:"product_id" jsonschema:"the product's id, as listed by get_products"`
}

// NoInput is the input of tools without parameters.
type NoInput struct{}

// DataUsageInput asks for a subscription's usage over a date range.
type DataUsageInput struct {
	SubscriptionID int64  `json:"subscription_id" jsonschema:"the subscription's id"`
	StartDate      string `json:"start_date" jsonschema:"first day, YYYY-MM-DD (inclusive)"`
	EndDate        string `json:"end_date" jsonschema:"last day, YYYY-MM-DD (inclusive); at most 366 days after start_date"`
	Aggregate      bool   `json:"aggregate,omitempty" jsonschema:"true to return only the totals, without the daily rows"`
}

// SearchInput is a knowledge-base query.
type SearchInput struct {
	Query string `json:"query" jsonschema:"what to look for, in plain words (for example: data overage retroactive upgrade)"`
	TopK  int    `json:"topk,omitempty" jsonschema:"how many documents to return, 1 to 20"`
}

// TicketsInput asks for a customer's tickets.
type TicketsInput struct {
	CustomerID int64 `json:"customer_id" jsonschema:"the customer's id"`
	OpenOnly   bool  `json:"open_only,omitempty" jsonschema:"true to leave out closed tickets"`
}

// ProductsInput optionally filters products by category.
type ProductsInput struct {
	Category string `json:"category,omitempty" jsonschema:"only products of this category"`
}

// Outputs.

// CustomerSummary is a customer as listed.
type CustomerSummary struct {
	CustomerID   int64  `json:"customer_id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Email        string `json:"email"`
	LoyaltyLevel string `json:"loyalty_level"`
}

// CustomerList is the output of get_all_customers.
type CustomerList struct {
	Count     int               `json:"count"`
	Customers []CustomerSummary `json:"customers"`
}

func (o CustomerList) Summary() string { return plural(o.Count, "customer") + "." }

// SubscriptionSummary is a subscription with its product's name.
type SubscriptionSummary struct {
	contoso.Subscription
	ProductName     string `json:"product_name"`
	ProductCategory string `json:"product_category"`
}

// CustomerDetail is the output of get_customer_detail.
type CustomerDetail struct {
	Customer      contoso.Customer      `json:"customer"`
	Subscriptions []SubscriptionSummary `json:"subscriptions"`
}

func (o CustomerDetail) Summary() string {
	c := o.Customer
	var subs []string
	for _, s := range o.Subscriptions {
		subs = append(subs, fmt.Sprintf("subscription %d (%s, %s, service %s)", s.SubscriptionID, s.ProductName, s.Status, s.ServiceStatus))
	}
	return fmt.Sprintf("Customer %d: %s %s, %s loyalty. %s", c.CustomerID, c.FirstName, c.LastName, c.LoyaltyLevel,
		joinNonEmpty("; ", strings.Join(subs, "; "), ifEmpty(subs, "No subscriptions.")))
}

func ifEmpty[T any](s []T, text string) string {
	if len(s) == 0 {
		return text
	}
	return ""
}

// InvoiceWithPayments is an invoice with its payments and what is still owed.
type InvoiceWithPayments struct {
	contoso.Invoice
	Payments    []contoso.Payment `json:"payments"`
	Outstanding float64           `json:"outstanding" jsonschema:"USD still owed: the amount less successful and partial payments"`
}

// SubscriptionDetail is the output of get_subscription_detail.
type SubscriptionDetail struct {
	Subscription     contoso.Subscription      `json:"subscription"`
	Product          contoso.Product           `json:"product"`
	Invoices         []InvoiceWithPayments     `json:"invoices" jsonschema:"newest first"`
	Incidents        []contoso.ServiceIncident `json:"incidents" jsonschema:"newest first"`
	TotalOutstanding float64                   `json:"total_outstanding" jsonschema:"USD owed over all invoices"`
}

func (o SubscriptionDetail) Summary() string {
	s := o.Subscription
	open := 0
	for _, i := range o.Incidents {
		if i.ResolutionStatus != "resolved" {
			open++
		}
	}
	return fmt.Sprintf("Subscription %d of customer %d: %s, %s, service %s, roaming %s. %s, %s outstanding. %s, %d unresolved.",
		s.SubscriptionID, s.CustomerID, o.Product.Name, s.Status, s.ServiceStatus, onOff(s.RoamingEnabled),
		plural(len(o.Invoices), "invoice"), money(o.TotalOutstanding), plural(len(o.Incidents), "incident"), open)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// InvoicePayments is the output of get_invoice_payments.
type InvoicePayments struct {
	Invoice     contoso.Invoice   `json:"invoice"`
	Payments    []contoso.Payment `json:"payments"`
	Outstanding float64           `json:"outstanding" jsonschema:"USD still owed: the amount less successful and partial payments"`
}

func (o InvoicePayments) Summary() string {
	return fmt.Sprintf("Invoice %d of %s (%s, %q): %s, %s outstanding.", o.Invoice.InvoiceID, money(o.Invoice.Amount),
		o.Invoice.InvoiceDate, o.Invoice.Description, plural(len(o.Payments), "payment"), money(o.Outstanding))
}

// UsageTotals sums usage over a period.
type UsageTotals struct {
	Days         int     `json:"days" jsonschema:"days with a usage record"`
	DataUsedMB   float64 `json:"data_used_mb"`
	DataUsedGB   float64 `json:"data_used_gb" jsonschema:"data_used_mb / 1024, two decimals"`
	VoiceMinutes int64   `json:"voice_minutes"`
	SMSCount     int64   `json:"sms_count"`
}

// DataUsageReport is the output of get_data_usage.
type DataUsageReport struct {
	SubscriptionID int64               `json:"subscription_id"`
	StartDate      string              `json:"start_date"`
	EndDate        string              `json:"end_date"`
	Totals         UsageTotals         `json:"totals"`
	DataCapGB      *float64            `json:"data_cap_gb" jsonschema:"the plan's monthly cap in GB; null means unlimited"`
	OverCapGB      float64             `json:"over_cap_gb" jsonschema:"GB used beyond the cap over the period; 0 when within it or unlimited"`
	Daily          []contoso.DataUsage `json:"daily,omitempty" jsonschema:"one row per day, oldest first; left out when aggregate is true"`
}

func (o DataUsageReport) Summary() string {
	capText := "no data cap"
	if o.DataCapGB != nil {
		capText = fmt.Sprintf("cap %.0f GB, %.2f GB over", *o.DataCapGB, o.OverCapGB)
	}
	return fmt.Sprintf("Subscription %d used %.2f GB, %d voice minutes and %d SMS over %s from %s to %s (%s).",
		o.SubscriptionID, o.Totals.DataUsedGB, o.Totals.VoiceMinutes, o.Totals.SMSCount, plural(o.Totals.Days, "day"), o.StartDate, o.EndDate, capText)
}

// PromotionView is a promotion with whether it runs today.
type PromotionView struct {
	contoso.Promotion
	ActiveNow bool `json:"active_now" jsonschema:"today is within its dates"`
}

// PromotionList is the output of get_promotions.
type PromotionList struct {
	Today      string          `json:"today" jsonschema:"the date activity is judged on, YYYY-MM-DD"`
	Promotions []PromotionView `json:"promotions"`
}

func (o PromotionList) Summary() string {
	var names []string
	for _, p := range o.Promotions {
		if p.ActiveNow {
			names = append(names, p.Name)
		}
	}
	return fmt.Sprintf("%s, %d active on %s: %s.", plural(len(o.Promotions), "promotion"), len(names), o.Today, strings.Join(names, ", "))
}

// IneligiblePromotion is a promotion the customer may not have, and why.
type IneligiblePromotion struct {
	PromotionID int64    `json:"promotion_id"`
	Name        string   `json:"name"`
	Reasons     []string `json:"reasons"`
}

// EligiblePromotions is the output of get_eligible_promotions.
type EligiblePromotions struct {
	CustomerID int64                 `json:"customer_id"`
	Today      string                `json:"today" jsonschema:"the date eligibility is judged on, YYYY-MM-DD"`
	Eligible   []contoso.Promotion   `json:"eligible"`
	Ineligible []IneligiblePromotion `json:"ineligible" jsonschema:"every other promotion, with the criteria the customer does not meet"`
}

func (o EligiblePromotions) Summary() string {
	if len(o.Eligible) == 0 {
		return fmt.Sprintf("Customer %d is eligible for no promotion on %s.", o.CustomerID, o.Today)
	}
	var names []string
	for _, p := range o.Eligible {
		names = append(names, fmt.Sprintf("%s (%.0f%%)", p.Name, p.DiscountPercent))
	}
	return fmt.Sprintf("Customer %d is eligible on %s for: %s.", o.CustomerID, o.Today, strings.Join(names, ", "))
}

// SearchResults is the output of search_knowledge_base.
type SearchResults struct {
	Query   string                 `json:"query"`
	Results []contoso.KnowledgeHit `json:"results" jsonschema:"best match first; empty when nothing matches"`
}

func (o SearchResults) Summary() string {
	if len(o.Results) == 0 {
		return "No knowledge document matches."
	}
	var b strings.Builder
	for i, r := range o.Results {
		fmt.Fprintf(&b, "%d. %s (%s): %s\n", i+1, r.Title, r.DocType, r.Snippet)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// SecurityLogs is the output of get_security_logs.
type SecurityLogs struct {
	CustomerID int64                 `json:"customer_id"`
	Locked     bool                  `json:"locked" jsonschema:"the newest account_locked event is newer than the newest account_unlocked event"`
	Events     []contoso.SecurityLog `json:"events" jsonschema:"newest first"`
}

func (o SecurityLogs) Summary() string {
	state := "not locked"
	if o.Locked {
		state = "LOCKED"
	}
	return fmt.Sprintf("Customer %d: account %s; %s.", o.CustomerID, state, plural(len(o.Events), "security event"))
}

// Orders is the output of get_customer_orders.
type Orders struct {
	CustomerID int64           `json:"customer_id"`
	Orders     []contoso.Order `json:"orders" jsonschema:"newest first"`
}

func (o Orders) Summary() string {
	var parts []string
	for _, x := range o.Orders {
		parts = append(parts, fmt.Sprintf("order %d on %s, %s, %s", x.OrderID, x.OrderDate, money(x.Amount), x.OrderStatus))
	}
	return fmt.Sprintf("Customer %d has %s. %s", o.CustomerID, plural(len(o.Orders), "order"), strings.Join(parts, "; "))
}

// Tickets is the output of get_support_tickets.
type Tickets struct {
	CustomerID int64                   `json:"customer_id"`
	Tickets    []contoso.SupportTicket `json:"tickets" jsonschema:"newest first"`
}

func (o Tickets) Summary() string {
	var parts []string
	for _, t := range o.Tickets {
		parts = append(parts, fmt.Sprintf("ticket %d %s/%s/%s: %s", t.TicketID, t.Category, t.Priority, t.Status, t.Subject))
	}
	return fmt.Sprintf("Customer %d has %s. %s", o.CustomerID, plural(len(o.Tickets), "ticket"), strings.Join(parts, "; "))
}

// Products is the output of get_products.
type Products struct {
	Products []contoso.Product `json:"products"`
}

func (o Products) Summary() string {
	var parts []string
	for _, p := range o.Products {
		parts = append(parts, fmt.Sprintf("%d %s (%s, %s/month)", p.ProductID, p.Name, p.Category, money(p.MonthlyFee)))
	}
	return plural(len(o.Products), "product") + ": " + strings.Join(parts, "; ")
}

// ProductDetail is the output of get_product_detail.
type ProductDetail struct {
	Product    contoso.Product     `json:"product"`
	Promotions []contoso.Promotion `json:"promotions" jsonschema:"promotions of this product active today"`
}

func (o ProductDetail) Summary() string {
	p := o.Product
	return fmt.Sprintf("Product %d %s (%s, %s/month): %s %s active.", p.ProductID, p.Name, p.Category, money(p.MonthlyFee), p.Description, plural(len(o.Promotions), "promotion"))
}

// SubscriptionBilling is one subscription's part of a billing summary.
type SubscriptionBilling struct {
	SubscriptionID  int64                 `json:"subscription_id"`
	ProductName     string                `json:"product_name"`
	Status          string                `json:"status"`
	AutopayEnabled  bool                  `json:"autopay_enabled"`
	Invoices        int                   `json:"invoices"`
	TotalBilled     float64               `json:"total_billed"`
	TotalPaid       float64               `json:"total_paid" jsonschema:"successful and partial payments"`
	Outstanding     float64               `json:"outstanding"`
	OpenInvoices    []InvoiceWithPayments `json:"open_invoices" jsonschema:"invoices with money still owed, newest first"`
	OverdueInvoices []int64               `json:"overdue_invoices" jsonschema:"ids of open invoices whose due date has passed"`
	LatestInvoice   *contoso.Invoice      `json:"latest_invoice,omitempty"`
}

// BillingSummary is the output of get_billing_summary.
type BillingSummary struct {
	CustomerID       int64                 `json:"customer_id"`
	Today            string                `json:"today"`
	TotalOutstanding float64               `json:"total_outstanding"`
	Subscriptions    []SubscriptionBilling `json:"subscriptions"`
}

func (o BillingSummary) Summary() string {
	overdue := 0
	for _, s := range o.Subscriptions {
		overdue += len(s.OverdueInvoices)
	}
	return fmt.Sprintf("Customer %d owes %s in all (%s overdue) over %s.", o.CustomerID, money(o.TotalOutstanding), plural(overdue, "invoice"), plural(len(o.Subscriptions), "subscription"))
}

func defineReads(s *Set) {
	define(s, &mcp.Tool{Name: "get_all_customers", Title: "List customers",
		Description: "List every customer of the organisation with id, name, email and loyalty level. Use it to find a customer's id when you only know a name; then call get_customer_detail."},
		Read, nil, getAllCustomers)
	define(s, &mcp.Tool{Name: "get_customer_detail", Title: "Customer detail",
		Description: "One customer's profile (contact details, loyalty level) and their subscriptions with product, status, service status, roaming, data cap and autopay. Start here for any question about a customer."},
		Read, func(s *jsonschema.Schema) { positiveID(s, "customer_id") }, getCustomerDetail)
	define(s, &mcp.Tool{Name: "get_subscription_detail", Title: "Subscription detail",
		Description: "One subscription with its product, every invoice (newest first) with its payments and the amount still outstanding, and its service incidents. Use it for billing questions and service problems."},
		Read, func(s *jsonschema.Schema) { positiveID(s, "subscription_id") }, getSubscriptionDetail)
	define(s, &mcp.Tool{Name: "get_invoice_payments", Title: "Invoice payments",
		Description: "One invoice with its payments and what is still owed. Successful and partial payments reduce what is owed; pending and failed ones do not."},
		Read, func(s *jsonschema.Schema) { positiveID(s, "invoice_id") }, getInvoicePayments)
	define(s, &mcp.Tool{Name: "get_data_usage", Title: "Data usage",
		Description: "A subscription's daily data (MB), voice minutes and SMS between two dates (inclusive), with totals and how far the period's data went over the plan's cap. Set aggregate to true for the totals only."},
		Read, func(s *jsonschema.Schema) {
			positiveID(s, "subscription_id")
			dateFormat(s, "start_date", "end_date")
			withDefault(s, "aggregate", "false")
		}, getDataUsage)
	define(s, &mcp.Tool{Name: "get_promotions", Title: "All promotions",
		Description: "Every promotion with its product, discount, dates, eligibility criteria and whether it is active today. To know what one customer may have, use get_eligible_promotions."},
		Read, nil, getPromotions)
	define(s, &mcp.Tool{Name: "get_eligible_promotions", Title: "Eligible promotions",
		Description: "The promotions a customer is eligible for today (active, and the customer meets every criterion: loyalty level, holds a product of the category, new-subscriber window), and for every other promotion the criteria they miss."},
		Read, func(s *jsonschema.Schema) { positiveID(s, "customer_id") }, getEligiblePromotions)
	define(s, &mcp.Tool{Name: "search_knowledge_base", Title: "Search policies and procedures",
		Description: "Full-text search of the support knowledge base (policies, procedures, FAQs, troubleshooting guides), best match first with a snippet and the whole document. Search before answering policy questions: overage, refunds, late fees, roaming, account unlock, SLA credits, autopay."},
		Read, func(s *jsonschema.Schema) {
			one, twenty := 1.0, 20.0
			p := prop(s, "topk")
			p.Minimum, p.Maximum = &one, &twenty
			withDefault(s, "topk", "3")
			maxLength(s, "query", contoso.MaxQueryLen)
		}, searchKnowledgeBase)
	define(s, &mcp.Tool{Name: "get_security_logs", Title: "Security events",
		Description: "A customer's security events (logins, locks, unlocks, password resets), newest first, and whether the account is locked now."},
		Read, func(s *jsonschema.Schema) { positiveID(s, "customer_id") }, getSecurityLogs)
	define(s, &mcp.Tool{Name: "get_customer_orders", Title: "Orders",
		Description: "A customer's orders, newest first, with date, amount and status (delivered, completed, pending, returned). Use it for returns and refunds."},
		Read, func(s *jsonschema.Schema) { positiveID(s, "customer_id") }, getCustomerOrders)
	define(s, &mcp.Tool{Name: "get_support_tickets", Title: "Support tickets",
		Description: "A customer's support tickets, newest first; open_only leaves out closed ones."},
		Read, func(s *jsonschema.Schema) {
			positiveID(s, "customer_id")
			withDefault(s, "open_only", "false")
		}, getSupportTickets)
	define(s, &mcp.Tool{Name: "get_products", Title: "Products",
		Description: "The product catalogue (mobile, internet, bundle and add-on plans) with monthly fees; optionally one category."},
		Read, func(s *jsonschema.Schema) { enum(s, "category", contoso.ProductCategories) }, getProducts)
	define(s, &mcp.Tool{Name: "get_product_detail", Title: "Product detail",
		Description: "One product with its description, fee and the promotions of it active today."},
		Read, func(s *jsonschema.Schema) { positiveID(s, "product_id") }, getProductDetail)
	define(s, &mcp.Tool{Name: "get_billing_summary", Title: "Billing summary",
		Description: "A customer's whole billing position: per subscription the totals billed and paid, what is outstanding, the open and overdue invoices and the latest invoice."},
		Read, func(s *jsonschema.Schema) { positiveID(s, "customer_id") }, getBillingSummary)
}

func today(env *Env) string { return env.Now().UTC().Format(contoso.DateLayout) }

func getAllCustomers(ctx context.Context, _ *Env, st contoso.Store, _ NoInput) (CustomerList, error) {
	cs, err := st.ListCustomers(ctx)
	if err != nil {
		return CustomerList{}, err
	}
	out := CustomerList{Count: len(cs), Customers: make([]CustomerSummary, len(cs))}
	for i, c := range cs {
		out.Customers[i] = CustomerSummary{c.CustomerID, c.FirstName, c.LastName, c.Email, c.LoyaltyLevel}
	}
	return out, nil
}

// productIndex returns the products by id.
func productIndex(ctx context.Context, st contoso.Store) (map[int64]contoso.Product, error) {
	ps, err := st.ListProducts(ctx, "")
	if err != nil {
		return nil, err
	}
	m := make(map[int64]contoso.Product, len(ps))
	for _, p := range ps {
		m[p.ProductID] = p
	}
	return m, nil
}

func getCustomerDetail(ctx context.Context, _ *Env, st contoso.Store, in CustomerInput) (CustomerDetail, error) {
	c, err := st.GetCustomer(ctx, in.CustomerID)
	if err != nil {
		return CustomerDetail{}, err
	}
	subs, err := st.CustomerSubscriptions(ctx, in.CustomerID)
	if err != nil {
		return CustomerDetail{}, err
	}
	products, err := productIndex(ctx, st)
	if err != nil {
		return CustomerDetail{}, err
	}
	out := CustomerDetail{Customer: c, Subscriptions: make([]SubscriptionSummary, len(subs))}
	for i, s := range subs {
		p := products[s.ProductID]
		out.Subscriptions[i] = SubscriptionSummary{Subscription: s, ProductName: p.Name, ProductCategory: p.Category}
	}
	return out, nil
}

// invoicesWithPayments joins invoices and their payments and sums what is owed.
func invoicesWithPayments(invs []contoso.Invoice, pays []contoso.Payment) ([]InvoiceWithPayments, float64) {
	byInvoice := make(map[int64][]contoso.Payment, len(invs))
	for _, p := range pays {
		byInvoice[p.InvoiceID] = append(byInvoice[p.InvoiceID], p)
	}
	out := make([]InvoiceWithPayments, len(invs))
	var owed int64
	for i, inv := range invs {
		ps := byInvoice[inv.InvoiceID]
		if ps == nil {
			ps = []contoso.Payment{}
		}
		o := contoso.Outstanding(inv, ps)
		owed += contoso.Cents(o)
		out[i] = InvoiceWithPayments{Invoice: inv, Payments: ps, Outstanding: o}
	}
	return out, contoso.Dollars(owed)
}

func getSubscriptionDetail(ctx context.Context, _ *Env, st contoso.Store, in SubscriptionInput) (SubscriptionDetail, error) {
	s, err := st.GetSubscription(ctx, in.SubscriptionID)
	if err != nil {
		return SubscriptionDetail{}, err
	}
	p, err := st.GetProduct(ctx, s.ProductID)
	if err != nil {
		return SubscriptionDetail{}, err
	}
	invs, err := st.SubscriptionInvoices(ctx, s.SubscriptionID)
	if err != nil {
		return SubscriptionDetail{}, err
	}
	pays, err := st.SubscriptionPayments(ctx, s.SubscriptionID)
	if err != nil {
		return SubscriptionDetail{}, err
	}
	incidents, err := st.SubscriptionIncidents(ctx, s.SubscriptionID)
	if err != nil {
		return SubscriptionDetail{}, err
	}
	withPays, owed := invoicesWithPayments(invs, pays)
	return SubscriptionDetail{Subscription: s, Product: p, Invoices: withPays, Incidents: incidents, TotalOutstanding: owed}, nil
}

func getInvoicePayments(ctx context.Context, _ *Env, st contoso.Store, in InvoiceInput) (InvoicePayments, error) {
	inv, err := st.GetInvoice(ctx, in.InvoiceID)
	if err != nil {
		return InvoicePayments{}, err
	}
	pays, err := st.InvoicePayments(ctx, in.InvoiceID)
	if err != nil {
		return InvoicePayments{}, err
	}
	return InvoicePayments{Invoice: inv, Payments: pays, Outstanding: contoso.Outstanding(inv, pays)}, nil
}

const maxUsageDays = 366

func getDataUsage(ctx context.Context, _ *Env, st contoso.Store, in DataUsageInput) (DataUsageReport, error) {
	start, err1 := time.Parse(contoso.DateLayout, in.StartDate)
	end, err2 := time.Parse(contoso.DateLayout, in.EndDate)
	switch {
	case err1 != nil:
		return DataUsageReport{}, contoso.Errorf(contoso.KindInvalid, "start_date must be a date in YYYY-MM-DD form")
	case err2 != nil:
		return DataUsageReport{}, contoso.Errorf(contoso.KindInvalid, "end_date must be a date in YYYY-MM-DD form")
	case end.Before(start):
		return DataUsageReport{}, contoso.Errorf(contoso.KindInvalid, "end_date %s is before start_date %s", in.EndDate, in.StartDate)
	case end.Sub(start) > maxUsageDays*24*time.Hour:
		return DataUsageReport{}, contoso.Errorf(contoso.KindInvalid, "the period may span at most %d days", maxUsageDays)
	}
	sub, err := st.GetSubscription(ctx, in.SubscriptionID)
	if err != nil {
		return DataUsageReport{}, err
	}
	rows, err := st.DataUsage(ctx, in.SubscriptionID, in.StartDate, in.EndDate)
	if err != nil {
		return DataUsageReport{}, err
	}
	var t UsageTotals
	for _, r := range rows {
		t.Days++
		t.DataUsedMB += r.DataUsedMB
		t.VoiceMinutes += r.VoiceMinutes
		t.SMSCount += r.SMSCount
	}
	t.DataUsedMB = round2(t.DataUsedMB)
	t.DataUsedGB = round2(t.DataUsedMB / 1024)
	out := DataUsageReport{SubscriptionID: in.SubscriptionID, StartDate: in.StartDate, EndDate: in.EndDate, Totals: t, DataCapGB: sub.DataCapGB}
	if sub.DataCapGB != nil && t.DataUsedGB > *sub.DataCapGB {
		out.OverCapGB = round2(t.DataUsedGB - *sub.DataCapGB)
	}
	if !in.Aggregate {
		out.Daily = rows
	}
	return out, nil
}

func round2(v float64) float64 { return contoso.Dollars(contoso.Cents(v)) }

func getPromotions(ctx context.Context, env *Env, st contoso.Store, _ NoInput) (PromotionList, error) {
	ps, err := st.ListPromotions(ctx)
	if err != nil {
		return PromotionList{}, err
	}
	day := today(env)
	out := PromotionList{Today: day, Promotions: make([]PromotionView, len(ps))}
	for i, p := range ps {
		out.Promotions[i] = PromotionView{Promotion: p, ActiveNow: contoso.PromotionActive(p, day)}
	}
	return out, nil
}

func getEligiblePromotions(ctx context.Context, env *Env, st contoso.Store, in CustomerInput) (EligiblePromotions, error) {
	c, err := st.GetCustomer(ctx, in.CustomerID)
	if err != nil {
		return EligiblePromotions{}, err
	}
	subs, err := st.CustomerSubscriptions(ctx, in.CustomerID)
	if err != nil {
		return EligiblePromotions{}, err
	}
	products, err := productIndex(ctx, st)
	if err != nil {
		return EligiblePromotions{}, err
	}
	ps, err := st.ListPromotions(ctx)
	if err != nil {
		return EligiblePromotions{}, err
	}
	day := today(env)
	out := EligiblePromotions{CustomerID: c.CustomerID, Today: day, Eligible: []contoso.Promotion{}, Ineligible: []IneligiblePromotion{}}
	for _, p := range ps {
		check := contoso.CheckEligibility(p, c, subs, products, day)
		if check.Eligible {
			out.Eligible = append(out.Eligible, p)
		} else {
			out.Ineligible = append(out.Ineligible, IneligiblePromotion{PromotionID: p.PromotionID, Name: p.Name, Reasons: check.Reasons})
		}
	}
	return out, nil
}

func searchKnowledgeBase(ctx context.Context, _ *Env, st contoso.Store, in SearchInput) (SearchResults, error) {
	k := in.TopK
	if k == 0 {
		k = 3
	}
	hits, err := st.SearchKnowledge(ctx, in.Query, k)
	if err != nil {
		return SearchResults{}, err
	}
	return SearchResults{Query: in.Query, Results: hits}, nil
}

func getSecurityLogs(ctx context.Context, _ *Env, st contoso.Store, in CustomerInput) (SecurityLogs, error) {
	logs, err := st.SecurityLogs(ctx, in.CustomerID)
	if err != nil {
		return SecurityLogs{}, err
	}
	return SecurityLogs{CustomerID: in.CustomerID, Locked: contoso.IsLocked(logs), Events: logs}, nil
}

func getCustomerOrders(ctx context.Context, _ *Env, st contoso.Store, in CustomerInput) (Orders, error) {
	os, err := st.CustomerOrders(ctx, in.CustomerID)
	if err != nil {
		return Orders{}, err
	}
	return Orders{CustomerID: in.CustomerID, Orders: os}, nil
}

func getSupportTickets(ctx context.Context, _ *Env, st contoso.Store, in TicketsInput) (Tickets, error) {
	ts, err := st.SupportTickets(ctx, in.CustomerID, in.OpenOnly)
	if err != nil {
		return Tickets{}, err
	}
	return Tickets{CustomerID: in.CustomerID, Tickets: ts}, nil
}

func getProducts(ctx context.Context, _ *Env, st contoso.Store, in ProductsInput) (Products, error) {
	ps, err := st.ListProducts(ctx, in.Category)
	if err != nil {
		return Products{}, err
	}
	return Products{Products: ps}, nil
}

func getProductDetail(ctx context.Context, env *Env, st contoso.Store, in ProductInput) (ProductDetail, error) {
	p, err := st.GetProduct(ctx, in.ProductID)
	if err != nil {
		return ProductDetail{}, err
	}
	ps, err := st.ListPromotions(ctx)
	if err != nil {
		return ProductDetail{}, err
	}
	day := today(env)
	out := ProductDetail{Product: p, Promotions: []contoso.Promotion{}}
	for _, promo := range ps {
		if promo.ProductID == p.ProductID && contoso.PromotionActive(promo, day) {
			out.Promotions = append(out.Promotions, promo)
		}
	}
	return out, nil
}

func getBillingSummary(ctx context.Context, env *Env, st contoso.Store, in CustomerInput) (BillingSummary, error) {
	subs, err := st.CustomerSubscriptions(ctx, in.CustomerID)
	if err != nil {
		return BillingSummary{}, err
	}
	products, err := productIndex(ctx, st)
	if err != nil {
		return BillingSummary{}, err
	}
	day := today(env)
	out := BillingSummary{CustomerID: in.CustomerID, Today: day, Subscriptions: make([]SubscriptionBilling, 0, len(subs))}
	var total int64
	for _, s := range subs {
		invs, err := st.SubscriptionInvoices(ctx, s.SubscriptionID)
		if err != nil {
			return BillingSummary{}, err
		}
		pays, err := st.SubscriptionPayments(ctx, s.SubscriptionID)
		if err != nil {
			return BillingSummary{}, err
		}
		withPays, owed := invoicesWithPayments(invs, pays)
		b := SubscriptionBilling{SubscriptionID: s.SubscriptionID, ProductName: products[s.ProductID].Name, Status: s.Status,
			AutopayEnabled: s.AutopayEnabled, Invoices: len(invs), Outstanding: owed,
			OpenInvoices: []InvoiceWithPayments{}, OverdueInvoices: []int64{}}
		var billed, paid int64
		for _, iw := range withPays {
			billed += contoso.Cents(iw.Amount)
			for _, p := range iw.Payments {
				if contoso.Counts(p.Status) {
					paid += contoso.Cents(p.Amount)
				}
			}
			if iw.Outstanding > 0 {
				b.OpenInvoices = append(b.OpenInvoices, iw)
				if iw.DueDate < day {
					b.OverdueInvoices = append(b.OverdueInvoices, iw.InvoiceID)
				}
			}
		}
		if len(invs) > 0 {
			latest := invs[0]
			b.LatestInvoice = &latest
		}
		b.TotalBilled, b.TotalPaid = contoso.Dollars(billed), contoso.Dollars(paid)
		total += contoso.Cents(owed)
		out.Subscriptions = append(out.Subscriptions, b)
	}
	out.TotalOutstanding = contoso.Dollars(total)
	return out, nil
}
