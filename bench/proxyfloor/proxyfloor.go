// Package proxyfloor is the bench's proxy floor: a bare net/http reverse
// proxy in front of one backend, with none of the gateway's work (no token
// check, no body inspection, no limits, no session pinning, no watchdog, no
// per-request log). It does what any gateway built on net/http's server and
// client must do per call: read the request, send it with an http.Transport,
// copy the answer back. Whatever the gateway costs above it is the price of
// its own checks; what it costs itself is the price of a second HTTP
// exchange per call.
package proxyfloor

import (
	"bytes"
	"flag"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/contoso/contoso-mcp/bench/internal/serve"
	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/gateway"
)

// NewTransport is the one client the proxy sends every request with, set
// as the gateway sets its own.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:               nil, // never an environment proxy (the zero value, said for the reader)
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		// Compression would make the transport buffer event streams.
		DisableCompression: true,
	}
}

// Handler forwards POST, GET and DELETE requests to backend (the URL of its
// /mcp) with rt. There is one backend, so 2025-11-25 sessions need no
// pinning: their Mcp-Session-Id passes through both ways.
func Handler(backend string, rt http.RoundTripper) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost, http.MethodGet, http.MethodDelete:
		default:
			http.Error(w, "POST, GET or DELETE", http.StatusMethodNotAllowed)
			return
		}
		resp, err := roundTrip(r, backend, rt)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		relay(w, resp)
	})
}

// roundTrip sends r's body and forwarded headers to backend; the backend
// request ends with the client's.
func roundTrip(r *http.Request, backend string, rt http.RoundTripper) (*http.Response, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body) // sets the Content-Length
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, backend, rd)
	if err != nil {
		return nil, err
	}
	for k, vv := range r.Header {
		if gateway.Forwarded(k) { // the gateway's own list, so the backend sees the same requests
			out.Header[k] = vv
		}
	}
	return rt.RoundTrip(out)
}

// relay copies the backend's status, headers and body to the client; an
// event stream is flushed after every read but the last, as the gateway's
// relay does (the last bytes go out with the end of the response).
func relay(w http.ResponseWriter, resp *http.Response) {
	gateway.DropHopByHop(resp.Header)
	h := w.Header()
	for k, vv := range resp.Header {
		h[k] = vv
	}
	w.WriteHeader(resp.StatusCode)
	stream := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	rc := http.NewResponseController(w)
	bp := buffers.Get().(*[]byte)
	defer buffers.Put(bp)
	for {
		n, err := resp.Body.Read(*bp)
		if n > 0 {
			if _, werr := w.Write((*bp)[:n]); werr != nil {
				return
			}
			if stream && err == nil && rc.Flush() != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

var buffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// Main is cmd/proxy-floor's: flags -listen (loopback; serve.Run refuses any
// other address) and -backend (the URL of the backend's /mcp, on loopback
// too: the bench never leaves the machine); it serves /mcp until SIGTERM.
func Main() {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to listen on (serves /mcp)")
	backend := flag.String("backend", "", "URL of the backend's /mcp, on a loopback address")
	flag.Parse()
	if !loopbackURL(*backend) {
		log.Fatalf("-backend %q: a loopback http URL such as http://127.0.0.1:8000/mcp is required", *backend)
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", Handler(*backend, NewTransport()))
	serve.Run(*listen, "", &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute})
}

// loopbackURL says whether raw is an http URL on a loopback address.
func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return false
	}
	return auth.IsLoopbackHost(u.Hostname())
}
