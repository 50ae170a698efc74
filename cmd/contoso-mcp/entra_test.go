package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth/authtest"
	"github.com/golang-jwt/jwt/v5"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	entraTenant      = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	entraOtherTenant = "4a5b6c7d-0000-4000-8000-00000000fab1"
)

// TestServeEntraV1AndV2Tokens runs the real serve command in entra mode
// against a local stand-in for Entra (keys served over HTTP as Entra does):
// v1.0 and v2.0 access tokens are accepted with MCP_API_AUDIENCE holding
// both the client id and the Application ID URI; the wrong shapes get 401
// with the reason.
func TestServeEntraV1AndV2Tokens(t *testing.T) {
	ent := authtest.NewEntra(t, entraTenant, entraOtherTenant)
	url, _, stop := startServe(t, map[string]string{
		"AUTH_MODE":           "entra",
		"ENTRA_AUTHORITY":     ent.URL(),
		"ALLOWED_TENANTS":     entraTenant + "=contoso",
		"MCP_API_AUDIENCE":    authtest.ClientID + "," + authtest.AppIDURI,
		"SEED_CUSTOMER_COUNT": "5",
	}, "--data-dir", t.TempDir())
	defer stop()

	for _, ver := range []string{"1.0", "2.0"} {
		cs := connect(t, url, "2026-07-28", ent.AccessToken(t, ver, entraTenant, time.Now(), nil))
		r, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_customer_detail", Arguments: map[string]any{"customer_id": 1}})
		if err != nil || r.IsError {
			t.Errorf("v%s token: get_customer_detail: %v %s", ver, err, text(r))
		}
	}

	now := time.Now()
	iat := now.Add(-5 * time.Minute)
	cases := []struct{ name, token, reason string }{
		{"v1.0 issuer on a ver 2.0 token", ent.AccessToken(t, "2.0", entraTenant, now, func(c jwt.MapClaims) { c["iss"] = authtest.V1IssuerPrefix + entraTenant + "/" }), "wrong issuer"},
		{"v2.0 issuer on a ver 1.0 token", ent.AccessToken(t, "1.0", entraTenant, now, func(c jwt.MapClaims) { c["iss"] = ent.URL() + "/" + entraTenant + "/v2.0" }), "wrong issuer"},
		{"another tenant's issuer with this tid", ent.AccessToken(t, "2.0", entraTenant, now, func(c jwt.MapClaims) { c["iss"] = ent.URL() + "/" + entraOtherTenant + "/v2.0" }), "wrong issuer"},
		{"a tenant not allowed", ent.AccessToken(t, "2.0", entraOtherTenant, now, nil), "tenant not allowed"},
		{"ID token", ent.Sign(t, entraTenant, ent.IDTokenClaims(entraTenant, now)), "ID token not accepted"},
		{"wrong audience", ent.AccessToken(t, "1.0", entraTenant, now, func(c jwt.MapClaims) { c["aud"] = "api://someone-else" }), "wrong audience"},
		{"a ten-year token", ent.AccessToken(t, "2.0", entraTenant, now, func(c jwt.MapClaims) { c["exp"] = iat.AddDate(10, 0, 0).Unix() }), "token lifetime over the maximum"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("Authorization", "Bearer "+c.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if h := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || !strings.Contains(h, `error_description="`+c.reason+`"`) {
				t.Errorf("%d %q, want 401 saying %q", resp.StatusCode, h, c.reason)
			}
		})
	}
}

