// Package seed is the deterministic data generator of the Contoso domain. It
// produces one tenant's whole data set (contoso.Dataset): the ordinary
// customers with their subscriptions, invoices, payments, usage, tickets,
// orders, incidents and security events; the four products; the promotions;
// the nine support scenarios of docs/DOMAIN.md on top of the ordinary data; and
// the seventeen knowledge documents.
//
// The same Options always give the same data set: every random draw comes
// from a PCG source seeded from Options.Seed, nothing iterates over a map and
// nothing reads the clock. Every date and instant is relative to the as-of
// date (Options.AsOf at 00:00 UTC), so that a data set generated "today" looks
// the same, shifted, as one generated for any other day.
package seed

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// DefaultSeed is the seed of the default tenant, contoso.
const DefaultSeed int64 = 20240517

// DefaultCustomers is the number of ordinary customers of docs/DOMAIN.md.
const DefaultCustomers = 250

// fabrikamSeed is the seed of the second demo tenant.
const fabrikamSeed int64 = 7751003

// maxCustomers bounds Options.Customers.
const maxCustomers = 100000

// scenarioCount is the number of scenario customers, appended after the
// ordinary ones.
const scenarioCount = 9

// Options configure Generate.
type Options struct {
	Seed      int64     // 0 means DefaultSeed
	Customers int       // ordinary customers; docs/DOMAIN.md default 250; 0 is allowed (scenarios only)
	AsOf      time.Time // the as-of date; only its UTC calendar date counts: every date and instant is relative to that date at 00:00 UTC
}

// TenantSeed returns the seed of a tenant's data set: DefaultSeed for
// "contoso", a fixed other seed for "fabrikam", and for any other name the
// 64-bit FNV-1a hash of the name.
func TenantSeed(tenant string) int64 {
	switch tenant {
	case "contoso":
		return DefaultSeed
	case "fabrikam":
		return fabrikamSeed
	}
	h := fnv.New64a()
	h.Write([]byte(tenant))
	return int64(h.Sum64())
}

// ScenarioCustomerID returns the customer id (which is also the subscription
// id) of scenario n, 1 to 9 in the order of docs/DOMAIN.md's list: the scenario
// customers follow the o.Customers ordinary ones. It panics when n is not
// between 1 and 9.
func ScenarioCustomerID(o Options, n int) int64 {
	if n < 1 || n > scenarioCount {
		panic(fmt.Sprintf("seed: scenario number %d is not between 1 and %d", n, scenarioCount))
	}
	return int64(o.Customers + n)
}

// Generate returns the data set that o describes. It fails only for bad
// options: a customer count below 0 or above 100000, or an as-of date that is
// unset or outside the years 1900 to 9000.
func Generate(o Options) (*contoso.Dataset, error) {
	if o.Customers < 0 || o.Customers > maxCustomers {
		return nil, fmt.Errorf("seed: customer count must be between 0 and %d; got %d", maxCustomers, o.Customers)
	}
	if o.AsOf.IsZero() {
		return nil, fmt.Errorf("seed: the as-of date is not set")
	}
	u := o.AsOf.UTC()
	if u.Year() < 1900 || u.Year() > 9000 {
		return nil, fmt.Errorf("seed: the as-of date must be between the years 1900 and 9000; got %s", u.Format(contoso.DateLayout))
	}
	seed := o.Seed
	if seed == 0 {
		seed = DefaultSeed
	}
	g := &gen{
		seed: seed,
		n:    o.Customers,
		asOf: time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC),
		d:    &contoso.Dataset{},
	}
	g.run()
	return g.d, nil
}

// gen holds the state of one generation.
type gen struct {
	seed int64
	n    int       // ordinary customers
	asOf time.Time // the as-of date at 00:00 UTC
	d    *contoso.Dataset
}

// Streams: each part of the data set draws from its own PCG stream, so that
// changing how one part is generated leaves the others as they were.
const (
	streamPeople = iota + 1
	streamBilling
	streamUsage
	streamSecurity
	streamTickets
	streamOrders
	streamIncidents
	streamScenarios
)

func (g *gen) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(g.seed), 0x9E3779B97F4A7C15*stream+0x5EEDC0DE))
}

// date returns the as-of date shifted by days, as YYYY-MM-DD.
func (g *gen) date(days int) string {
	return g.asOf.AddDate(0, 0, days).Format(contoso.DateLayout)
}

// instant returns the as-of instant shifted by d, as RFC 3339 UTC.
func (g *gen) instant(d time.Duration) string {
	return g.asOf.Add(d).Format(contoso.TimestampLayout)
}

func (g *gen) run() {
	g.products()
	g.ordinaryPeople()
	g.scenarioPeople()
	g.ordinaryBilling()
	g.scenarioBilling()
	g.promotions()
	g.ordinarySecurity()
	g.scenarioSecurity()
	g.ordinaryOrders()
	g.scenarioOrders()
	g.ordinaryTickets()
	g.scenarioTickets()
	g.ordinaryUsage()
	g.scenarioUsage()
	g.ordinaryIncidents()
	g.scenarioIncidents()
	g.d.KnowledgeDocuments = knowledgeDocuments()
}

// Products. The ids are part of the domain: 1 mobile, 2 internet, 3 bundle,
// 4 the roaming add-on.
const (
	productMobile   int64 = 1
	productInternet int64 = 2
	productBundle   int64 = 3
	productRoaming  int64 = 4
)

