// Package telemetry holds what makes the service observable without leaking
// what it serves: the slog setup, request ids carried in a typed context key
// and in the X-Request-Id header, an access log of HTTP requests (method,
// path, status, duration; never bodies, query strings or credentials) and the
// health endpoints.
package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// NewLogger returns a logger writing to w: format "json" or "text", level
// "debug", "info", "warn" or "error".
func NewLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("LOG_LEVEL: %q is not one of debug, info, warn, error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("LOG_FORMAT: %q is not json or text", format)
	}
}

// RequestIDHeader carries the request id between the client, the gateway
// and the service.
const RequestIDHeader = "X-Request-Id"

type requestIDKey struct{}

// RequestID returns the request id stored in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// NewRequestID returns a random 16-byte id in hex.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validRequestID accepts what a client or gateway may send: 1 to 64
// characters of letters, digits and -_.: (anything else could forge log
// lines or carry personal data).
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:", c)) {
			return false
		}
	}
	return true
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush on the real writer, so
// server-sent events stream through this wrapper.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Middleware gives every request an id (the client's X-Request-Id when it
// is well formed, a new one otherwise), echoes it in the response, puts it in
// the request's context and header for the handlers below, and writes one
// access-log line when the request ends.
func Middleware(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = NewRequestID()
			r.Header.Set(RequestIDHeader, id)
		}
		w.Header().Set(RequestIDHeader, id)
		r = r.WithContext(WithRequestID(r.Context(), id))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
		}
		if m := r.Header.Get("Mcp-Method"); m != "" {
			attrs = append(attrs, slog.String("mcp_method", m))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(r.Context(), level, "http request", attrs...)
	})
}

// Check is one readiness check: nil when the dependency is usable.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// HealthHandlers registers /healthz (the process answers) and /readyz
// (every check passes within two seconds; 503 otherwise, naming the failing
// check but not its error, which goes to the log). warnings are shown in
// /readyz's body, for example that authentication is switched off.
func HealthHandlers(mux *http.ServeMux, log *slog.Logger, checks []Check, warnings []string) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		body := struct {
			Status   string   `json:"status"`
			Failing  []string `json:"failing,omitempty"`
			Warnings []string `json:"warnings,omitempty"`
		}{Status: "ready", Warnings: warnings}
		for _, c := range checks {
			if err := c.Run(ctx); err != nil {
				log.ErrorContext(ctx, "readiness check failed", "check", c.Name, "err", err)
				body.Failing = append(body.Failing, c.Name)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if len(body.Failing) > 0 {
			body.Status = "not ready"
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(body)
	})
}