// TestEntraAndLifetimeSettingsRefusedAtStart: tenants that are not tenant
// ids and bad lifetimes stop serve before it starts, naming the variable.
func TestEntraAndLifetimeSettingsRefusedAtStart(t *testing.T) {
	entra := func(kv ...string) map[string]string {
		m := map[string]string{"AUTH_MODE": "entra", "MCP_API_AUDIENCE": authtest.ClientID, "ALLOWED_TENANTS": entraTenant + "=contoso"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"tenant a name", entra("ALLOWED_TENANTS", "contoso=contoso"), `ALLOWED_TENANTS: AUTH_MODE=entra: tenant id "contoso" is not a GUID`},
		{"tenant a domain", entra("ALLOWED_TENANTS", "contoso.onmicrosoft.com=contoso"), "ALLOWED_TENANTS: AUTH_MODE=entra: tenant id \"contoso.onmicrosoft.com\" is not a GUID"},
		{"tenant in upper case", entra("ALLOWED_TENANTS", strings.ToUpper(entraTenant)+"=contoso"), "ALLOWED_TENANTS: AUTH_MODE=entra: tenant id \"72F988BF-86F1-41AF-91AB-2D7CD011DB47\": write it in lower case"},
		{"AAD_TENANT_ID a name", entra("ALLOWED_TENANTS", "", "AAD_TENANT_ID", "contoso"), `AAD_TENANT_ID: AUTH_MODE=entra: tenant id "contoso" is not a GUID`},
		{"lifetime not a duration", entra("MAX_TOKEN_LIFETIME", "forever"), `MAX_TOKEN_LIFETIME: "forever" is not a duration from 1m to 168h0m0s`},
		{"lifetime zero", entra("MAX_TOKEN_LIFETIME", "0s"), "MAX_TOKEN_LIFETIME"},
		{"lifetime negative", entra("MAX_TOKEN_LIFETIME", "-1h"), "MAX_TOKEN_LIFETIME"},
		{"lifetime of ten years", entra("MAX_TOKEN_LIFETIME", "87600h"), "MAX_TOKEN_LIFETIME"},
		{"lifetime bad in dev mode too", map[string]string{"MAX_TOKEN_LIFETIME": "30s"}, "MAX_TOKEN_LIFETIME"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := run(context.Background(), []string{"contoso-mcp", "serve", "--data-dir", t.TempDir()}, envOf(c.env), strings.NewReader(""), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestTokenCommandTTLWithinMaxLifetime: the token command never mints what
// serve would refuse; its default still works, lowered to a smaller
// MAX_TOKEN_LIFETIME.
func TestTokenCommandTTLWithinMaxLifetime(t *testing.T) {
	lifetime := func(env map[string]string, args ...string) (time.Duration, error) {
		var out strings.Builder
		err := run(context.Background(), append([]string{"contoso-mcp", "token", "--data-dir", t.TempDir()}, args...), envOf(env), nil, &out, io.Discard)
		if err != nil {
			return 0, err
		}
		c := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(out.String()), c); err != nil {
			t.Fatal(err)
		}
		exp, _ := c.GetExpirationTime()
		iat, _ := c.GetIssuedAt()
		return exp.Sub(iat.Time), nil
	}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want time.Duration // 0: refused
	}{
		{"defaults", nil, nil, time.Hour},
		{"--ttl 24h, the default maximum", nil, []string{"--ttl", "24h"}, 24 * time.Hour},
		{"--ttl over the default maximum", nil, []string{"--ttl", "25h"}, 0},
		{"default --ttl under a shorter maximum", map[string]string{"MAX_TOKEN_LIFETIME": "30m"}, nil, 30 * time.Minute},
		{"--ttl over a shorter maximum", map[string]string{"MAX_TOKEN_LIFETIME": "30m"}, []string{"--ttl", "1h"}, 0},
		{"--ttl 48h under a longer maximum", map[string]string{"MAX_TOKEN_LIFETIME": "48h"}, []string{"--ttl", "48h"}, 48 * time.Hour},
		{"a bad maximum", map[string]string{"MAX_TOKEN_LIFETIME": "soon"}, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := lifetime(c.env, c.args...)
			if c.want == 0 {
				if err == nil || !strings.Contains(err.Error(), "MAX_TOKEN_LIFETIME") {
					t.Errorf("error %v, want one naming MAX_TOKEN_LIFETIME", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("lifetime %s, %v; want %s", got, err, c.want)
			}
		})
	}
}
