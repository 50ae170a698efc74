package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// sdkShare renders what the go-sdk itself costs the product: the minimal
// go-sdk server (bench/gosdkpeer: the product's SDK as a plain user writes
// it, same SQL) against the floor, the product (with and without its fast
// path) and the targets that compare with other servers.
func (p *rep) sdkShare() {
	var concs []int
	for _, q := range p.r.Points {
		if q.Server == "go-sdk" && q.Tool == "get_customer_detail" && !slices.Contains(concs, q.Conc) {
			concs = append(concs, q.Conc)
		}
	}
	if len(concs) == 0 {
		return
	}
	slices.Sort(concs)
	p.ln("## How much of the product's cost is the go-sdk's own")
	p.ln()
	p.ln("`bench/gosdkpeer` is the SDK the product is built on (go-sdk v1.8.0) used as a plain user would: one tool registered with the " +
		"typed `mcp.AddTool`, the product's three queries on the same database, a stateful handler for 2025-11-25 and a stateless one for " +
		"2026-07-28 on one URL, no auth, no logging, no middleware, Go's default runtime settings. What it costs above the floor is the " +
		"SDK's own cost per call; what contoso-mcp costs above it is the product's own (token checks, logging, role filtering, its middleware " +
		"and registration). The FAST_PATH=false row is the same contoso-mcp binary with its tools/call fast path turned off, every call " +
		"through the SDK; a build without a fast path ignores the variable, and the two rows then differ by the run-to-run spread only.")
	p.ln()
	gogc := p.r.Settings["contoso_gogc"]
	// The peer at the product's GOGC, where the run has it (16 clients).
	hasGG := slices.ContainsFunc(p.r.Points, func(q result) bool { return q.Server == "go-sdk-gogc" })
	ggHead, ggRule := "", ""
	if hasGG {
		ggHead, ggRule = fmt.Sprintf(" go-sdk minimal, GOGC=%s |", gogc), "--:|"
	}
	p.f("| Era | Clients | floor CPU µs/call | go-sdk minimal |%s contoso-mcp | FAST_PATH=false | contoso / go-sdk minimal CPU |%s "+
		"go-sdk minimal calls/s | contoso calls/s | FAST_PATH=false calls/s | contoso / go-sdk minimal throughput |\n",
		ggHead, strings.ReplaceAll(ggHead, "go-sdk minimal, GOGC=", "contoso / go-sdk minimal at GOGC="))
	p.f("|---|--:|--:|--:|%s--:|--:|--:|%s--:|--:|--:|--:|\n", ggRule, ggRule)
	cpu := func(q *result) string {
		if q == nil {
			return "–"
		}
		return fmt.Sprintf("%.0f", q.CPUus)
	}
	rps := func(q *result) string {
		if q == nil {
			return "–"
		}
		return fmt.Sprintf("%.0f", q.RPS)
	}
	for _, e := range []era{eraStateless, eraSession} {
		for _, n := range concs {
			g, c := p.point("go-sdk", e, "get_customer_detail", n), p.point("contoso", e, "get_customer_detail", n)
			if g == nil {
				continue
			}
			f, nf := p.point("floor", e, "get_customer_detail", n), p.point("contoso-nofastpath", e, "get_customer_detail", n)
			gg := p.point("go-sdk-gogc", e, "get_customer_detail", n)
			cr, tr, ggr := math.NaN(), math.NaN(), math.NaN()
			if c != nil {
				cr, tr = ratio(c.CPUus, g.CPUus), ratio(c.RPS, g.RPS)
				if gg != nil {
					ggr = ratio(c.CPUus, gg.CPUus)
				}
			}
			ggCPU, ggRatio := "", ""
			if hasGG {
				ggCPU, ggRatio = " "+cpu(gg)+" |", " "+x(ggr)+" |"
			}
			p.f("| %s | %d | %s | %s |%s %s | %s | %s |%s %s | %s | %s | %s |\n", e, n, cpu(f), cpu(g), ggCPU, cpu(c), cpu(nf), x(cr), ggRatio,
				rps(g), rps(c), rps(nf), x(tr))
		}
	}
	p.ln()
	for _, e := range []era{eraStateless, eraSession} {
		if line := p.sdkLine(e); line != "" {
			p.ln(line)
		}
	}
	p.ln()
}

