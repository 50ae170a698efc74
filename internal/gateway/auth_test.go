package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth/authtest"
	"github.com/golang-jwt/jwt/v5"
)

const (
	tidContoso  = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	tidFabrikam = "4a5b6c7d-0000-4000-8000-00000000fab1"
	tidOther    = "0d9c8b7a-6543-4210-8fed-cba987654321"
)

// TestEntraV1AndV2TokensAtTheGateway runs a gateway in entra mode against a
// local stand-in for Entra (keys served over HTTP as Entra serves them): the
// v1.0 and v2.0 access tokens of each route's tenant reach its backend; the
// wrong shapes are refused at the edge with the reason, and reach nothing.
func TestEntraV1AndV2TokensAtTheGateway(t *testing.T) {
	ent := authtest.NewEntra(t, tidContoso, tidFabrikam, tidOther)
	contoso, fabrikam := newFakeBackend(t, "contoso"), newFakeBackend(t, "fabrikam")
	yaml := fmt.Sprintf(`public_base_url: https://mcp.contoso.example
auth:
  mode: entra
  authority: %s
  audience: [%s, %s]
  max_token_lifetime: 2h
routes:
  - {path: /contoso-mcp, tenants: [%s], backends: [%s]}
  - {path: /fabrikam-mcp, tenants: [%s], backends: [%s]}
`, ent.URL(), authtest.ClientID, authtest.AppIDURI, tidContoso, contoso.url(), tidFabrikam, fabrikam.url())
	cfg, err := Parse([]byte(yaml))
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	gw, err := New(ctx, cfg, Options{Logger: slog.New(slog.NewJSONHandler(&lockedBuffer{}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gw.Close)
	srv := httptest.NewServer(gw.Handler())
	t.Cleanup(srv.Close)

	now := time.Now()
	for _, c := range []struct {
		ver, tid, path string
		backend        *fakeBackend
	}{
		{"2.0", tidContoso, "/contoso-mcp", contoso},
		{"1.0", tidContoso, "/contoso-mcp", contoso},
		{"2.0", tidFabrikam, "/fabrikam-mcp", fabrikam},
		{"1.0", tidFabrikam, "/fabrikam-mcp", fabrikam},
	} {
		before := c.backend.count()
		resp := post(t, srv.URL+c.path, ent.AccessToken(t, c.ver, c.tid, now, nil), callBody)
		if body := readAll(t, resp); resp.StatusCode != 200 || c.backend.count() != before+1 {
			t.Errorf("v%s token of %s on %s: %d %s", c.ver, c.tid, c.path, resp.StatusCode, body)
		}
	}

	iat := now.Add(-5 * time.Minute)
	set := func(k string, v any) func(jwt.MapClaims) { return func(c jwt.MapClaims) { c[k] = v } }
	reached := contoso.count() + fabrikam.count()
	for _, c := range []struct{ name, token, reason string }{
		{"v1.0 issuer on a ver 2.0 token", ent.AccessToken(t, "2.0", tidContoso, now, set("iss", authtest.V1IssuerPrefix+tidContoso+"/")), "wrong issuer"},
		{"v2.0 issuer on a ver 1.0 token", ent.AccessToken(t, "1.0", tidContoso, now, set("iss", ent.URL()+"/"+tidContoso+"/v2.0")), "wrong issuer"},
		{"the other route's tenant's issuer with this tid", ent.AccessToken(t, "2.0", tidContoso, now, set("iss", ent.URL()+"/"+tidFabrikam+"/v2.0")), "wrong issuer"},
		{"a tenant no route serves", ent.AccessToken(t, "2.0", tidOther, now, nil), "tenant not allowed"},
		{"ID token", ent.Sign(t, tidContoso, ent.IDTokenClaims(tidContoso, now)), "ID token not accepted"},
		{"v1.0 token without appid", ent.AccessToken(t, "1.0", tidContoso, now, func(c jwt.MapClaims) { delete(c, "appid") }), "ID token not accepted"},
		{"wrong audience", ent.AccessToken(t, "2.0", tidContoso, now, set("aud", "api://someone-else")), "wrong audience"},
		{"lifetime over max_token_lifetime", ent.AccessToken(t, "2.0", tidContoso, now, set("exp", iat.Add(2*time.Hour+time.Second).Unix())), "token lifetime over the maximum"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := post(t, srv.URL+"/contoso-mcp", c.token, callBody)
			readAll(t, resp)
			if h := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || !strings.Contains(h, `error_description="`+c.reason+`"`) {
				t.Errorf("%d %q, want 401 saying %q", resp.StatusCode, h, c.reason)
			}
		})
	}
	if n := contoso.count() + fabrikam.count(); n != reached {
		t.Errorf("%d refused requests reached a backend", n-reached)
	}
	// A tenant's token on the other tenant's route: verified, then 403.
	resp := post(t, srv.URL+"/fabrikam-mcp", ent.AccessToken(t, "1.0", tidContoso, now, nil), callBody)
	if readAll(t, resp); resp.StatusCode != 403 {
		t.Errorf("contoso's token on fabrikam's route: %d", resp.StatusCode)
	}
}
