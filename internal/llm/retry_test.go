package llm

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{name: "none", header: nil},
		{name: "seconds", header: map[string]string{"Retry-After": "2"}, want: 2 * time.Second, ok: true},
		{name: "fraction", header: map[string]string{"Retry-After": "0.5"}, want: 500 * time.Millisecond, ok: true},
		{name: "ms wins", header: map[string]string{"Retry-After": "2", "Retry-After-Ms": "150"}, want: 150 * time.Millisecond, ok: true},
		{name: "bad ms falls back", header: map[string]string{"Retry-After": "2", "Retry-After-Ms": "x"}, want: 2 * time.Second, ok: true},
		{name: "http date", header: map[string]string{"Retry-After": now.Add(3 * time.Second).Format(http.TimeFormat)}, want: 3 * time.Second, ok: true},
		{name: "past date", header: map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, want: 0, ok: true},
		{name: "negative", header: map[string]string{"Retry-After": "-1"}},
		{name: "garbage", header: map[string]string{"Retry-After": "soon"}},
		{name: "huge", header: map[string]string{"Retry-After": "1e300"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			got, ok := retryAfter(h, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("retryAfter = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRetryDelay(t *testing.T) {
	p := RetryPolicy{MaxRetries: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxTotal: 2 * time.Second}
	hdr := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	tests := []struct {
		name     string
		n        int
		h        http.Header
		waited   time.Duration
		min, max time.Duration
		ok       bool
	}{
		{name: "first backoff", n: 1, min: 50 * time.Millisecond, max: 100 * time.Millisecond, ok: true},
		{name: "third backoff doubles twice", n: 3, min: 200 * time.Millisecond, max: 400 * time.Millisecond, ok: true},
		{name: "past max retries", n: 4},
		{name: "server delay honoured", n: 1, h: hdr("0.8"), min: 800 * time.Millisecond, max: 800 * time.Millisecond, ok: true},
		{name: "server delay over max delay", n: 1, h: hdr("5")},
		{name: "over the total budget", n: 2, h: hdr("0.8"), waited: 1500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 20 {
				d, ok := p.delay(tt.n, tt.h, tt.waited, time.Now())
				if ok != tt.ok || (ok && (d < tt.min || d > tt.max)) {
					t.Fatalf("delay = %v, %v; want %v in [%v, %v]", d, ok, tt.ok, tt.min, tt.max)
				}
			}
		})
	}
}
