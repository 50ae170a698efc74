package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

func TestEntraTwoTenantsEachWithItsOwnKeys(t *testing.T) {
	e := newEntraEnv(t, nil)
	pa := mustVerify(t, e.v, e.token(nil))
	cb := e.claims(tidB)
	cb["roles"] = []string{"admin", "security"}
	cb["oid"] = "oid-bob"
	pb := mustVerify(t, e.v, sign(t, jwt.SigningMethodRS256, rsaB, map[string]any{"kid": "kB"}, cb))
	now := e.clock.Now()
	want := []*Principal{
		{Tenant: "contoso", TenantID: tidA, Subject: "oid-alice", Roles: []string{"query"}, Issuer: e.idp.URL() + "/" + tidA + "/v2.0", ExpiresAt: now.Add(time.Hour)},
		{Tenant: "fabrikam", TenantID: tidB, Subject: "oid-bob", Roles: []string{"admin", "security"}, Issuer: e.idp.URL() + "/" + tidB + "/v2.0", ExpiresAt: now.Add(time.Hour)},
	}
	if d := cmp.Diff(want, []*Principal{pa, pb}); d != "" {
		t.Fatalf("principals (-want +got):\n%s", d)
	}
	if e.idp.count(keysPath(tidA)) != 1 || e.idp.count(keysPath(tidB)) != 1 {
		t.Fatalf("each tenant's endpoint should be fetched once at start")
	}
	// Tenant B's key cannot sign for tenant A, even with A's kid.
	wantRefused(t, e.v, sign(t, jwt.SigningMethodRS256, rsaB, map[string]any{"kid": "kA"}, e.claims(tidA)), ReasonSignature)
}

