package contoso

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Cents converts dollars to whole cents, rounding half away from zero.
func Cents(dollars float64) int64 { return int64(math.Round(dollars * 100)) }

// Dollars converts cents to dollars.
func Dollars(cents int64) float64 { return float64(cents) / 100 }

// Counts reports whether a payment of this status is money received:
// successful and partial payments reduce what is owed; pending and failed
// ones do not.
func Counts(paymentStatus string) bool {
	return paymentStatus == "successful" || paymentStatus == "partial"
}

// Outstanding returns what is still owed on inv given payments (payments of
// other invoices are ignored): the amount less the payments that count,
// never below zero.
func Outstanding(inv Invoice, payments []Payment) float64 {
	owed := Cents(inv.Amount)
	for _, p := range payments {
		if p.InvoiceID == inv.InvoiceID && Counts(p.Status) {
			owed -= Cents(p.Amount)
		}
	}
	return Dollars(max(owed, 0))
}

// IsLocked reports whether an account is locked: its newest account_locked
// event is newer than its newest account_unlocked event. Timestamps are
// RFC 3339 in UTC, so they compare as strings.
func IsLocked(logs []SecurityLog) bool {
	var locked, unlocked string
	for _, l := range logs {
		switch l.EventType {
		case "account_locked":
			locked = max(locked, l.EventTimestamp)
		case "account_unlocked":
			unlocked = max(unlocked, l.EventTimestamp)
		}
	}
	return locked != "" && locked > unlocked
}

// PromotionActive reports whether today (YYYY-MM-DD) is within the
// promotion's dates, both inclusive.
func PromotionActive(p Promotion, today string) bool {
	return p.StartDate <= today && today <= p.EndDate
}

// EligibilityCheck is the outcome of checking one promotion for one customer.
type EligibilityCheck struct {
	Eligible bool
	Reasons  []string // why not, one line per unmet criterion; empty when eligible
}

// CheckEligibility applies the eligibility rule of the domain: the promotion
// is active today and the customer meets every criterion it states. subs are
// the customer's subscriptions and products every product they refer to.
func CheckEligibility(p Promotion, c Customer, subs []Subscription, products map[int64]Product, today string) EligibilityCheck {
	var why []string
	if !PromotionActive(p, today) {
		if today < p.StartDate {
			why = append(why, "the promotion starts on "+p.StartDate)
		} else {
			why = append(why, "the promotion ended on "+p.EndDate)
		}
	}
	e := p.Eligibility
	if len(e.LoyaltyLevels) > 0 && !slices.Contains(e.LoyaltyLevels, c.LoyaltyLevel) {
		why = append(why, "requires loyalty level "+strings.Join(e.LoyaltyLevels, " or ")+", customer is "+c.LoyaltyLevel)
	}
	if e.ProductCategory != "" {
		holds := false
		for _, s := range subs {
			if s.Status == "active" && products[s.ProductID].Category == e.ProductCategory {
				holds = true
			}
		}
		if !holds {
			why = append(why, "requires an active "+e.ProductCategory+" subscription")
		}
	}
	if e.NewSubscriberDays > 0 {
		recent := false
		if t, err := time.Parse(DateLayout, today); err == nil {
			cutoff := t.AddDate(0, 0, -e.NewSubscriberDays).Format(DateLayout)
			for _, s := range subs {
				if s.StartDate >= cutoff && s.StartDate <= today {
					recent = true
				}
			}
		}
		if !recent {
			why = append(why, "requires a subscription started within the last "+strconv.Itoa(e.NewSubscriberDays)+" days")
		}
	}
	return EligibilityCheck{Eligible: len(why) == 0, Reasons: why}
}

// ValidDate reports whether s is a calendar date in YYYY-MM-DD form.
func ValidDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil
}

// oneOf returns an invalid-argument error unless v is one of allowed.
func oneOf(field, v string, allowed []string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return Errorf(KindInvalid, "%s must be one of %s", field, strings.Join(allowed, ", "))
}

// Validate checks what can be checked without the data: a positive amount in
// whole cents within MaxPaymentAmount, a known method, a sane key. That the
// amount is not above what is owed is checked by the store, in the same
// transaction that records the payment.
func (r PaymentRequest) Validate() error {
	if r.InvoiceID <= 0 {
		return Errorf(KindInvalid, "invoice_id must be a positive integer; got %d", r.InvoiceID)
	}
	if !WholeCents(r.Amount) {
		return Errorf(KindInvalid, "amount %s", AmountRule)
	}
	if r.Amount > MaxPaymentAmount {
		return Errorf(KindInvalid, "amount must be at most %.2f", MaxPaymentAmount)
	}
	if err := oneOf("method", r.Method, PaymentMethods); err != nil {
		return err
	}
	if err := CheckTextLen("idempotency_key", r.IdempotencyKey, SingleLine, 0, MaxIdempotencyKeyLen); err != nil {
		return err
	}
	if !ValidDate(r.Date) {
		return Errorf(KindInvalid, "payment date must be a date in YYYY-MM-DD form")
	}
	return nil
}

