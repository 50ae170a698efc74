// Command loadgen is the bench's load generator and the driver of `make
// bench`: it speaks MCP over Streamable HTTP in both protocol eras
// (2026-07-28 stateless; 2025-11-25 sessions, initialize once per client
// connection), runs bounded loads at fixed concurrency against servers it
// starts pinned to one core, and measures throughput, latency percentiles
// and the server's CPU time per call from /proc/PID/stat.
//
//	loadgen suite [flags]    the whole side-by-side run; writes the results
//	                         (JSON) and docs/PERFORMANCE.md (see bench/run.sh)
//	loadgen suite -only gateway,contoso [flags]
//	                         only those parts of the run (-h lists them), to
//	                         check a change to the harness in a short run
//	loadgen point [flags]    one load against a running server, for ad-hoc use
//	loadgen report [flags]   render docs/PERFORMANCE.md again from a results file
//
// Only loopback addresses are accepted; every load stops by itself.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	initClkTck()
	// Stop the servers this run started (only those) on ^C or SIGTERM.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "loadgen: %v: stopping the servers it started\n", s)
		stopAll()
		os.Exit(130)
	}()
	var err error
	switch os.Args[1] {
	case "suite":
		err = suiteMain(os.Args[2:])
	case "point":
		err = pointMain(os.Args[2:])
	case "report":
		err = reportMain(os.Args[2:])
	default:
		usage()
	}
	stopAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loadgen suite|point|report [flags]   (-h for the flags)")
	os.Exit(2)
}

// loopback checks that addr is host:port on a loopback address.
func loopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q: only loopback addresses (127.0.0.1:PORT) are accepted", addr)
	}
	return nil
}

func pointMain(args []string) error {
	fs := flag.NewFlagSet("point", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8000", "the server (loopback)")
	path := fs.String("path", "/mcp", "the MCP endpoint's path")
	token := fs.String("token", "", "bearer token")
	e := fs.String("era", string(eraStateless), "2026-07-28 (stateless) or 2025-11-25 (sessions)")
	version := fs.String("version", string(eraStateless), "protocol version stateless calls name")
	toolName := fs.String("tool", "get_customer_detail", "get_customer_detail or search_knowledge_base")
	conc := fs.Int("c", 16, "concurrent clients")
	dur := fs.Duration("d", 5*time.Second, "measured duration (at most 2m)")
	warm := fs.Duration("warmup", time.Second, "warm-up before the measurement")
	pid := fs.Int("pid", 0, "the server's pid, for CPU per call (0: not measured)")
	debugAddr := fs.String("debug-addr", "", "a bench build's debug listener, for allocations per call")
	fs.Parse(args)
	if err := loopback(*addr); err != nil {
		return err
	}
	if *dur > 2*time.Minute || *warm > time.Minute {
		return fmt.Errorf("-d is at most 2m and -warmup at most 1m")
	}
	t := &target{name: *addr, addr: *addr, path: *path, token: *token, statelessVersion: *version, debugAddr: *debugAddr}
	tl := customerDetailTool()
	if *toolName == "search_knowledge_base" {
		tl = searchTool()
	}
	p := &point{target: t, era: era(*e), tool: tl, conc: *conc, warmup: *warm, dur: *dur, pid: *pid, core: -1}
	if *pid == 0 {
		p.pid = -1
	}
	r := p.run()
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