func TestEntraAccepts(t *testing.T) {
	e := newEntraEnv(t, nil)
	now := e.clock.Now()
	rs := func(header map[string]any, edit func(jwt.MapClaims)) string {
		c := e.claims(tidA)
		if edit != nil {
			edit(c)
		}
		return sign(t, jwt.SigningMethodRS256, rsaA, header, c)
	}
	kA := map[string]any{"kid": "kA"}
	set := func(k string, v any) func(jwt.MapClaims) {
		return func(c jwt.MapClaims) {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
	}
	cases := []struct {
		name  string
		token string
		check func(*Principal) bool
	}{
		{"client id audience", rs(kA, set("aud", audID)), nil},
		{"aud array of one accepted value", rs(kA, set("aud", []string{audURI})), nil},
		{"typ absent", rs(map[string]any{"kid": "kA", "typ": nil}, nil), nil},
		{"typ at+jwt", rs(map[string]any{"kid": "kA", "typ": "at+jwt"}, nil), nil},
		{"typ application/at+jwt", rs(map[string]any{"kid": "kA", "typ": "application/at+jwt"}, nil), nil},
		{"Entra's x5t header", rs(map[string]any{"kid": "kA", "x5t": "kA"}, nil), nil},
		{"exp just within leeway", rs(kA, set("exp", now.Add(-59*time.Second).Unix())), nil},
		{"nbf just within leeway", rs(kA, set("nbf", now.Add(59*time.Second).Unix())), nil},
		{"iat just within leeway", rs(kA, set("iat", now.Add(59*time.Second).Unix())), nil},
		{"no nbf and no iat", rs(kA, func(c jwt.MapClaims) { delete(c, "nbf"); delete(c, "iat") }), nil},
		{"no roles: verifies, holds none", rs(kA, set("roles", nil)), func(p *Principal) bool { return p.Roles == nil }},
		{"roles a string: verifies, holds none", rs(kA, set("roles", "admin")), func(p *Principal) bool { return p.Roles == nil }},
		{"no oid: sub is the subject", rs(kA, set("oid", nil)), func(p *Principal) bool { return p.Subject == "sub-alice" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustVerify(t, e.v, c.token)
			if p.Tenant != "contoso" || (c.check != nil && !c.check(p)) {
				t.Fatalf("principal %+v", p)
			}
		})
	}
}

func TestVerifiedTokenCache(t *testing.T) {
	e := newEntraEnv(t, func(c *Config) { c.TokenCacheSize = 3 })
	tok := e.token(func(c jwt.MapClaims) { c["exp"] = e.clock.Now().Add(2 * time.Minute).Unix() })
	p := mustVerify(t, e.v, tok)
	p.Roles[0] = "admin" // a caller changing its copy changes nothing
	p2 := mustVerify(t, e.v, tok)
	if p2.Roles[0] != "query" {
		t.Fatalf("cached principal was changed through a returned copy")
	}
	if e.v.cache.len() != 1 {
		t.Fatalf("cache len %d", e.v.cache.len())
	}
	// Bounded: the oldest entries go.
	for i := range 4 {
		mustVerify(t, e.v, e.token(func(c jwt.MapClaims) { c["jti"] = i }))
	}
	if e.v.cache.len() != 3 {
		t.Fatalf("cache len %d, want 3", e.v.cache.len())
	}
	if _, ok := e.v.cache.get(sha256.Sum256([]byte(tok)), e.clock.Now()); ok {
		t.Fatalf("the oldest entry was not evicted")
	}
	// An entry ends with its token (exp + leeway).
	mustVerify(t, e.v, tok)
	e.clock.Advance(2*time.Minute + 59*time.Second)
	mustVerify(t, e.v, tok)
	e.clock.Advance(time.Second)
	wantRefused(t, e.v, tok, ReasonExpired)
}

func TestTokenCacheMaxAge(t *testing.T) {
	e := newEntraEnv(t, nil)
	tok := e.token(nil) // exp in an hour
	mustVerify(t, e.v, tok)
	sum := sha256.Sum256([]byte(tok))
	if _, ok := e.v.cache.get(sum, e.clock.Now().Add(MaxCacheAge-time.Second)); !ok {
		t.Fatal("entry gone early")
	}
	if _, ok := e.v.cache.get(sum, e.clock.Now().Add(MaxCacheAge)); ok {
		t.Fatal("entry outlived MaxCacheAge")
	}
}

func TestOIDCViaDiscovery(t *testing.T) {
	loadKeys(t)
	p := newIdP(t)
	p.discovery = map[string]any{"issuer": p.URL(), "jwks_uri": p.URL() + "/jwks"}
	p.setKeys("/jwks", rsaJWK("k1", rsaA))
	c := newClock()
	base := Config{
		Mode: ModeOIDC, OIDCIssuer: p.URL(), Audiences: []string{"contoso-mcp"},
		TenantClaim: "org", Tenants: map[string]string{"org-1": "contoso", "org-2": "fabrikam"},
		RolesClaim: "realm_access.roles", Now: c.Now, Logger: newTestLogger(&syncBuffer{}),
	}
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		m := jwt.MapClaims{
			"iss": p.URL(), "aud": "contoso-mcp", "sub": "user-7", "org": "org-2",
			"realm_access": map[string]any{"roles": []string{"admin"}},
			"iat":          c.Now().Unix(), "exp": c.Now().Add(time.Hour).Unix(),
		}
		if edit != nil {
			edit(m)
		}
		return m
	}
	v, err := New(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	got := mustVerify(t, v, sign(t, jwt.SigningMethodRS256, rsaA, map[string]any{"kid": "k1"}, claims(nil)))
	want := &Principal{Tenant: "fabrikam", TenantID: "org-2", Subject: "user-7", Roles: []string{"admin"}, Issuer: p.URL(), ExpiresAt: c.Now().Add(time.Hour)}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if p.count("/.well-known/openid-configuration") != 1 || p.count("/jwks") != 1 {
		t.Fatalf("discovery %d, jwks %d fetches", p.count("/.well-known/openid-configuration"), p.count("/jwks"))
	}
	tok := func(edit func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodRS256, rsaA, map[string]any{"kid": "k1"}, claims(edit))
	}
	wantRefused(t, v, tok(func(m jwt.MapClaims) { m["org"] = "org-9" }), ReasonTenantNotAllowed)
	wantRefused(t, v, tok(func(m jwt.MapClaims) { delete(m, "org") }), ReasonMissingTenant)
	wantRefused(t, v, tok(func(m jwt.MapClaims) { m["iss"] = p.URL() + "/" }), ReasonIssuer)
	wantRefused(t, v, tok(func(m jwt.MapClaims) { m["nonce"] = "x" }), ReasonIDToken)

	// Single tenant: no tenant claim at all.
	single := base
	single.TenantClaim, single.Tenants, single.DefaultTenant = "", nil, "contoso"
	sv, err := New(t.Context(), single)
	if err != nil {
		t.Fatal(err)
	}
	sp := mustVerify(t, sv, tok(func(m jwt.MapClaims) { delete(m, "org") }))
	if sp.Tenant != "contoso" || sp.TenantID != "" {
		t.Fatalf("single tenant principal %+v", sp)
	}

	// Discovery must name exactly the configured issuer, and be reachable.
	for name, doc := range map[string]map[string]any{
		"issuer mismatch":   {"issuer": p.URL() + "/", "jwks_uri": p.URL() + "/jwks"},
		"no jwks_uri":       {"issuer": p.URL()},
		"plain http jwks":   {"issuer": p.URL(), "jwks_uri": "http://keys.example.com/jwks"},
		"jwks_uri not URL":  {"issuer": p.URL(), "jwks_uri": "::"},
		"issuer other host": {"issuer": "https://evil.example", "jwks_uri": p.URL() + "/jwks"},
	} {
		p.mu.Lock()
		p.discovery = doc
		p.mu.Unlock()
		if _, err := New(t.Context(), base); err == nil {
			t.Errorf("%s: New accepted the discovery document", name)
		}
	}
	p.mu.Lock()
	p.discovery = nil
	p.mu.Unlock()
	if _, err := New(t.Context(), base); err == nil || !strings.Contains(err.Error(), "OIDCIssuer") {
		t.Errorf("discovery down: %v", err)
	}
}

