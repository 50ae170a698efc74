package auth

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestNegative is issue 3 item 6 at the verifier level: every token here must
// be refused, each for its own reason, by an entra-mode verifier with real
// RSA keys fetched over HTTP from a fake identity provider.
func TestNegative(t *testing.T) {
	e := newEntraEnv(t, nil)
	trap := newIdP(t) // URLs that jku, x5u, kid... name: it must see no request
	trapURL := trap.URL() + "/jwks"

	good := e.token(nil)
	parts := strings.Split(good, ".")
	now := e.clock.Now()

	pubDER, err := x509.MarshalPKIXPublicKey(&rsaA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	pkcs1DER := x509.MarshalPKCS1PublicKey(&rsaA.PublicKey)
	pkcs1PEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1DER})

	hdr := func(alg string) map[string]any { return map[string]any{"alg": alg, "typ": "JWT", "kid": "kA"} }
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := e.claims(tidA)
		if edit != nil {
			edit(c)
		}
		return c
	}
	rs := func(header map[string]any, edit func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodRS256, rsaA, header, claims(edit))
	}
	withHeader := func(k string, v any) string { return rs(map[string]any{"kid": "kA", k: v}, nil) }
	withClaim := func(k string, v any) string {
		return e.token(func(c jwt.MapClaims) {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		})
	}
	attackerJWK := rsaJWK("kA", rsaAttack)
	tooBig := e.token(func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", MaxTokenBytes) })

	cases := []struct {
		name, token, want string
	}{
		// Algorithms.
		{"alg none", raw(t, hdr("none"), claims(nil), ""), ReasonAlgorithm},
		{"alg None", raw(t, hdr("None"), claims(nil), ""), ReasonAlgorithm},
		{"alg NONE", raw(t, hdr("NONE"), claims(nil), ""), ReasonAlgorithm},
		{"alg nOnE", raw(t, hdr("nOnE"), claims(nil), ""), ReasonAlgorithm},
		{"alg none with a real signature", raw(t, hdr("none"), claims(nil), parts[2]), ReasonAlgorithm},
		{"alg missing", raw(t, map[string]any{"typ": "JWT", "kid": "kA"}, claims(nil), parts[2]), ReasonAlgorithm},
		{"alg empty", raw(t, hdr(""), claims(nil), parts[2]), ReasonAlgorithm},
		{"alg not a string", raw(t, map[string]any{"alg": 256, "kid": "kA"}, claims(nil), parts[2]), ReasonAlgorithm},
		{"alg rs256 lower case", raw(t, hdr("rs256"), claims(nil), parts[2]), ReasonAlgorithm},
		{"HS256 keyed with the public key PEM", sign(t, jwt.SigningMethodHS256, pubPEM, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"HS256 keyed with the public key DER", sign(t, jwt.SigningMethodHS256, pubDER, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"HS256 keyed with the PKCS1 PEM", sign(t, jwt.SigningMethodHS256, pkcs1PEM, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"HS256 keyed with the PKCS1 DER", sign(t, jwt.SigningMethodHS256, pkcs1DER, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"HS384 keyed with the public key PEM", sign(t, jwt.SigningMethodHS384, pubPEM, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"HS512 keyed with the public key PEM", sign(t, jwt.SigningMethodHS512, pubPEM, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"HS256 with the oct key published in the set", sign(t, jwt.SigningMethodHS256, []byte("0123456789abcdef0123456789abcdef"), map[string]any{"kid": "sym"}, claims(nil)), ReasonAlgorithm},
		{"RS256 naming the oct key's kid", rs(map[string]any{"kid": "sym"}, nil), ReasonUnknownKey},
		{"RS384", sign(t, jwt.SigningMethodRS384, rsaA, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"RS512", sign(t, jwt.SigningMethodRS512, rsaA, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"PS256", sign(t, jwt.SigningMethodPS256, rsaA, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"PS512", sign(t, jwt.SigningMethodPS512, rsaA, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"ES256", sign(t, jwt.SigningMethodES256, ecKey, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},
		{"EdDSA", sign(t, jwt.SigningMethodEdDSA, edKey, map[string]any{"kid": "kA"}, claims(nil)), ReasonAlgorithm},

		// Key ids.
		{"kid missing", rs(map[string]any{"kid": nil}, nil), ReasonMissingKID},
		{"kid empty", rs(map[string]any{"kid": ""}, nil), ReasonMissingKID},
		{"kid not a string", rs(map[string]any{"kid": 42}, nil), ReasonInvalidKID},
		{"kid with a NUL", rs(map[string]any{"kid": "kA\x00"}, nil), ReasonInvalidKID},
		{"kid with a newline", rs(map[string]any{"kid": "kA\nlevel=ERROR"}, nil), ReasonInvalidKID},
		{"kid of 300 characters", rs(map[string]any{"kid": strings.Repeat("k", 300)}, nil), ReasonInvalidKID},
		{"kid unknown", rs(map[string]any{"kid": "nope"}, nil), ReasonUnknownKey},
		{"kid path traversal", rs(map[string]any{"kid": "../../../../etc/passwd"}, nil), ReasonUnknownKey},
		{"kid SQL-ish", rs(map[string]any{"kid": "' OR '1'='1' --"}, nil), ReasonUnknownKey},
		{"kid SQL drop", rs(map[string]any{"kid": "kA'; DROP TABLE keys; --"}, nil), ReasonUnknownKey},
		{"kid naming a URL", rs(map[string]any{"kid": trapURL}, nil), ReasonUnknownKey},
		{"kid of the other tenant's key", sign(t, jwt.SigningMethodRS256, rsaB, map[string]any{"kid": "kB"}, claims(nil)), ReasonUnknownKey},

		// Header parameters that name keys or demand extensions.
		{"jku header", withHeader("jku", trapURL), ReasonForbiddenHeader},
		{"x5u header", withHeader("x5u", trapURL), ReasonForbiddenHeader},
		{"jwk header with the attacker's key", sign(t, jwt.SigningMethodRS256, rsaAttack, map[string]any{"kid": "kA", "jwk": attackerJWK}, claims(nil)), ReasonForbiddenHeader},
		{"x5c header", withHeader("x5c", []string{b64(pubDER)}), ReasonForbiddenHeader},
		{"crit header", withHeader("crit", []string{"exp"}), ReasonForbiddenHeader},
		{"crit header empty", withHeader("crit", []string{}), ReasonForbiddenHeader},
		{"b64 header", withHeader("b64", false), ReasonForbiddenHeader},
		{"enc header", withHeader("enc", "A256GCM"), ReasonForbiddenHeader},
		{"zip header", withHeader("zip", "DEF"), ReasonForbiddenHeader},

		// Token types.
		{"typ dpop+jwt", withHeader("typ", "dpop+jwt"), ReasonTokenType},
		{"typ secevent+jwt", withHeader("typ", "secevent+jwt"), ReasonTokenType},
		{"typ not a string", withHeader("typ", 1), ReasonTokenType},
		{"ID token with nonce", withClaim("nonce", "n-0S6_WzA2Mj"), ReasonIDToken},
		{"ID token with at_hash", withClaim("at_hash", "77QmUPtjPfzWtF2AnpK9RQ"), ReasonIDToken},
		{"ID token with c_hash", withClaim("c_hash", "LDktKdoQak3Pk0cnXxCltA"), ReasonIDToken},

		// Times.
		{"exp missing", withClaim("exp", nil), ReasonNoExpiry},
		{"exp past beyond leeway", withClaim("exp", now.Add(-61*time.Second).Unix()), ReasonExpired},
		{"exp a day ago", withClaim("exp", now.Add(-24*time.Hour).Unix()), ReasonExpired},
		{"exp a string", withClaim("exp", "tomorrow"), ReasonTimeClaim},
		{"nbf in the future beyond leeway", withClaim("nbf", now.Add(61*time.Second).Unix()), ReasonNotYetValid},
		{"iat in the future beyond leeway", withClaim("iat", now.Add(61*time.Second).Unix()), ReasonIssuedInFuture},

		// Audience.
		{"aud wrong", withClaim("aud", "api://someone-else"), ReasonAudience},
		{"aud other case", withClaim("aud", "API://contoso-mcp"), ReasonAudience},
		{"aud missing", withClaim("aud", nil), ReasonAudience},
		{"aud not a string", withClaim("aud", 7), ReasonAudience},
		{"aud array with ours and another", withClaim("aud", []string{audURI, "api://someone-else"}), ReasonAudienceArray},
		{"aud array of ours twice", withClaim("aud", []string{audURI, audID}), ReasonAudienceArray},
		{"aud array without ours", withClaim("aud", []string{"api://someone-else"}), ReasonAudience},
		{"aud empty array", withClaim("aud", []string{}), ReasonAudience},

		// Issuer and tenant.
		{"iss wrong", withClaim("iss", "https://evil.example/"+tidA+"/v2.0"), ReasonIssuer},
		{"iss v1", withClaim("iss", "https://sts.windows.net/"+tidA+"/"), ReasonIssuer},
		{"iss v1 form on our authority", withClaim("iss", e.idp.URL()+"/"+tidA+"/"), ReasonIssuer},
		{"iss and tid disagree", withClaim("iss", e.idp.URL()+"/"+tidB+"/v2.0"), ReasonIssuer},
		{"iss with a trailing slash", withClaim("iss", e.idp.URL()+"/"+tidA+"/v2.0/"), ReasonIssuer},
		{"iss missing", withClaim("iss", nil), ReasonIssuer},
		{"tid missing", withClaim("tid", nil), ReasonMissingTenant},
		{"tid empty", withClaim("tid", ""), ReasonMissingTenant},
		{"tid not allowed", e.token(func(c jwt.MapClaims) {
			c["tid"] = tidOther
			c["iss"] = e.idp.URL() + "/" + tidOther + "/v2.0"
		}), ReasonTenantNotAllowed},
		{"tid in upper case", withClaim("tid", strings.ToUpper(tidA)), ReasonTenantNotAllowed},
		{"tid not a string", withClaim("tid", 1111), ReasonTenantNotAllowed},
		{"no sub and no oid", e.token(func(c jwt.MapClaims) { delete(c, "sub"); delete(c, "oid") }), ReasonMissingSubject},

		// Signatures.
		{"payload changed after signing", parts[0] + "." + b64([]byte(strings.Replace(mustDecode(t, parts[1]), `"query"`, `"admin"`, 1))) + "." + parts[2], ReasonSignature},
		{"signed by another key under kid kA", sign(t, jwt.SigningMethodRS256, rsaAttack, map[string]any{"kid": "kA"}, claims(nil)), ReasonSignature},
		{"signature truncated", parts[0] + "." + parts[1] + "." + parts[2][:100] + parts[2][104:], ReasonSignature},
		{"signature empty", parts[0] + "." + parts[1] + ".", ReasonMalformed},

		// Shape.
		{"empty token", "", ReasonMissing},
		{"oversized token", tooBig, ReasonTooLarge},
		{"many dots", "a.b.c.d.e.f.g", ReasonMalformed},
		{"only dots", "....", ReasonMalformed},
		{"a valid token plus a segment", good + ".x", ReasonMalformed},
		{"two segments", parts[0] + "." + parts[1], ReasonMalformed},
		{"bad base64 in the header", "!!!." + parts[1] + "." + parts[2], ReasonMalformed},
		{"bad base64 in the payload", parts[0] + ".ey+J." + parts[2], ReasonMalformed},
		{"bad base64 in the signature", parts[0] + "." + parts[1] + ".abc/def", ReasonMalformed},
		{"base64 padding", parts[0] + "=." + parts[1] + "." + parts[2], ReasonMalformed},
		{"impossible base64 length", parts[0] + "A." + parts[1] + "." + parts[2], ReasonMalformed},
		{"header not JSON", b64([]byte("alg=RS256")) + "." + parts[1] + "." + parts[2], ReasonMalformed},
		{"header a JSON array", b64([]byte(`["RS256"]`)) + "." + parts[1] + "." + parts[2], ReasonMalformed},
		{"header JSON null", b64([]byte(`null`)) + "." + parts[1] + "." + parts[2], ReasonMalformed},
		{"payload not JSON", parts[0] + "." + b64([]byte("not json")) + "." + parts[2], ReasonMalformed},
		{"payload a JSON array", parts[0] + "." + b64([]byte(`[1,2]`)) + "." + parts[2], ReasonMalformed},
		{"garbage", "hello", ReasonMalformed},
		{"spaces", "   ", ReasonMalformed},
		{"the Bearer prefix left on", "Bearer " + good, ReasonMalformed},
		{"a trailing newline", good + "\n", ReasonMalformed},
		{"non-ASCII", "ключ.ключ.ключ", ReasonMalformed},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("duplicate case %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			wantRefused(t, e.v, c.token, c.want)
		})
	}
	t.Logf("%d negative cases", len(cases))
	if len(cases) < 60 {
		t.Errorf("only %d negative cases", len(cases))
	}
	if n := trap.total(); n != 0 {
		t.Errorf("the URLs tokens named got %d requests, want 0", n)
	}
	if e.v.cache.len() != 0 {
		t.Errorf("refused tokens were cached")
	}
	// The good token itself passes: the cases above fail for their own fault.
	mustVerify(t, e.v, good)
	if strings.Contains(e.logs.String(), parts[1]) {
		t.Errorf("a token reached the logs")
	}
}

func mustDecode(t testing.TB, seg string) string {
	t.Helper()
	b, err := b64dec(seg)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
