package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// security is the wiring of the token checks for serve: the verifier of the
// configured mode, the role policy, the principal of token-less transports,
// the protected-resource metadata and the warnings a risky mode earns.
type security struct {
	verifier auth.Verifier
	policy   auth.Policy
	local    *auth.Principal
	metadata *oauthex.ProtectedResourceMetadata
	warnings []string
	dev      *devPublisher
}

func newSecurity(ctx context.Context, cfg *config, log *slog.Logger) (*security, error) {
	a := cfg.Auth
	s := &security{policy: auth.Policy{QueryRole: a.QueryRole, AdminRole: a.AdminRole, SecurityRole: a.SecurityRole}}
	if a.PolicyFile != "" {
		p, err := auth.LoadPolicyFile(a.PolicyFile)
		if err != nil {
			return nil, fmt.Errorf("ROLE_POLICY_FILE: %w", err)
		}
		s.policy = p
	}
	tenants := a.AllowedTenants
	if a.Mode == "dev" || a.Mode == "passthrough" || a.Mode == "disabled" {
		tenants = map[string]string{}
		for _, t := range cfg.Tenants {
			tenants[t] = t
		}
	}
	acfg := auth.Config{
		Mode: a.Mode, Audiences: a.Audiences, Tenants: tenants, Authority: a.Authority,
		OIDCIssuer: a.OIDCIssuer, TenantClaim: a.TenantClaim, RolesClaim: a.RolesClaim,
		DefaultTenant: cfg.Tenants[0], DataDir: cfg.DataDir, Logger: log, MaxTokenLifetime: a.MaxLifetime,
	}
	v, err := auth.New(ctx, acfg)
	if err != nil {
		return nil, fmt.Errorf("AUTH_MODE=%s: %w", a.Mode, err)
	}
	s.verifier = v
	s.local = &auth.Principal{Tenant: cfg.Tenants[0], Subject: "stdio", Roles: cfg.StdioRoles}

	md := &oauthex.ProtectedResourceMetadata{
		Resource:               cfg.PublicBaseURL + "/mcp",
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "Contoso customer support (MCP)",
		ScopesSupported:        a.Scopes,
	}
	switch a.Mode {
	case "entra":
		for tid := range tenants {
			md.AuthorizationServers = append(md.AuthorizationServers, a.Authority+"/"+tid+"/v2.0")
		}
		if len(md.ScopesSupported) == 0 {
			md.ScopesSupported = []string{a.Audiences[0] + "/.default"}
		}
	case "oidc":
		md.AuthorizationServers = []string{a.OIDCIssuer}
	case "dev":
		iss, err := auth.LoadOrCreateDevIssuer(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		s.dev = &devPublisher{iss: iss}
		md.AuthorizationServers = []string{cfg.PublicBaseURL + "/dev-issuer"}
	case "passthrough":
		s.warnings = append(s.warnings, "AUTH_MODE=passthrough: token signatures are NOT checked; anyone can claim any tenant and role. Development only, loopback only.")
	case "disabled":
		s.local = &auth.Principal{Tenant: cfg.Tenants[0], Subject: "anonymous", Roles: roleNames(s.policy)}
		s.warnings = append(s.warnings, "DISABLE_AUTH=true: no token is asked for; every caller has every role on tenant "+cfg.Tenants[0]+". Development only, loopback only.")
	}
	for _, w := range s.warnings {
		log.Warn(w)
	}
	s.metadata = md
	return s, nil
}

// devPublisher publishes the development issuer's keys the way a real
// issuer does, so that other tools can verify its tokens too.
type devPublisher struct{ iss *auth.DevIssuer }

func (d *devPublisher) mount(mux *http.ServeMux, base string) {
	mux.HandleFunc("GET /dev-issuer/keys", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(d.iss.JWKS())
	})
	mux.HandleFunc("GET /dev-issuer/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                d.iss.Issuer(),
			"jwks_uri":                              base + "/dev-issuer/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"token_endpoint_auth_methods_supported": []string{"none"},
			"response_types_supported":              []string{"token"},
			"subject_types_supported":               []string{"public"},
		})
	})
}

// roleNames lists the policy's three role names.
func roleNames(p auth.Policy) []string { return []string{p.QueryRole, p.AdminRole, p.SecurityRole} }
