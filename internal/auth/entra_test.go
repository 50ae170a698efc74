package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth/authtest"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

// entraShaped is an entra-mode verifier of tenants A and B whose key sets are
// served over HTTP as Entra serves them (authtest), accepting both of the
// API's audiences, as SECURITY.md tells operators to configure it.
func entraShaped(t *testing.T, edit func(*Config)) (*authtest.Entra, *clock, Verifier) {
	t.Helper()
	ent := authtest.NewEntra(t, tidA, tidB, tidOther)
	c := newClock()
	cfg := Config{
		Mode:      ModeEntra,
		Audiences: []string{authtest.ClientID, authtest.AppIDURI},
		Tenants:   map[string]string{tidA: "contoso", tidB: "fabrikam"},
		Authority: ent.URL(),
		Now:       c.Now,
		Logger:    newTestLogger(&syncBuffer{}),
	}
	if edit != nil {
		edit(&cfg)
	}
	v, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ent, c, v
}

// TestEntraV1AndV2AccessTokens: the tokens Entra really issues are
// accepted, whichever version the API's app registration asks for
// (accessTokenAcceptedVersion), each against its own issuer.
func TestEntraV1AndV2AccessTokens(t *testing.T) {
	ent, c, v := entraShaped(t, nil)
	now := c.Now()
	iat := now.Add(-5 * time.Minute)
	v1, v2 := authtest.V1IssuerPrefix+tidA+"/", ent.URL()+"/"+tidA+"/v2.0"
	cases := []struct {
		name, ver, tid, iss string
		edit                func(jwt.MapClaims)
	}{
		{"v2.0, aud the client id", "2.0", tidA, v2, nil},
		{"v2.0 of tenant B", "2.0", tidB, ent.URL() + "/" + tidB + "/v2.0", nil},
		{"v2.0 app-only, no scp", "2.0", tidA, v2, func(c jwt.MapClaims) { delete(c, "scp") }},
		{"v1.0, aud the Application ID URI", "1.0", tidA, v1, nil},
		{"v1.0, aud the client id", "1.0", tidA, v1, func(c jwt.MapClaims) { c["aud"] = authtest.ClientID }},
		{"v1.0 of tenant B", "1.0", tidB, authtest.V1IssuerPrefix + tidB + "/", nil},
		{"lifetime of exactly the maximum", "2.0", tidA, v2, func(c jwt.MapClaims) { c["exp"] = iat.Add(24 * time.Hour).Unix() }},
		{"no iat: lifetime from nbf", "1.0", tidA, v1, func(c jwt.MapClaims) { delete(c, "iat"); c["exp"] = iat.Add(24 * time.Hour).Unix() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := ent.AccessToken(t, tc.ver, tc.tid, now, tc.edit)
			got := mustVerify(t, v, tok)
			claims := ent.AccessClaims(tc.ver, tc.tid, now)
			if tc.edit != nil {
				tc.edit(claims)
			}
			exp := time.Unix(claims["exp"].(int64), 0)
			want := &Principal{
				Tenant: map[string]string{tidA: "contoso", tidB: "fabrikam"}[tc.tid], TenantID: tc.tid,
				Subject: claims["oid"].(string), Roles: []string{"query"}, Issuer: tc.iss, ExpiresAt: exp,
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("principal (-want +got):\n%s", d)
			}
		})
	}
	// One key set per tenant, fetched once at start, serves both versions.
	if ent.Requests(tidA) != 1 || ent.Requests(tidB) != 1 || ent.Requests(tidOther) != 0 {
		t.Errorf("key set requests: A %d, B %d, other %d; want 1, 1, 0", ent.Requests(tidA), ent.Requests(tidB), ent.Requests(tidOther))
	}
}

