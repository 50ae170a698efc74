package llm

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryable reports whether an HTTP status is worth another attempt.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// delay returns the wait before retry number n (1 for the first retry)
// given the failed response's header and the time already spent waiting,
// and false when the policy allows no further wait.
func (p RetryPolicy) delay(n int, h http.Header, waited time.Duration, now time.Time) (time.Duration, bool) {
	if n > p.MaxRetries {
		return 0, false
	}
	d, fromServer := retryAfter(h, now)
	if !fromServer {
		d = p.backoff(n)
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		if fromServer {
			// The server will not take an earlier retry.
			return 0, false
		}
		d = p.MaxDelay
	}
	if p.MaxTotal > 0 && waited+d > p.MaxTotal {
		return 0, false
	}
	return d, true
}

// backoff doubles BaseDelay with each retry, with "equal jitter": between
// half and the whole of the doubled delay.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// retryAfter reads retry-after-ms (Azure) or Retry-After (seconds or an
// HTTP date); false when neither is present and valid.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms < 1e12 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || s > 1e9 {
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
