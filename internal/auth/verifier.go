package auth

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Verifier turns a bearer token into a Principal. Refused tokens give an
// *Error (errors.Is(err, ErrInvalidToken)); the only other error is the
// context's, when ctx ends while Verify waits for a key fetch.
type Verifier interface {
	Verify(ctx context.Context, token string) (*Principal, error)
}

// New validates cfg (errors name the field) and builds the verifier for its
// mode. In entra and oidc modes it fetches the key sets before returning (a
// failed fetch is logged and retried, not fatal) and keeps them fresh until
// ctx ends; in oidc mode a failed discovery is fatal.
func New(ctx context.Context, cfg Config) (Verifier, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	switch cfg.Mode {
	case ModeDisabled:
		return &disabledVerifier{p: Principal{
			Tenant: cfg.DefaultTenant, TenantID: cfg.DefaultTenant, Subject: "anonymous", Issuer: "disabled",
			Roles: []string{cfg.Policy.QueryRole, cfg.Policy.AdminRole, cfg.Policy.SecurityRole},
		}}, nil
	case ModePassthrough:
		return &passthroughVerifier{cfg: cfg, parser: jwt.NewParser(jwt.WithJSONNumber())}, nil
	}

	v := &jwtVerifier{
		cfg: cfg,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
			jwt.WithJSONNumber(),
			jwt.WithStrictDecoding(),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(cfg.Leeway),
			jwt.WithTimeFunc(cfg.Now),
		),
	}
	if cfg.TokenCacheSize > 0 {
		v.cache = newTokenCache(cfg.TokenCacheSize)
	}
	var remote []*keyStore
	switch cfg.Mode {
	case ModeEntra:
		f := newFetcher(cfg.HTTPClient, cfg.FetchTimeout, cfg.MaxKeySetBytes)
		v.stores = make(map[string]*keyStore, len(cfg.Tenants))
		v.issuers = make(map[string]entraIssuers, len(cfg.Tenants))
		for tid := range cfg.Tenants {
			// One key set signs both versions' tokens.
			ks := newKeyStore(ctx, EntraKeysURL(cfg.Authority, tid), cfg, f)
			v.stores[tid] = ks
			v.issuers[tid] = entraIssuers{v1: EntraV1Issuer(tid), v2: EntraV2Issuer(cfg.Authority, tid)}
			remote = append(remote, ks)
		}
	case ModeOIDC:
		f := newFetcher(cfg.HTTPClient, cfg.FetchTimeout, cfg.MaxKeySetBytes)
		jwksURI, err := discover(ctx, f, cfg.OIDCIssuer)
		if err != nil {
			return nil, err
		}
		v.single = newKeyStore(ctx, jwksURI, cfg, f)
		v.issuer = cfg.OIDCIssuer
		remote = append(remote, v.single)
	case ModeDev:
		dev, err := LoadOrCreateDevIssuer(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("auth: Config.DataDir: %w", err)
		}
		if v.single, err = newStaticKeyStore(ctx, dev.JWKS(), cfg); err != nil {
			return nil, fmt.Errorf("auth: dev issuer key set: %w", err)
		}
		v.issuer = dev.Issuer()
	}
	var wg sync.WaitGroup
	for _, ks := range remote {
		wg.Go(func() { <-ks.startRefresh() })
	}
	wg.Wait()
	for _, ks := range remote {
		go ks.run(ctx)
	}
	return v, nil
}

