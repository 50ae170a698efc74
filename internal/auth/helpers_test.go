package auth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Real keys, generated once for the package's tests.
var (
	keysOnce                    sync.Once
	rsaA, rsaB, rsaC, rsaAttack *rsa.PrivateKey
	ecKey                       *ecdsa.PrivateKey
	edKey                       ed25519.PrivateKey
)

func loadKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		gen := func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return k
		}
		var wg sync.WaitGroup
		for _, dst := range []**rsa.PrivateKey{&rsaA, &rsaB, &rsaC, &rsaAttack} {
			wg.Go(func() { *dst = gen() })
		}
		wg.Wait()
		var err error
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if _, edKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
			panic(err)
		}
	})
}

// clock is a fake Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// rsaJWK is the public JWK of k as an identity provider publishes it.
func rsaJWK(kid string, k *rsa.PrivateKey) map[string]any {
	return map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes()),
	}
}

// idp is a fake identity provider on 127.0.0.1: key sets per path, a
// discovery document, switchable failure behaviours, and request counts.
type idp struct {
	srv *httptest.Server

	mu        sync.Mutex
	sets      map[string][]map[string]any
	behaviour string // "" (normal), "down", "404", "html", "huge", "huge-chunked", "empty", "unusable", "redirect", "same-host-redirect", "slow"
	redirect  string
	discovery map[string]any
	hits      map[string]int
	release   chan struct{}
}

func newIdP(t testing.TB) *idp {
	p := &idp{sets: map[string][]map[string]any{}, hits: map[string]int{}, release: make(chan struct{})}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(func() {
		close(p.release)
		p.srv.Close()
	})
	return p
}

func (p *idp) URL() string { return p.srv.URL }

func (p *idp) setKeys(path string, keys ...map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sets[path] = keys
}

func (p *idp) setBehaviour(b, redirect string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.behaviour, p.redirect = b, redirect
}

func (p *idp) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[path]
}

func (p *idp) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.hits {
		n += c
	}
	return n
}

func (p *idp) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.hits[r.URL.Path]++
	behaviour, redirect, keys, disc := p.behaviour, p.redirect, p.sets[r.URL.Path], p.discovery
	p.mu.Unlock()
	if r.URL.Path == "/.well-known/openid-configuration" && disc != nil {
		_ = json.NewEncoder(w).Encode(disc)
		return
	}
	if r.URL.Path == "/moved" {
		r.URL.Path = redirect
		p.mu.Lock()
		keys = p.sets[redirect]
		p.mu.Unlock()
		behaviour = ""
	}
	switch behaviour {
	case "down":
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	case "404":
		http.NotFound(w, r)
		return
	case "html":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><html><body><h1>Sign in</h1></body></html>")
		return
	case "huge", "huge-chunked":
		// A valid key set padded past the 1 MiB cap with whitespace.
		body, _ := json.Marshal(map[string]any{"keys": keys})
		pad := bytes.Repeat([]byte(" "), 2<<20)
		if behaviour == "huge" {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)+len(pad)))
		}
		w.Write(pad)
		w.Write(body)
		return
	case "empty":
		fmt.Fprint(w, `{"keys":[]}`)
		return
	case "unusable":
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]any{
			{"kty": "oct", "kid": "sym", "k": b64([]byte("0123456789abcdef0123456789abcdef"))},
			{"kty": "EC", "kid": "ec", "crv": "P-256", "x": b64(ecKey.X.Bytes()), "y": b64(ecKey.Y.Bytes())},
			{"kty": "RSA", "kid": "enc", "use": "enc", "n": b64(rsaA.N.Bytes()), "e": "AQAB"},
		}})
		return
	case "redirect":
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	case "same-host-redirect":
		http.Redirect(w, r, "/moved", http.StatusFound)
		return
	case "slow":
		select {
		case <-r.Context().Done():
		case <-p.release:
		}
		return
	}
	if keys == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
}

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Entra-style tenants of the tests.
const (
	tidA     = "aaaaaaaa-1111-4111-8111-11111111abcd"
	tidB     = "bbbbbbbb-2222-4222-8222-22222222abcd"
	tidOther = "33333333-3333-4333-8333-333333333333"
	audURI   = "api://contoso-mcp"
	audID    = "4f1e2d3c-0000-4000-8000-00000000abcd"
)

