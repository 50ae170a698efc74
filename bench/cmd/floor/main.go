// Command floor serves the bench's floor (package floor) on a loopback
// address: floor -addr 127.0.0.1:PORT -db DATA/contoso.db
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/contoso/contoso-mcp/bench/floor"
	"github.com/contoso/contoso-mcp/bench/internal/serve"
	"github.com/contoso/contoso-mcp/bench/peerdata"
)

func main() {
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
	mux.Handle("/mcp", floor.Handler(db))
	serve.Run(*addr, *debug, &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute})
}
