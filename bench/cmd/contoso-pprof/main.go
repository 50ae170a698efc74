// Command contoso-pprof is a bench-only build of the product's HTTP endpoint
// with a pprof listener, which the product does not have yet (issue 6, item
// 3): the same packages wired as `contoso-mcp serve` wires them for
// AUTH_MODE=dev and one tenant (the verifier, the role policy, the go-sdk
// servers of internal/mcpserver, the telemetry middleware and JSON logs),
// serving an existing, seeded data directory. The bench runs it under the
// same load as the real binary and checks that both cost the same per call
// before it trusts the profile.
//
// It imports internal packages: its import path
// (github.com/contoso/contoso-mcp/bench/...) lies under the tree that holds
// github.com/contoso/contoso-mcp/internal, which Go's internal-package rule
// requires, and bench/go.mod replaces the product module with ../.
//
//	contoso-pprof -addr 127.0.0.1:PORT -debug-addr 127.0.0.1:PORT2 -data-dir DIR
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/contoso/contoso-mcp/bench/internal/product"
	"github.com/contoso/contoso-mcp/bench/internal/serve"
	"github.com/contoso/contoso-mcp/internal/telemetry"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	debug := flag.String("debug-addr", "", "loopback address for pprof and /debug/memstats")
	dataDir := flag.String("data-dir", "", "a data directory seeded by contoso-mcp (contoso.db and the dev issuer's key)")
	flag.Parse()
	logger, err := telemetry.NewLogger(os.Stderr, "json", "info")
	if err != nil {
		log.Fatal(err)
	}
	ep, err := product.Build(context.Background(), *dataDir, product.Options{Logger: logger})
	if err != nil {
		log.Fatal(err)
	}
	defer ep.Close()
	serve.Run(*addr, *debug, &http.Server{
		Handler:           ep.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	})
}
