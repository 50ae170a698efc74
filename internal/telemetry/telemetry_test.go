package telemetry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNewLoggerRejectsUnknownSettings(t *testing.T) {
	if _, err := NewLogger(io.Discard, "xml", "info"); err == nil || !strings.Contains(err.Error(), "LOG_FORMAT") {
		t.Errorf("format xml: %v", err)
	}
	if _, err := NewLogger(io.Discard, "json", "chatty"); err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") {
		t.Errorf("level chatty: %v", err)
	}
}

func TestMiddlewareRequestIDs(t *testing.T) {
	var logs strings.Builder
	var seen string
	h := Middleware(slog.New(slog.NewJSONHandler(&logs, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = RequestID(r.Context())
		if r.Header.Get(RequestIDHeader) != seen {
			t.Errorf("handler header %q, context %q", r.Header.Get(RequestIDHeader), seen)
		}
		w.WriteHeader(http.StatusTeapot)
	}))
	for _, c := range []struct{ sent, want string }{
		{"abc-123.x:y_z", "abc-123.x:y_z"},
		{"", ""},
		{"has space", ""},
		{strings.Repeat("a", 65), ""},
		{`"quoted"`, ""},
	} {
		req := httptest.NewRequest(http.MethodGet, "/mcp?secret=1", nil)
		if c.sent != "" {
			req.Header.Set(RequestIDHeader, c.sent)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get(RequestIDHeader)
		if c.want != "" && got != c.want || c.want == "" && (len(got) != 32 || got == c.sent) || seen != got {
			t.Errorf("sent %q: response id %q, handler saw %q", c.sent, got, seen)
		}
	}
	if !strings.Contains(logs.String(), `"status":418`) || strings.Contains(logs.String(), "secret") {
		t.Errorf("access log: %s", logs.String())
	}
}

func TestReadiness(t *testing.T) {
	mux := http.NewServeMux()
	fail := false
	HealthHandlers(mux, slog.New(slog.DiscardHandler), []Check{{Name: "store:contoso", Run: func(context.Context) error {
		if fail {
			return errors.New("disk I/O error at /var/secret/path")
		}
		return nil
	}}}, []string{"auth is off"})
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := get("/readyz"); code != 200 || !strings.Contains(body, "auth is off") {
		t.Errorf("/readyz: %d %q", code, body)
	}
	fail = true
	code, body := get("/readyz")
	if code != 503 || !strings.Contains(body, "store:contoso") || strings.Contains(body, "secret") {
		t.Errorf("/readyz with a failing check: %d %q (the cause must stay in the log)", code, body)
	}
}