func keysPath(tid string) string { return "/" + tid + "/discovery/v2.0/keys" }

// entraEnv is an entra-mode verifier against a fake IdP serving two tenants,
// each with its own key endpoint and key.
type entraEnv struct {
	t     testing.TB
	idp   *idp
	clock *clock
	logs  *syncBuffer
	v     *jwtVerifier
	cfg   Config
}

func newEntraEnv(t testing.TB, edit func(*Config)) *entraEnv {
	t.Helper()
	loadKeys(t)
	e := &entraEnv{t: t, idp: newIdP(t), clock: newClock(), logs: &syncBuffer{}}
	e.idp.setKeys(keysPath(tidA), rsaJWK("kA", rsaA),
		map[string]any{"kty": "oct", "kid": "sym", "k": b64([]byte("0123456789abcdef0123456789abcdef"))})
	e.idp.setKeys(keysPath(tidB), rsaJWK("kB", rsaB))
	e.cfg = Config{
		Mode:      ModeEntra,
		Audiences: []string{audURI, audID},
		Tenants:   map[string]string{tidA: "contoso", tidB: "fabrikam"},
		Authority: e.idp.URL(),
		Now:       e.clock.Now,
		Logger:    slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&e.cfg)
	}
	v, err := New(t.Context(), e.cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.v = v.(*jwtVerifier)
	return e
}

func (e *entraEnv) store(tid string) *keyStore { return e.v.stores[tid] }

// claims are a valid Entra v2 access token's claims for tid.
func (e *entraEnv) claims(tid string) jwt.MapClaims {
	now := e.clock.Now()
	return jwt.MapClaims{
		"iss":   e.idp.URL() + "/" + tid + "/v2.0",
		"aud":   audURI,
		"tid":   tid,
		"sub":   "sub-alice",
		"oid":   "oid-alice",
		"roles": []string{"query"},
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
		"ver":   "2.0",
		"azp":   "client-app",
	}
}

// sign signs claims with key under method, with header changes applied (a nil
// value deletes a header parameter).
func sign(t testing.TB, method jwt.SigningMethod, key any, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	for k, v := range header {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// token is a valid RS256 token of tenant A (key kA) with edits.
func (e *entraEnv) token(edit func(jwt.MapClaims)) string {
	c := e.claims(tidA)
	if edit != nil {
		edit(c)
	}
	return sign(e.t, jwt.SigningMethodRS256, rsaA, map[string]any{"kid": "kA"}, c)
}

// raw builds a token from JSON header and claims and a signature segment,
// bypassing any library (alg none and other forgeries).
func raw(t testing.TB, header, claims any, sig string) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return b64(h) + "." + b64(c) + "." + sig
}

func reasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	if err == nil {
		return "<nil>"
	}
	return "not an *Error: " + err.Error()
}

func mustVerify(t testing.TB, v Verifier, tok string) *Principal {
	t.Helper()
	p, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return p
}

func wantRefused(t testing.TB, v Verifier, tok, reason string) {
	t.Helper()
	p, err := v.Verify(context.Background(), tok)
	if got := reasonOf(err); got != reason || p != nil {
		t.Fatalf("Verify = %v, %q; want refusal %q", p, got, reason)
	}
	if !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("error %v does not unwrap to ErrInvalidToken", err)
	}
	if strings.Contains(err.Error(), tok) && tok != "" {
		t.Fatalf("error leaks the token")
	}
}

func b64dec(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

func newTestLogger(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func pubKey(t testing.TB, k any) *rsa.PublicKey {
	t.Helper()
	p, ok := k.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("%T is not an RSA public key", k)
	}
	return p
}
