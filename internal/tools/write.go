package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// PayInvoiceInput asks to record a payment.
type PayInvoiceInput struct {
	InvoiceID      int64  `json:"invoice_id" jsonschema:"the invoice to pay"`
	Amount         Money  `json:"amount" jsonschema:"USD in whole cents (at most two decimals, e.g. 12.34), above 0 and at most what is outstanding on the invoice"`
	Method         string `json:"method,omitempty" jsonschema:"payment method"`
	IdempotencyKey string `json:"idempotency_key,omitempty" jsonschema:"any unique one-line string; a retry by the same caller with the same key, invoice, amount and method records the payment once; the key with anything else is refused"`
}

// PaymentOutput is the output of pay_invoice.
type PaymentOutput struct {
	contoso.PaymentResult
}

func (o PaymentOutput) Summary() string {
	p := o.Payment
	if o.Replayed {
		return fmt.Sprintf("Already recorded, nothing new: payment %d of %s by %s on invoice %d (idempotency key reused); it left %s outstanding, was %s.",
			p.PaymentID, money(p.Amount), p.Method, p.InvoiceID, money(o.OutstandingAfter), money(o.OutstandingBefore))
	}
	return fmt.Sprintf("Recorded payment %d of %s by %s on invoice %d (%s); %s outstanding, was %s.", p.PaymentID, money(p.Amount), p.Method, p.InvoiceID, p.Status, money(o.OutstandingAfter), money(o.OutstandingBefore))
}

// CreateTicketInput asks to open a support ticket.
type CreateTicketInput struct {
	CustomerID     int64  `json:"customer_id" jsonschema:"the customer the ticket is for"`
	SubscriptionID int64  `json:"subscription_id" jsonschema:"one of that customer's subscriptions"`
	Category       string `json:"category" jsonschema:"what the ticket is about"`
	Priority       string `json:"priority" jsonschema:"how urgent it is"`
	Subject        string `json:"subject" jsonschema:"one line of text, no control characters"`
	Description    string `json:"description" input:"multiline" jsonschema:"what happened and what was done so far; line breaks and tabs allowed, no other control characters"`
}

// TicketOutput is the output of create_support_ticket.
type TicketOutput struct {
	Ticket contoso.SupportTicket `json:"ticket"`
}

func (o TicketOutput) Summary() string {
	t := o.Ticket
	return fmt.Sprintf("Opened ticket %d for customer %d (%s, %s priority): %s.", t.TicketID, t.CustomerID, t.Category, t.Priority, t.Subject)
}

// UpdateSubscriptionInput changes some fields of a subscription; fields left
// out stay as they are.
type UpdateSubscriptionInput struct {
	SubscriptionID int64      `json:"subscription_id" jsonschema:"the subscription to change"`
	Status         *string    `json:"status,omitempty" jsonschema:"active or inactive"`
	ServiceStatus  *string    `json:"service_status,omitempty" jsonschema:"normal, slow or offline"`
	ProductID      *int64     `json:"product_id,omitempty" jsonschema:"move the subscription to this product"`
	StartDate      *string    `json:"start_date,omitempty" jsonschema:"YYYY-MM-DD"`
	EndDate        *string    `json:"end_date,omitempty" jsonschema:"YYYY-MM-DD, not before start_date; empty string to clear"`
	AutopayEnabled *bool      `json:"autopay_enabled,omitempty"`
	RoamingEnabled *bool      `json:"roaming_enabled,omitempty"`
	SpeedTier      *string    `json:"speed_tier,omitempty" jsonschema:"for example 300Mbps; one line, at most 32 characters"`
	DataCapGB      *Gigabytes `json:"data_cap_gb,omitempty" jsonschema:"monthly data cap in GB, above 0, at most two decimals"`
}

// SubscriptionOutput is the output of update_subscription.
type SubscriptionOutput struct {
	Subscription contoso.Subscription `json:"subscription" jsonschema:"the subscription after the change"`
	Changed      []string             `json:"changed" jsonschema:"the fields that were set"`
}

func (o SubscriptionOutput) Summary() string {
	return fmt.Sprintf("Updated subscription %d: %s.", o.Subscription.SubscriptionID, strings.Join(o.Changed, ", "))
}

// UnlockOutput is the output of unlock_account.
type UnlockOutput struct {
	CustomerID int64               `json:"customer_id"`
	Locked     bool                `json:"locked" jsonschema:"false once unlocked"`
	Event      contoso.SecurityLog `json:"event" jsonschema:"the account_unlocked event recorded"`
	NextSteps  string              `json:"next_steps"`
}

func (o UnlockOutput) Summary() string {
	return fmt.Sprintf("Unlocked the account of customer %d. %s", o.CustomerID, o.NextSteps)
}

