// Package contoso holds the Contoso support domain: the record types of the
// twelve tables, the rules every backend must agree on (what is outstanding on
// an invoice, when an account is locked, which promotions a customer may
// have), the write requests with their validation, one error type with a kind,
// and the Store contract that the SQLite and Cosmos DB backends implement.
//
// It depends on the standard library only, so every other package can import
// it. Dates are ISO strings (YYYY-MM-DD) and instants RFC 3339 in UTC, so
// records look the same in every backend and on the wire. Amounts are US
// dollars rounded to cents.
package contoso

// Enumerations. Each list is the complete set of values a field may hold.
var (
	LoyaltyLevels        = []string{"Bronze", "Silver", "Gold", "Platinum"}
	ProductCategories    = []string{"mobile", "internet", "bundle", "addon"}
	SubscriptionStatus   = []string{"active", "inactive"}
	ServiceStatuses      = []string{"normal", "slow", "offline"}
	PaymentMethods       = []string{"credit_card", "ach", "paypal", "apple_pay"}
	PaymentStatuses      = []string{"successful", "partial", "pending", "failed"}
	SecurityEventTypes   = []string{"login_attempt", "account_locked", "account_unlocked", "password_reset"}
	OrderStatuses        = []string{"delivered", "completed", "pending", "returned"}
	TicketCategories     = []string{"billing", "technical", "account", "call_drop", "sms_issue"}
	TicketStatuses       = []string{"open", "pending", "closed"}
	TicketPriorities     = []string{"low", "normal", "high", "urgent"}
	IncidentStatuses     = []string{"investigating", "resolved"}
	KnowledgeDocTypes    = []string{"Policy", "Procedure", "FAQ", "Troubleshooting"}
	DateLayout           = "2006-01-02"
	TimestampLayout      = "2006-01-02T15:04:05Z"
	MaxPaymentAmount     = 100000.00 // no single payment may exceed this, whatever is owed
	MaxDataCapGB         = 100000.0
	MaxTicketSubjectLen  = 200  // characters (code points), as every length here
	MaxTicketBodyLen     = 4000 // characters
	MaxIdempotencyKeyLen = 200
	MaxSpeedTierLen      = 32
	MaxQueryLen          = 500 // a knowledge-base query
	MaxNameLen           = 100 // an agent's or a device's name
)

// DataCapRule is how an invalid data cap is explained.
const DataCapRule = "must be a positive number of GB with at most two decimals, at most 100000, e.g. 50 or 2.5"

// Customer is a row of the customers table.
type Customer struct {
	CustomerID   int64  `json:"customer_id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	Address      string `json:"address"`
	LoyaltyLevel string `json:"loyalty_level" jsonschema:"Bronze, Silver, Gold or Platinum"`
}

// Product is a row of the products table.
type Product struct {
	ProductID   int64   `json:"product_id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Category    string  `json:"category" jsonschema:"mobile, internet, bundle or addon"`
	MonthlyFee  float64 `json:"monthly_fee" jsonschema:"monthly fee in USD"`
}

// Subscription is a row of the subscriptions table.
type Subscription struct {
	SubscriptionID int64    `json:"subscription_id"`
	CustomerID     int64    `json:"customer_id"`
	ProductID      int64    `json:"product_id"`
	StartDate      string   `json:"start_date" jsonschema:"YYYY-MM-DD"`
	EndDate        string   `json:"end_date,omitempty" jsonschema:"YYYY-MM-DD; empty while open-ended"`
	Status         string   `json:"status" jsonschema:"active or inactive"`
	RoamingEnabled bool     `json:"roaming_enabled"`
	ServiceStatus  string   `json:"service_status" jsonschema:"normal, slow or offline"`
	SpeedTier      string   `json:"speed_tier,omitempty" jsonschema:"for example 300Mbps or 1Gbps; empty for mobile plans"`
	DataCapGB      *float64 `json:"data_cap_gb" jsonschema:"monthly data cap in GB; null means unlimited"`
	AutopayEnabled bool     `json:"autopay_enabled"`
}

// Invoice is a row of the invoices table.
type Invoice struct {
	InvoiceID      int64   `json:"invoice_id"`
	SubscriptionID int64   `json:"subscription_id"`
	InvoiceDate    string  `json:"invoice_date" jsonschema:"YYYY-MM-DD"`
	Amount         float64 `json:"amount" jsonschema:"amount billed in USD"`
	Description    string  `json:"description"`
	DueDate        string  `json:"due_date" jsonschema:"YYYY-MM-DD"`
}

// Payment is a row of the payments table. IdempotencyKey is set only on
// payments recorded through PayInvoice with a key, IdempotencyPrincipal is
// who recorded them (PaymentRequest.Principal); neither is ever shown to
// clients.
type Payment struct {
	PaymentID            int64   `json:"payment_id"`
	InvoiceID            int64   `json:"invoice_id"`
	PaymentDate          string  `json:"payment_date" jsonschema:"YYYY-MM-DD"`
	Amount               float64 `json:"amount" jsonschema:"amount in USD"`
	Method               string  `json:"method" jsonschema:"credit_card, ach, paypal or apple_pay"`
	Status               string  `json:"status" jsonschema:"successful, partial, pending or failed; only successful and partial payments reduce what is owed"`
	IdempotencyKey       string  `json:"-"`
	IdempotencyPrincipal string  `json:"-"`
}

