package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// unknownKIDFlood sends n tokens with distinct unknown kids at once and checks
// every one is refused.
func unknownKIDFlood(t *testing.T, e *entraEnv, n int, prefix string) {
	t.Helper()
	toks := make([]string, n)
	for i := range toks {
		toks[i] = sign(t, jwt.SigningMethodRS256, rsaAttack, map[string]any{"kid": fmt.Sprintf("%s-%d", prefix, i)}, e.claims(tidA))
	}
	var wg sync.WaitGroup
	for _, tok := range toks {
		wg.Go(func() {
			if _, err := e.v.Verify(context.Background(), tok); reasonOf(err) != ReasonUnknownKey {
				t.Errorf("unknown kid: %v", err)
			}
		})
	}
	wg.Wait()
}

func TestUnknownKIDFloodFetchesAtMostOncePerInterval(t *testing.T) {
	e := newEntraEnv(t, nil)
	path := keysPath(tidA)
	if got := e.idp.count(path); got != 1 {
		t.Fatalf("fetches at start = %d, want 1", got)
	}
	unknownKIDFlood(t, e, 100, "flood")
	if got := e.idp.count(path); got > 2 {
		t.Fatalf("after 100 unknown kids: %d fetches, want at most 1 more than the first", got)
	}
	unknownKIDFlood(t, e, 100, "again") // same interval: nothing more
	if got := e.idp.count(path); got > 2 {
		t.Fatalf("second flood in the same interval fetched: %d", got)
	}
	e.clock.Advance(defaultUnknownKIDInterval - time.Second)
	unknownKIDFlood(t, e, 50, "almost")
	if got := e.idp.count(path); got > 2 {
		t.Fatalf("flood before the interval ended fetched: %d", got)
	}
	e.clock.Advance(time.Second)
	unknownKIDFlood(t, e, 100, "next")
	if got := e.idp.count(path); got != 3 {
		t.Fatalf("next interval: %d fetches, want exactly 3", got)
	}
	if got := e.idp.count(keysPath(tidB)); got != 1 {
		t.Fatalf("tenant B's endpoint was fetched %d times, want 1", got)
	}
	// Valid tokens still pass all along.
	mustVerify(t, e.v, e.token(nil))
}

func TestKeyEndpointDownAfterWarmUp(t *testing.T) {
	e := newEntraEnv(t, nil)
	mustVerify(t, e.v, e.token(nil))
	e.idp.setBehaviour("down", "")
	<-e.store(tidA).startRefresh()

	// Cached keys still work, for a token never seen before as well.
	e.clock.Advance(time.Second)
	p := mustVerify(t, e.v, e.token(func(c jwt.MapClaims) { c["oid"] = "oid-bob" }))
	if p.Subject != "oid-bob" {
		t.Fatalf("subject %q", p.Subject)
	}
	// A new kid cannot be fetched: refused (fails closed).
	before := e.idp.count(keysPath(tidA))
	wantRefused(t, e.v, sign(t, jwt.SigningMethodRS256, rsaC, map[string]any{"kid": "kC"}, e.claims(tidA)), ReasonUnknownKey)
	if e.idp.count(keysPath(tidA)) != before+1 {
		t.Fatalf("the unknown kid did not try the endpoint")
	}
	if !strings.Contains(e.logs.String(), "keeping the previous keys") {
		t.Fatalf("refresh failure not logged:\n%s", e.logs)
	}
}

// TestRefreshFailuresKeepKeys: every way a refresh can fail leaves the
// previous keys in place.
func TestRefreshFailuresKeepKeys(t *testing.T) {
	for _, behaviour := range []string{"down", "404", "html", "huge", "huge-chunked", "empty", "unusable", "redirect", "slow"} {
		t.Run(behaviour, func(t *testing.T) {
			e := newEntraEnv(t, func(c *Config) { c.FetchTimeout = 300 * time.Millisecond })
			other := newIdP(t)
			other.setKeys(keysPath(tidA), rsaJWK("kA", rsaAttack))
			e.idp.setBehaviour(behaviour, other.URL()+keysPath(tidA))

			start := time.Now()
			<-e.store(tidA).startRefresh()
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("refresh took %s", d)
			}
			if got := kidsOf(e.store(tidA).snapshot().list); len(got) != 1 || got[0] != "kA" {
				t.Fatalf("keys after a failed refresh: %v", got)
			}
			mustVerify(t, e.v, e.token(func(c jwt.MapClaims) { c["jti"] = behaviour }))
			// The attacker's key at the redirect target was never used.
			wantRefused(t, e.v, sign(t, jwt.SigningMethodRS256, rsaAttack, map[string]any{"kid": "kA"}, e.claims(tidA)), ReasonSignature)
			if n := other.total(); n != 0 {
				t.Fatalf("the other host got %d requests", n)
			}
			if !strings.Contains(e.logs.String(), "keeping the previous keys") {
				t.Fatalf("failure not logged:\n%s", e.logs)
			}
			t.Log(e.logs)
		})
	}
}

