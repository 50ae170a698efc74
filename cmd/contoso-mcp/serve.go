package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strings"
	"time"

	"github.com/contoso/contoso-mcp/internal/conformance"
	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/mcpserver"
	"github.com/contoso/contoso-mcp/internal/seed"
	"github.com/contoso/contoso-mcp/internal/store/sqlite"
	"github.com/contoso/contoso-mcp/internal/telemetry"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/time/rate"
)

// openTenants opens (creating and seeding as configured) each tenant's store.
func openTenants(ctx context.Context, cfg *config, log *slog.Logger) (map[string]contoso.Store, func(), error) {
	stores := make(map[string]contoso.Store, len(cfg.Tenants))
	closeAll := func() {
		for _, s := range stores {
			s.Close()
		}
	}
	for _, tenant := range cfg.Tenants {
		path, err := sqlite.TenantPath(cfg.DataDir, tenant)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("TENANTS: %v", err)
		}
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("opening %s: %w", path, err)
		}
		stores[tenant] = st
		seeded, err := st.Seeded(ctx)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		if cfg.ForceSeed || (!seeded && cfg.SeedOnStartup) {
			start := time.Now()
			if err := seedStore(ctx, st, tenant, cfg); err != nil {
				closeAll()
				return nil, nil, err
			}
			log.Info("seeded tenant", "tenant", tenant, "path", path, "customers", cfg.SeedCustomers, "as_of", cfg.AsOf.Format(contoso.DateLayout), "duration", time.Since(start))
		} else if !seeded {
			log.Warn("tenant database is empty and SEED_ON_STARTUP is false", "tenant", tenant, "path", path)
		} else {
			log.Info("opened tenant", "tenant", tenant, "path", path)
		}
	}
	return stores, closeAll, nil
}

func seedStore(ctx context.Context, st contoso.Store, tenant string, cfg *config) error {
	d, err := seed.Generate(seed.Options{Seed: seed.TenantSeed(tenant), Customers: cfg.SeedCustomers, AsOf: cfg.AsOf})
	if err != nil {
		return err
	}
	return st.Load(ctx, d)
}