// Eligibility is the structured eligibility of a promotion. Every criterion
// that is set must hold; an empty Eligibility admits every customer.
type Eligibility struct {
	LoyaltyLevels     []string `json:"loyalty_levels,omitempty" jsonschema:"the customer's loyalty level must be one of these"`
	ProductCategory   string   `json:"product_category,omitempty" jsonschema:"the customer must hold an active subscription to a product of this category"`
	NewSubscriberDays int      `json:"new_subscriber_days,omitempty" jsonschema:"a subscription of the customer must have started within this many days"`
}

// Promotion is a row of the promotions table.
type Promotion struct {
	PromotionID     int64       `json:"promotion_id"`
	ProductID       int64       `json:"product_id"`
	Name            string      `json:"name"`
	Description     string      `json:"description"`
	Eligibility     Eligibility `json:"eligibility"`
	StartDate       string      `json:"start_date" jsonschema:"YYYY-MM-DD"`
	EndDate         string      `json:"end_date" jsonschema:"YYYY-MM-DD"`
	DiscountPercent float64     `json:"discount_percent"`
}

// SecurityLog is a row of the security_logs table.
type SecurityLog struct {
	LogID          int64  `json:"log_id"`
	CustomerID     int64  `json:"customer_id"`
	EventType      string `json:"event_type" jsonschema:"login_attempt, account_locked, account_unlocked or password_reset"`
	EventTimestamp string `json:"event_timestamp" jsonschema:"RFC 3339, UTC"`
	Description    string `json:"description"`
}

// Order is a row of the orders table.
type Order struct {
	OrderID     int64   `json:"order_id"`
	CustomerID  int64   `json:"customer_id"`
	ProductID   int64   `json:"product_id"`
	OrderDate   string  `json:"order_date" jsonschema:"YYYY-MM-DD"`
	Amount      float64 `json:"amount" jsonschema:"USD"`
	OrderStatus string  `json:"order_status" jsonschema:"delivered, completed, pending or returned"`
}

// SupportTicket is a row of the support_tickets table.
type SupportTicket struct {
	TicketID       int64  `json:"ticket_id"`
	CustomerID     int64  `json:"customer_id"`
	SubscriptionID int64  `json:"subscription_id"`
	Category       string `json:"category" jsonschema:"billing, technical, account, call_drop or sms_issue"`
	OpenedAt       string `json:"opened_at" jsonschema:"RFC 3339, UTC"`
	ClosedAt       string `json:"closed_at,omitempty" jsonschema:"RFC 3339, UTC; empty while not closed"`
	Status         string `json:"status" jsonschema:"open, pending or closed"`
	Priority       string `json:"priority" jsonschema:"low, normal, high or urgent"`
	Subject        string `json:"subject"`
	Description    string `json:"description"`
	CSAgent        string `json:"cs_agent"`
}

// DataUsage is a row of the data_usage table: one subscription's use on one day.
type DataUsage struct {
	UsageID        int64   `json:"usage_id"`
	SubscriptionID int64   `json:"subscription_id"`
	UsageDate      string  `json:"usage_date" jsonschema:"YYYY-MM-DD"`
	DataUsedMB     float64 `json:"data_used_mb"`
	VoiceMinutes   int64   `json:"voice_minutes"`
	SMSCount       int64   `json:"sms_count"`
}

// ServiceIncident is a row of the service_incidents table.
type ServiceIncident struct {
	IncidentID       int64  `json:"incident_id"`
	SubscriptionID   int64  `json:"subscription_id"`
	IncidentDate     string `json:"incident_date" jsonschema:"YYYY-MM-DD"`
	Description      string `json:"description"`
	ResolutionStatus string `json:"resolution_status" jsonschema:"investigating or resolved"`
}

// KnowledgeDocument is a row of the knowledge_documents table.
type KnowledgeDocument struct {
	DocumentID int64  `json:"document_id"`
	Title      string `json:"title"`
	DocType    string `json:"doc_type" jsonschema:"Policy, Procedure, FAQ or Troubleshooting"`
	Content    string `json:"content"`
}

// KnowledgeHit is one result of a knowledge-base search, best first.
type KnowledgeHit struct {
	DocumentID int64   `json:"document_id"`
	Title      string  `json:"title"`
	DocType    string  `json:"doc_type"`
	Snippet    string  `json:"snippet" jsonschema:"the passage that matched, with the matched terms in [brackets]"`
	Score      float64 `json:"score" jsonschema:"relevance; higher is better"`
	Content    string  `json:"content" jsonschema:"the whole document"`
}

// Dataset is a whole tenant's data, table by table: what the seed generator
// produces and what a backend loads.
type Dataset struct {
	Customers          []Customer
	Products           []Product
	Subscriptions      []Subscription
	Invoices           []Invoice
	Payments           []Payment
	Promotions         []Promotion
	SecurityLogs       []SecurityLog
	Orders             []Order
	SupportTickets     []SupportTicket
	DataUsage          []DataUsage
	ServiceIncidents   []ServiceIncident
	KnowledgeDocuments []KnowledgeDocument
}