func TestSameHostRedirectFollowed(t *testing.T) {
	e := newEntraEnv(t, nil)
	e.idp.setKeys(keysPath(tidA), rsaJWK("kA", rsaA), rsaJWK("kC", rsaC))
	e.idp.setBehaviour("same-host-redirect", keysPath(tidA))
	<-e.store(tidA).startRefresh()
	mustVerify(t, e.v, sign(t, jwt.SigningMethodRS256, rsaC, map[string]any{"kid": "kC"}, e.claims(tidA)))
}

func TestKeyRotationPickedUp(t *testing.T) {
	e := newEntraEnv(t, nil)
	path := keysPath(tidA)
	tokC := sign(t, jwt.SigningMethodRS256, rsaC, map[string]any{"kid": "kC"}, e.claims(tidA))
	e.idp.setKeys(path, rsaJWK("kA", rsaA), rsaJWK("kC", rsaC)) // the new key appears
	p := mustVerify(t, e.v, tokC)
	if p.Tenant != "contoso" {
		t.Fatalf("tenant %q", p.Tenant)
	}
	if got := e.idp.count(path); got != 2 {
		t.Fatalf("fetches = %d, want 2 (start + one for the unknown kid)", got)
	}
	mustVerify(t, e.v, e.token(nil)) // the old key still works while published
}

func TestRotationBlockedByLimiterUntilNextInterval(t *testing.T) {
	e := newEntraEnv(t, nil)
	tokC := sign(t, jwt.SigningMethodRS256, rsaC, map[string]any{"kid": "kC"}, e.claims(tidA))
	wantRefused(t, e.v, tokC, ReasonUnknownKey) // uses this interval's fetch
	e.idp.setKeys(keysPath(tidA), rsaJWK("kA", rsaA), rsaJWK("kC", rsaC))
	wantRefused(t, e.v, tokC, ReasonUnknownKey) // no second fetch this interval
	e.clock.Advance(defaultUnknownKIDInterval)
	tokC = sign(t, jwt.SigningMethodRS256, rsaC, map[string]any{"kid": "kC"}, e.claims(tidA))
	mustVerify(t, e.v, tokC)
}

func TestRemovedKeyStopsWorking(t *testing.T) {
	e := newEntraEnv(t, nil)
	tok := e.token(nil)
	mustVerify(t, e.v, tok)
	mustVerify(t, e.v, tok) // cached now
	if e.v.cache.len() != 1 {
		t.Fatalf("cache len %d", e.v.cache.len())
	}
	e.idp.setKeys(keysPath(tidA), rsaJWK("kC", rsaC)) // kA withdrawn
	<-e.store(tidA).startRefresh()
	wantRefused(t, e.v, tok, ReasonUnknownKey)
	wantRefused(t, e.v, e.token(func(c jwt.MapClaims) { c["jti"] = "fresh" }), ReasonUnknownKey)
	mustVerify(t, e.v, sign(t, jwt.SigningMethodRS256, rsaC, map[string]any{"kid": "kC"}, e.claims(tidA)))
}

// TestPeriodicRefreshOnTheFakeClock: a refresh falls due on Config.Now's
// clock; the next Verify starts it without waiting for it.
func TestPeriodicRefreshOnTheFakeClock(t *testing.T) {
	e := newEntraEnv(t, func(c *Config) { c.RefreshInterval = 10 * time.Minute })
	path := keysPath(tidA)
	tok := e.token(nil)
	mustVerify(t, e.v, tok)
	e.idp.setKeys(path, rsaJWK("kC", rsaC))

	e.clock.Advance(10*time.Minute - time.Second)
	mustVerify(t, e.v, tok)
	e.store(tidA).waitIdle()
	if got := e.idp.count(path); got != 1 {
		t.Fatalf("refreshed early: %d fetches", got)
	}
	e.clock.Advance(time.Second)
	mustVerify(t, e.v, tok) // served from the cache; starts the refresh
	e.store(tidA).waitIdle()
	if got := e.idp.count(path); got != 2 {
		t.Fatalf("fetches = %d, want 2", got)
	}
	wantRefused(t, e.v, tok, ReasonUnknownKey) // the cached token's key is gone
}

func TestStartWithEndpointDown(t *testing.T) {
	loadKeys(t)
	p := newIdP(t)
	p.setBehaviour("down", "")
	c := newClock()
	logs := &syncBuffer{}
	v, err := New(t.Context(), Config{
		Mode: ModeEntra, Audiences: []string{audURI}, Tenants: map[string]string{tidA: "contoso"},
		Authority: p.URL(), Now: c.Now, Logger: newTestLogger(logs),
	})
	if err != nil {
		t.Fatalf("New must not fail when the key endpoint is down: %v", err)
	}
	p.setKeys(keysPath(tidA), rsaJWK("kA", rsaA))
	e := &entraEnv{t: t, idp: p, clock: c, v: v.(*jwtVerifier)}
	wantRefused(t, v, e.token(nil), ReasonKeysUnavailable)
	if !strings.Contains(logs.String(), "keeping the previous keys") {
		t.Fatalf("not logged: %s", logs)
	}
	p.setBehaviour("", "")
	c.Advance(defaultUnknownKIDInterval)
	mustVerify(t, v, e.token(nil))
}

