package seed

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// The ordinary data: customers 1..n with one subscription each, and the
// records that belong to them. Nothing here refers to a scenario customer.
//
// No random draw depends on the calendar (only on offsets from the as-of
// date), so two data sets of the same seed and customer count hold the same
// values, only shifted, whatever their as-of dates.

const secondsPerDay = 24 * 60 * 60

// ordinaryPeople generates the ordinary customers and their subscriptions.
// Start and end dates are set by ordinaryBilling, which decides the billing
// history.
func (g *gen) ordinaryPeople() {
	r := g.rng(streamPeople)
	g.d.Customers = make([]contoso.Customer, 0, g.n+scenarioCount)
	g.d.Subscriptions = make([]contoso.Subscription, 0, g.n+scenarioCount)
	for i := 1; i <= g.n; i++ {
		id := int64(i)
		first, last := oneOf(r, firstNames), oneOf(r, lastNames)
		c := oneOf(r, cities)
		g.d.Customers = append(g.d.Customers, contoso.Customer{
			CustomerID: id,
			FirstName:  first,
			LastName:   last,
			Email:      email(first, last, id),
			Phone:      fmt.Sprintf("+1-%s-555-%04d", c.areaCode, between(r, 100, 199)),
			Address: fmt.Sprintf("%d %s %s, %s, %s %s%02d", between(r, 100, 9899),
				oneOf(r, streetNames), oneOf(r, streetSuffixes), c.name, c.state, c.zipPrefix, r.IntN(100)),
			LoyaltyLevel: contoso.LoyaltyLevels[pick(r, 35, 30, 22, 13)],
		})

		product := []int64{productMobile, productInternet, productBundle}[pick(r, 45, 30, 25)]
		s := contoso.Subscription{
			SubscriptionID: id,
			CustomerID:     id,
			ProductID:      product,
			Status:         "active",
			ServiceStatus:  "normal",
			AutopayEnabled: r.IntN(100) < 60,
		}
		if r.IntN(100) < 8 {
			s.Status = "inactive"
		}
		switch product {
		case productMobile:
			s.RoamingEnabled = r.IntN(100) < 30
			if x := pick(r, 35, 15, 20, 10, 12, 8); x > 0 {
				s.DataCapGB = ptr([]float64{0, 5, 10, 15, 20, 50}[x])
			}
		case productInternet:
			s.SpeedTier = []string{"100Mbps", "300Mbps", "1Gbps"}[pick(r, 35, 40, 25)]
			if x := pick(r, 80, 15, 5); x > 0 {
				s.DataCapGB = ptr([]float64{0, 1000, 500}[x])
			}
		case productBundle:
			s.RoamingEnabled = r.IntN(100) < 30
			s.SpeedTier = []string{"100Mbps", "300Mbps", "1Gbps"}[pick(r, 35, 40, 25)]
			if r.IntN(100) < 30 {
				s.DataCapGB = ptr(1000.0)
			}
		}
		slow := r.IntN(100) < 3
		if s.Status == "inactive" {
			s.ServiceStatus = "offline"
		} else if slow {
			s.ServiceStatus = "slow"
		}
		g.d.Subscriptions = append(g.d.Subscriptions, s)
	}
}

// email returns first.last.id@example.com, lower case, letters only in the
// names, so that it is unique by id.
func email(first, last string, id int64) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r
			}
			return -1
		}, strings.ToLower(s))
	}
	return clean(first) + "." + clean(last) + "." + strconv.FormatInt(id, 10) + "@example.com"
}