func (g *gen) products() {
	g.d.Products = []contoso.Product{
		{
			ProductID:   productMobile,
			Name:        "Contoso Mobile Essentials",
			Description: "Unlimited nationwide talk and text on the 5G network, Wi-Fi calling, hotspot use, and a monthly data allowance that depends on the plan option chosen.",
			Category:    "mobile",
			MonthlyFee:  45.00,
		},
		{
			ProductID:   productInternet,
			Name:        "Contoso Fiber Home Internet",
			Description: "Fibre broadband for the home in 100Mbps, 300Mbps and 1Gbps tiers, with a Wi-Fi 6 router included and professional installation.",
			Category:    "internet",
			MonthlyFee:  60.00,
		},
		{
			ProductID:   productBundle,
			Name:        "Contoso Home & Mobile Bundle",
			Description: "One mobile line and fibre home internet on a single bill, costing less than the two plans bought separately.",
			Category:    "bundle",
			MonthlyFee:  95.00,
		},
		{
			ProductID:   productRoaming,
			Name:        "International Roaming",
			Description: "Add-on for mobile and bundle plans: calls, texts and data abroad in more than 150 countries at home-plan rates, billed monthly while it is enabled.",
			Category:    "addon",
			MonthlyFee:  15.00,
		},
	}
}

// fee returns a product's monthly fee in cents.
func (g *gen) fee(productID int64) int64 {
	return contoso.Cents(g.d.Products[productID-1].MonthlyFee)
}

func (g *gen) category(productID int64) string {
	return g.d.Products[productID-1].Category
}

// promotions are dated relative to the as-of date. For the scenario 5
// customer (Gold, active mobile subscription started well over a year ago)
// exactly one of them, the Mobile Loyalty Discount, is eligible at the as-of
// date; each other one fails at least one criterion.
func (g *gen) promotions() {
	p := []contoso.Promotion{
		{
			ProductID:       productMobile,
			Name:            "Mobile Loyalty Discount",
			Description:     "10% off the monthly mobile plan fee for Gold and Platinum members with an active mobile line.",
			Eligibility:     contoso.Eligibility{LoyaltyLevels: []string{"Gold", "Platinum"}, ProductCategory: "mobile"},
			StartDate:       g.date(-30),
			EndDate:         g.date(60),
			DiscountPercent: 10,
		},
		{
			ProductID:       productMobile,
			Name:            "Gold Mobile Data Boost",
			Description:     "15% off the mobile plan fee for Gold members, starting next month.",
			Eligibility:     contoso.Eligibility{LoyaltyLevels: []string{"Gold"}, ProductCategory: "mobile"},
			StartDate:       g.date(31),
			EndDate:         g.date(120),
			DiscountPercent: 15,
		},
		{
			ProductID:       productInternet,
			Name:            "Fiber Speed Upgrade Offer",
			Description:     "20% off the first three months after moving to a faster fibre tier; for customers with an active internet subscription.",
			Eligibility:     contoso.Eligibility{ProductCategory: "internet"},
			StartDate:       g.date(-20),
			EndDate:         g.date(70),
			DiscountPercent: 20,
		},
		{
			ProductID:       productBundle,
			Name:            "Platinum Bundle Reward",
			Description:     "25% off the Home & Mobile Bundle for Platinum members.",
			Eligibility:     contoso.Eligibility{LoyaltyLevels: []string{"Platinum"}},
			StartDate:       g.date(-45),
			EndDate:         g.date(45),
			DiscountPercent: 25,
		},
		{
			ProductID:       productMobile,
			Name:            "New Subscriber Welcome Offer",
			Description:     "30% off the mobile plan for customers whose mobile line started within the last 90 days.",
			Eligibility:     contoso.Eligibility{ProductCategory: "mobile", NewSubscriberDays: 90},
			StartDate:       g.date(-60),
			EndDate:         g.date(30),
			DiscountPercent: 30,
		},
		{
			ProductID:       productBundle,
			Name:            "Spring Bundle Saver",
			Description:     "15% off the Home & Mobile Bundle for every customer; the offer has ended.",
			StartDate:       g.date(-150),
			EndDate:         g.date(-60),
			DiscountPercent: 15,
		},
		{
			ProductID:       productRoaming,
			Name:            "Roaming Starter Discount",
			Description:     "50% off the first month of the International Roaming add-on for Silver and Bronze members with an active mobile line.",
			Eligibility:     contoso.Eligibility{LoyaltyLevels: []string{"Silver", "Bronze"}, ProductCategory: "mobile"},
			StartDate:       g.date(-10),
			EndDate:         g.date(80),
			DiscountPercent: 50,
		},
	}
	for i := range p {
		p[i].PromotionID = int64(i + 1)
	}
	g.d.Promotions = p
}

// scaled returns base scaled linearly from 250 customers to n, rounded.
func scaled(base, n int) int {
	return (base*n + DefaultCustomers/2) / DefaultCustomers
}

// pick returns an index into weights drawn in proportion to the weights.
func pick(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// oneOf returns a random element of list.
func oneOf[T any](r *rand.Rand, list []T) T {
	return list[r.IntN(len(list))]
}

// between returns a random integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	return lo + r.IntN(hi-lo+1)
}

func ptr[T any](v T) *T { return &v }
