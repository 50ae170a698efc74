package seed

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// The nine scenarios of docs/DOMAIN.md, seeded on top of the ordinary data. The
// scenario customers come after the n ordinary ones, in the order of the
// table; each has exactly one subscription with the same id, and no records
// beyond what its scenario states.

type scenarioPerson struct {
	first, last, loyalty string
	phone, address       string
	product              int64
	startDays            int // start date, days before the as-of date
	speedTier            string
	capGB                float64 // 0 means unlimited
	roaming, autopay     bool
	status, service      string
}

var scenarioPeople = [scenarioCount]scenarioPerson{
	{"John", "Doe", "Silver", "+1-206-555-0101", "1420 Maple Ave, Seattle, WA 98101", productInternet, 400, "300Mbps", 10, false, false, "active", "normal"},
	{"Jane", "Doe", "Gold", "+1-425-555-0102", "88 Lakeview Dr, Bellevue, WA 98004", productInternet, 730, "1Gbps", 0, false, true, "active", "slow"},
	{"Mark", "Doe", "Bronze", "+1-503-555-0103", "2315 Oak St, Portland, OR 97205", productMobile, 540, "", 20, false, false, "active", "normal"},
	{"Alice", "Doe", "Gold", "+1-415-555-0104", "77 Sunset Blvd, San Francisco, CA 94122", productMobile, 820, "", 0, false, true, "active", "normal"},
	{"Ron", "Doe", "Gold", "+1-303-555-0105", "905 Cedar Ln, Denver, CO 80203", productMobile, 450, "", 0, false, true, "active", "normal"},
	{"Mary", "Doe", "Silver", "+1-512-555-0106", "612 Willow Way, Austin, TX 78704", productMobile, 300, "", 15, false, false, "active", "normal"},
	{"Tom", "Smith", "Silver", "+1-206-555-0107", "1501 Pine St, Seattle, WA 98101", productMobile, 610, "", 0, true, true, "active", "normal"},
	{"Sara", "Lee", "Gold", "+1-253-555-0108", "3340 Harbor Rd, Tacoma, WA 98402", productInternet, 900, "300Mbps", 0, false, false, "inactive", "offline"},
	{"Alex", "Brown", "Bronze", "+1-602-555-0109", "4410 Summit Ct, Phoenix, AZ 85004", productMobile, 380, "", 10, false, false, "active", "normal"},
}

// sid returns the id of scenario n's customer and subscription.
func (g *gen) sid(n int) int64 { return int64(g.n + n) }

func (g *gen) scenarioPeople() {
	for i, p := range scenarioPeople {
		id := g.sid(i + 1)
		g.d.Customers = append(g.d.Customers, contoso.Customer{
			CustomerID:   id,
			FirstName:    p.first,
			LastName:     p.last,
			Email:        email(p.first, p.last, id),
			Phone:        p.phone,
			Address:      p.address,
			LoyaltyLevel: p.loyalty,
		})
		s := contoso.Subscription{
			SubscriptionID: id,
			CustomerID:     id,
			ProductID:      p.product,
			StartDate:      g.date(-p.startDays),
			Status:         p.status,
			RoamingEnabled: p.roaming,
			ServiceStatus:  p.service,
			SpeedTier:      p.speedTier,
			AutopayEnabled: p.autopay,
		}
		if p.capGB > 0 {
			s.DataCapGB = ptr(p.capGB)
		}
		g.d.Subscriptions = append(g.d.Subscriptions, s)
	}
}

func (g *gen) addInvoice(sub int64, days int, cents int64, desc string, dueDays int) int64 {
	id := int64(len(g.d.Invoices) + 1)
	g.d.Invoices = append(g.d.Invoices, contoso.Invoice{
		InvoiceID:      id,
		SubscriptionID: sub,
		InvoiceDate:    g.date(days),
		Amount:         contoso.Dollars(cents),
		Description:    desc,
		DueDate:        g.date(days + dueDays),
	})
	return id
}

func (g *gen) addPayment(invoice int64, days int, cents int64, method, status string) {
	g.d.Payments = append(g.d.Payments, contoso.Payment{
		PaymentID:   int64(len(g.d.Payments) + 1),
		InvoiceID:   invoice,
		PaymentDate: g.date(days),
		Amount:      contoso.Dollars(cents),
		Method:      method,
		Status:      status,
	})
}

func (g *gen) scenarioBilling() {
	// 1. John Doe: a normal $60 month, paid; then a $150 overage bill with
	// a $50 partial payment, so $100 is still owed.
	john := g.sid(1)
	normal := g.addInvoice(john, -30, 6000, "Standard monthly charge", 30)
	g.addPayment(normal, -27, 6000, "credit_card", "successful")
	overage := g.addInvoice(john, -1, 15000, "Unexpected overage charges", 30)
	g.addPayment(overage, -1, 5000, "credit_card", "partial")

	// 8. Sara Lee: $95.50 billed 40 days ago, due 30 days ago, two failed
	// payments; past the 10-day grace period, so service is suspended.
	sara := g.addInvoice(g.sid(8), -40, 9550, "Monthly service charge - Contoso Fiber Home Internet 300Mbps", 10)
	g.addPayment(sara, -30, 9550, "credit_card", "failed")
	g.addPayment(sara, -26, 9550, "credit_card", "failed")

	// 9. Alex Brown: base plan plus 12 GB over the 10 GB cap, unpaid.
	g.addInvoice(g.sid(9), -1, 15000, "Base plan + 12GB data overage", 30)
}