func defineWrites(s *Set) {
	destructive := true
	define(s, &mcp.Tool{Name: "pay_invoice", Title: "Pay an invoice",
		Description: "Record a payment against an invoice. The amount must be a positive amount in whole cents (e.g. 12.34) and at most what is still outstanding (see get_invoice_payments). A payment that settles the invoice is recorded as successful, a smaller one as partial. Pass an idempotency_key so that a retried call records the payment only once: an exact retry (same caller, invoice, amount and method) returns the first call's result; the key with anything else is refused."},
		Write, func(s *jsonschema.Schema) {
			positiveID(s, "invoice_id")
			moneyField(s, "amount", contoso.MaxPaymentAmount)
			enum(s, "method", contoso.PaymentMethods)
			withDefault(s, "method", `"credit_card"`)
			maxLength(s, "idempotency_key", contoso.MaxIdempotencyKeyLen)
		}, payInvoice)
	define(s, &mcp.Tool{Name: "create_support_ticket", Title: "Open a support ticket",
		Description: "Open a support ticket for a customer about one of their subscriptions. The subscription must belong to the customer."},
		Write, func(s *jsonschema.Schema) {
			positiveID(s, "customer_id", "subscription_id")
			enum(s, "category", contoso.TicketCategories)
			enum(s, "priority", contoso.TicketPriorities)
			one, subj, body := 1, contoso.MaxTicketSubjectLen, contoso.MaxTicketBodyLen
			prop(s, "subject").MinLength, prop(s, "subject").MaxLength = &one, &subj
			prop(s, "description").MinLength, prop(s, "description").MaxLength = &one, &body
		}, createSupportTicket)
	define(s, &mcp.Tool{Name: "update_subscription", Title: "Change a subscription",
		Description: "Change a subscription: status, service status, product (plan change), dates, autopay, roaming, speed tier or data cap. Set only the fields to change; at least one is required. Returns the subscription as stored.",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: &destructive}},
		Write, func(s *jsonschema.Schema) {
			positiveID(s, "subscription_id", "product_id")
			enum(s, "status", contoso.SubscriptionStatus)
			enum(s, "service_status", contoso.ServiceStatuses)
			prop(s, "start_date").Pattern = datePattern
			prop(s, "end_date").Pattern = optionalDatePattern
			maxLength(s, "speed_tier", contoso.MaxSpeedTierLen)
			zero, most := 0.0, contoso.MaxDataCapGB
			p := prop(s, "data_cap_gb")
			p.ExclusiveMinimum, p.Maximum = &zero, &most
		}, updateSubscription)
	define(s, &mcp.Tool{Name: "unlock_account", Title: "Unlock an account",
		Description: "Unlock a customer's locked account (requires the security role). Only after verifying the customer's identity as the Account Unlock Procedure says; the customer must then reset their password. Fails when the account is not locked.",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: &destructive}},
		Security, func(s *jsonschema.Schema) { positiveID(s, "customer_id") }, unlockAccount)
}

func payInvoice(ctx context.Context, env *Env, st contoso.Store, in PayInvoiceInput) (PaymentOutput, error) {
	method := in.Method
	if method == "" {
		method = "credit_card"
	}
	req := contoso.PaymentRequest{InvoiceID: in.InvoiceID, Amount: in.Amount.Dollars(), Method: method,
		IdempotencyKey: in.IdempotencyKey, Principal: principalKey(ctx), Date: today(env)}
	if err := req.Validate(); err != nil {
		return PaymentOutput{}, err
	}
	res, err := st.PayInvoice(ctx, req)
	if err != nil {
		return PaymentOutput{}, err
	}
	return PaymentOutput{res}, nil
}

func createSupportTicket(ctx context.Context, env *Env, st contoso.Store, in CreateTicketInput) (TicketOutput, error) {
	t := contoso.NewTicket{CustomerID: in.CustomerID, SubscriptionID: in.SubscriptionID, Category: in.Category,
		Priority: in.Priority, Subject: in.Subject, Description: in.Description, OpenedAt: env.Now().UTC()}
	if err := t.Validate(); err != nil {
		return TicketOutput{}, err
	}
	created, err := st.CreateSupportTicket(ctx, t)
	if err != nil {
		return TicketOutput{}, err
	}
	return TicketOutput{Ticket: created}, nil
}

func updateSubscription(ctx context.Context, _ *Env, st contoso.Store, in UpdateSubscriptionInput) (SubscriptionOutput, error) {
	u := contoso.SubscriptionUpdate{Status: in.Status, ServiceStatus: in.ServiceStatus, ProductID: in.ProductID,
		StartDate: in.StartDate, EndDate: in.EndDate, AutopayEnabled: in.AutopayEnabled, RoamingEnabled: in.RoamingEnabled,
		SpeedTier: in.SpeedTier}
	if in.DataCapGB != nil {
		gb := in.DataCapGB.GB()
		u.DataCapGB = &gb
	}
	if err := u.Validate(); err != nil {
		return SubscriptionOutput{}, err
	}
	s, err := st.UpdateSubscription(ctx, in.SubscriptionID, u)
	if err != nil {
		return SubscriptionOutput{}, err
	}
	var changed []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"status", in.Status != nil}, {"service_status", in.ServiceStatus != nil}, {"product_id", in.ProductID != nil},
		{"start_date", in.StartDate != nil}, {"end_date", in.EndDate != nil}, {"autopay_enabled", in.AutopayEnabled != nil},
		{"roaming_enabled", in.RoamingEnabled != nil}, {"speed_tier", in.SpeedTier != nil}, {"data_cap_gb", in.DataCapGB != nil}} {
		if f.set {
			changed = append(changed, f.name)
		}
	}
	return SubscriptionOutput{Subscription: s, Changed: changed}, nil
}

func unlockAccount(ctx context.Context, env *Env, st contoso.Store, in CustomerInput) (UnlockOutput, error) {
	ev, err := st.UnlockAccount(ctx, in.CustomerID, env.Now().UTC())
	if err != nil {
		return UnlockOutput{}, err
	}
	return UnlockOutput{CustomerID: in.CustomerID, Locked: false, Event: ev,
		NextSteps: "Ask the customer to set a new password at next sign-in; if the lock looked like fraud, refer the case to the fraud team."}, nil
}