// TestEntraShapeRefusals: a token must be the access token of its version,
// from its own tenant's issuer, for this API, and not live too long.
func TestEntraShapeRefusals(t *testing.T) {
	ent, c, v := entraShaped(t, nil)
	now := c.Now()
	iat := now.Add(-5 * time.Minute)
	set := func(kv ...any) func(jwt.MapClaims) {
		return func(c jwt.MapClaims) {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == nil {
					delete(c, kv[i].(string))
				} else {
					c[kv[i].(string)] = kv[i+1]
				}
			}
		}
	}
	v1iss := func(tid string) string { return authtest.V1IssuerPrefix + tid + "/" }
	v2iss := func(tid string) string { return ent.URL() + "/" + tid + "/v2.0" }
	cases := []struct {
		name, token, want string
	}{
		{"v1.0 issuer on a ver 2.0 token", ent.AccessToken(t, "2.0", tidA, now, set("iss", v1iss(tidA))), ReasonIssuer},
		{"v2.0 issuer on a ver 1.0 token", ent.AccessToken(t, "1.0", tidA, now, set("iss", v2iss(tidA))), ReasonIssuer},
		{"v2.0: another tenant's issuer with this tid", ent.AccessToken(t, "2.0", tidA, now, set("iss", v2iss(tidB))), ReasonIssuer},
		{"v1.0: another tenant's issuer with this tid", ent.AccessToken(t, "1.0", tidA, now, set("iss", v1iss(tidB))), ReasonIssuer},
		{"v1.0: issuer without its trailing slash", ent.AccessToken(t, "1.0", tidA, now, set("iss", strings.TrimSuffix(v1iss(tidA), "/"))), ReasonIssuer},
		{"v1.0: the v1 form on the authority's host", ent.AccessToken(t, "1.0", tidA, now, set("iss", ent.URL()+"/"+tidA+"/")), ReasonIssuer},
		{"v2.0: issuer of the public cloud, not the configured authority", ent.AccessToken(t, "2.0", tidA, now, set("iss", DefaultAuthority+"/"+tidA+"/v2.0")), ReasonIssuer},
		{"a tenant not allowed, with its own issuer and key", ent.AccessToken(t, "2.0", tidOther, now, nil), ReasonTenantNotAllowed},
		{"a tenant not allowed, v1.0", ent.AccessToken(t, "1.0", tidOther, now, nil), ReasonTenantNotAllowed},
		{"signed with another tenant's key", ent.Sign(t, tidB, ent.AccessClaims("2.0", tidA, now)), ReasonUnknownKey},
		{"v2.0 ID token for the API's own app (aud the client id, no azp)", ent.Sign(t, tidA, ent.IDTokenClaims(tidA, now)), ReasonIDToken},
		{"v2.0 ID token with a nonce", ent.Sign(t, tidA, func() jwt.MapClaims { c := ent.IDTokenClaims(tidA, now); c["nonce"] = "n-0S6"; return c }()), ReasonIDToken},
		{"v2.0 without azp", ent.AccessToken(t, "2.0", tidA, now, set("azp", nil)), ReasonIDToken},
		{"v2.0 with appid instead of azp", ent.AccessToken(t, "2.0", tidA, now, set("azp", nil, "appid", authtest.CallerID)), ReasonIDToken},
		{"v2.0 with an empty azp", ent.AccessToken(t, "2.0", tidA, now, set("azp", "")), ReasonIDToken},
		{"v1.0 without appid", ent.AccessToken(t, "1.0", tidA, now, set("appid", nil)), ReasonIDToken},
		{"v1.0 with azp instead of appid", ent.AccessToken(t, "1.0", tidA, now, set("appid", nil, "azp", authtest.CallerID)), ReasonIDToken},
		{"no ver", ent.AccessToken(t, "2.0", tidA, now, set("ver", nil)), ReasonTokenVersion},
		{"ver 2", ent.AccessToken(t, "2.0", tidA, now, set("ver", "2")), ReasonTokenVersion},
		{"ver a number", ent.AccessToken(t, "2.0", tidA, now, set("ver", 2.0)), ReasonTokenVersion},
		{"ver 3.0", ent.AccessToken(t, "2.0", tidA, now, set("ver", "3.0")), ReasonTokenVersion},
		{"v2.0 for another API", ent.AccessToken(t, "2.0", tidA, now, set("aud", "00000003-0000-0000-c000-000000000000")), ReasonAudience},
		{"v1.0 for Microsoft Graph", ent.AccessToken(t, "1.0", tidA, now, set("aud", "https://graph.microsoft.com")), ReasonAudience},
		{"v2.0 living a second over the maximum", ent.AccessToken(t, "2.0", tidA, now, set("exp", iat.Add(24*time.Hour+time.Second).Unix())), ReasonLifetime},
		{"v1.0 living ten years", ent.AccessToken(t, "1.0", tidA, now, set("exp", iat.AddDate(10, 0, 0).Unix())), ReasonLifetime},
		{"no iat, nbf ten years back", ent.AccessToken(t, "2.0", tidA, now, set("iat", nil, "nbf", now.AddDate(-10, 0, 0).Unix())), ReasonLifetime},
		{"iat now, nbf ten years back", ent.AccessToken(t, "2.0", tidA, now, set("nbf", now.AddDate(-10, 0, 0).Unix())), ReasonLifetime},
		{"neither iat nor nbf, exp in 25 hours", ent.AccessToken(t, "2.0", tidA, now, set("iat", nil, "nbf", nil, "exp", now.Add(25*time.Hour).Unix())), ReasonLifetime},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantRefused(t, v, tc.token, tc.want) })
	}
}