// discover reads the issuer's OpenID Connect discovery document and returns
// its jwks_uri. The document's issuer must be exactly the configured one.
func discover(ctx context.Context, f *fetcher, issuer string) (string, error) {
	body, err := f.get(ctx, strings.TrimRight(issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return "", fmt.Errorf("auth: OIDC discovery for Config.OIDCIssuer %q: %w", issuer, err)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("auth: OIDC discovery for Config.OIDCIssuer %q: not a JSON object: %w", issuer, err)
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("auth: OIDC discovery: the document names issuer %q, not Config.OIDCIssuer %q", doc.Issuer, issuer)
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("auth: OIDC discovery for %q: no jwks_uri", issuer)
	}
	if err := CheckFetchURL(doc.JWKSURI); err != nil {
		return "", fmt.Errorf("auth: OIDC discovery for %q: jwks_uri: %w", issuer, err)
	}
	return doc.JWKSURI, nil
}

// EntraV2Issuer is the iss of tenant tid's v2.0 access tokens.
func EntraV2Issuer(authority, tid string) string { return authority + "/" + tid + "/v2.0" }

// EntraV1Issuer is the iss of tenant tid's v1.0 access tokens (note the
// trailing slash).
func EntraV1Issuer(tid string) string { return EntraV1IssuerPrefix + tid + "/" }

// EntraKeysURL is tenant tid's key set, which signs its v1.0 and v2.0
// tokens alike.
func EntraKeysURL(authority, tid string) string {
	return authority + "/" + tid + "/discovery/v2.0/keys"
}

// entraIssuers are one tenant's two accepted issuers, one per token version.
type entraIssuers struct{ v1, v2 string }

// jwtVerifier serves entra, oidc and dev modes.
type jwtVerifier struct {
	cfg     Config
	parser  *jwt.Parser
	cache   *tokenCache             // nil when off
	stores  map[string]*keyStore    // entra: per allowed tenant id
	issuers map[string]entraIssuers // entra: tenant id -> expected iss per version
	single  *keyStore               // oidc, dev
	issuer  string                  // oidc, dev: expected iss
}

// Header parameters that make a token refused outright. jku, x5u, jwk and
// x5c would make the token name its own key; crit demands extensions we do
// not implement; b64, enc and zip belong to other JOSE forms.
var forbiddenHeaders = [...]string{"crit", "jku", "x5u", "jwk", "x5c", "b64", "enc", "zip"}

const maxKIDLen = 256

func (v *jwtVerifier) Verify(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, refuse(ReasonMissing)
	}
	if len(token) > MaxTokenBytes {
		return nil, refuse(ReasonTooLarge)
	}
	now := v.cfg.Now()
	var sum [32]byte
	if v.cache != nil {
		sum = sha256.Sum256([]byte(token))
		if e, ok := v.cache.get(sum, now); ok {
			e.keys.maybeRefresh(now)
			return e.p.clone(), nil
		}
	}
	kid, err := checkHeader(token)
	if err != nil {
		return nil, err
	}

	claims := jwt.MapClaims{}
	var (
		tenant  tenantRef
		keys    *keyStore
		usedKey *rsa.PublicKey
	)
	_, err = v.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		// The claims are decoded but not yet trusted: the tenant only
		// picks the key set the signature must verify against.
		var err error
		if tenant, keys, err = v.tenant(claims); err != nil {
			return nil, err
		}
		keys.maybeRefresh(now)
		key, err := keys.kf.KeyfuncCtx(ctx)(t)
		if err != nil {
			return nil, err
		}
		pub, ok := key.(*rsa.PublicKey)
		if !ok {
			return nil, refuse(ReasonUnknownKey)
		}
		usedKey = pub
		return pub, nil
	})
	if err != nil {
		return nil, v.mapError(ctx, err)
	}

	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return nil, refuse(ReasonNoExpiry) // unreachable: the parser requires exp
	}
	if err := v.checkLifetime(claims, exp.Time, now); err != nil {
		return nil, err
	}
	if err := checkAudience(claims["aud"], v.cfg.Audiences); err != nil {
		return nil, err
	}
	iss := stringClaim(claims, "iss")
	if v.issuers != nil {
		if err := checkEntraVersion(claims, iss, v.issuers[tenant.id]); err != nil {
			return nil, err
		}
	} else if iss == "" || iss != v.issuer {
		return nil, refuse(ReasonIssuer)
	}
	for _, c := range [...]string{"nonce", "at_hash", "c_hash"} {
		if _, ok := claims[c]; ok {
			return nil, refuse(ReasonIDToken)
		}
	}
	subject := stringClaim(claims, "oid")
	if subject == "" {
		subject = stringClaim(claims, "sub")
	}
	if subject == "" {
		return nil, refuse(ReasonMissingSubject)
	}
	p := &Principal{
		Tenant:    tenant.name,
		TenantID:  tenant.id,
		Subject:   subject,
		Roles:     rolesFrom(claims, v.cfg.RolesClaim),
		Issuer:    iss,
		ExpiresAt: exp.Time,
	}
	if v.cache != nil {
		expires := exp.Add(v.cfg.Leeway)
		if limit := now.Add(MaxCacheAge); limit.Before(expires) {
			expires = limit
		}
		v.cache.put(&cacheEntry{sum: sum, p: p.clone(), expires: expires, keys: keys, kid: kid, key: usedKey})
	}
	return p, nil
}