func serve(ctx context.Context, cfg *config, stdin io.Reader, stdout, stderr io.Writer) error {
	log, logs, err := telemetry.OpenLog(stderr, cfg.LogFormat, cfg.LogLevel, cfg.LogFlush)
	if err != nil {
		return err
	}
	defer logs.Close()
	stores, closeStores, err := openTenants(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStores()
	var ln net.Listener
	if !cfg.Stdio {
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return fmt.Errorf("ADDR (--addr): %w", err)
		}
		defer ln.Close()
		if cfg.PublicBaseURL == "" {
			cfg.PublicBaseURL = "http://" + ln.Addr().String()
		}
	}
	sec, err := newSecurity(ctx, cfg, log)
	if err != nil {
		return err
	}
	mcfg := mcpserver.Config{
		Name:    "contoso-mcp",
		Version: version,
		Logger:  log,
		Stores: func(tenant string) (contoso.Store, error) {
			if st, ok := stores[tenant]; ok {
				return st, nil
			}
			return nil, contoso.Errorf(contoso.KindPermissionDenied, "tenant %q is not served here", tenant)
		},
		Verifier:            sec.verifier,
		Rights:              sec.policy.Access,
		RoleNames:           roleNames(sec.policy),
		Local:               sec.local,
		AuthDisabled:        cfg.Auth.Mode == "disabled",
		ResourceMetadataURL: cfg.PublicBaseURL + "/.well-known/oauth-protected-resource/mcp",
		Metadata:            sec.metadata,
		AllowedOrigins:      cfg.AllowedOrigins,
		RateLimit:           rate.Limit(cfg.RatePerSecond),
		RateBurst:           cfg.RateBurst,
		SessionTimeout:      cfg.SessionTimeout,
		DisableFastPath:     !cfg.FastPath,
		MaxBodyBytes:        cfg.MaxBodyBytes,
		ReadBodyTimeout:     cfg.ReadBody,
		TroubleshootStep:    cfg.StepDuration,
		Tasks:               mcpserver.TaskConfig{TTL: cfg.TaskTTL, Lease: cfg.TaskLease},
	}
	if cfg.RatePerSecond == 0 {
		mcfg.RateLimit = 0
	}
	fixturesCtx, stopFixtures := context.WithCancel(ctx)
	defer stopFixtures()
	if cfg.Fixtures {
		log.Warn("conformance fixtures are on: test tools, resources and prompts are served; never use this in production")
		mcfg.Configure = conformance.Options
		mcfg.Extend = func(s *mcp.Server) {
			conformance.Register(s)
			go conformance.Run(fixturesCtx, s)
		}
	}
	svc := mcpserver.New(mcfg)

	if cfg.Stdio {
		log.Info("serving MCP over stdio", "tenant", sec.local.Tenant, "roles", sec.local.Roles)
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownGrace)
			defer cancel()
			svc.Shutdown(sctx)
		}()
		err := svc.Server().Run(ctx, &mcp.IOTransport{Reader: io.NopCloser(stdin), Writer: nopWriteCloser{stdout}})
		if err != nil && ctx.Err() == nil && !errors.Is(err, io.EOF) {
			return err
		}
		return nil
	}

	// Standalone GET streams (2025-11-25) stay open until the client goes
	// away; shutdown ends them at once while POSTs in flight get the grace.
	streams, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	mux := http.NewServeMux()
	mux.Handle("/mcp", endOnShutdown(streams, svc.Handler()))
	for _, path := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource", "/mcp/.well-known/oauth-protected-resource"} {
		mux.Handle(path, svc.MetadataHandler())
	}
	if sec.dev != nil {
		sec.dev.mount(mux, cfg.PublicBaseURL)
	}
	checks := []telemetry.Check{}
	for _, tenant := range cfg.Tenants {
		st := stores[tenant]
		checks = append(checks, telemetry.Check{Name: "store:" + tenant, Run: func(ctx context.Context) error {
			_, err := st.Seeded(ctx)
			return err
		}})
	}
	telemetry.HealthHandlers(mux, log, checks, sec.warnings)

	srv := &http.Server{
		Handler:           telemetry.Middleware(log, mux),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// The admin listener first, as the gateway does: its line comes before
	// the banner, so whoever waits for the banner finds it.
	if cfg.AdminAddr != "" {
		admin, err := startAdmin(cfg.AdminAddr, log)
		if err != nil {
			return err
		}
		defer admin.Close()
		logs.Flush()
		fmt.Fprintf(stderr, "admin listener (pprof) on http://%s/debug/pprof/\n", admin.Addr)
	}
	url := "http://" + ln.Addr().String() + "/mcp"
	log.Info("listening", "url", url, "tenants", cfg.Tenants, "auth_mode", cfg.Auth.Mode, "pid", os.Getpid())
	logs.Flush() // the start-up lines before the banner below, which goes straight to stderr
	fmt.Fprintf(stderr, "contoso-mcp serving %s (tenants %s, AUTH_MODE=%s)\n", url, strings.Join(cfg.Tenants, ", "), cfg.Auth.Mode)
	for _, w := range sec.warnings {
		fmt.Fprintf(stderr, "WARNING: %s\n", w)
	}
	if sec.dev != nil {
		fmt.Fprintf(stderr, "a development token for tenant %s:\n  contoso-mcp token --tenant %s --roles query,admin,security --data-dir %s\n",
			cfg.Tenants[0], cfg.Tenants[0], cfg.DataDir)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace)
	endStreams()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("graceful shutdown timed out; closing connections", "err", err)
		srv.Close()
	}
	// Tasks still running here are recorded failed now, rather than when
	// their leases run out.
	if err := svc.Shutdown(sctx); err != nil {
		log.Warn("tasks did not stop in time", "err", err)
	}
	return nil
}

// startAdmin serves the profiling endpoints on their own loopback
// listener, never on the public one.
func startAdmin(addr string, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ADMIN_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: ln.Addr().String(), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin listener stopped", "err", err)
		}
	}()
	log.Info("admin listener", "url", "http://"+srv.Addr+"/debug/pprof/")
	return srv, nil
}

// endOnShutdown cancels GET requests (the long-lived event streams) when
// shutdown cancels streams.
func endOnShutdown(streams context.Context, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			stop := context.AfterFunc(streams, cancel)
			defer stop()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

func seedCommand(ctx context.Context, cfg *config, stdout, stderr io.Writer) error {
	for _, tenant := range cfg.Tenants {
		path, err := sqlite.TenantPath(cfg.DataDir, tenant)
		if err != nil {
			return fmt.Errorf("--tenant: %v", err)
		}
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			return fmt.Errorf("opening %s: %w", path, err)
		}
		seeded, err := st.Seeded(ctx)
		if err == nil && seeded && !cfg.ForceSeed {
			st.Close()
			fmt.Fprintf(stdout, "%s: already seeded (%s); use --force to rebuild it\n", tenant, path)
			continue
		}
		start := time.Now()
		if err == nil {
			err = seedStore(ctx, st, tenant, cfg)
		}
		st.Close()
		if err != nil {
			return fmt.Errorf("seeding %s: %w", tenant, err)
		}
		fmt.Fprintf(stdout, "%s: seeded %d + 9 scenario customers as of %s into %s in %s\n", tenant, cfg.SeedCustomers,
			cfg.AsOf.Format(contoso.DateLayout), path, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// maxHeaderBytes bounds a request's headers (net/http's default is 1 MiB):
// a bearer token of a few KiB and the MCP headers fit many times over.
const maxHeaderBytes = 64 << 10
