package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/gateway"
	"github.com/contoso/contoso-mcp/internal/telemetry"
)

// gatewayCommand runs the tenant gateway of a configuration file: edge
// token checks, tenant routing to backend replicas, limits.
func gatewayCommand(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "gateway.yaml", "the gateway's configuration file (YAML)")
	listen := fs.String("listen", "", "listen on this host:port instead of the file's listen")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("gateway: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := gateway.Load(*path)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	flush, err := logFlush(getenv)
	if err != nil {
		return err
	}
	log, logs, err := telemetry.OpenLog(stderr, env(getenv, "LOG_FORMAT"), env(getenv, "LOG_LEVEL"), flush)
	if err != nil {
		return err
	}
	defer logs.Close()
	grace, err := time.ParseDuration(env(getenv, "SHUTDOWN_TIMEOUT"))
	if err != nil || grace <= 0 {
		return fmt.Errorf("SHUTDOWN_TIMEOUT: %q is not a positive duration such as 15s", env(getenv, "SHUTDOWN_TIMEOUT"))
	}
	admin, err := adminAddr(getenv)
	if err != nil {
		return err
	}
	addr := cfg.Listen
	if *listen != "" {
		if err := cfg.CheckListen(*listen); err != nil {
			return fmt.Errorf("gateway: --listen: %w", err)
		}
		addr = *listen
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("gateway: listen: %w", err)
	}
	defer ln.Close()
	cfg.Listening(ln.Addr().String())

	opts := gateway.Options{Logger: log}
	if cfg.Auth.Mode == auth.ModeDev {
		// The same publisher serve mounts: the dev issuer's keys and
		// discovery document, which the routes' metadata names.
		iss, err := auth.LoadOrCreateDevIssuer(cfg.Auth.DataDir)
		if err != nil {
			return fmt.Errorf("gateway: %s: auth.data_dir: %w", *path, err)
		}
		pub := &devPublisher{iss: iss}
		opts.Mount = func(mux *http.ServeMux) { pub.mount(mux, cfg.PublicBaseURL) }
		opts.Warnings = []string{"auth mode dev: tokens of the local development issuer (" + cfg.Auth.DataDir + "); loopback only, never in production"}
	}
	gw, err := gateway.New(ctx, cfg, opts)
	if err != nil {
		return fmt.Errorf("gateway: %s: %w", *path, err)
	}
	defer gw.Close()
	if admin != "" {
		srv, err := startAdmin(admin, log)
		if err != nil {
			return err
		}
		defer srv.Close()
		logs.Flush()
		fmt.Fprintf(stderr, "admin listener (pprof) on http://%s/debug/pprof/\n", srv.Addr)
	}

	// GET streams (2025-11-25) last as long as the client keeps them:
	// shutdown ends them at once, while POSTs in flight get the grace.
	streams, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	srv := &http.Server{
		Handler:           endOnShutdown(streams, gw.Handler()),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	var routes []string
	for _, r := range cfg.Routes {
		routes = append(routes, fmt.Sprintf("%s (%s: %d replicas)", r.Path, strings.Join(r.Tenants, ","), len(r.Backends)))
	}
	log.Info("gateway listening", "url", cfg.PublicBaseURL, "auth_mode", cfg.Auth.Mode, "routes", len(cfg.Routes), "pid", os.Getpid())
	logs.Flush() // the start-up lines before the banner below, which goes straight to stderr
	fmt.Fprintf(stderr, "contoso-mcp gateway serving http://%s (AUTH_MODE=%s): %s\n", ln.Addr(), cfg.Auth.Mode, strings.Join(routes, ", "))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace)
	endStreams()
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("graceful shutdown timed out; closing connections", "err", err)
		srv.Close()
	}
	return nil
}

// apimPolicyCommand writes the Azure API Management policy of a gateway
// configuration (see gateway.Config.APIMPolicy).
func apimPolicyCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apim-policy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "gateway.yaml", "the gateway's configuration file (YAML)")
	out := fs.String("out", "", "write the policy to this file instead of stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("apim-policy: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := gateway.Load(*path)
	if err != nil {
		return fmt.Errorf("apim-policy: %w", err)
	}
	var b strings.Builder
	if err := cfg.APIMPolicy(&b, *path); err != nil {
		return fmt.Errorf("apim-policy: %s: %w", *path, err)
	}
	if *out == "" {
		_, err = io.WriteString(stdout, b.String())
		return err
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("apim-policy: %w", err)
	}
	return nil
}