// checkLifetime refuses a token whose lifetime, exp minus the start of its
// validity (the earlier of iat and nbf; now when it has neither), is over
// MaxTokenLifetime: such a token, stolen, stays usable too long. The parser
// has already checked the three claims' types.
func (v *jwtVerifier) checkLifetime(claims jwt.MapClaims, exp, now time.Time) error {
	start, found := now, false
	for _, get := range [...]func() (*jwt.NumericDate, error){claims.GetIssuedAt, claims.GetNotBefore} {
		d, err := get()
		if err != nil {
			return refuse(ReasonTimeClaim)
		}
		if d != nil && (!found || d.Before(start)) {
			start, found = d.Time, true
		}
	}
	if exp.Sub(start) > v.cfg.MaxTokenLifetime {
		return refuse(ReasonLifetime)
	}
	return nil
}

// checkEntraVersion checks an Entra token against the shape of its version
// (ver): a v2.0 token's iss is Authority/{tid}/v2.0 and it names its client
// in azp; a v1.0 token's iss is https://sts.windows.net/{tid}/ and it names
// its client in appid. want holds the issuers of the token's own tid. ID
// tokens carry neither azp nor appid: now that the API's client id is an
// accepted audience, that is what tells an ID token issued to the API's own
// app registration from an access token for it.
func checkEntraVersion(claims jwt.MapClaims, iss string, want entraIssuers) error {
	var wantIss, client string
	switch ver, _ := claims["ver"].(string); ver {
	case "2.0":
		wantIss, client = want.v2, "azp"
	case "1.0":
		wantIss, client = want.v1, "appid"
	default:
		return refuse(ReasonTokenVersion)
	}
	if iss == "" || iss != wantIss {
		return refuse(ReasonIssuer)
	}
	if stringClaim(claims, client) == "" {
		return refuse(ReasonIDToken)
	}
	return nil
}

type tenantRef struct{ id, name string }

// tenant finds the token's tenant and the key set that must have signed it.
func (v *jwtVerifier) tenant(claims jwt.MapClaims) (tenantRef, *keyStore, error) {
	if v.cfg.TenantClaim == "" { // oidc, single tenant
		return tenantRef{name: v.cfg.DefaultTenant}, v.single, nil
	}
	raw, ok := claimValue(claims, v.cfg.TenantClaim)
	if !ok || raw == nil || raw == "" {
		return tenantRef{}, nil, refuse(ReasonMissingTenant)
	}
	id, ok := raw.(string)
	if !ok {
		return tenantRef{}, nil, refuse(ReasonTenantNotAllowed)
	}
	name, ok := v.cfg.Tenants[id]
	if !ok {
		return tenantRef{}, nil, refuse(ReasonTenantNotAllowed)
	}
	if v.stores != nil {
		return tenantRef{id: id, name: name}, v.stores[id], nil
	}
	return tenantRef{id: id, name: name}, v.single, nil
}

// mapError turns golang-jwt's errors into refusals with a safe reason.
func (v *jwtVerifier) mapError(ctx context.Context, err error) error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return ctx.Err()
	case errors.Is(err, jwt.ErrTokenMalformed):
		return refuse(ReasonMalformed)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return refuse(ReasonSignature)
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return refuse(ReasonNoExpiry)
	case errors.Is(err, jwt.ErrInvalidType):
		return refuse(ReasonTimeClaim)
	case errors.Is(err, jwt.ErrTokenExpired):
		return refuse(ReasonExpired)
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return refuse(ReasonNotYetValid)
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return refuse(ReasonIssuedInFuture)
	}
	return refuse(ReasonInvalid)
}

