// Command contoso-mcp is the Contoso customer-support MCP service.
//
//	contoso-mcp serve [--addr 127.0.0.1:8000] [--data-dir ./data] [--stdio] [--as-of YYYY-MM-DD]
//	contoso-mcp seed  [--data-dir ./data] [--tenant T] [--force] [--customers N] [--as-of YYYY-MM-DD]
//	contoso-mcp token [--tenant contoso] [--subject NAME] [--roles query,admin,security] [--ttl 1h] [--data-dir ./data]
//	contoso-mcp call  TOOL [--arg k=v ...] [--json '{...}'] [--url URL] [--token T] [--task] [--timeout D]
//	contoso-mcp gateway [--config gateway.yaml] [--listen HOST:PORT]
//	contoso-mcp apim-policy [--config gateway.yaml] [--out policy.xml]
//
// main only wires: configuration, the store per tenant, the MCP endpoint,
// the HTTP server and signals. Everything it does is in run, which tests
// call with their own arguments, environment and streams.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
)

var version = "dev"

// The runtime keeps Go's defaults (GOGC=100). An earlier build set GOGC=400
// because the go-sdk's decoding made a call allocate ~480 KiB; with the fast
// path a call allocates ~20 KiB, GOGC=400 buys only 6-10% CPU per call and
// multiplies the memory of idle sessions (docs/PERFORMANCE.md). Operators
// may still set GOGC.

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "contoso-mcp:", err)
		}
		os.Exit(1)
	}
}

const usage = `contoso-mcp: the Contoso customer-support MCP service

Commands:
  serve     serve MCP over Streamable HTTP at /mcp (both protocol eras) or over stdio (--stdio)
  seed      build a tenant's database without serving
  token     print a development token (AUTH_MODE=dev) for a tenant and roles
  call      call a tool on a running service: JSON result, live progress, Ctrl-C cancels
  gateway   the tenant gateway: token checks at the edge, routes to backend replicas, limits (--config gateway.yaml)
  apim-policy  write the Azure API Management policy of a gateway configuration
  version   print the version

Run "contoso-mcp COMMAND -h" for a command's flags. Environment variables are listed in README.md.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "serve", "seed":
		cfg, fs, err := parseConfig(cmd, rest, getenv, time.Now())
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			fs.SetOutput(stderr)
			return err
		}
		if cmd == "seed" {
			return seedCommand(ctx, cfg, stdout, stderr)
		}
		return serve(ctx, cfg, stdin, stdout, stderr)
	case "token":
		return tokenCommand(rest, getenv, stdout, stderr)
	case "call":
		return callCommand(ctx, rest, getenv, stdin, stdout, stderr)
	case "gateway":
		return gatewayCommand(ctx, rest, getenv, stderr)
	case "apim-policy":
		return apimPolicyCommand(rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "contoso-mcp", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// tokenCommand mints a token of the development issuer whose key lives in
// the data directory, and prints it alone on stdout.
func tokenCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tenant := fs.String("tenant", "contoso", "tenant name (the token's tid)")
	subject := fs.String("subject", "dev-user", "the token's subject")
	roles := fs.String("roles", "query,admin,security", "comma-separated roles")
	ttl := fs.Duration("ttl", time.Hour, "lifetime, at most MAX_TOKEN_LIFETIME (24h; the default 1h is lowered to it)")
	dataDir := fs.String("data-dir", env(getenv, "DATA_DIR"), "data directory of the serving process (DATA_DIR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("token: unexpected argument %q", fs.Arg(0))
	}
	if !tenantName.MatchString(*tenant) {
		return fmt.Errorf("token: --tenant %q is not a tenant name", *tenant)
	}
	maxTTL, err := maxTokenLifetime(getenv)
	if err != nil {
		return err
	}
	ttlGiven := false
	fs.Visit(func(f *flag.Flag) { ttlGiven = ttlGiven || f.Name == "ttl" })
	if !ttlGiven {
		*ttl = min(*ttl, maxTTL)
	}
	if *ttl <= 0 || *ttl > maxTTL {
		return fmt.Errorf("token: --ttl %s must be above 0 and at most %s (MAX_TOKEN_LIFETIME): serve refuses longer-lived tokens", *ttl, maxTTL)
	}
	if *subject == "" {
		return fmt.Errorf("token: --subject must not be empty")
	}
	iss, err := auth.LoadOrCreateDevIssuer(*dataDir)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	tok, err := iss.Mint(*tenant, *subject, splitList(*roles), *ttl)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