// ordinaryBilling generates 8 to 14 monthly invoices per ordinary
// subscription, each with exactly one payment (75% successful, 10% failed,
// 15% partial), and sets the subscription's start (and, when inactive, end)
// date from that history. The autopay discount follows the Autopay Discount
// Terms: lost after a failed payment, back after two successful ones.
func (g *gen) ordinaryBilling() {
	r := g.rng(streamBilling)
	g.d.Invoices = make([]contoso.Invoice, 0, g.n*11+3)
	g.d.Payments = make([]contoso.Payment, 0, g.n*11+4)
	for i := range g.n {
		s := &g.d.Subscriptions[i]
		count := between(r, 8, 14)
		billingDay := between(r, 1, 28)
		// The newest invoice is the last billing day strictly before the
		// as-of date (billing days never exceed 28, so AddDate by months
		// keeps the day).
		last := time.Date(g.asOf.Year(), g.asOf.Month(), billingDay, 0, 0, 0, 0, time.UTC)
		if !last.Before(g.asOf) {
			last = last.AddDate(0, -1, 0)
		}
		monthsAgo, endAfter := between(r, 1, 4), between(r, 10, 27)
		if s.Status == "inactive" {
			last = last.AddDate(0, -monthsAgo, 0)
			s.EndDate = last.AddDate(0, 0, endAfter).Format(contoso.DateLayout)
		}
		first := last.AddDate(0, -(count - 1), 0)
		s.StartDate = first.AddDate(0, 0, -between(r, 1, 27)).Format(contoso.DateLayout)

		fee := g.fee(s.ProductID)
		discount, streak := true, 0
		for m := range count {
			at := first.AddDate(0, m, 0)
			amount, desc := fee, "Monthly service charge"
			if roaming := r.IntN(100) < 40; roaming && s.RoamingEnabled {
				amount += g.fee(productRoaming)
				desc += " + International Roaming add-on"
			}
			if over, gb := r.IntN(100) < 10, between(r, 1, 6); over && s.DataCapGB != nil {
				amount += int64(gb) * 1000
				desc += fmt.Sprintf(" + %dGB data overage", gb)
			}
			if s.AutopayEnabled && discount {
				amount -= 500
				desc += " (autopay discount -$5.00)"
			}
			inv := contoso.Invoice{
				InvoiceID:      int64(len(g.d.Invoices) + 1),
				SubscriptionID: s.SubscriptionID,
				InvoiceDate:    at.Format(contoso.DateLayout),
				Amount:         contoso.Dollars(amount),
				Description:    desc,
				DueDate:        at.AddDate(0, 0, 30).Format(contoso.DateLayout),
			}
			g.d.Invoices = append(g.d.Invoices, inv)

			status := []string{"successful", "failed", "partial"}[pick(r, 75, 10, 15)]
			paid := amount
			if status == "partial" {
				paid = max(amount*int64(between(r, 20, 80))/100, 1)
			}
			method := contoso.PaymentMethods[r.IntN(len(contoso.PaymentMethods))]
			delay := between(r, 3, 28)
			if s.AutopayEnabled {
				method = []string{"credit_card", "ach"}[pick(r, 60, 40)]
				delay = between(r, 0, 2)
			}
			paidAt := at.AddDate(0, 0, delay)
			if paidAt.After(g.asOf) {
				paidAt = g.asOf
			}
			g.d.Payments = append(g.d.Payments, contoso.Payment{
				PaymentID:   int64(len(g.d.Payments) + 1),
				InvoiceID:   inv.InvoiceID,
				PaymentDate: paidAt.Format(contoso.DateLayout),
				Amount:      contoso.Dollars(paid),
				Method:      method,
				Status:      status,
			})

			switch status {
			case "failed":
				discount, streak = false, 0
			case "successful":
				if !discount {
					if streak++; streak >= 2 {
						discount = true
					}
				}
			}
		}
	}
}

// ordinaryUsage generates 60 days of daily usage, ending at the as-of date,
// for every ordinary subscription. Days after an inactive subscription's end
// date hold zeros.
func (g *gen) ordinaryUsage() {
	r := g.rng(streamUsage)
	const days = 60
	dates := make([]string, days)
	for i := range dates {
		dates[i] = g.date(i - (days - 1))
	}
	g.d.DataUsage = make([]contoso.DataUsage, 0, g.n*days+58)
	for i := range g.n {
		s := g.d.Subscriptions[i]
		cat := g.category(s.ProductID)
		var dataMB float64 // the subscription's typical day
		switch {
		case s.DataCapGB != nil:
			dataMB = *s.DataCapGB * 1024 / 30 * (0.35 + 0.7*r.Float64())
		case cat == "mobile":
			dataMB = 200 + 1300*r.Float64()
		case cat == "internet":
			dataMB = 1500 + 7000*r.Float64()
		default:
			dataMB = 2000 + 8000*r.Float64()
		}
		voice, sms := 0, 0
		if cat != "internet" {
			voice, sms = between(r, 5, 60), between(r, 2, 30)
		}
		for _, d := range dates {
			u := contoso.DataUsage{
				UsageID:        int64(len(g.d.DataUsage) + 1),
				SubscriptionID: s.SubscriptionID,
				UsageDate:      d,
				DataUsedMB:     math.Round(dataMB*(0.5+r.Float64())*10) / 10,
			}
			if voice > 0 {
				u.VoiceMinutes = int64(r.IntN(2*voice + 1))
				u.SMSCount = int64(r.IntN(2*sms + 1))
			}
			if s.EndDate != "" && d > s.EndDate {
				u.DataUsedMB, u.VoiceMinutes, u.SMSCount = 0, 0, 0
			}
			g.d.DataUsage = append(g.d.DataUsage, u)
		}
	}
}

