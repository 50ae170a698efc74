package tools

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// RerateInput asks to bill data overage for a period, over a segment.
type RerateInput struct {
	StartDate    string `json:"start_date" jsonschema:"first day of the period, YYYY-MM-DD"`
	EndDate      string `json:"end_date" jsonschema:"last day of the period, YYYY-MM-DD, at most 31 days after start_date and not after today"`
	RatePerGB    Money  `json:"rate_per_gb,omitempty" jsonschema:"USD per started GB over the cap, in whole cents"`
	LoyaltyLevel string `json:"loyalty_level,omitempty" jsonschema:"only customers of this loyalty level (the segment); all when left out"`
	BatchSize    int    `json:"batch_size,omitempty" jsonschema:"subscriptions per batch; each batch is one transaction"`
	DryRun       bool   `json:"dry_run,omitempty" jsonschema:"compute and report, record nothing"`
}

// RerateInvoice is one overage invoice of a re-rating run.
type RerateInvoice struct {
	InvoiceID      int64   `json:"invoice_id" jsonschema:"0 in a dry run"`
	SubscriptionID int64   `json:"subscription_id"`
	CustomerID     int64   `json:"customer_id"`
	UsedGB         float64 `json:"used_gb"`
	CapGB          float64 `json:"cap_gb"`
	BilledGB       int     `json:"billed_gb" jsonschema:"started GB over the cap"`
	Amount         float64 `json:"amount"`
}

// RerateReport is the output of rerate_usage: what was done, and how far it
// got when cancelled.
type RerateReport struct {
	StartDate              string          `json:"start_date"`
	EndDate                string          `json:"end_date"`
	RatePerGB              float64         `json:"rate_per_gb"`
	LoyaltyLevel           string          `json:"loyalty_level,omitempty"`
	DryRun                 bool            `json:"dry_run"`
	SubscriptionsTotal     int             `json:"subscriptions_total" jsonschema:"active subscriptions with a data cap in the segment"`
	SubscriptionsProcessed int             `json:"subscriptions_processed"`
	BatchesTotal           int             `json:"batches_total"`
	BatchesDone            int             `json:"batches_done" jsonschema:"batches committed; each is one transaction"`
	OverCap                int             `json:"over_cap" jsonschema:"subscriptions over their cap in the period"`
	InvoicesCreated        int             `json:"invoices_created"`
	AlreadyBilled          int             `json:"already_billed" jsonschema:"overage invoices of this period that existed already (a rerun bills nothing twice)"`
	AmountBilled           float64         `json:"amount_billed"`
	Cancelled              bool            `json:"cancelled" jsonschema:"true when the run stopped early; batches_done says how far it got"`
	Invoices               []RerateInvoice `json:"invoices"`
}

func (o RerateReport) Summary() string {
	verb := "Billed"
	if o.DryRun {
		verb = "Would bill"
	}
	s := fmt.Sprintf("%s %s in %s for data overage %s to %s (%d of %d subscriptions over their cap; %d already billed), %d of %d batches.",
		verb, money(o.AmountBilled), plural(o.InvoicesCreated, "invoice"), o.StartDate, o.EndDate, o.OverCap, o.SubscriptionsTotal,
		o.AlreadyBilled, o.BatchesDone, o.BatchesTotal)
	if o.Cancelled {
		s += fmt.Sprintf(" Cancelled after %d of %d subscriptions; the batches done stay recorded.", o.SubscriptionsProcessed, o.SubscriptionsTotal)
	}
	return s
}

const maxRerateDays = 31

func defineBatch(s *Set) {
	define(s, &mcp.Tool{Name: "rerate_usage", Title: "Re-rate data overage",
		Description: "Batch job: bill data overage for a period (at most 31 days) to every active capped subscription of a segment (optionally one loyalty level): for each, the data used in the period beyond the plan's cap, per started GB at rate_per_gb, becomes an overage invoice. Runs in batches, each one transaction, reporting progress per batch; cancelling stops between batches and the result says how far it got. A rerun for the same period bills nothing twice. Use dry_run to see the amounts first. Can run as a task."},
		Write, func(s *jsonschema.Schema) {
			dateFormat(s, "start_date", "end_date")
			moneyField(s, "rate_per_gb", 100)
			withDefault(s, "rate_per_gb", "10")
			enum(s, "loyalty_level", contoso.LoyaltyLevels)
			one, big := 1.0, 200.0
			b := prop(s, "batch_size")
			b.Minimum, b.Maximum = &one, &big
			withDefault(s, "batch_size", "25")
			withDefault(s, "dry_run", "false")
		}, rerateUsage)
	d := s.last()
	d.longRunning = true
	// A rerun for the same period records nothing new.
	d.tool.Annotations.IdempotentHint = true
}

type rerateTarget struct {
	sub      contoso.Subscription
	customer int64
}

