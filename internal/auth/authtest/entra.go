// Package authtest is a stand-in for Microsoft Entra ID in tests: each
// tenant's signing key published over HTTP the way Entra publishes it, and
// tokens shaped the way Entra issues them (v1.0 and v2.0 access tokens, v2.0
// ID tokens), so that the verifiers are tested against what they will
// really receive.
package authtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The application registrations of the tests: the protected API (its client
// id and Application ID URI, the two audiences its tokens carry) and the
// client application that asks for tokens.
const (
	ClientID = "6e74172b-be56-4843-9ff4-e66a39bb12e3"
	AppIDURI = "api://contoso-mcp"
	CallerID = "2b5c8f11-9c55-4f3e-8a66-0c2d5e7f3a10"
)

// V1IssuerPrefix is the start of a v1.0 token's iss, as in auth: every v1.0
// token names https://sts.windows.net/{tid}/ whatever the authority.
const V1IssuerPrefix = "https://sts.windows.net/"

// Entra serves each tenant's key set at /{tid}/discovery/v2.0/keys, as
// https://login.microsoftonline.com does: point a verifier's authority at
// URL().
type Entra struct {
	srv  *httptest.Server
	mu   sync.Mutex
	keys map[string]*tenantKey // by tid
	hits map[string]int        // requests by path
}

type tenantKey struct {
	key  *rsa.PrivateKey
	cert []byte // self-signed certificate of the key, DER
	kid  string // Entra's kid is the certificate's SHA-1 thumbprint, like x5t
}

// NewEntra starts the key endpoints of the given tenants; they stop with
// the test.
func NewEntra(t testing.TB, tids ...string) *Entra {
	t.Helper()
	e := &Entra{keys: map[string]*tenantKey{}, hits: map[string]int{}}
	for i, tid := range tids {
		e.keys[tid] = newTenantKey(t, i)
	}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	return e
}

// URL is the authority: Authority in auth.Config, ENTRA_AUTHORITY for
// serve, auth.authority in the gateway's file.
func (e *Entra) URL() string { return e.srv.URL }

// Requests counts the requests for tenant tid's key set.
func (e *Entra) Requests(tid string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits["/"+tid+"/discovery/v2.0/keys"]
}

// RSA keys are slow to make, above all under the race detector: the tests
// of a package share a few.
var (
	keysMu sync.Mutex
	keys   []*tenantKey
)

func newTenantKey(t testing.TB, i int) *tenantKey {
	t.Helper()
	keysMu.Lock()
	defer keysMu.Unlock()
	for len(keys) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(len(keys) + 1)),
			Subject:      pkix.Name{CommonName: "accounts.accesscontrol.windows.net"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha1.Sum(der)
		keys = append(keys, &tenantKey{key: k, cert: der, kid: base64.RawURLEncoding.EncodeToString(sum[:])})
	}
	return keys[i]
}

func (e *Entra) serve(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.hits[r.URL.Path]++
	e.mu.Unlock()
	tid, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/discovery/v2.0/keys")
	k := e.keys[tid]
	if !ok || k == nil {
		http.NotFound(w, r)
		return
	}
	// Entra's keys carry no alg, and they carry the certificate (x5c), its
	// thumbprint (x5t) and the issuer they sign for.
	b64 := base64.RawURLEncoding.EncodeToString
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]any{{
		"kty":                 "RSA",
		"use":                 "sig",
		"kid":                 k.kid,
		"x5t":                 k.kid,
		"n":                   b64(k.key.N.Bytes()),
		"e":                   b64(big.NewInt(int64(k.key.E)).Bytes()),
		"x5c":                 []string{base64.StdEncoding.EncodeToString(k.cert)},
		"cloud_instance_name": "microsoftonline.com",
		"issuer":              e.URL() + "/" + tid + "/v2.0",
	}}})
}