func TestVerifyGivesUpWithItsContext(t *testing.T) {
	e := newEntraEnv(t, func(c *Config) { c.FetchTimeout = 5 * time.Second })
	e.idp.setBehaviour("slow", "")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := e.v.Verify(ctx, sign(t, jwt.SigningMethodRS256, rsaC, map[string]any{"kid": "kC"}, e.claims(tidA)))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("err = %v, want the context's error", err)
	}
}

func TestParseKeySet(t *testing.T) {
	loadKeys(t)
	trap := newIdP(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	with := func(base map[string]any, kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	good := rsaJWK("good", rsaA)
	priv := with(rsaJWK("priv", rsaB), "d", b64(rsaB.D.Bytes()), "p", b64(rsaB.Primes[0].Bytes()), "q", b64(rsaB.Primes[1].Bytes()),
		"dp", b64(rsaB.Precomputed.Dp.Bytes()), "dq", b64(rsaB.Precomputed.Dq.Bytes()), "qi", b64(rsaB.Precomputed.Qinv.Bytes()))
	set := []any{
		good,
		with(good, "kid", "no-use", "use", nil), // kept: use absent
		with(good, "kid", "no-alg", "alg", nil), // kept: alg absent
		with(good, "kid", "ops", "key_ops", []string{"verify"}), // kept
		priv, // kept, as a public key only
		with(good, "kid", "x5u", "x5u", trap.URL()+"/cert"), // kept, x5u never fetched
		with(good, "kid", "good"),                           // duplicate kid: ignored
		map[string]any{"kty": "oct", "kid": "oct", "k": b64([]byte("secret-secret-secret-secret-1234"))},
		map[string]any{"kty": "EC", "kid": "ec", "crv": "P-256", "x": b64(ecKey.X.Bytes()), "y": b64(ecKey.Y.Bytes())},
		with(good, "kid", "enc", "use", "enc"),
		with(good, "kid", "rs512", "alg", "RS512"),
		with(good, "kid", "ps256", "alg", "PS256"),
		with(good, "kid", "sign-only", "key_ops", []string{"sign"}),
		with(good, "kid", "no-kid-value", "kid", nil),
		with(rsaJWK("small", small), "kid", "small"),
		with(good, "kid", "bad-n", "n", "!!"),
		with(good, "kid", "e-even", "e", b64([]byte{1, 0, 0})),
		with(good, "kid", "e-huge", "e", b64([]byte{1, 0, 0, 0, 1})),
		with(good, "kid", "n-number", "n", 12345),
		"not an object",
	}
	body, _ := json.Marshal(map[string]any{"keys": set})
	keys, err := parseKeySet(body)
	if err != nil {
		t.Fatal(err)
	}
	got := kidsOf(keys)
	want := []string{"good", "no-alg", "no-use", "ops", "priv", "x5u"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("kept %v, want %v", got, want)
	}
	for _, k := range keys {
		if _, ok := k.Key().(*rsa.PublicKey); !ok {
			t.Fatalf("%s: kept %T, want a public key only", k.Marshal().KID, k.Key())
		}
		if k.Marshal().D != "" {
			t.Fatalf("%s: private part kept", k.Marshal().KID)
		}
	}
	if trap.total() != 0 {
		t.Fatalf("x5u was fetched")
	}
	for _, bad := range []string{`{"keys":[]}`, `{}`, `null`, `[]`, `<html>`, `{"keys":[{"kty":"oct","kid":"a","k":"AAAA"}]}`} {
		if _, err := parseKeySet([]byte(bad)); err == nil {
			t.Errorf("parseKeySet(%s) accepted", bad)
		}
	}
	// The store itself refuses to become empty.
	s := newKeyStore(t.Context(), "", Config{Now: time.Now, Logger: newTestLogger(&syncBuffer{}), RefreshInterval: time.Hour, UnknownKIDInterval: time.Minute}, nil)
	if err := s.KeyReplaceAll(t.Context(), nil); err == nil {
		t.Fatal("KeyReplaceAll(nil) accepted")
	}
	if err := s.KeyReplaceAll(t.Context(), keys); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.KeyDelete(t.Context(), "good"); !ok || err != nil {
		t.Fatalf("KeyDelete = %v, %v", ok, err)
	}
	all, _ := s.KeyReadAll(t.Context())
	if len(all) != len(keys)-1 {
		t.Fatalf("after delete: %d keys", len(all))
	}
	js, err := s.JSONPublic(t.Context())
	if err != nil || strings.Contains(string(js), `"d"`) || !strings.Contains(string(js), `"priv"`) {
		t.Fatalf("JSONPublic = %s, %v", js, err)
	}
}