func rerateUsage(ctx context.Context, env *Env, st contoso.Store, in RerateInput) (RerateReport, error) {
	start, err1 := time.Parse(contoso.DateLayout, in.StartDate)
	end, err2 := time.Parse(contoso.DateLayout, in.EndDate)
	today := env.Now().UTC().Format(contoso.DateLayout)
	switch {
	case err1 != nil || err2 != nil:
		return RerateReport{}, contoso.Errorf(contoso.KindInvalid, "start_date and end_date must be dates in YYYY-MM-DD form")
	case end.Before(start):
		return RerateReport{}, contoso.Errorf(contoso.KindInvalid, "end_date %s is before start_date %s", in.EndDate, in.StartDate)
	case end.Sub(start) > (maxRerateDays-1)*24*time.Hour:
		return RerateReport{}, contoso.Errorf(contoso.KindInvalid, "the period may span at most %d days", maxRerateDays)
	case in.EndDate > today:
		return RerateReport{}, contoso.Errorf(contoso.KindInvalid, "end_date %s is in the future; usage is billed for past days only", in.EndDate)
	}
	rate, size := in.RatePerGB.Dollars(), in.BatchSize
	if in.RatePerGB == 0 {
		rate = 10
	}
	if size == 0 {
		size = 25
	}
	out := RerateReport{StartDate: in.StartDate, EndDate: in.EndDate, RatePerGB: rate, LoyaltyLevel: in.LoyaltyLevel,
		DryRun: in.DryRun, Invoices: []RerateInvoice{}}

	customers, err := st.ListCustomers(ctx)
	if err != nil {
		return RerateReport{}, err
	}
	var targets []rerateTarget
	for _, c := range customers {
		if in.LoyaltyLevel != "" && c.LoyaltyLevel != in.LoyaltyLevel {
			continue
		}
		subs, err := st.CustomerSubscriptions(ctx, c.CustomerID)
		if err != nil {
			return RerateReport{}, err
		}
		for _, s := range subs {
			if s.Status == "active" && s.DataCapGB != nil {
				targets = append(targets, rerateTarget{s, c.CustomerID})
			}
		}
	}
	out.SubscriptionsTotal = len(targets)
	out.BatchesTotal = (len(targets) + size - 1) / size
	description := fmt.Sprintf("Data overage re-rating %s to %s", in.StartDate, in.EndDate)
	due := env.Now().UTC().AddDate(0, 0, 30).Format(contoso.DateLayout)
	report(ctx, 0, 100, fmt.Sprintf("Re-rating %d subscriptions in %d batches", len(targets), out.BatchesTotal))

	for first := 0; first < len(targets); first += size {
		if ctx.Err() != nil {
			out.Cancelled = true
			break
		}
		batch := targets[first:min(first+size, len(targets))]
		var invoices []contoso.Invoice
		var lines []RerateInvoice
		for _, t := range batch {
			rows, err := st.DataUsage(ctx, t.sub.SubscriptionID, in.StartDate, in.EndDate)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				return RerateReport{}, err
			}
			var mb float64
			for _, r := range rows {
				mb += r.DataUsedMB
			}
			used, capGB := round2(mb/1024), *t.sub.DataCapGB
			if used <= capGB {
				continue
			}
			gb := int(math.Ceil(used - capGB))
			amount := contoso.Dollars(contoso.Cents(float64(gb) * rate))
			invoices = append(invoices, contoso.Invoice{SubscriptionID: t.sub.SubscriptionID, InvoiceDate: today, DueDate: due,
				Amount: amount, Description: description})
			lines = append(lines, RerateInvoice{SubscriptionID: t.sub.SubscriptionID, CustomerID: t.customer, UsedGB: used, CapGB: capGB, BilledGB: gb, Amount: amount})
		}
		if ctx.Err() != nil {
			out.Cancelled = true
			break
		}
		out.OverCap += len(lines)
		if in.DryRun {
			for _, l := range lines {
				out.AmountBilled = round2(out.AmountBilled + l.Amount)
			}
			out.InvoicesCreated += len(lines)
			out.Invoices = append(out.Invoices, lines...)
		} else if len(invoices) > 0 {
			// The batch commits whole even if cancellation arrives meanwhile.
			created, skipped, err := st.AddInvoices(context.WithoutCancel(ctx), invoices)
			if err != nil {
				return RerateReport{}, err
			}
			out.AlreadyBilled += skipped
			byID := map[int64]int64{}
			for _, c := range created {
				byID[c.SubscriptionID] = c.InvoiceID
				out.AmountBilled = round2(out.AmountBilled + c.Amount)
			}
			for _, l := range lines {
				if id, ok := byID[l.SubscriptionID]; ok {
					l.InvoiceID = id
					out.Invoices = append(out.Invoices, l)
				}
			}
			out.InvoicesCreated += len(created)
		}
		out.BatchesDone++
		out.SubscriptionsProcessed += len(batch)
		report(ctx, math.Round(float64(out.SubscriptionsProcessed)*100/float64(len(targets))), 100,
			fmt.Sprintf("Batch %d/%d: %d of %d subscriptions, %s, %s", out.BatchesDone, out.BatchesTotal,
				out.SubscriptionsProcessed, len(targets), plural(out.InvoicesCreated, "invoice"), money(out.AmountBilled)))
	}
	if len(targets) == 0 {
		report(ctx, 100, 100, "No subscription in the segment has a data cap")
	}
	return out, nil
}