// AccessClaims are the claims of an access token that tenant tid issues for
// the API at now, in the shape of version ver ("1.0" or "2.0"): v2.0 a
// user's delegated token (aud the client id, azp, scp), v1.0 an application's
// token (aud the Application ID URI, appid, idp). Both hold app roles. The
// token was issued five minutes before now and lives 75 minutes, as Entra's
// do.
func (e *Entra) AccessClaims(ver, tid string, now time.Time) jwt.MapClaims {
	iat := now.Add(-5 * time.Minute).Unix()
	c := jwt.MapClaims{
		"iat":   iat,
		"nbf":   iat,
		"exp":   iat + 75*60,
		"aio":   "E2ZgYJhuZ7v+3fa1bY3WmcvmrrwZAA==",
		"name":  "Alice Example",
		"oid":   "2a9d7c6e-1f0b-4c3a-9e8d-7b6a5c4d3e2f",
		"rh":    "0.AXEAv4j5cvGGr0GRqy180BHbRytyfG5WvkNIn_TmajmbEuNxAAA.",
		"roles": []any{"query"},
		"sub":   "Qh5UJ5oNkqf7ReVr0GxWvyQWUX2bInH-sUXzmNb7M8I",
		"tid":   tid,
		"uti":   "AbCdEfGhIjKlMnOpQrStAA",
		"ver":   ver,
	}
	if ver == "1.0" {
		c["aud"] = AppIDURI
		c["iss"] = V1IssuerPrefix + tid + "/"
		c["appid"] = CallerID
		c["appidacr"] = "1"
		c["idp"] = V1IssuerPrefix + tid + "/"
	} else {
		c["aud"] = ClientID
		c["iss"] = e.URL() + "/" + tid + "/v2.0"
		c["azp"] = CallerID
		c["azpacr"] = "0"
		c["preferred_username"] = "alice@contoso.example"
		c["scp"] = "mcp.access"
	}
	return c
}

// IDTokenClaims are the claims of the v2.0 ID token that a sign-in to the
// API's own app registration gives: aud is the client id, as in the API's
// v2.0 access tokens, but there is no azp (nor appid), and here no nonce.
func (e *Entra) IDTokenClaims(tid string, now time.Time) jwt.MapClaims {
	iat := now.Add(-5 * time.Minute).Unix()
	return jwt.MapClaims{
		"aud":                ClientID,
		"iss":                e.URL() + "/" + tid + "/v2.0",
		"iat":                iat,
		"nbf":                iat,
		"exp":                iat + 65*60,
		"aio":                "AUQAu/8TAAAA1q2w3e4r5t6y7u8i9o0p",
		"name":               "Alice Example",
		"oid":                "2a9d7c6e-1f0b-4c3a-9e8d-7b6a5c4d3e2f",
		"preferred_username": "alice@contoso.example",
		"rh":                 "0.AXEAv4j5cvGGr0GRqy180BHbRytyfG5WvkNIn_TmajmbEuNxAAA.",
		"sub":                "Qh5UJ5oNkqf7ReVr0GxWvyQWUX2bInH-sUXzmNb7M8I",
		"tid":                tid,
		"uti":                "AbCdEfGhIjKlMnOpQrStAA",
		"ver":                "2.0",
	}
}

// Sign signs claims with tenant tid's key, with Entra's header: typ JWT,
// alg RS256, kid and x5t.
func (e *Entra) Sign(t testing.TB, tid string, claims jwt.MapClaims) string {
	t.Helper()
	k := e.keys[tid]
	if k == nil {
		t.Fatalf("authtest: no key for tenant %s", tid)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = k.kid
	tok.Header["x5t"] = k.kid
	s, err := tok.SignedString(k.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// AccessToken is Sign of AccessClaims, changed first by edit when it is not
// nil.
func (e *Entra) AccessToken(t testing.TB, ver, tid string, now time.Time, edit func(jwt.MapClaims)) string {
	t.Helper()
	c := e.AccessClaims(ver, tid, now)
	if edit != nil {
		edit(c)
	}
	return e.Sign(t, tid, c)
}