// Validate checks the ticket's fields: ids, known category and priority, a
// subject and description of sane length.
func (t NewTicket) Validate() error {
	if t.CustomerID <= 0 {
		return Errorf(KindInvalid, "customer_id must be a positive integer; got %d", t.CustomerID)
	}
	if t.SubscriptionID <= 0 {
		return Errorf(KindInvalid, "subscription_id must be a positive integer; got %d", t.SubscriptionID)
	}
	if err := oneOf("category", t.Category, TicketCategories); err != nil {
		return err
	}
	if err := oneOf("priority", t.Priority, TicketPriorities); err != nil {
		return err
	}
	if err := CheckTextLen("subject", strings.TrimSpace(t.Subject), SingleLine, 1, MaxTicketSubjectLen); err != nil {
		return err
	}
	if err := CheckTextLen("description", strings.TrimSpace(t.Description), MultiLine, 1, MaxTicketBodyLen); err != nil {
		return err
	}
	return CheckTextLen("cs_agent", t.CSAgent, SingleLine, 0, MaxNameLen)
}

// Validate checks the values that are set: at least one, known enum values,
// dates in YYYY-MM-DD form, a positive product id, a one-line speed tier and
// a data cap in (0, 100000] GB with at most two decimals. Rules that need the data (the product exists, the end is
// not before the start) are checked by the store.
func (u SubscriptionUpdate) Validate() error {
	if u == (SubscriptionUpdate{}) {
		return Errorf(KindInvalid, "nothing to update: set at least one of status, service_status, product_id, start_date, end_date, autopay_enabled, roaming_enabled, speed_tier, data_cap_gb")
	}
	if u.Status != nil {
		if err := oneOf("status", *u.Status, SubscriptionStatus); err != nil {
			return err
		}
	}
	if u.ServiceStatus != nil {
		if err := oneOf("service_status", *u.ServiceStatus, ServiceStatuses); err != nil {
			return err
		}
	}
	if u.ProductID != nil && *u.ProductID <= 0 {
		return Errorf(KindInvalid, "product_id must be a positive integer; got %d", *u.ProductID)
	}
	if u.StartDate != nil && !ValidDate(*u.StartDate) {
		return Errorf(KindInvalid, "start_date must be a date in YYYY-MM-DD form")
	}
	if u.EndDate != nil && *u.EndDate != "" && !ValidDate(*u.EndDate) {
		return Errorf(KindInvalid, "end_date must be a date in YYYY-MM-DD form (or empty to clear it)")
	}
	if u.SpeedTier != nil {
		if err := CheckTextLen("speed_tier", *u.SpeedTier, SingleLine, 0, MaxSpeedTierLen); err != nil {
			return err
		}
	}
	if u.DataCapGB != nil {
		// Hundredths of a GB, as the tool takes them: WholeCents is the same
		// test of two exact decimals.
		if v := *u.DataCapGB; !WholeCents(v) || v > MaxDataCapGB {
			return Errorf(KindInvalid, "data_cap_gb %s", DataCapRule)
		}
	}
	return nil
}

// Apply returns s with the update's fields set. It does not validate.
func (u SubscriptionUpdate) Apply(s Subscription) Subscription {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.Status, u.Status)
	set(&s.ServiceStatus, u.ServiceStatus)
	set(&s.StartDate, u.StartDate)
	set(&s.EndDate, u.EndDate)
	set(&s.SpeedTier, u.SpeedTier)
	if u.ProductID != nil {
		s.ProductID = *u.ProductID
	}
	if u.AutopayEnabled != nil {
		s.AutopayEnabled = *u.AutopayEnabled
	}
	if u.RoamingEnabled != nil {
		s.RoamingEnabled = *u.RoamingEnabled
	}
	if u.DataCapGB != nil {
		c := *u.DataCapGB
		s.DataCapGB = &c
	}
	return s
}

// CheckDates returns KindInvalid when the subscription ends before it starts.
func (s Subscription) CheckDates() error {
	if s.EndDate != "" && s.EndDate < s.StartDate {
		return Errorf(KindInvalid, "end_date %s is before start_date %s", s.EndDate, s.StartDate)
	}
	return nil
}