// TestEntraOnlyTheApplicationIDURI is the configuration SECURITY.md used to
// recommend: v1.0 tokens pass, but the v2.0 tokens of an app registration
// with accessTokenAcceptedVersion 2 carry the client id and are refused.
func TestEntraOnlyTheApplicationIDURI(t *testing.T) {
	ent, c, v := entraShaped(t, func(c *Config) { c.Audiences = []string{authtest.AppIDURI} })
	mustVerify(t, v, ent.AccessToken(t, "1.0", tidA, c.Now(), nil))
	wantRefused(t, v, ent.AccessToken(t, "2.0", tidA, c.Now(), nil), ReasonAudience)
}

func TestMaxTokenLifetimeConfigured(t *testing.T) {
	ent, c, v := entraShaped(t, func(c *Config) { c.MaxTokenLifetime = 80 * time.Minute })
	now := c.Now()
	mustVerify(t, v, ent.AccessToken(t, "2.0", tidA, now, nil)) // 75 minutes
	wantRefused(t, v, ent.AccessToken(t, "2.0", tidA, now, func(c jwt.MapClaims) { c["exp"] = now.Add(80 * time.Minute).Unix() }), ReasonLifetime)

	// The dev issuer's tokens too: a 2-hour token over a 1-hour maximum.
	dir := t.TempDir()
	dv, err := New(t.Context(), Config{Mode: ModeDev, Tenants: map[string]string{"contoso": "contoso"}, DataDir: dir, MaxTokenLifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	iss, err := LoadOrCreateDevIssuer(dir)
	if err != nil {
		t.Fatal(err)
	}
	for ttl, want := range map[time.Duration]string{time.Hour: "<nil>", 2 * time.Hour: ReasonLifetime} {
		tok, err := iss.Mint("contoso", "dev-user", []string{"query"}, ttl)
		if err != nil {
			t.Fatal(err)
		}
		_, err = dv.Verify(t.Context(), tok)
		if got := reasonOf(err); got != want {
			t.Errorf("dev token of %s: %s, want %s", ttl, got, want)
		}
	}
}

func TestEntraConfigRefusals(t *testing.T) {
	base := func(edit func(*Config)) Config {
		c := Config{Mode: ModeEntra, Audiences: []string{authtest.ClientID}, Tenants: map[string]string{tidA: "contoso"}, Authority: "https://login.example.com"}
		edit(&c)
		return c
	}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"tenant a name", base(func(c *Config) { c.Tenants = map[string]string{"contoso": "contoso"} }), `Config.Tenants: tenant id "contoso" is not a GUID`},
		{"tenant a domain", base(func(c *Config) { c.Tenants = map[string]string{"contoso.onmicrosoft.com": "contoso"} }), "is not a GUID"},
		{"tenant common", base(func(c *Config) { c.Tenants = map[string]string{"common": "contoso"} }), "is not a GUID"},
		{"tenant a GUID in braces", base(func(c *Config) { c.Tenants = map[string]string{"{" + tidA + "}": "contoso"} }), "is not a GUID"},
		{"tenant a GUID with a non-hex digit", base(func(c *Config) { c.Tenants = map[string]string{"g" + tidA[1:]: "contoso"} }), "is not a GUID"},
		{"tenant in upper case", base(func(c *Config) { c.Tenants = map[string]string{strings.ToUpper(tidA): "contoso"} }), "lower case"},
		{"lifetime negative", base(func(c *Config) { c.MaxTokenLifetime = -time.Hour }), "Config.MaxTokenLifetime: -1h0m0s is outside"},
		{"lifetime under a minute", base(func(c *Config) { c.MaxTokenLifetime = time.Second }), "Config.MaxTokenLifetime"},
		{"lifetime over a week", base(func(c *Config) { c.MaxTokenLifetime = LongestMaxTokenLifetime + time.Second }), "Config.MaxTokenLifetime"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(t.Context(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
