package contoso

import (
	"fmt"
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
		"zero":                  func(r *PaymentRequest) { r.Amount = 0 },
		"negative":              func(r *PaymentRequest) { r.Amount = -1 },
		"NaN":                   func(r *PaymentRequest) { r.Amount = math.NaN() },
		"infinite":              func(r *PaymentRequest) { r.Amount = math.Inf(1) },
		"sub-cent":              func(r *PaymentRequest) { r.Amount = 1.005 },
		"1e-9":                  func(r *PaymentRequest) { r.Amount = 1e-9 },
		"1e-8":                  func(r *PaymentRequest) { r.Amount = 1e-8 },
		"1e-10":                 func(r *PaymentRequest) { r.Amount = 0.0000000001 },
		"10.505":                func(r *PaymentRequest) { r.Amount = 10.505 },
		"key with a line break": func(r *PaymentRequest) { r.IdempotencyKey = "k\n1" },
		"key with RLO":          func(r *PaymentRequest) { r.IdempotencyKey = "k\u202e1" },
		"too large":             func(r *PaymentRequest) { r.Amount = MaxPaymentAmount + 1 },
		"method":                func(r *PaymentRequest) { r.Method = "cash" },
		"invoice id":            func(r *PaymentRequest) { r.InvoiceID = 0 },
		"long key":              func(r *PaymentRequest) { r.IdempotencyKey = strings.Repeat("k", 201) },
		"date":                  func(r *PaymentRequest) { r.Date = "15/06/2026" },
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

// TestWholeCents: only the exact float of a positive whole number of cents
// passes; 1e-9 used to pass as "within 1e-6 of a cent" and was recorded as
// a payment of $0.00.
func TestWholeCents(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want bool
	}{
		{10.5, true}, {10.50, true}, {1.05e1, true}, {0.01, true}, {0.07, true}, {12.34, true}, {100000, true}, {Dollars(123456789), true},
		{0, false}, {-1, false}, {-0.01, false}, {1e-9, false}, {1e-8, false}, {0.0000000001, false}, {0.001, false},
		{10.505, false}, {1.0000000001, false}, {0.005, false}, {math.NaN(), false}, {math.Inf(1), false}, {math.Inf(-1), false}, {1e300, false},
	} {
		t.Run(fmt.Sprint(c.v), func(t *testing.T) {
			if got := WholeCents(c.v); got != c.want {
				t.Errorf("WholeCents(%v) = %v, want %v", c.v, got, c.want)
			}
		})
	}
}

// TestCheckText: control, formatting and broken characters are refused by
// rule, lengths count code points, and no message repeats the value.
func TestCheckText(t *testing.T) {
	cases := []struct {
		name  string
		value string
		rule  TextRule
		want  string // "" when accepted, else a part of the message
	}{
		{"plain", "Roaming charge", SingleLine, ""},
		{"accents and emoji", "Café ☕ 😀 — naïve", SingleLine, ""},
		{"multi-line text", "line one\nline two\ttabbed", MultiLine, ""},
		{"NUL", "a\x00b", SingleLine, "single line"},
		{"ESC sequence", "a\x1b[31mred", SingleLine, "single line"},
		{"LF in a single line", "a\nb", SingleLine, "single line"},
		{"CR in a single line", "a\rb", SingleLine, "single line"},
		{"tab in a single line", "a\tb", SingleLine, "single line"},
		{"DEL", "a\x7fb", SingleLine, "single line"},
		{"C1 control", "a\u0085b", SingleLine, "single line"},
		{"line separator", "a\u2028b", SingleLine, "single line"},
		{"CR in multi-line", "a\r\nb", MultiLine, "line breaks"},
		{"NUL in multi-line", "a\x00b", MultiLine, "line breaks"},
		{"ESC in multi-line", "a\x1b[2Jb", MultiLine, "line breaks"},
		{"paragraph separator in multi-line", "a\u2029b", MultiLine, "line breaks"},
		{"RLO", "abc\u202Edcb", SingleLine, "invisible formatting"},
		{"RLO in multi-line", "abc\u202Edcb", MultiLine, "invisible formatting"},
		{"LRI", "a\u2066b", MultiLine, "invisible formatting"},
		{"PDI", "a\u2069b", SingleLine, "invisible formatting"},
		{"FSI", "a\u2068b", SingleLine, "invisible formatting"},
		{"zero-width space", "a\u200Bb", SingleLine, "invisible formatting"},
		{"zero-width joiner in a single line", "a\u200Db", SingleLine, "invisible formatting"},
		{"zero-width joiner in prose (joined emoji)", "\U0001F468\u200D\U0001F469\u200D\U0001F467", MultiLine, ""},
		{"zero-width non-joiner in prose (Persian)", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", MultiLine, ""},
		{"byte-order mark", "\uFEFFab", SingleLine, "invisible formatting"},
		{"tag character", "a\U000E0041b", MultiLine, "invisible formatting"},
		{"invalid UTF-8", "a\xffb", SingleLine, "valid UTF-8"},
		{"invalid UTF-8 in multi-line", "a\xc3", MultiLine, "valid UTF-8"},
		{"replacement character", "a\uFFFDb", MultiLine, "valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckText("subject", c.value, c.rule)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if ErrorKind(err) != KindInvalid || !strings.Contains(PublicMessage(err), c.want) || !strings.HasPrefix(PublicMessage(err), "subject ") {
				t.Fatalf("CheckText = %v, want an invalid-argument error about subject mentioning %q", err, c.want)
			}
			if strings.Contains(PublicMessage(err), c.value) {
				t.Errorf("the message repeats the value: %q", PublicMessage(err))
			}
		})
	}
}

// TestTextLengthsAreCharacters: 200 "é" (400 bytes) and 50 emoji (200
// bytes) are within 200 characters; 201 characters are not.
func TestTextLengthsAreCharacters(t *testing.T) {
	for _, c := range []struct {
		name  string
		value string
		ok    bool
	}{
		{"200 é", strings.Repeat("é", 200), true},
		{"200 emoji", strings.Repeat("😀", 200), true},
		{"201 é", strings.Repeat("é", 201), false},
		{"201 ASCII", strings.Repeat("a", 201), false},
		{"empty", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckTextLen("subject", c.value, SingleLine, 1, 200)
			if (err == nil) != c.ok {
				t.Errorf("CheckTextLen = %v, want ok=%v", err, c.ok)
			}
		})
		t.Run("ticket "+c.name, func(t *testing.T) {
			nt := NewTicket{CustomerID: 1, SubscriptionID: 1, Category: "billing", Priority: "low", Subject: c.value, Description: c.value}
			if err := nt.Validate(); (err == nil) != c.ok {
				t.Errorf("NewTicket.Validate = %v, want ok=%v", err, c.ok)
			}
		})
	}
}
