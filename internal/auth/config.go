package auth

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Modes.
const (
	ModeEntra       = "entra"
	ModeOIDC        = "oidc"
	ModeDev         = "dev"
	ModePassthrough = "passthrough"
	ModeDisabled    = "disabled"
)

// Limits and defaults.
const (
	// DefaultAuthority is Microsoft Entra ID's public cloud.
	DefaultAuthority = "https://login.microsoftonline.com"
	// MaxTokenBytes: longer tokens are refused before any parsing. Entra
	// access tokens with many claims stay well under 8 KiB.
	MaxTokenBytes = 16 << 10
	// MaxLeeway is the most clock skew tolerated on exp, nbf and iat.
	MaxLeeway = 60 * time.Second
	// MaxCacheAge bounds how long a verified token is remembered even when
	// its exp is later.
	MaxCacheAge = 5 * time.Minute
	// DefaultTokenCacheSize is the verified-token cache's capacity.
	DefaultTokenCacheSize = 10000
	// DefaultMaxTokenLifetime is the longest lifetime a token may have
	// (Config.MaxTokenLifetime). Entra issues access tokens for 60 to 90
	// minutes; a token lifetime policy can make them last at most a day.
	DefaultMaxTokenLifetime = 24 * time.Hour
	// LongestMaxTokenLifetime bounds Config.MaxTokenLifetime itself.
	LongestMaxTokenLifetime = 7 * 24 * time.Hour
	// EntraV1IssuerPrefix starts the iss of every Entra v1.0 access token
	// (public cloud): https://sts.windows.net/{tid}/, with the trailing
	// slash. v2.0 tokens carry Authority/{tid}/v2.0.
	EntraV1IssuerPrefix = "https://sts.windows.net/"

	defaultRefreshInterval    = time.Hour
	defaultUnknownKIDInterval = 5 * time.Minute
	defaultFetchTimeout       = 10 * time.Second
	defaultMaxKeySetBytes     = 1 << 20
	maxFailureRetry           = time.Minute
)

// Config configures New. Zero values take the documented defaults.
type Config struct {
	Mode               string            // "entra", "oidc", "dev", "passthrough", "disabled"
	Audiences          []string          // accepted aud values (client id and/or App ID URI); at least one for entra/oidc; dev defaults to DevAudience
	Tenants            map[string]string // allowed tenant id (claim value) -> tenant name; dev: each name to itself
	Authority          string            // entra: default DefaultAuthority
	OIDCIssuer         string            // oidc: the issuer; discovery at OIDCIssuer + "/.well-known/openid-configuration"
	TenantClaim        string            // default "tid"; oidc: "" means single-tenant (DefaultTenant for everyone); may be a dotted path
	RolesClaim         string            // default "roles"; may be a dotted path (e.g. realm_access.roles)
	DefaultTenant      string            // oidc single-tenant, passthrough/disabled fallback
	Leeway             time.Duration     // default 60s, max 60s
	MaxTokenLifetime   time.Duration     // entra, oidc, dev: default DefaultMaxTokenLifetime (24h), 1m to LongestMaxTokenLifetime
	RefreshInterval    time.Duration     // default 1h
	UnknownKIDInterval time.Duration     // default 5m: at most one key fetch per interval triggered by unknown kids
	FetchTimeout       time.Duration     // default 10s
	MaxKeySetBytes     int64             // default 1 MiB (also caps the discovery document)
	HTTPClient         *http.Client      // optional; timeout, size cap and same-host redirects are enforced on a copy
	DataDir            string            // dev: where the dev issuer key lives
	Now                func() time.Time  // tests
	Logger             *slog.Logger      // key fetch failures etc.; never tokens

	// TokenCacheSize is the verified-token cache's capacity: 0 means
	// DefaultTokenCacheSize, a negative value turns the cache off.
	TokenCacheSize int
	// Policy names the roles the disabled mode's principal holds (all three).
	Policy Policy
}

