package main

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// point is one bounded load: conc clients calling one tool in one era, a
// warm-up and then a measured window of fixed length.
type point struct {
	target *target
	era    era
	tool   *tool
	conc   int
	warmup time.Duration
	dur    time.Duration
	pid    int // the server's process, for its CPU time
	pid2   int // a second process (a gateway), or 0
	// pid2Away: pid2 runs on another core than the server's (a gateway
	// beside the load generator), so none of core's load is its.
	pid2Away bool
	core     int // the core it is pinned to (-1: unknown)
	variant  string
}

// result is a point's measurements. Latencies are in milliseconds, CPU in
// microseconds per call.
type result struct {
	Server     string  `json:"server"`
	Variant    string  `json:"variant,omitempty"`
	Era        era     `json:"era"`
	Tool       string  `json:"tool"`
	Conc       int     `json:"conc"`
	Calls      int     `json:"calls"`
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"rps"`
	P50        float64 `json:"p50_ms"`
	P90        float64 `json:"p90_ms"`
	P99        float64 `json:"p99_ms"`
	Max        float64 `json:"max_ms"`
	CPUus      float64 `json:"cpu_us_per_call"` // all server processes (backend and gateway)
	CPUus2     float64 `json:"gateway_cpu_us_per_call,omitempty"`
	ServerUtil float64 `json:"server_cpu_util"` // server CPU seconds per wall second
	GenUtil    float64 `json:"generator_cpu_util"`
	// OtherLoad is the share of the server's core that other processes
	// used during the window (the machine is shared); Steal the hypervisor's.
	OtherLoad  float64 `json:"other_load_on_server_core"`
	Steal      float64 `json:"steal_on_server_core"`
	Attempts   int     `json:"attempts,omitempty"`
	RespBytes  float64 `json:"resp_bytes"`
	FirstError string  `json:"first_error,omitempty"`
	// From /debug/memstats, bench builds only.
	AllocsPerCall float64 `json:"allocs_per_call,omitempty"`
	BytesPerCall  float64 `json:"bytes_per_call,omitempty"`
	GCPerSec      float64 `json:"gc_per_sec,omitempty"`
}

type worker struct {
	lat        []time.Duration
	errors     int
	firstError string
	bytes      int64
}

// run drives the point and measures it.
func (p *point) run() (res result) {
	res = result{Server: p.target.name, Variant: p.variant, Era: p.era, Tool: p.tool.name, Conc: p.conc}
	ws := make([]*worker, p.conc)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	var t0, t1 time.Time // set before start is closed
	for i := range ws {
		w := &worker{lat: make([]time.Duration, 0, 1<<14)}
		ws[i] = w
		ready.Add(1)
		done.Add(1)
		go func(wi int) {
			defer done.Done()
			p.work(wi, w, &ready, start, &t0, &t1)
		}(i)
	}
	ready.Wait()
	t0 = time.Now().Add(p.warmup)
	t1 = t0.Add(p.dur)
	close(start)

	time.Sleep(time.Until(t0))
	cpu0, _ := cpuSeconds(p.pid)
	var x0, x1 float64
	if p.pid2 != 0 {
		x0, _ = cpuSeconds(p.pid2)
	}
	gen0, _ := cpuSeconds(0)
	core0, coreOK := readCore(p.core)
	var m0 memStats
	var memErr error
	if p.target.debugAddr != "" {
		m0, memErr = readMemStats(p.target.debugAddr, false)
	}
	w0 := time.Now()
	time.Sleep(time.Until(t1))
	cpu1, _ := cpuSeconds(p.pid)
	if p.pid2 != 0 {
		x1, _ = cpuSeconds(p.pid2)
	}
	gen1, _ := cpuSeconds(0)
	core1, coreOK1 := readCore(p.core)
	var m1 memStats
	if p.target.debugAddr != "" && memErr == nil {
		m1, memErr = readMemStats(p.target.debugAddr, false)
	}
	wall := time.Since(w0).Seconds()
	done.Wait()

	var all []time.Duration
	var bytes int64
	for _, w := range ws {
		all = append(all, w.lat...)
		res.Errors += w.errors
		bytes += w.bytes
		if res.FirstError == "" {
			res.FirstError = w.firstError
		}
	}
	res.Calls = len(all)
	res.Seconds = p.dur.Seconds()
	res.RPS = float64(res.Calls) / res.Seconds
	if res.Calls > 0 {
		slices.Sort(all)
		q := func(f float64) float64 { return ms(all[min(len(all)-1, int(f*float64(len(all))))]) }
		res.P50, res.P90, res.P99, res.Max = q(0.50), q(0.90), q(0.99), ms(all[len(all)-1])
		res.CPUus = (cpu1 - cpu0 + x1 - x0) * 1e6 / float64(res.Calls)
		res.CPUus2 = (x1 - x0) * 1e6 / float64(res.Calls)
		res.RespBytes = float64(bytes) / float64(res.Calls)
		if p.target.debugAddr != "" && memErr == nil {
			res.AllocsPerCall = float64(m1.Mallocs-m0.Mallocs) / float64(res.Calls)
			res.BytesPerCall = float64(m1.TotalAlloc-m0.TotalAlloc) / float64(res.Calls)
			res.GCPerSec = float64(m1.NumGC-m0.NumGC) / wall
		}
	}
	res.ServerUtil = (cpu1 - cpu0 + x1 - x0) / wall
	res.GenUtil = (gen1 - gen0) / wall
	if coreOK && coreOK1 && p.core >= 0 {
		away := x1 - x0
		if !p.pid2Away {
			away = 0
		}
		res.OtherLoad = max(0, (core1.busy-core0.busy)-(cpu1-cpu0)-(x1-x0)+away) / wall
		res.Steal = (core1.steal - core0.steal) / wall
	}
	return res
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// work is one client: its own connection (and, in the session era, its own
// session), calling back to back until t1; only calls that start at or after
// t0 and end by t1 count.
func (p *point) work(wi int, w *worker, ready *sync.WaitGroup, start chan struct{}, t0, t1 *time.Time) {
	t := p.target
	var r response
	var c *conn
	var head []byte
	connect := func() error {
		if c != nil {
			c.Close()
		}
		var err error
		if c, err = dial(t.addr); err != nil {
			return err
		}
		sid := ""
		if p.era == eraSession {
			if sid, err = t.openSession(c, &r); err != nil {
				return err
			}
		}
		head = t.head(p.era, "tools/call", p.tool.name, sid)
		return nil
	}
	fail := func(msg string) {
		w.errors++
		if w.firstError == "" {
			w.firstError = msg
		}
	}
	err := connect()
	ready.Done()
	<-start
	if err != nil {
		fail("connect: " + err.Error())
	}
	var body []byte
	for seq := 0; ; seq++ {
		now := time.Now()
		if !now.Before(*t1) {
			break
		}
		if c == nil || err != nil {
			if err = connect(); err != nil {
				time.Sleep(10 * time.Millisecond)
				continue
			}
		}
		body = t.callBody(body[:0], p.era, seq+1, p.tool, wi, seq)
		begin := time.Now()
		err = c.do(head, body, begin.Add(60*time.Second), &r)
		end := time.Now()
		counted := !begin.Before(*t0) && !end.After(*t1)
		if err != nil {
			if counted {
				fail(fmt.Sprintf("%s: %v", p.tool.name, err))
			}
			continue
		}
		if r.close {
			err = fmt.Errorf("server closed the connection")
		}
		if !counted {
			continue
		}
		if msg := check(&r); msg != "" {
			fail(msg)
			continue
		}
		w.lat = append(w.lat, end.Sub(begin))
		w.bytes += int64(len(r.body))
	}
	if c != nil {
		c.Close()
	}
}
