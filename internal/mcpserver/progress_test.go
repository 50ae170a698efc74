package mcpserver_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type progressEvent struct {
	at       time.Time
	progress float64
	message  string
}

// progressClient connects a client that records every progress
// notification with its arrival time.
func (f *fixture) progressClient(t *testing.T, tr transport) (*mcp.ClientSession, func() []progressEvent) {
	t.Helper()
	var mu sync.Mutex
	var events []progressEvent
	cs := f.connectWith(t, tr, f.token(t, "contoso", "agent-1", "query"), &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			events = append(events, progressEvent{time.Now(), r.Params.Progress, r.Params.Message})
			mu.Unlock()
		},
	})
	return cs, func() []progressEvent {
		mu.Lock()
		defer mu.Unlock()
		return append([]progressEvent(nil), events...)
	}
}

func troubleshootParams() *mcp.CallToolParams {
	p := &mcp.CallToolParams{Name: "trouble_shoot_device", Arguments: map[string]any{"device_name": "router-1", "detail": "no internet, pages are slow"}}
	p.SetProgressToken("diag-1")
	return p
}

// TestProgressArrivesStepByStep: the nine steps' progress reaches the client
// while the work runs, not all at the end, over every transport.
func TestProgressArrivesStepByStep(t *testing.T) {
	const step = 40 * time.Millisecond
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			f := newFixtureWith(t, nil, fixtureOptions{step: step})
			cs, events := f.progressClient(t, tr)
			res, err := cs.CallTool(context.Background(), troubleshootParams())
			done := time.Now()
			if err != nil || res.IsError {
				t.Fatalf("trouble_shoot_device: %v %v", err, res)
			}
			// The client may hand the last notification to its handler just
			// after the result.
			got := events()
			for deadline := time.Now().Add(2 * time.Second); len(got) < 10 && time.Now().Before(deadline); got = events() {
				time.Sleep(5 * time.Millisecond)
			}
			if len(got) != 10 {
				t.Fatalf("%d progress notifications, want 10 (start + nine steps): %+v", len(got), got)
			}
			for i, want := range []float64{0, 10, 20, 30, 40, 55, 70, 85, 95, 100} {
				if got[i].progress != want {
					t.Errorf("notification %d: progress %v, want %v", i, got[i].progress, want)
				}
			}
			if !strings.Contains(got[6].message, "Restarting the management agent") {
				t.Errorf("step 6 message %q", got[6].message)
			}
			// Streamed, not batched: the first step's notification came
			// several steps before the result.
			if lead := done.Sub(got[1].at); lead < 5*step {
				t.Errorf("the first step's progress arrived only %v before the result; want at least %v", lead, 5*step)
			}
			var report struct {
				Status string
				Steps  []struct{ Step int }
			}
			decode(t, res, &report)
			if len(report.Steps) != 9 || report.Status != "escalate" {
				t.Errorf("report: %+v", report)
			}
		})
	}
}

// workers counts goroutines running the diagnosis.
func workers() int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "tools.troubleshootDevice")
}

// TestCancelStopsWithinOneStep: cancelling the call (notifications/cancelled
// in 2025-11-25, a closed request stream in 2026-07-28) stops the work
// within one step and leaves no goroutine behind.
func TestCancelStopsWithinOneStep(t *testing.T) {
	const step = 150 * time.Millisecond
	for _, tr := range []transport{inMemory, httpLegacy, httpCurrent} {
		t.Run(string(tr), func(t *testing.T) {
			f := newFixtureWith(t, nil, fixtureOptions{step: step})
			cs, events := f.progressClient(t, tr)
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, err := cs.CallTool(ctx, troubleshootParams())
				errc <- err
			}()
			for deadline := time.Now().Add(5 * time.Second); len(events()) < 3 && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
			if workers() == 0 {
				t.Fatal("the diagnosis is not running")
			}
			cancel()
			cancelled := time.Now()
			if err := <-errc; err == nil {
				t.Error("the cancelled call returned no error")
			}
			for workers() > 0 && time.Since(cancelled) < 5*time.Second {
				time.Sleep(5 * time.Millisecond)
			}
			stopped := time.Since(cancelled)
			if workers() > 0 {
				t.Fatalf("the diagnosis still runs %v after cancellation", stopped)
			}
			if stopped > step+500*time.Millisecond {
				t.Errorf("the diagnosis stopped %v after cancellation; want within one step (%v)", stopped, step)
			}
			n := len(events())
			time.Sleep(2 * step)
			if len(events()) != n || n >= 10 {
				t.Errorf("progress went on after cancellation: %d then %d notifications", n, len(events()))
			}
		})
	}
}