// normalize validates c and fills in defaults. Errors name the field.
func (c Config) normalize() (Config, error) {
	bad := func(field, format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("auth: Config.%s: %s", field, fmt.Sprintf(format, args...))
	}
	switch c.Mode {
	case ModeEntra, ModeOIDC, ModeDev, ModePassthrough, ModeDisabled:
	case "":
		return bad("Mode", "required (entra, oidc, dev, passthrough or disabled)")
	default:
		return bad("Mode", "%q is not one of entra, oidc, dev, passthrough, disabled", c.Mode)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Leeway == 0 {
		c.Leeway = MaxLeeway
	}
	if c.Leeway < 0 || c.Leeway > MaxLeeway {
		return bad("Leeway", "%s is outside 0-%s", c.Leeway, MaxLeeway)
	}
	if c.MaxTokenLifetime == 0 {
		c.MaxTokenLifetime = DefaultMaxTokenLifetime
	}
	if c.MaxTokenLifetime < time.Minute || c.MaxTokenLifetime > LongestMaxTokenLifetime {
		return bad("MaxTokenLifetime", "%s is outside 1m-%s", c.MaxTokenLifetime, LongestMaxTokenLifetime)
	}
	if c.RefreshInterval == 0 {
		c.RefreshInterval = defaultRefreshInterval
	}
	if c.RefreshInterval < time.Second {
		return bad("RefreshInterval", "%s is shorter than 1s", c.RefreshInterval)
	}
	if c.UnknownKIDInterval == 0 {
		c.UnknownKIDInterval = defaultUnknownKIDInterval
	}
	if c.UnknownKIDInterval < time.Second {
		return bad("UnknownKIDInterval", "%s is shorter than 1s", c.UnknownKIDInterval)
	}
	if c.FetchTimeout == 0 {
		c.FetchTimeout = defaultFetchTimeout
	}
	if c.FetchTimeout < 0 {
		return bad("FetchTimeout", "%s is negative", c.FetchTimeout)
	}
	if c.MaxKeySetBytes == 0 {
		c.MaxKeySetBytes = defaultMaxKeySetBytes
	}
	if c.MaxKeySetBytes < 0 {
		return bad("MaxKeySetBytes", "%d is negative", c.MaxKeySetBytes)
	}
	if c.TokenCacheSize == 0 {
		c.TokenCacheSize = DefaultTokenCacheSize
	}
	if c.RolesClaim == "" {
		c.RolesClaim = "roles"
	}
	c.Policy = c.Policy.withDefaults()
	for id, name := range c.Tenants {
		if id == "" {
			return bad("Tenants", "empty tenant id")
		}
		if err := checkTenantName(name); err != nil {
			return bad("Tenants", "tenant %q: %v", id, err)
		}
	}
	if c.DefaultTenant != "" {
		if err := checkTenantName(c.DefaultTenant); err != nil {
			return bad("DefaultTenant", "%v", err)
		}
	}
	for _, a := range c.Audiences {
		if strings.TrimSpace(a) == "" || a != strings.TrimSpace(a) {
			return bad("Audiences", "%q is empty or has surrounding spaces", a)
		}
	}

	switch c.Mode {
	case ModeEntra:
		if len(c.Audiences) == 0 {
			return bad("Audiences", "at least one accepted audience is required in entra mode")
		}
		if len(c.Tenants) == 0 {
			return bad("Tenants", "at least one allowed tenant is required in entra mode")
		}
		for id := range c.Tenants {
			if err := CheckEntraTenantID(id); err != nil {
				return bad("Tenants", "%v", err)
			}
		}
		if c.TenantClaim == "" {
			c.TenantClaim = "tid"
		}
		if c.TenantClaim != "tid" {
			return bad("TenantClaim", "entra mode always uses tid, not %q", c.TenantClaim)
		}
		if c.Authority == "" {
			c.Authority = DefaultAuthority
		}
		c.Authority = strings.TrimRight(c.Authority, "/")
		if err := CheckFetchURL(c.Authority); err != nil {
			return bad("Authority", "%v", err)
		}
	case ModeOIDC:
		if len(c.Audiences) == 0 {
			return bad("Audiences", "at least one accepted audience is required in oidc mode")
		}
		if c.OIDCIssuer == "" {
			return bad("OIDCIssuer", "required in oidc mode")
		}
		if err := CheckFetchURL(c.OIDCIssuer); err != nil {
			return bad("OIDCIssuer", "%v", err)
		}
		if c.TenantClaim == "" {
			if c.DefaultTenant == "" {
				return bad("DefaultTenant", "required in oidc mode when TenantClaim is empty (single tenant)")
			}
		} else if len(c.Tenants) == 0 {
			return bad("Tenants", "at least one allowed tenant is required when TenantClaim is set")
		}
	case ModeDev:
		if len(c.Audiences) == 0 {
			c.Audiences = []string{DevAudience}
		} else if !contains(c.Audiences, DevAudience) {
			return bad("Audiences", "dev tokens carry aud %q; include it", DevAudience)
		}
		if len(c.Tenants) == 0 {
			return bad("Tenants", "at least one tenant is required in dev mode")
		}
		for id, name := range c.Tenants {
			if id != name {
				return bad("Tenants", "dev mode maps each tenant name to itself, not %q to %q", id, name)
			}
		}
		if c.TenantClaim == "" {
			c.TenantClaim = "tid"
		}
		if c.DataDir == "" {
			return bad("DataDir", "required in dev mode (the dev issuer's key lives there)")
		}
	case ModePassthrough, ModeDisabled:
		if c.DefaultTenant == "" {
			return bad("DefaultTenant", "required in %s mode", c.Mode)
		}
		if c.TenantClaim == "" {
			c.TenantClaim = "tid"
		}
	}
	return c, nil
}

// checkTenantName keeps tenant names safe to use in file names and keys.
func checkTenantName(name string) error {
	if !SafeTenantID(name) {
		return fmt.Errorf("tenant name %q may hold only letters, digits, '.', '_' and '-'", name)
	}
	return nil
}

// SafeTenantID reports whether a tenant id or name is safe to put in a URL
// path or a file name: 1 to 128 letters, digits, '.', '_' and '-', and
// neither "." nor "..".
func SafeTenantID(s string) bool {
	if s == "" || len(s) > 128 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// CheckEntraTenantID accepts an Entra tenant id as the tid claim carries it:
// a GUID, in lower case. A domain (contoso.onmicrosoft.com) or a name would
// never match a token's tid, and would put a name of the caller's choosing
// into the key set and OpenID configuration URLs.
func CheckEntraTenantID(id string) error {
	if !isGUID(id) {
		return fmt.Errorf("tenant id %q is not a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47 (the directory's tenant id, as in the tid claim; a domain or a tenant name is not accepted)", id)
	}
	if id != strings.ToLower(id) {
		return fmt.Errorf("tenant id %q: write it in lower case, as the tid claim carries it", id)
	}
	return nil
}

// isGUID reports whether s is 8-4-4-4-12 hexadecimal digits.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// CheckFetchURL accepts absolute https URLs, and http only on loopback (tests,
// local identity providers).
func CheckFetchURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" || u.RawQuery != "" {
		return fmt.Errorf("%q must be an absolute URL without credentials, query or fragment", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q: plain http is allowed only on loopback; use https", raw)
	}
	return fmt.Errorf("%q: scheme must be https", raw)
}

// IsLoopbackHost reports whether a host name or address is on the loopback
// interface (localhost, 127.0.0.0/8, ::1).
func IsLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
