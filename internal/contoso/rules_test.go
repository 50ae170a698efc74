package contoso

import (
	"math"
	"strings"
	"testing"
)

func TestOutstanding(t *testing.T) {
	inv := Invoice{InvoiceID: 7, Amount: 150}
	pay := func(amount float64, status string) Payment {
		return Payment{InvoiceID: 7, Amount: amount, Status: status}
	}
	cases := []struct {
		name string
		pays []Payment
		want float64
	}{
		{"nothing paid", nil, 150},
		{"partial counts", []Payment{pay(50, "partial")}, 100},
		{"pending and failed count for nothing", []Payment{pay(50, "pending"), pay(150, "failed")}, 150},
		{"successful settles", []Payment{pay(100.10, "partial"), pay(49.90, "successful")}, 0},
		{"never below zero", []Payment{pay(200, "successful")}, 0},
		{"other invoices ignored", []Payment{{InvoiceID: 8, Amount: 150, Status: "successful"}}, 150},
		{"cents add up exactly", []Payment{pay(0.1, "partial"), pay(0.2, "partial")}, 149.7},
	}
	for _, c := range cases {
		if got := Outstanding(inv, c.pays); got != c.want {
			t.Errorf("%s: Outstanding = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestIsLocked(t *testing.T) {
	ev := func(typ, at string) SecurityLog { return SecurityLog{EventType: typ, EventTimestamp: at} }
	cases := []struct {
		name string
		logs []SecurityLog
		want bool
	}{
		{"no events", nil, false},
		{"locked", []SecurityLog{ev("login_attempt", "2026-01-01T10:00:00Z"), ev("account_locked", "2026-01-01T10:01:00Z")}, true},
		{"unlocked later", []SecurityLog{ev("account_unlocked", "2026-01-01T11:00:00Z"), ev("account_locked", "2026-01-01T10:01:00Z")}, false},
		{"locked again", []SecurityLog{ev("account_locked", "2026-01-02T10:00:00Z"), ev("account_unlocked", "2026-01-01T11:00:00Z"), ev("account_locked", "2026-01-01T10:00:00Z")}, true},
		{"password reset alone", []SecurityLog{ev("password_reset", "2026-01-01T10:00:00Z")}, false},
	}
	for _, c := range cases {
		if got := IsLocked(c.logs); got != c.want {
			t.Errorf("%s: IsLocked = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCheckEligibility(t *testing.T) {
	products := map[int64]Product{1: {ProductID: 1, Category: "mobile"}, 2: {ProductID: 2, Category: "internet"}}
	gold := Customer{CustomerID: 1, LoyaltyLevel: "Gold"}
	subs := []Subscription{{ProductID: 1, Status: "active", StartDate: "2024-01-01"}}
	promo := Promotion{StartDate: "2026-06-01", EndDate: "2026-07-01",
		Eligibility: Eligibility{LoyaltyLevels: []string{"Gold", "Platinum"}, ProductCategory: "mobile"}}
	if c := CheckEligibility(promo, gold, subs, products, "2026-06-15"); !c.Eligible {
		t.Errorf("Gold mobile customer not eligible: %v", c.Reasons)
	}
	cases := []struct {
		name   string
		mutate func(*Promotion, *Customer, *[]Subscription, *string)
		reason string
	}{
		{"not started", func(p *Promotion, _ *Customer, _ *[]Subscription, d *string) { *d = "2026-05-31" }, "starts"},
		{"ended", func(p *Promotion, _ *Customer, _ *[]Subscription, d *string) { *d = "2026-07-02" }, "ended"},
		{"loyalty", func(_ *Promotion, c *Customer, _ *[]Subscription, _ *string) { c.LoyaltyLevel = "Silver" }, "loyalty"},
		{"category", func(p *Promotion, _ *Customer, _ *[]Subscription, _ *string) {
			p.Eligibility.ProductCategory = "internet"
		}, "internet"},
		{"inactive subscription", func(_ *Promotion, _ *Customer, s *[]Subscription, _ *string) {
			*s = []Subscription{{ProductID: 1, Status: "inactive", StartDate: "2024-01-01"}}
		}, "mobile"},
		{"not a new subscriber", func(p *Promotion, _ *Customer, _ *[]Subscription, _ *string) { p.Eligibility.NewSubscriberDays = 90 }, "90 days"},
	}
	for _, c := range cases {
		p, cu, s, d := promo, gold, subs, "2026-06-15"
		c.mutate(&p, &cu, &s, &d)
		got := CheckEligibility(p, cu, s, products, d)
		if got.Eligible || !strings.Contains(strings.Join(got.Reasons, "; "), c.reason) {
			t.Errorf("%s: %+v, want ineligible because of %q", c.name, got, c.reason)
		}
	}
	p := promo
	p.Eligibility.NewSubscriberDays = 90
	recent := []Subscription{{ProductID: 1, Status: "active", StartDate: "2026-04-01"}}
	if c := CheckEligibility(p, gold, recent, products, "2026-06-15"); !c.Eligible {
		t.Errorf("subscriber of 75 days not eligible for a 90-day offer: %v", c.Reasons)
	}
}

func TestPaymentRequestValidate(t *testing.T) {
	ok := PaymentRequest{InvoiceID: 1, Amount: 10.5, Method: "ach", Date: "2026-06-15"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid request refused: %v", err)
	}
	for name, mutate := range map[string]func(*PaymentRequest){
		"zero":       func(r *PaymentRequest) { r.Amount = 0 },
		"negative":   func(r *PaymentRequest) { r.Amount = -1 },
		"NaN":        func(r *PaymentRequest) { r.Amount = math.NaN() },
		"infinite":   func(r *PaymentRequest) { r.Amount = math.Inf(1) },
		"sub-cent":   func(r *PaymentRequest) { r.Amount = 1.005 },
		"too large":  func(r *PaymentRequest) { r.Amount = MaxPaymentAmount + 1 },
		"method":     func(r *PaymentRequest) { r.Method = "cash" },
		"invoice id": func(r *PaymentRequest) { r.InvoiceID = 0 },
		"long key":   func(r *PaymentRequest) { r.IdempotencyKey = strings.Repeat("k", 201) },
		"date":       func(r *PaymentRequest) { r.Date = "15/06/2026" },
	} {
		r := ok
		mutate(&r)
		if err := r.Validate(); ErrorKind(err) != KindInvalid {
			t.Errorf("%s: Validate = %v, want an invalid-argument error", name, err)
		}
	}
}

func TestSubscriptionUpdate(t *testing.T) {
	if err := (SubscriptionUpdate{}).Validate(); err == nil || !strings.Contains(err.Error(), "nothing to update") {
		t.Errorf("empty update: %v", err)
	}
	slow, capGB, end := "slow", 25.0, "2026-01-01"
	u := SubscriptionUpdate{ServiceStatus: &slow, DataCapGB: &capGB, EndDate: &end}
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	s := u.Apply(Subscription{ServiceStatus: "normal", StartDate: "2026-02-01"})
	if s.ServiceStatus != "slow" || *s.DataCapGB != 25 || s.EndDate != end {
		t.Errorf("Apply = %+v", s)
	}
	if err := s.CheckDates(); ErrorKind(err) != KindInvalid {
		t.Errorf("end before start: %v", err)
	}
	bad := "paused"
	if err := (SubscriptionUpdate{Status: &bad}).Validate(); err == nil || !strings.Contains(err.Error(), "active, inactive") {
		t.Errorf("unknown status: %v, want the allowed values listed", err)
	}
}

func TestErrorMapping(t *testing.T) {
	internal := Internal(errString("disk on fire"), "reading")
	if PublicMessage(internal) == "" || strings.Contains(PublicMessage(internal), "disk") {
		t.Errorf("internal cause leaks: %q", PublicMessage(internal))
	}
	if ErrorKind(errString("plain")) != KindInternal || PublicMessage(errString("plain")) != "internal error" {
		t.Error("a plain error must be internal with a generic message")
	}
	for kind, status := range map[Kind]int{KindInvalid: 400, KindNotFound: 404, KindConflict: 409, KindPermissionDenied: 403, KindUnauthenticated: 401, KindUnavailable: 503, KindInternal: 500} {
		if got := kind.HTTPStatus(); got != status {
			t.Errorf("%s -> %d, want %d", kind, got, status)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }
