package gateway

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// AuthConfig is the auth.Config of the gateway's verifier: the same
// verifier serve builds for the same mode, accepting the tenants of every
// route. Which route a tenant may use is the gateway's own check, after
// verification. Principal.TenantID is the claim as issued; the tenant names
// (which select data) are the backends' business, so each id maps to itself.
func (c *Config) AuthConfig(log *slog.Logger) auth.Config {
	tenants := map[string]string{}
	for _, t := range c.Tenants() {
		tenants[t] = t
	}
	a := c.Auth
	return auth.Config{
		Mode:             a.Mode,
		Audiences:        a.Audience,
		Tenants:          tenants,
		Authority:        a.Authority,
		OIDCIssuer:       a.Issuer,
		TenantClaim:      a.TenantClaim,
		DataDir:          a.DataDir,
		MaxTokenLifetime: a.MaxTokenLifetime.D(),
		Logger:           log,
	}
}

// NewVerifier builds the verifier of c (see AuthConfig). In entra and oidc
// modes it fetches the key sets before returning and keeps them fresh until
// ctx ends.
func (c *Config) NewVerifier(ctx context.Context, log *slog.Logger) (auth.Verifier, error) {
	v, err := auth.New(ctx, c.AuthConfig(log))
	if err != nil {
		return nil, fmt.Errorf("auth (mode %s): %w", c.Auth.Mode, err)
	}
	return v, nil
}

// MetadataPath is where a route's protected-resource metadata lives (RFC
// 9728 §3.1: the well-known segment goes between the host and the path).
func MetadataPath(route string) string { return "/.well-known/oauth-protected-resource" + route }

// Metadata is the protected-resource metadata of a route: the resource is
// the gateway's URL of the route, and the authorization servers are those
// of the route's tenants.
func (c *Config) Metadata(r *Route) *oauthex.ProtectedResourceMetadata {
	md := &oauthex.ProtectedResourceMetadata{
		Resource:               c.PublicBaseURL + r.Path,
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "Contoso customer support (MCP) " + r.Path,
		ScopesSupported:        c.Auth.Scopes,
	}
	switch c.Auth.Mode {
	case auth.ModeEntra:
		for _, tid := range r.Tenants {
			md.AuthorizationServers = append(md.AuthorizationServers, c.Auth.Authority+"/"+tid+"/v2.0")
		}
		if len(md.ScopesSupported) == 0 {
			md.ScopesSupported = []string{c.Auth.Audience[0] + "/.default"}
		}
	case auth.ModeOIDC:
		md.AuthorizationServers = []string{c.Auth.Issuer}
	case auth.ModeDev:
		// serve publishes the development issuer under /dev-issuer; the
		// gateway's command mounts the same publisher.
		md.AuthorizationServers = []string{c.PublicBaseURL + "/dev-issuer"}
	}
	return md
}