func (g *gen) scenarioSecurity() {
	// 4. Alice Doe: eight failed logins 20 to 13 minutes before the as-of
	// instant, then the account is locked 12 minutes before it.
	alice := g.sid(4)
	for k := range int64(8) {
		g.addLog(event{alice, -(20 - k) * 60, "login_attempt", "Failed login attempt: incorrect password (web portal)"})
	}
	g.addLog(event{alice, -12 * 60, "account_locked", "Account locked after 8 consecutive failed login attempts"})
}

func (g *gen) scenarioOrders() {
	// 6. Mary Doe: a $75 order 25 days ago, returned.
	g.addOrder(contoso.Order{
		CustomerID:  g.sid(6),
		ProductID:   productMobile,
		OrderDate:   g.date(-25),
		Amount:      75.00,
		OrderStatus: "returned",
	})
}

func (g *gen) scenarioTickets() {
	// 3. Mark Doe: travels abroad in two days, roaming is off.
	mark := g.sid(3)
	g.addTicket(contoso.SupportTicket{
		CustomerID:     mark,
		SubscriptionID: mark,
		Category:       "account",
		OpenedAt:       g.instant(-3 * time.Hour),
		Status:         "open",
		Priority:       "normal",
		Subject:        "Roaming for a trip abroad in 2 days",
		Description: fmt.Sprintf("Customer travels abroad in 2 days (flies to Spain on %s) and asks how to use the phone there. "+
			"International roaming is currently off on the line; customer wants to know the roaming options and how quickly roaming can be turned on before departure.",
			g.date(2)),
		CSAgent: "Marcus Webb",
	})

	// 7. Tom Smith: three timed drops near 5th & Pine, ticket opened five
	// hours before the as-of instant.
	tom := g.sid(7)
	clock := func(d time.Duration) string { return g.asOf.Add(d).Format("15:04") }
	g.addTicket(contoso.SupportTicket{
		CustomerID:     tom,
		SubscriptionID: tom,
		Category:       "call_drop",
		OpenedAt:       g.instant(-5 * time.Hour),
		Status:         "open",
		Priority:       "high",
		Subject:        "Repeated dropped calls near 5th & Pine",
		Description: fmt.Sprintf("Customer reports three dropped calls on %s near 5th & Pine downtown: "+
			"at %s UTC (cut off after 2 minutes), at %s UTC (after about 40 seconds) and at %s UTC (after 4 minutes). "+
			"The phone showed 1-2 bars each time; it has been restarted and calls elsewhere work.",
			g.date(-1), clock(-10*time.Hour-48*time.Minute), clock(-8*time.Hour-13*time.Minute), clock(-5*time.Hour-55*time.Minute)),
		CSAgent: "Jordan Hayes",
	})
}

func (g *gen) scenarioUsage() {
	r := g.rng(streamScenarios)
	// 1. John Doe: 28 days of 800-900 MB, 23 GB in all, against a 10 GB cap.
	john := g.sid(1)
	for i, mb := range fillTotal(r, 28, 800, 900, 23*1024) {
		g.addUsage(john, i-28, mb, 0, 0)
	}
	// 9. Alex Brown: 30 days of 700-900 MB, 22 GB in all, against a 10 GB cap.
	alex := g.sid(9)
	for i, mb := range fillTotal(r, 30, 700, 900, 22*1024) {
		g.addUsage(alex, i-30, mb, between(r, 5, 45), between(r, 2, 25))
	}
}

func (g *gen) addUsage(sub int64, days, mb, voice, sms int) {
	g.d.DataUsage = append(g.d.DataUsage, contoso.DataUsage{
		UsageID:        int64(len(g.d.DataUsage) + 1),
		SubscriptionID: sub,
		UsageDate:      g.date(days),
		DataUsedMB:     float64(mb),
		VoiceMinutes:   int64(voice),
		SMSCount:       int64(sms),
	})
}

// fillTotal returns n random integers in [lo, hi] that add up to total
// (which must be within n*lo and n*hi).
func fillTotal(r *rand.Rand, n, lo, hi, total int) []int {
	v := make([]int, n)
	sum := 0
	for i := range v {
		v[i] = between(r, lo, hi)
		sum += v[i]
	}
	for diff := total - sum; diff != 0; {
		for i := range v {
			switch {
			case diff > 0 && v[i] < hi:
				v[i]++
				diff--
			case diff < 0 && v[i] > lo:
				v[i]--
				diff++
			}
			if diff == 0 {
				break
			}
		}
	}
	return v
}

func (g *gen) scenarioIncidents() {
	// 2. Jane Doe: slow speeds, still under investigation.
	g.addIncident(contoso.ServiceIncident{
		SubscriptionID:   g.sid(2),
		IncidentDate:     g.date(-2),
		Description:      "Customer reports slow speeds for 3 days",
		ResolutionStatus: "investigating",
	})
}
