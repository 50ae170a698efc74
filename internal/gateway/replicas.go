package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// replica is one backend process of a route.
type replica struct {
	route  string
	target *url.URL // the MCP endpoint, for example http://127.0.0.1:8001/mcp
	raw    string
	health string // its origin + Health.Path

	up atomic.Bool
	// Counted by the checker only (one goroutine per replica).
	fails, oks int
	// passiveDown tells the checker that a request took the replica out,
	// so its count of passed checks starts again.
	passiveDown atomic.Bool
	// probe asks the checker for a check now (passive detection).
	probe chan struct{}
}

// pool is a route's replicas.
type pool struct {
	replicas []*replica
	next     atomic.Uint64
}

// pick returns the next healthy replica, round-robin, skipping tried ones;
// nil when none is left.
func (p *pool) pick(tried []*replica) *replica {
	n := len(p.replicas)
	start := int(p.next.Add(1) % uint64(n))
	for i := range n {
		r := p.replicas[(start+i)%n]
		if r.up.Load() && !contains(tried, r) {
			return r
		}
	}
	return nil
}

func (p *pool) healthy() int {
	n := 0
	for _, r := range p.replicas {
		if r.up.Load() {
			n++
		}
	}
	return n
}

func contains(list []*replica, r *replica) bool {
	for _, x := range list {
		if x == r {
			return true
		}
	}
	return false
}

// checker runs the active health checks of every replica.
type checker struct {
	cfg    Health
	client *http.Client
	log    *slog.Logger
}

// check probes a replica once: its health path must answer 200 within the
// timeout. refused is a connection that could not be made at all: nothing
// listens there any more.
func (c *checker) check(ctx context.Context, r *replica) (ok, refused bool) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout.D())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.health, nil)
	if err != nil {
		return false, false
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return false, dialFailed(err) && ctx.Err() == nil
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, false
}

// record applies one check's result with the thresholds; a refused
// connection takes the replica out at once.
func (c *checker) record(r *replica, ok, refused bool) {
	if r.passiveDown.Swap(false) {
		r.oks = 0
	}
	if refused && r.up.Load() {
		r.oks, r.fails = 0, c.cfg.UnhealthyAfter
		r.up.Store(false)
		c.log.Warn("replica down", "route", r.route, "backend", r.raw, "reason", "connection refused")
		return
	}
	if ok {
		r.fails = 0
		r.oks++
		if !r.up.Load() && r.oks >= c.cfg.HealthyAfter {
			r.up.Store(true)
			c.log.Info("replica up", "route", r.route, "backend", r.raw)
		}
		return
	}
	r.oks = 0
	r.fails++
	if r.up.Load() && r.fails >= c.cfg.UnhealthyAfter {
		r.up.Store(false)
		c.log.Warn("replica down", "route", r.route, "backend", r.raw, "reason", "health check failed")
	}
}

// markDown takes r out at once (a request could not connect to it) and asks
// for a check, which brings it back when it answers again.
func (c *checker) markDown(r *replica, why string) {
	if r.up.CompareAndSwap(true, false) {
		r.passiveDown.Store(true)
		c.log.Warn("replica down", "route", r.route, "backend", r.raw, "reason", why)
	}
	requestProbe(r)
}

// run checks r every interval, and at once when asked through r.probe,
// until ctx ends.
func (c *checker) run(ctx context.Context, r *replica) {
	t := time.NewTicker(c.cfg.Interval.D())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.probe:
		}
		ok, refused := c.check(ctx, r)
		c.record(r, ok, refused)
	}
}

// start checks every replica once (in parallel, so the gateway knows which
// are up before it serves) and then keeps checking them.
func (c *checker) start(ctx context.Context, replicas []*replica) {
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Go(func() {
			if ok, _ := c.check(ctx, r); ok {
				r.oks = c.cfg.HealthyAfter
				r.up.Store(true)
			} else {
				c.log.Warn("replica not ready at start", "route", r.route, "backend", r.raw)
			}
		})
	}
	wg.Wait()
	for _, r := range replicas {
		go c.run(ctx, r)
	}
}

// requestProbe asks for a check of r soon (a request to it failed).
func requestProbe(r *replica) {
	select {
	case r.probe <- struct{}{}:
	default:
	}
}

// pins maps a 2025-11-25 session to the replica that created it and the
// principal that opened it.
type pins struct {
	mu    sync.Mutex
	m     map[string]*pin
	max   int
	idle  time.Duration
	swept time.Time
}

type pin struct {
	r      *replica
	owner  string // auth.Principal.Key()
	last   time.Time
	active int // requests in flight (an open GET stream keeps a session alive)
}

func newPins(max int, idle time.Duration) *pins {
	return &pins{m: map[string]*pin{}, max: max, idle: idle}
}

// add records a new session; false when the table is full.
func (p *pins) add(id string, r *replica, owner string) bool {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sweepLocked(now)
	if _, ok := p.m[id]; !ok && len(p.m) >= p.max {
		return false
	}
	p.m[id] = &pin{r: r, owner: owner, last: now}
	return true
}

// acquire returns the session's pin and counts a request in flight on it;
// release must follow.
func (p *pins) acquire(id string) (*pin, bool) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sweepLocked(now)
	s, ok := p.m[id]
	if !ok {
		return nil, false
	}
	s.last = now
	s.active++
	return s, true
}

func (p *pins) release(s *pin) {
	p.mu.Lock()
	s.active--
	s.last = time.Now()
	p.mu.Unlock()
}

func (p *pins) remove(id string) {
	p.mu.Lock()
	delete(p.m, id)
	p.mu.Unlock()
}

func (p *pins) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.m)
}

// sweepLocked forgets sessions idle longer than the idle timeout (the
// backend has closed them by then), at most once a second.
func (p *pins) sweepLocked(now time.Time) {
	if now.Sub(p.swept) < time.Second {
		return
	}
	p.swept = now
	for id, s := range p.m {
		if s.active == 0 && now.Sub(s.last) > p.idle {
			delete(p.m, id)
		}
	}
}