// event is a security event at an offset in seconds from the as-of instant.
type event struct {
	customer int64
	at       int64
	kind     string
	desc     string
}

// ordinarySecurity generates the ordinary security events, in time order.
// Every account_locked event is followed by an account_unlocked one, so that
// no ordinary account is locked at the as-of instant.
func (g *gen) ordinarySecurity() {
	r := g.rng(streamSecurity)
	want := scaled(40, g.n)
	ev := make([]event, 0, want)
	for len(ev) < want {
		cust := int64(1 + r.IntN(g.n))
		at := -int64(between(r, 600, 90*secondsPerDay))
		x := r.IntN(100)
		switch {
		case x < 15 && want-len(ev) >= 7:
			for k := range int64(5) {
				ev = append(ev, event{cust, at + 45*k, "login_attempt", "Failed login attempt: incorrect password"})
			}
			lock := at + 240
			ev = append(ev, event{cust, lock, "account_locked", "Account locked after 5 consecutive failed login attempts"})
			unlock := min(lock+int64(between(r, 900, 2*secondsPerDay)), -60)
			ev = append(ev, event{cust, unlock, "account_unlocked",
				oneOf(r, []string{"Account unlocked by support after identity verification", "Account unlocked by the customer through a self-service reset"})})
		case x < 65:
			ev = append(ev, event{cust, at, "login_attempt", oneOf(r, []string{
				"Successful login from the mobile app",
				"Successful login from the web portal",
				"Failed login attempt: incorrect password",
				"Successful login from a new device",
			})})
		case x < 90:
			ev = append(ev, event{cust, at, "password_reset", oneOf(r, []string{
				"Password reset through the emailed link",
				"Password reset requested through customer support",
				"Password changed by the customer in account settings",
			})})
		default:
			ev = append(ev, event{cust, at, "login_attempt", "Failed login attempt: unknown device, verification code not entered"})
		}
	}
	slices.SortStableFunc(ev, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	g.d.SecurityLogs = make([]contoso.SecurityLog, 0, len(ev)+9)
	for _, e := range ev {
		g.addLog(e)
	}
}

func (g *gen) addLog(e event) {
	g.d.SecurityLogs = append(g.d.SecurityLogs, contoso.SecurityLog{
		LogID:          int64(len(g.d.SecurityLogs) + 1),
		CustomerID:     e.customer,
		EventType:      e.kind,
		EventTimestamp: g.instant(time.Duration(e.at) * time.Second),
		Description:    e.desc,
	})
}

// orderOptions are realistic order amounts in cents per product.
var orderOptions = map[int64][]int64{
	productMobile:   {1000, 3999, 7500, 19900, 34900, 64900},
	productInternet: {4900, 8999, 12900},
	productBundle:   {4900, 9500, 14900, 24900},
	productRoaming:  {1500, 3000, 4500},
}

// ordinaryOrders generates the ordinary orders over the last year, oldest
// first.
func (g *gen) ordinaryOrders() {
	r := g.rng(streamOrders)
	want := scaled(120, g.n)
	type order struct {
		o   contoso.Order
		age int
	}
	list := make([]order, 0, want)
	for range want {
		cust := int64(1 + r.IntN(g.n))
		sub := g.d.Subscriptions[cust-1]
		product := sub.ProductID
		switch x := r.IntN(100); {
		case x < 70:
		case x < 90 && g.category(sub.ProductID) != "internet":
			product = productRoaming
		default:
			product = int64(1 + r.IntN(3))
		}
		amount := oneOf(r, orderOptions[product])
		age := r.IntN(366)
		var status string
		switch {
		case age <= 7:
			status = []string{"pending", "delivered"}[pick(r, 50, 50)]
		case age <= 30:
			status = []string{"delivered", "completed", "returned"}[pick(r, 60, 30, 10)]
		default:
			status = []string{"delivered", "completed", "returned"}[pick(r, 35, 55, 10)]
		}
		list = append(list, order{contoso.Order{
			CustomerID:  cust,
			ProductID:   product,
			OrderDate:   g.date(-age),
			Amount:      contoso.Dollars(amount),
			OrderStatus: status,
		}, age})
	}
	slices.SortStableFunc(list, func(a, b order) int { return cmp.Compare(b.age, a.age) })
	g.d.Orders = make([]contoso.Order, 0, len(list)+1)
	for _, o := range list {
		g.addOrder(o.o)
	}
}

func (g *gen) addOrder(o contoso.Order) {
	o.OrderID = int64(len(g.d.Orders) + 1)
	g.d.Orders = append(g.d.Orders, o)
}

type ticketTemplate struct{ subject, description string }

var ticketTemplates = map[string][]ticketTemplate{
	"billing": {
		{"Question about the latest invoice", "Customer asks why this month's invoice is higher than usual and wants each charge explained."},
		{"Charged twice for one invoice", "Customer sees two card charges for the same invoice and asks for one of them to be refunded."},
		{"Autopay did not run", "Customer is enrolled in autopay but the latest invoice was not charged automatically."},
		{"Request for a payment extension", "Customer asks for a few more days to pay the current invoice because a paycheck is delayed."},
		{"Autopay discount missing", "Customer says the $5 autopay discount did not appear on the latest invoice."},
	},
	"technical-internet": {
		{"Internet connection keeps dropping", "Connection drops several times a day; the router status light turns orange during each drop."},
		{"Wi-Fi does not reach upstairs", "Wi-Fi signal is weak in the upstairs rooms; the customer asks about a mesh extender."},
		{"Slow speeds in the evening", "Speed tests between 7 and 10 pm show well under the subscribed tier; mornings are fine."},
		{"Router will not power on", "Router shows no lights after a power cut; the customer tried another outlet."},
	},
	"technical-mobile": {
		{"Mobile data not working", "Phone shows full signal but mobile data does not load since a software update."},
		{"Voicemail not set up", "Customer cannot reach voicemail; calling the voicemail number gives an error tone."},
		{"Hotspot not working", "Other devices connect to the phone's hotspot but get no internet access."},
	},
	"account": {
		{"Update billing address", "Customer moved and asks to change the billing address on the account."},
		{"Add an authorised user", "Customer wants to let a family member discuss the account with support."},
		{"Help with account login", "Customer cannot remember the password and did not receive the reset email."},
		{"Question about changing plan", "Customer asks what a change to a different plan would cost per month."},
	},
	"call_drop": {
		{"Calls dropping at home", "Calls drop after about a minute when the customer is at home; calls outdoors are fine."},
		{"Dropped calls while driving", "Calls drop on the same stretch of highway during the daily commute."},
		{"Calls cut off in the office", "Calls in the customer's office building cut off within a few minutes."},
	},
	"sms_issue": {
		{"Text messages not delivered", "Texts to one contact show as sent but the contact never receives them."},
		{"Group messages arrive late", "Group messages arrive hours late or out of order."},
		{"Verification codes not received", "Customer does not receive text verification codes from the bank."},
	},
}

// ordinaryTickets generates the ordinary support tickets over the last six
// months, oldest first. Only closed tickets have a closed_at, after opened_at
// and before the as-of instant.
func (g *gen) ordinaryTickets() {
	r := g.rng(streamTickets)
	want := scaled(120, g.n)
	type ticket struct {
		t  contoso.SupportTicket
		at int64
	}
	list := make([]ticket, 0, want)
	categories := []string{"billing", "technical", "account", "call_drop", "sms_issue"}
	for range want {
		cust := int64(1 + r.IntN(g.n))
		cat := g.category(g.d.Subscriptions[cust-1].ProductID)
		var category string
		switch cat {
		case "mobile":
			category = categories[pick(r, 25, 20, 15, 25, 15)]
		case "internet":
			category = categories[pick(r, 40, 45, 15)]
		default:
			category = categories[pick(r, 30, 30, 15, 15, 10)]
		}
		key := category
		if category == "technical" {
			key = "technical-mobile"
			if cat == "internet" || (cat == "bundle" && r.IntN(2) == 0) {
				key = "technical-internet"
			}
		}
		tpl := oneOf(r, ticketTemplates[key])
		at := -int64(between(r, 1800, 180*secondsPerDay))
		var status string
		if -at > 14*secondsPerDay {
			status = []string{"closed", "pending", "open"}[pick(r, 90, 5, 5)]
		} else {
			status = []string{"open", "pending", "closed"}[pick(r, 40, 25, 35)]
		}
		closeAfter := int64(between(r, 1800, 5*secondsPerDay))
		t := contoso.SupportTicket{
			CustomerID:     cust,
			SubscriptionID: cust,
			Category:       category,
			OpenedAt:       g.instant(time.Duration(at) * time.Second),
			Status:         status,
			Priority:       contoso.TicketPriorities[pick(r, 25, 50, 20, 5)],
			Subject:        tpl.subject,
			Description:    tpl.description,
			CSAgent:        oneOf(r, csAgents),
		}
		if status == "closed" {
			closed := at + closeAfter
			if closed > -60 {
				closed = at + (-60-at)/2
			}
			t.ClosedAt = g.instant(time.Duration(closed) * time.Second)
		}
		list = append(list, ticket{t, at})
	}
	slices.SortStableFunc(list, func(a, b ticket) int { return cmp.Compare(a.at, b.at) })
	g.d.SupportTickets = make([]contoso.SupportTicket, 0, len(list)+2)
	for _, t := range list {
		g.addTicket(t.t)
	}
}

func (g *gen) addTicket(t contoso.SupportTicket) {
	t.TicketID = int64(len(g.d.SupportTickets) + 1)
	g.d.SupportTickets = append(g.d.SupportTickets, t)
}

type incidentTemplate struct {
	description string
	effect      string // the service status while it is being investigated
}

var (
	internetIncidents = []incidentTemplate{
		{"Intermittent connection drops reported during the evening", "slow"},
		{"Area outage after a fibre cable was cut during roadworks", "offline"},
		{"Speeds well below the subscribed tier at peak hours", "slow"},
		{"Router losing its connection after a firmware update", "slow"},
		{"Packet loss on the local distribution node", "slow"},
	}
	mobileIncidents = []incidentTemplate{
		{"No indoor signal at the customer's home address", "slow"},
		{"Calls dropping near a cell site under maintenance", "slow"},
		{"Text messages delayed by up to an hour", "slow"},
		{"Mobile data unavailable after a SIM swap", "offline"},
	}
)

// ordinaryIncidents generates the ordinary service incidents over the last
// four months, oldest first, on active subscriptions. A subscription with an
// incident still under investigation gets the matching service status.
func (g *gen) ordinaryIncidents() {
	r := g.rng(streamIncidents)
	want := scaled(60, g.n)
	var net, mob, all []int
	for i := range g.n {
		s := g.d.Subscriptions[i]
		all = append(all, i)
		if s.Status != "active" {
			continue
		}
		if s.ProductID != productMobile {
			net = append(net, i)
		}
		if s.ProductID != productInternet {
			mob = append(mob, i)
		}
	}
	type incident struct {
		in  contoso.ServiceIncident
		age int
	}
	list := make([]incident, 0, want)
	for range want {
		pool, templates := net, internetIncidents
		if r.IntN(100) >= 75 {
			pool, templates = mob, mobileIncidents
		}
		if len(pool) == 0 {
			pool = all
		}
		i := oneOf(r, pool)
		s := &g.d.Subscriptions[i]
		tpl := oneOf(r, templates)
		age := r.IntN(121)
		status := "resolved"
		switch {
		case age <= 3 && r.IntN(100) < 70, age > 3 && age <= 10 && r.IntN(100) < 30:
			status = "investigating"
		}
		if status == "investigating" && s.Status == "active" && s.ServiceStatus != "offline" {
			s.ServiceStatus = tpl.effect
		}
		list = append(list, incident{contoso.ServiceIncident{
			SubscriptionID:   s.SubscriptionID,
			IncidentDate:     g.date(-age),
			Description:      tpl.description,
			ResolutionStatus: status,
		}, age})
	}
	slices.SortStableFunc(list, func(a, b incident) int { return cmp.Compare(b.age, a.age) })
	g.d.ServiceIncidents = make([]contoso.ServiceIncident, 0, len(list)+1)
	for _, in := range list {
		g.addIncident(in.in)
	}
}

func (g *gen) addIncident(in contoso.ServiceIncident) {
	in.IncidentID = int64(len(g.d.ServiceIncidents) + 1)
	g.d.ServiceIncidents = append(g.d.ServiceIncidents, in)
}
