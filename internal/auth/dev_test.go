package auth

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

func TestDevIssuerSharedThroughTheDataDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // not there yet
	// Processes starting together: all must end up with the same key.
	const n = 4
	issuers := make([]*DevIssuer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { issuers[i], errs[i] = LoadOrCreateDevIssuer(dir) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if issuers[i].KeyID() != issuers[0].KeyID() || !bytes.Equal(issuers[i].JWKS(), issuers[0].JWKS()) {
			t.Fatalf("issuer %d disagrees", i)
		}
	}
	again, err := LoadOrCreateDevIssuer(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.KeyID() != issuers[0].KeyID() {
		t.Fatal("a later load disagrees")
	}
	st, err := os.Stat(filepath.Join(dir, DevKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".dev-issuer-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	// The published set: one RS256 signing key named by its thumbprint.
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(again.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 || set.Keys[0]["kid"] != again.KeyID() || set.Keys[0]["alg"] != "RS256" || set.Keys[0]["use"] != "sig" || set.Keys[0]["d"] != nil {
		t.Fatalf("JWKS %s", again.JWKS())
	}
	if again.KeyID() != thumbprint(&again.key.PublicKey) || len(again.KeyID()) != 43 {
		t.Fatalf("kid %q is not the RFC 7638 thumbprint", again.KeyID())
	}
}

// TestThumbprintRFC7638 checks the thumbprint against the RFC's example.
func TestThumbprintRFC7638(t *testing.T) {
	const n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	k, err := usableKey(json.RawMessage(`{"kty":"RSA","e":"AQAB","kid":"x","n":"` + n + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	pub := k.Key()
	if got := thumbprint(pubKey(t, pub)); got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Fatalf("thumbprint %q", got)
	}
}

func TestDevMode(t *testing.T) {
	dir := t.TempDir()
	dev, err := LoadOrCreateDevIssuer(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	dev.now = c.Now
	v, err := New(t.Context(), Config{Mode: ModeDev, DataDir: dir, Now: c.Now,
		Tenants: map[string]string{"contoso": "contoso", "fabrikam": "fabrikam"}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := dev.Mint("fabrikam", "alice", []string{"query", "security"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got := mustVerify(t, v, tok)
	want := &Principal{Tenant: "fabrikam", TenantID: "fabrikam", Subject: "alice", Roles: []string{"query", "security"},
		Issuer: DevIssuerID, ExpiresAt: c.Now().Add(time.Hour)}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	noRoles, _ := dev.Mint("contoso", "bob", nil, time.Minute)
	if p := mustVerify(t, v, noRoles); p.Roles != nil || DefaultPolicy().Access(p).Any() {
		t.Fatalf("token without roles: %+v", p)
	}

	// Tokens of another data directory's issuer are not trusted here.
	other, err := LoadOrCreateDevIssuer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	other.now = c.Now
	foreign, _ := other.Mint("contoso", "mallory", []string{"admin"}, time.Hour)
	wantRefused(t, v, foreign, ReasonUnknownKey)
	// Same kid, other key: a forged dev token.
	forged := sign(t, jwt.SigningMethodRS256, other.key, map[string]any{"kid": dev.KeyID()}, jwt.MapClaims{
		"iss": DevIssuerID, "aud": DevAudience, "tid": "contoso", "sub": "m", "exp": c.Now().Add(time.Hour).Unix()})
	wantRefused(t, v, forged, ReasonSignature)
	northwind, _ := dev.Mint("northwind", "x", []string{"admin"}, time.Hour)
	wantRefused(t, v, northwind, ReasonTenantNotAllowed)
	expired, _ := dev.Mint("contoso", "x", nil, time.Minute)
	c.Advance(2*time.Minute + time.Second)
	wantRefused(t, v, expired, ReasonExpired)

	for _, bad := range []struct {
		tenant, subject string
		ttl             time.Duration
	}{{"", "s", time.Hour}, {"../x", "s", time.Hour}, {"contoso", "", time.Hour}, {"contoso", "s", 0}} {
		if _, err := dev.Mint(bad.tenant, bad.subject, nil, bad.ttl); err == nil {
			t.Errorf("Mint(%q, %q, %s) accepted", bad.tenant, bad.subject, bad.ttl)
		}
	}
}

func TestDevIssuerRefusesABadKeyFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, DevKeyFile), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateDevIssuer(dir); err == nil {
		t.Fatal("a garbage key file was accepted")
	}
}
