package auth

import (
	"context"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkVerifyCached is the common case: a token seen before.
func BenchmarkVerifyCached(b *testing.B) {
	e := newEntraEnv(b, nil)
	tok := e.token(nil)
	mustVerify(b, e.v, tok)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyCachedParallel(b *testing.B) {
	e := newEntraEnv(b, nil)
	tok := e.token(nil)
	mustVerify(b, e.v, tok)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.v.Verify(ctx, tok); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkVerifyUncached is a full check (RS256 with the keys in memory):
// the cache is off.
func BenchmarkVerifyUncached(b *testing.B) {
	e := newEntraEnv(b, func(c *Config) { c.TokenCacheSize = -1 })
	tok := e.token(nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyNewTokens: the cache is on but every token is new (a miss,
// a full check and an insertion).
func BenchmarkVerifyNewTokens(b *testing.B) {
	e := newEntraEnv(b, nil)
	toks := make([]string, 2048)
	for i := range toks {
		toks[i] = e.token(func(c jwt.MapClaims) { c["jti"] = i })
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(toks) {
			b.StopTimer()
			e.v.cache = newTokenCache(DefaultTokenCacheSize)
			i = 0
			b.StartTimer()
		}
		if _, err := e.v.Verify(ctx, toks[i]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkPolicyAccess(b *testing.B) {
	p := &Principal{Roles: []string{"User.Read", "query", "security"}}
	pol := Policy{}
	b.ReportAllocs()
	for b.Loop() {
		if a := pol.Access(p); !a.Unlock {
			b.Fatal(a)
		}
	}
}
