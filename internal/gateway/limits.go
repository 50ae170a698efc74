package gateway

import (
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// quota is one tenant's (or one tenant's method's) limits on a route: a
// token bucket and a bound on requests in flight. Quotas are made at start
// for every tenant a route allows, so the set is bounded by the
// configuration.
type quota struct {
	bucket   *rate.Limiter // nil: no rate limit
	max      int64         // 0: no bound
	inFlight atomic.Int64
}

func newQuota(perSecond float64, burst, concurrency int) *quota {
	q := &quota{max: int64(concurrency)}
	if perSecond > 0 {
		q.bucket = rate.NewLimiter(rate.Limit(perSecond), burst)
	}
	return q
}

// reserve takes a token: 0 and the reservation (to give the token back
// with CancelAt when a later limit refuses the request), or how long to wait
// (and nothing is taken).
func (q *quota) reserve(now time.Time) (time.Duration, *rate.Reservation) {
	if q == nil || q.bucket == nil {
		return 0, nil
	}
	res := q.bucket.ReserveN(now, 1)
	if !res.OK() {
		return time.Second, nil
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, nil
	}
	return 0, res
}

// enter counts a request in flight; false (and nothing counted) when the
// bound is reached.
func (q *quota) enter() bool {
	if q == nil || q.max == 0 {
		return true
	}
	if q.inFlight.Add(1) > q.max {
		q.inFlight.Add(-1)
		return false
	}
	return true
}

func (q *quota) leave() {
	if q != nil && q.max != 0 {
		q.inFlight.Add(-1)
	}
}

// tenantLimits are one tenant's quotas on one route.
type tenantLimits struct {
	all     *quota
	streams *quota
	methods []methodQuota
}

type methodQuota struct {
	method, name string
	q            *quota
}

func newTenantLimits(l Limits) *tenantLimits {
	t := &tenantLimits{
		all:     newQuota(*l.RatePerSecond, *l.Burst, *l.Concurrency),
		streams: newQuota(0, 1, *l.Streams),
	}
	for _, m := range l.Methods {
		t.methods = append(t.methods, methodQuota{m.Method, m.Name, newQuota(*m.RatePerSecond, *m.Burst, *m.Concurrency)})
	}
	return t
}

// forMethod returns the quota of a method and name: the rule naming both
// wins over one naming the method only.
func (t *tenantLimits) forMethod(method, name string) *quota {
	var any *quota
	for _, m := range t.methods {
		if m.method != method {
			continue
		}
		if m.name == name && name != "" {
			return m.q
		}
		if m.name == "" {
			any = m.q
		}
	}
	return any
}