func TestPassthrough(t *testing.T) {
	c := newClock()
	v, err := New(t.Context(), Config{Mode: ModePassthrough, DefaultTenant: "contoso",
		Tenants: map[string]string{tidB: "fabrikam"}, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	none := map[string]any{"alg": "none", "typ": "JWT"}
	got := mustVerify(t, v, raw(t, none, map[string]any{"tid": tidB, "sub": "s", "oid": "o", "roles": []string{"security"}, "exp": c.Now().Add(time.Hour).Unix()}, ""))
	want := &Principal{Tenant: "fabrikam", TenantID: tidB, Subject: "o", Roles: []string{"security"}, Issuer: "passthrough", ExpiresAt: c.Now().Add(time.Hour)}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	got = mustVerify(t, v, raw(t, none, map[string]any{"tid": "unknown", "sub": "s", "iss": "x"}, ""))
	if got.Tenant != "contoso" || got.TenantID != "unknown" || got.Subject != "s" || got.Roles != nil || got.Issuer != "x" {
		t.Fatalf("fallback principal %+v", got)
	}
	wantRefused(t, v, raw(t, none, map[string]any{"sub": "s", "exp": c.Now().Add(-time.Hour).Unix()}, ""), ReasonExpired)
	wantRefused(t, v, "garbage", ReasonMalformed)
	wantRefused(t, v, "", ReasonMissing)
	wantRefused(t, v, raw(t, none, map[string]any{"exp": "soon"}, ""), ReasonTimeClaim)
	wantRefused(t, v, strings.Repeat("a", MaxTokenBytes+1), ReasonTooLarge)
}

func TestDisabled(t *testing.T) {
	v, err := New(t.Context(), Config{Mode: ModeDisabled, DefaultTenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", "anything"} {
		p := mustVerify(t, v, tok)
		want := &Principal{Tenant: "contoso", TenantID: "contoso", Subject: "anonymous", Roles: []string{"query", "admin", "security"}, Issuer: "disabled"}
		if d := cmp.Diff(want, p); d != "" {
			t.Fatalf("(-want +got):\n%s", d)
		}
		p.Roles[0] = "x"
	}
	v, _ = New(t.Context(), Config{Mode: ModeDisabled, DefaultTenant: "contoso", Policy: Policy{AdminRole: "Contoso.Admin"}})
	if p := mustVerify(t, v, ""); !DefaultPolicy().Access(p).Read || !(Policy{AdminRole: "Contoso.Admin"}).Access(p).Write {
		t.Fatalf("disabled principal %+v", p)
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	entra := func(edit func(*Config)) Config {
		c := Config{Mode: ModeEntra, Audiences: []string{audURI}, Tenants: map[string]string{tidA: "contoso"}, Authority: "https://login.example.com"}
		edit(&c)
		return c
	}
	cases := []struct {
		field string
		cfg   Config
	}{
		{"Mode", Config{}},
		{"Mode", Config{Mode: "Entra"}},
		{"Audiences", entra(func(c *Config) { c.Audiences = nil })},
		{"Audiences", entra(func(c *Config) { c.Audiences = []string{" api://x"} })},
		{"Tenants", entra(func(c *Config) { c.Tenants = nil })},
		{"Tenants", entra(func(c *Config) { c.Tenants = map[string]string{"../x": "contoso"} })},
		{"Tenants", entra(func(c *Config) { c.Tenants = map[string]string{tidA: "../etc"} })},
		{"TenantClaim", entra(func(c *Config) { c.TenantClaim = "org" })},
		{"Authority", entra(func(c *Config) { c.Authority = "http://login.example.com" })},
		{"Authority", entra(func(c *Config) { c.Authority = "ftp://x" })},
		{"Leeway", entra(func(c *Config) { c.Leeway = 2 * time.Minute })},
		{"Leeway", entra(func(c *Config) { c.Leeway = -time.Second })},
		{"RefreshInterval", entra(func(c *Config) { c.RefreshInterval = time.Millisecond })},
		{"UnknownKIDInterval", entra(func(c *Config) { c.UnknownKIDInterval = time.Millisecond })},
		{"FetchTimeout", entra(func(c *Config) { c.FetchTimeout = -1 })},
		{"MaxKeySetBytes", entra(func(c *Config) { c.MaxKeySetBytes = -1 })},
		{"OIDCIssuer", Config{Mode: ModeOIDC, Audiences: []string{"a"}}},
		{"DefaultTenant", Config{Mode: ModeOIDC, Audiences: []string{"a"}, OIDCIssuer: "https://idp.example"}},
		{"Tenants", Config{Mode: ModeOIDC, Audiences: []string{"a"}, OIDCIssuer: "https://idp.example", TenantClaim: "org"}},
		{"Audiences", Config{Mode: ModeOIDC, OIDCIssuer: "https://idp.example", DefaultTenant: "contoso"}},
		{"Audiences", Config{Mode: ModeDev, Audiences: []string{"other"}, Tenants: map[string]string{"contoso": "contoso"}, DataDir: t.TempDir()}},
		{"Tenants", Config{Mode: ModeDev, Tenants: map[string]string{"contoso": "fabrikam"}, DataDir: t.TempDir()}},
		{"Tenants", Config{Mode: ModeDev, DataDir: t.TempDir()}},
		{"DataDir", Config{Mode: ModeDev, Tenants: map[string]string{"contoso": "contoso"}}},
		{"DefaultTenant", Config{Mode: ModePassthrough}},
		{"DefaultTenant", Config{Mode: ModeDisabled}},
	}
	for _, c := range cases {
		_, err := New(t.Context(), c.cfg)
		if err == nil || !strings.Contains(err.Error(), "Config."+c.field+":") {
			t.Errorf("%+v: error %v does not name Config.%s", c.cfg, err, c.field)
		}
	}
}

func TestPrincipalKeyIsUnambiguous(t *testing.T) {
	a := &Principal{Issuer: "iss", TenantID: "t|1", Tenant: "x", Subject: "s"}
	b := &Principal{Issuer: "iss", TenantID: "t", Tenant: "1|x", Subject: "s"}
	c := &Principal{Issuer: "iss", TenantID: "t|1", Tenant: "x", Subject: "s"}
	if a.Key() == b.Key() || a.Key() != c.Key() {
		t.Fatalf("keys %q %q %q", a.Key(), b.Key(), c.Key())
	}
}

func TestErrorContract(t *testing.T) {
	err := refuse(ReasonExpired)
	if !errors.Is(err, ErrInvalidToken) || err.Error() != "invalid token: token expired" {
		t.Fatalf("%v", err)
	}
}

func TestCallerClientKeepsItsOwnPolicy(t *testing.T) {
	loadKeys(t)
	p := newIdP(t)
	p.setKeys(keysPath(tidA), rsaJWK("kA", rsaA))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	_, err := New(t.Context(), Config{Mode: ModeEntra, Audiences: []string{audURI}, Tenants: map[string]string{tidA: "contoso"},
		Authority: p.URL(), HTTPClient: client, Logger: newTestLogger(&syncBuffer{})})
	if err != nil {
		t.Fatal(err)
	}
	if client.CheckRedirect == nil || client.Timeout != 0 {
		t.Fatalf("the caller's client was modified")
	}
	f := newFetcher(client, time.Second, 10)
	if f.client == client || f.client.CheckRedirect == nil {
		t.Fatalf("fetcher must use a copy with its own redirect check")
	}
	if _, err := f.get(context.Background(), p.URL()+keysPath(tidA)); err == nil {
		t.Fatalf("10-byte cap not enforced")
	}
}