// checkHeader refuses, before any claim is looked at, tokens that are not
// three base64url segments or whose header is not what we accept.
func checkHeader(token string) (kid string, err error) {
	h, p, ok := strings.Cut(token, ".")
	if !ok {
		return "", refuse(ReasonMalformed)
	}
	p, s, ok := strings.Cut(p, ".")
	if !ok || strings.Contains(s, ".") || h == "" || p == "" || !base64URL(h) || !base64URL(p) || !base64URL(s) {
		return "", refuse(ReasonMalformed)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(h)
	if err != nil {
		return "", refuse(ReasonMalformed)
	}
	var hdr map[string]any
	if err := json.Unmarshal(raw, &hdr); err != nil || hdr == nil {
		return "", refuse(ReasonMalformed)
	}
	if alg, _ := hdr["alg"].(string); alg != "RS256" {
		return "", refuse(ReasonAlgorithm)
	}
	for _, name := range forbiddenHeaders {
		if _, ok := hdr[name]; ok {
			return "", refuse(ReasonForbiddenHeader)
		}
	}
	if typ, ok := hdr["typ"]; ok {
		s, _ := typ.(string)
		switch strings.ToLower(s) {
		case "jwt", "at+jwt", "application/at+jwt":
		default:
			return "", refuse(ReasonTokenType)
		}
	}
	rawKID, ok := hdr["kid"]
	if !ok || rawKID == "" {
		return "", refuse(ReasonMissingKID)
	}
	if kid, ok = rawKID.(string); !ok || !printableKID(kid) {
		return "", refuse(ReasonInvalidKID)
	}
	if s == "" {
		return "", refuse(ReasonMalformed)
	}
	return kid, nil
}

func base64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func printableKID(k string) bool {
	if k == "" || len(k) > maxKIDLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// checkAudience accepts a string that is one of ours, or an array holding
// exactly one value that is.
func checkAudience(aud any, accepted []string) error {
	switch a := aud.(type) {
	case string:
		if contains(accepted, a) {
			return nil
		}
	case []any:
		if len(a) > 1 {
			return refuse(ReasonAudienceArray)
		}
		if len(a) == 1 {
			if s, ok := a[0].(string); ok && contains(accepted, s) {
				return nil
			}
		}
	}
	return refuse(ReasonAudience)
}

func stringClaim(claims jwt.MapClaims, name string) string {
	s, _ := claims[name].(string)
	return s
}

// claimValue finds a claim by name, or, when no claim has that exact name,
// by a dotted path into nested objects (realm_access.roles). Exact names come
// first because claim names may contain dots (https://example.com/roles).
func claimValue(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	if !strings.Contains(name, ".") {
		return nil, false
	}
	var cur any = claims
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// rolesFrom returns the roles claim when it is an array of strings, else nil:
// a claim of any other shape grants nothing.
func rolesFrom(claims map[string]any, name string) []string {
	raw, _ := claimValue(claims, name)
	arr, ok := raw.([]any)
	if !ok {
		return nil
	}
	roles := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil
		}
		roles = append(roles, s)
	}
	return roles
}

// passthroughVerifier reads claims from an UNVERIFIED token, to simulate
// roles on a developer's machine. Loopback only.
type passthroughVerifier struct {
	cfg    Config
	parser *jwt.Parser
}

func (pv *passthroughVerifier) Verify(_ context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, refuse(ReasonMissing)
	}
	if len(token) > MaxTokenBytes {
		return nil, refuse(ReasonTooLarge)
	}
	claims := jwt.MapClaims{}
	if _, _, err := pv.parser.ParseUnverified(token, claims); err != nil {
		return nil, refuse(ReasonMalformed)
	}
	exp, err := claims.GetExpirationTime()
	if err != nil {
		return nil, refuse(ReasonTimeClaim)
	}
	p := &Principal{Tenant: pv.cfg.DefaultTenant, Roles: rolesFrom(claims, pv.cfg.RolesClaim)}
	if exp != nil {
		if !pv.cfg.Now().Before(exp.Add(pv.cfg.Leeway)) {
			return nil, refuse(ReasonExpired)
		}
		p.ExpiresAt = exp.Time
	}
	if raw, ok := claimValue(claims, pv.cfg.TenantClaim); ok {
		if id, ok := raw.(string); ok {
			p.TenantID = id
			if name, ok := pv.cfg.Tenants[id]; ok {
				p.Tenant = name
			}
		}
	}
	if p.Subject = stringClaim(claims, "oid"); p.Subject == "" {
		p.Subject = stringClaim(claims, "sub")
	}
	if p.Subject == "" {
		p.Subject = "anonymous"
	}
	if p.Issuer = stringClaim(claims, "iss"); p.Issuer == "" {
		p.Issuer = "passthrough"
	}
	return p, nil
}

// disabledVerifier lets everyone in as one anonymous principal with every
// role. Loopback only.
type disabledVerifier struct{ p Principal }

func (d *disabledVerifier) Verify(context.Context, string) (*Principal, error) {
	return d.p.clone(), nil
}