// sdkLine says for one era at 16 clients how much of the product's call is
// the SDK's own, and whether the SDK alone stands between it and a target.
func (p *rep) sdkLine(e era) string {
	const n = 16
	g, c := p.point("go-sdk", e, "get_customer_detail", n), p.point("contoso", e, "get_customer_detail", n)
	f := p.point("floor", e, "get_customer_detail", n)
	if g == nil || c == nil || f == nil {
		return ""
	}
	base, at := p.sdkBase(e)
	var b strings.Builder
	fmt.Fprintf(&b, "- **%s, %d clients.** The minimal go-sdk server costs %.0f µs per call with Go's defaults", e, n, g.CPUus)
	if base != g {
		fmt.Fprintf(&b, " and %.0f µs at contoso-mcp's own %s", base.CPUus, at)
	}
	sdk := base.CPUus - f.CPUus
	fmt.Fprintf(&b, ", the floor %.0f µs for the same SQL and HTTP: **the SDK's own cost is %.0f µs per call** (%s). ", f.CPUus, sdk, at)
	// t: the product with every call through the SDK (FAST_PATH=false where
	// the run has it, else as shipped).
	t, which := c, "contoso-mcp"
	nf := p.point("contoso-nofastpath", e, "get_customer_detail", n)
	if nf != nil {
		t, which = nf, "contoso-mcp with every call through the SDK (FAST_PATH=false)"
	}
	above := t.CPUus - f.CPUus // the SDK's path and the product's layers
	if own := t.CPUus - base.CPUus; own >= 0 {
		fmt.Fprintf(&b, "%s costs %.0f µs: %.0f µs the floor's, %.0f µs (%.0f%%) the SDK's own, and %.0f µs (%.0f%%) the product's own.",
			which, t.CPUus, f.CPUus, sdk, 100*sdk/t.CPUus, own, 100*own/t.CPUus)
	} else {
		why := "the minimal server registers its tool with the typed mcp.AddTool, which validates arguments and output through maps " +
			"with the SDK's decoder; the product registers its tools raw and validates once (BenchmarkDispatch measures that difference in process)"
		if base == g && p.r.Settings["contoso_gogc"] != "100" {
			why += "; contoso-mcp's own runtime settings, which this run could not match on the peer, count too"
		}
		fmt.Fprintf(&b, "%s costs %.0f µs: %.0f µs the floor's and %.0f µs (%.0f%%) above it for the SDK's path and the product's layers together, "+
			"%.0f µs less than the minimal go-sdk server (%s).", which, t.CPUus, f.CPUus, above, 100*above/t.CPUus, -own, why)
	}
	fmt.Fprintf(&b, " As shipped contoso-mcp costs %.0f µs (contoso / go-sdk minimal: %s CPU per call, %s throughput, %.0f vs %.0f calls/s)",
		c.CPUus, x(ratio(c.CPUus, g.CPUus)), x(ratio(c.RPS, g.RPS)), c.RPS, g.RPS)
	if nf != nil {
		fmt.Fprintf(&b, "; FAST_PATH=false costs %s the CPU per call and gives %s the throughput", x(ratio(nf.CPUus, c.CPUus)), x(ratio(nf.RPS, c.RPS)))
		if nf.CPUus > 1.1*c.CPUus {
			fmt.Fprintf(&b, ": the fast path saves %.0f µs per call (%.0f%% of the call through the SDK)", nf.CPUus-c.CPUus, 100*(1-c.CPUus/nf.CPUus))
		} else {
			b.WriteString(", the same within the spread: no fast path in effect for this call")
		}
	}
	b.WriteString(".")
	if m := p.point("mcp-go", e, "get_customer_detail", n); m != nil {
		fmt.Fprintf(&b, " Against the target CPU per call ≤ the mcp-go peer's (%.0f µs, Go's defaults) a call through the go-sdk's path is at %s "+
			"with nothing of the product's in it", m.CPUus, x(ratio(base.CPUus, m.CPUus)))
		switch {
		case base.CPUus > m.CPUus:
			fmt.Fprintf(&b, ": **the SDK itself stands between the product and this target, by %.0f µs (%.0f%%)**", base.CPUus-m.CPUus, 100*(base.CPUus/m.CPUus-1))
			if over := c.CPUus - m.CPUus; over > 0 {
				sdkPart := math.Min(base.CPUus-m.CPUus, over)
				fmt.Fprintf(&b, "; contoso-mcp as shipped misses it by %.0f µs, of which %.0f µs are the SDK's and %.0f µs the product's own.",
					over, sdkPart, over-sdkPart)
			} else {
				fmt.Fprintf(&b, "; contoso-mcp as shipped meets it (%s) because its calls do not take that whole path.", x(ratio(c.CPUus, m.CPUus)))
			}
		case c.CPUus > m.CPUus:
			fmt.Fprintf(&b, ", %.0f µs under it: all of contoso-mcp's %.0f µs over mcp-go is the product's own.", m.CPUus-base.CPUus, c.CPUus-m.CPUus)
		default:
			b.WriteString(", and contoso-mcp meets it too.")
		}
	}
	rt := ratio(base.RPS, f.RPS)
	tp := []string{fmt.Sprintf("%s the floor's throughput (target ≥ 0.5×: %s by the SDK alone)", x(rt), metOrMissed(rt, 0.5))}
	if ts := p.point("ts-sdk", e, "get_customer_detail", n); ts != nil {
		rt := ratio(base.RPS, ts.RPS)
		tp = append(tp, fmt.Sprintf("%s the TypeScript peer's (target ≥ 3×: %s by the SDK alone)", x(rt), metOrMissed(rt, 3)))
	}
	fmt.Fprintf(&b, " The minimal go-sdk server (%s) reaches %s.", at, strings.Join(tp, " and "))
	return b.String()
}

