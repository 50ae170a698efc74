package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/contoso/contoso-mcp/internal/telemetry"
)

// forwarded are the request headers a backend receives; every other header
// a client sends is dropped. An allow-list rather than a deny-list: no
// identity header a client invents (X-Forwarded-User, X-MS-CLIENT-PRINCIPAL,
// X-Tenant, ...) can reach a backend, whatever its name.
var forwarded = map[string]bool{
	"Accept":                  true,
	"Accept-Language":         true,
	"Authorization":           true, // the original bearer token: the backend verifies it again
	"Cache-Control":           true,
	"Content-Type":            true,
	"Last-Event-Id":           true, // resuming a 2025-11-25 stream
	"Mcp-Method":              true,
	"Mcp-Name":                true,
	"Mcp-Protocol-Version":    true,
	"Mcp-Session-Id":          true,
	"Origin":                  true, // the backend applies its own Origin policy too
	"Traceparent":             true,
	"Tracestate":              true,
	"User-Agent":              true,
	telemetry.RequestIDHeader: true,
}

// mcpParamPrefix: SEP-2243 headers mirroring tool arguments, which the
// backend checks against the body.
const mcpParamPrefix = "Mcp-Param-"

// Forwarded reports whether a client's request header (canonical name)
// reaches a backend: the allow-list above and the Mcp-Param-* headers.
func Forwarded(name string) bool {
	return forwarded[name] || strings.HasPrefix(name, mcpParamPrefix)
}

// hopByHop are the response headers that belong to one connection.
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// DropHopByHop removes from a backend's response headers those that belong
// to its connection: the ones its Connection header names, and hopByHop.
func DropHopByHop(h http.Header) {
	for _, k := range h.Values("Connection") {
		for _, f := range strings.Split(k, ",") {
			h.Del(strings.TrimSpace(f))
		}
	}
	for _, k := range hopByHop {
		h.Del(k)
	}
}

// idleError is a backend that stayed silent longer than Timeouts.Idle.
type idleError struct{}

func (*idleError) Error() string { return "backend idle timeout" }

var errIdle = &idleError{}

// watchdog cancels a backend request that stays silent too long; every byte
// that arrives resets it.
type watchdog struct {
	idle time.Duration
	t    *time.Timer
}

func newWatchdog(idle time.Duration, cancel context.CancelCauseFunc) *watchdog {
	return &watchdog{idle: idle, t: time.AfterFunc(idle, func() { cancel(errIdle) })}
}

func (d *watchdog) kick() {
	if d != nil {
		d.t.Reset(d.idle)
	}
}

func (d *watchdog) stop() {
	if d != nil {
		d.t.Stop()
	}
}

// roundTrip sends the request to a replica. The backend request ends with
// the client's (a client that goes away cancels it) or when the backend is
// silent longer than the idle timeout (POST and DELETE; a GET stream only
// until its headers). done releases everything once the response is relayed.
func (g *Gateway) roundTrip(r *http.Request, rep *replica, body []byte) (resp *http.Response, done func(), err error) {
	ctx, cancel := context.WithCancelCause(r.Context())
	wd := newWatchdog(g.cfg.Timeouts.Idle.D(), cancel)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	out, err := http.NewRequestWithContext(ctx, r.Method, rep.raw, rd)
	if err != nil {
		wd.stop()
		cancel(nil)
		return nil, nil, err
	}
	if body != nil {
		out.ContentLength = int64(len(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	for k, vv := range r.Header {
		if Forwarded(k) {
			out.Header[k] = vv
		}
	}
	resp, err = g.transport.RoundTrip(out)
	if err != nil {
		wd.stop()
		if errors.Is(context.Cause(ctx), errIdle) {
			err = errIdle
		}
		cancel(nil)
		return nil, nil, err
	}
	if r.Method == http.MethodGet {
		wd.stop()
		wd = nil
	} else {
		wd.kick()
	}
	resp.Body = &watchedBody{ReadCloser: resp.Body, wd: wd}
	return resp, func() {
		wd.stop()
		cancel(nil)
		resp.Body.Close()
	}, nil
}

type watchedBody struct {
	io.ReadCloser
	wd *watchdog
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.wd.kick()
	}
	return n, err
}

var resourceMetadataParam = regexp.MustCompile(`resource_metadata="[^"]*"`)

// relay copies a backend response to the client. An event stream is
// flushed after every read, so each event the backend flushes reaches the
// client at once.
func (g *Gateway) relay(w http.ResponseWriter, r *http.Request, rt *route, resp *http.Response) {
	h := w.Header()
	DropHopByHop(resp.Header)
	for k, vv := range resp.Header {
		h[k] = vv
	}
	// A challenge from the backend (for example a token without roles)
	// points clients at the gateway's metadata, not the backend's.
	if vv := h.Values("WWW-Authenticate"); len(vv) > 0 {
		for i, v := range vv {
			vv[i] = resourceMetadataParam.ReplaceAllLiteralString(v, `resource_metadata="`+rt.metadataURL+`"`)
		}
	}
	w.WriteHeader(resp.StatusCode)
	// The headers go out with the first event (the backend sends its
	// headers with it too, and a GET stream starts with a comment).
	stream := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	rc := http.NewResponseController(w)
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return // the client went away; done() cancels the backend request
			}
			// No flush with the last bytes: returning sends them with the
			// end of the response in one write.
			if stream && err == nil {
				if ferr := rc.Flush(); ferr != nil {
					return
				}
			}
		}
		if err != nil {
			if err != io.EOF && r.Context().Err() == nil {
				cause := err
				if errors.Is(err, context.Canceled) {
					cause = errIdle
				}
				g.log.WarnContext(r.Context(), "backend response cut", "route", rt.cfg.Path, "err", cause,
					"request_id", telemetry.RequestID(r.Context()))
			}
			return
		}
	}
}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
