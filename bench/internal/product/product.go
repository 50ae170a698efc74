// Package product wires the product's HTTP endpoint from its internal
// packages the way `contoso-mcp serve` does for AUTH_MODE=dev (or
// disabled) and one tenant, for the bench-only programs and benchmarks:
// the pprof build (cmd/contoso-pprof) and the in-process micro-benchmarks.
// It changes nothing in the product; if serve's wiring changes, the bench
// notices, because it compares this build's cost per call with the real
// binary's in the same run.
package product

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/mcpserver"
	"github.com/contoso/contoso-mcp/internal/seed"
	"github.com/contoso/contoso-mcp/internal/store/sqlite"
	"github.com/contoso/contoso-mcp/internal/telemetry"
)

// Endpoint is a built endpoint and what it was built from.
type Endpoint struct {
	Store    *sqlite.Store
	Verifier auth.Verifier
	Policy   auth.Policy
	Service  *mcpserver.Service
	// Handler is the whole HTTP stack: the telemetry middleware, a mux
	// with /mcp, the protected-resource metadata and the health checks.
	Handler http.Handler
}

// Options adjust Build.
type Options struct {
	AuthDisabled bool
	Logger       *slog.Logger // nil: JSON at info level to io.Discard (formatted, not written)
}

// Build opens DATADIR/contoso.db (seeded) and the dev issuer's key in
// dataDir and wires the endpoint.
func Build(ctx context.Context, dataDir string, o Options) (*Endpoint, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	st, err := sqlite.Open(ctx, filepath.Join(dataDir, "contoso.db"))
	if err != nil {
		return nil, err
	}
	mode := "dev"
	if o.AuthDisabled {
		mode = "disabled"
	}
	policy := auth.Policy{QueryRole: "query", AdminRole: "admin", SecurityRole: "security"}
	v, err := auth.New(ctx, auth.Config{Mode: mode, Audiences: []string{auth.DevAudience},
		Tenants: map[string]string{"contoso": "contoso"}, DefaultTenant: "contoso", DataDir: dataDir, Logger: logger, Policy: policy})
	if err != nil {
		st.Close()
		return nil, err
	}
	local := &auth.Principal{Tenant: "contoso", Subject: "stdio", Roles: []string{"query", "admin", "security"}}
	if o.AuthDisabled {
		local.Subject = "anonymous"
	}
	svc := mcpserver.New(mcpserver.Config{
		Name: "contoso-mcp", Version: "bench", Logger: logger,
		Stores: func(tenant string) (contoso.Store, error) {
			if tenant == "contoso" {
				return st, nil
			}
			return nil, contoso.Errorf(contoso.KindPermissionDenied, "tenant %q is not served here", tenant)
		},
		Verifier:            v,
		Rights:              policy.Access,
		RoleNames:           []string{"query", "admin", "security"},
		Local:               local,
		AuthDisabled:        o.AuthDisabled,
		ResourceMetadataURL: "http://127.0.0.1/.well-known/oauth-protected-resource/mcp",
		SessionTimeout:      30 * time.Minute,
		MaxBodyBytes:        1 << 20,
		TroubleshootStep:    5 * time.Second,
	})
	mux := http.NewServeMux()
	mux.Handle("/mcp", svc.Handler())
	mux.Handle("/.well-known/oauth-protected-resource/mcp", svc.MetadataHandler())
	telemetry.HealthHandlers(mux, logger, []telemetry.Check{{Name: "store:contoso", Run: func(ctx context.Context) error {
		_, err := st.Seeded(ctx)
		return err
	}}}, nil)
	return &Endpoint{Store: st, Verifier: v, Policy: policy, Service: svc, Handler: telemetry.Middleware(logger, mux)}, nil
}

// Close closes the store.
func (e *Endpoint) Close() error { return e.Store.Close() }

// SeedDataDir creates dataDir/contoso.db with the default data set as of
// asOf (what the first start of `contoso-mcp serve` does) and the dev
// issuer's key, and returns the issuer.
func SeedDataDir(ctx context.Context, dataDir string, asOf time.Time) (*auth.DevIssuer, error) {
	st, err := sqlite.Open(ctx, filepath.Join(dataDir, "contoso.db"))
	if err != nil {
		return nil, err
	}
	d, err := seed.Generate(seed.Options{Seed: seed.TenantSeed("contoso"), Customers: seed.DefaultCustomers, AsOf: asOf})
	if err == nil {
		err = st.Load(ctx, d)
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return auth.LoadOrCreateDevIssuer(dataDir)
}
