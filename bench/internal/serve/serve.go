// Package serve runs the bench's servers: loopback only, stopped by SIGTERM
// or SIGINT, with an optional debug listener (pprof and memory statistics)
// on a second loopback address.
package serve

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/contoso/contoso-mcp/bench/peerdata"
)

// Run listens on addr, which must be a loopback address, serves srv until
// SIGTERM or SIGINT, and exits the process on failure. With a debugAddr
// (loopback too) it also serves DebugHandler there.
func Run(addr, debugAddr string, srv *http.Server) {
	ln := listen(addr)
	fmt.Fprintf(os.Stderr, "listening on http://%s/mcp (pid %d)\n", ln.Addr(), os.Getpid())
	if debugAddr != "" {
		dln := listen(debugAddr)
		go http.Serve(dln, DebugHandler())
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

func listen(addr string) net.Listener {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		log.Fatalf("%q: a loopback address such as 127.0.0.1:8000 is required", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	return ln
}

// MemStats is what /debug/memstats reports.
type MemStats struct {
	HeapAlloc, HeapInuse, HeapSys, Sys, TotalAlloc, Mallocs, NumGC uint64
	PauseTotalNs                                                   uint64
}

// DebugHandler serves /debug/pprof/ and /debug/memstats (?gc=1 collects
// garbage first, for the live heap).
func DebugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/memstats", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("gc") == "1" {
			runtime.GC()
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		json.NewEncoder(w).Encode(MemStats{m.HeapAlloc, m.HeapInuse, m.HeapSys, m.Sys, m.TotalAlloc, m.Mallocs, uint64(m.NumGC), m.PauseTotalNs})
	})
	return mux
}

// Peer is the main of a bench server that answers /mcp from the tenant's
// SQLite file: flags -addr, -db and -debug-addr, then Run.
func Peer(handler func(*peerdata.DB) http.Handler) {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	path := flag.String("db", "", "the tenant's SQLite file")
	debug := flag.String("debug-addr", "", "loopback address for pprof and /debug/memstats (off when empty)")
	flag.Parse()
	db, err := peerdata.Open(context.Background(), *path)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	mux := http.NewServeMux()
	mux.Handle("/mcp", handler(db))
	Run(*addr, *debug, &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute})
}