// sdkBase is the minimal go-sdk server's read point at 16 clients at the
// product's runtime setting where the run has it (else Go's defaults), and
// which setting that is.
func (p *rep) sdkBase(e era) (*result, string) {
	if gg := p.point("go-sdk-gogc", e, "get_customer_detail", 16); gg != nil {
		return gg, "GOGC=" + p.r.Settings["contoso_gogc"]
	}
	return p.point("go-sdk", e, "get_customer_detail", 16), "Go's defaults"
}

func metOrMissed(rt, bound float64) string {
	switch {
	case math.IsNaN(rt):
		return "not measured"
	case rt >= bound:
		return "met"
	}
	return "missed"
}

// contosoRuntime says which runtime settings contoso-mcp ran with (see
// productGOGC).
func contosoRuntime(gogc string) string {
	switch gogc {
	case "", "unknown":
		return "contoso-mcp with the runtime settings its binary chooses"
	case "100":
		return "contoso-mcp with Go's defaults (GOGC=100)"
	}
	return "contoso-mcp sets GOGC=" + gogc + " itself when the environment sets none (cmd/contoso-mcp; every contoso-mcp row but the GOGC " +
		"what-ifs runs so, and the pprof build is given GOGC=" + gogc + " to match)"
}

// gosdkSessions is what an idle session costs the minimal go-sdk server.
func gosdkSessions(ss map[string]sessionResult) string {
	g, ok := ss["go-sdk"]
	if !ok || g.Error != "" {
		return ""
	}
	heap := ""
	if g.HeapPerSession > 0 {
		heap = fmt.Sprintf(", %.1f KiB of it live heap", g.HeapPerSession/1024)
	}
	return fmt.Sprintf(" The minimal go-sdk server, with nothing of the product's, keeps %.1f KiB of RSS per idle session%s: that much is the SDK's own.",
		g.KiBPerSession, heap)
}
