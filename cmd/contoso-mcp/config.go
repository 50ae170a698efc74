package main

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
)

// config is every setting of serve, seed and token, read in one place from
// the environment and then the flags (a flag wins), validated before anything
// starts. Errors name the variable or flag.
type config struct {
	Addr           string
	DataDir        string
	Stdio          bool
	Tenants        []string
	SeedOnStartup  bool
	ForceSeed      bool
	SeedCustomers  int
	AsOf           time.Time
	LogLevel       string
	LogFormat      string
	LogFlush       time.Duration
	SessionTimeout time.Duration
	MaxBodyBytes   int64
	ReadBody       time.Duration
	ShutdownGrace  time.Duration
	Fixtures       bool
	UseCosmos      bool
	Auth           authConfig
	PublicBaseURL  string // empty: http:// and the address serve listens on
	AllowedOrigins []string
	RatePerSecond  float64
	RateBurst      int
	AdminAddr      string // empty: no admin listener
	StdioRoles     []string
	StepDuration   time.Duration
	TaskTTL        time.Duration
	TaskLease      time.Duration
	FastPath       bool
}

// authConfig is the token-check part of the configuration.
type authConfig struct {
	Mode           string            // entra, oidc, dev, passthrough, disabled
	Audiences      []string          // MCP_API_AUDIENCE
	AllowedTenants map[string]string // tenant id -> tenant name
	Authority      string            // ENTRA_AUTHORITY
	MaxLifetime    time.Duration     // MAX_TOKEN_LIFETIME
	OIDCIssuer     string
	TenantClaim    string
	RolesClaim     string
	QueryRole      string
	AdminRole      string
	SecurityRole   string
	PolicyFile     string
	Scopes         []string
}

// envVars documents every variable with its default; a test keeps the
// README's table in step with it.
var envVars = []struct{ Name, Default string }{
	{"ADDR", "127.0.0.1:8000"},
	{"PORT", ""},
	{"DATA_DIR", "./data"},
	{"TENANTS", "contoso,fabrikam (dev); contoso (passthrough, disabled); the names of ALLOWED_TENANTS (entra, oidc)"},
	{"SEED_ON_STARTUP", "true"},
	{"FORCE_SEED", "false"},
	{"SEED_CUSTOMER_COUNT", "250"},
	{"AS_OF", "today (UTC)"},
	{"LOG_LEVEL", "info"},
	{"LOG_FORMAT", "json"},
	{"LOG_FLUSH", "100ms"},
	{"SESSION_IDLE_TIMEOUT", "30m"},
	{"MAX_BODY_BYTES", "1048576"},
	{"READ_BODY_TIMEOUT", "10s"},
	{"SHUTDOWN_TIMEOUT", "15s"},
	{"CONFORMANCE_FIXTURES", "false"},
	{"USE_COSMOSDB", "false"},
	{"AUTH_MODE", "dev, or entra/oidc when their variables are set"},
	{"DISABLE_AUTH", "false"},
	{"MCP_API_AUDIENCE", "contoso-mcp (dev)"},
	{"ALLOWED_TENANTS", ""},
	{"AAD_TENANT_ID", ""},
	{"ENTRA_AUTHORITY", "https://login.microsoftonline.com"},
	{"MAX_TOKEN_LIFETIME", "24h"},
	{"OIDC_ISSUER", ""},
	{"OIDC_TENANT_CLAIM", "tid"},
	{"OIDC_ROLES_CLAIM", "roles"},
	{"QUERY_ROLE", "query"},
	{"ADMIN_ROLE", "admin"},
	{"SECURITY_ROLE", "security"},
	{"ROLE_POLICY_FILE", ""},
	{"MCP_SCOPES", ""},
	{"PUBLIC_BASE_URL", "http://ADDR"},
	{"ALLOWED_ORIGINS", "loopback origins only"},
	{"RATE_LIMIT_PER_SECOND", "50"},
	{"RATE_LIMIT_BURST", "100"},
	{"STDIO_ROLES", "query,admin,security"},
	{"TROUBLESHOOT_STEP", "5s"},
	{"ADMIN_ADDR", ""},
	{"TASK_TTL", "1h"},
	{"TASK_LEASE", "30s"},
	{"FAST_PATH", "true"},
}

// env returns the variable or its default; defaults that are prose (shown
// in the README) count as unset.
func env(getenv func(string) string, name string) string {
	if v := getenv(name); v != "" {
		return v
	}
	for _, v := range envVars {
		if v.Name == name && !strings.Contains(v.Default, " ") {
			return v.Default
		}
	}
	return ""
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

var tenantName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// parseConfig reads the environment, then the flags of the serve or seed
// command.
func parseConfig(cmd string, args []string, getenv func(string) string, now time.Time) (*config, *flag.FlagSet, error) {
	e := func(name string) string { return env(getenv, name) }
	defAddr := e("ADDR")
	if getenv("ADDR") == "" && getenv("PORT") != "" {
		defAddr = "127.0.0.1:" + getenv("PORT")
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	addr := fs.String("addr", defAddr, "address to listen on (ADDR, PORT)")
	dataDir := fs.String("data-dir", e("DATA_DIR"), "data directory (DATA_DIR)")
	stdio := fs.Bool("stdio", false, "serve MCP over stdin/stdout instead of HTTP")
	asOf := fs.String("as-of", e("AS_OF"), "date the generated data is relative to, YYYY-MM-DD (AS_OF)")
	fixtures := fs.Bool("conformance-fixtures", false, "add the conformance suite's test fixtures (CONFORMANCE_FIXTURES)")
	authMode := fs.String("auth-mode", getenv("AUTH_MODE"), "entra, oidc, dev, passthrough or disabled (AUTH_MODE)")
	tenant := fs.String("tenant", "", "seed only this tenant (seed command)")
	force := fs.Bool("force", false, "rebuild the data set even when present (seed command; FORCE_SEED)")
	customers := fs.String("customers", e("SEED_CUSTOMER_COUNT"), "ordinary customers to generate (SEED_CUSTOMER_COUNT)")
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	if fs.NArg() > 0 {
		return nil, fs, fmt.Errorf("%s: unexpected argument %q", cmd, fs.Arg(0))
	}
	c := &config{Addr: *addr, DataDir: *dataDir, Stdio: *stdio, LogLevel: e("LOG_LEVEL"), LogFormat: e("LOG_FORMAT")}
	var err error
	var disableAuth bool
	bools := []struct {
		name string
		dst  *bool
	}{{"SEED_ON_STARTUP", &c.SeedOnStartup}, {"FORCE_SEED", &c.ForceSeed}, {"CONFORMANCE_FIXTURES", &c.Fixtures},
		{"USE_COSMOSDB", &c.UseCosmos}, {"DISABLE_AUTH", &disableAuth}, {"FAST_PATH", &c.FastPath}}
	for _, b := range bools {
		if *b.dst, err = strconv.ParseBool(e(b.name)); err != nil {
			return nil, fs, fmt.Errorf("%s: %q is not true or false", b.name, e(b.name))
		}
	}
	c.ForceSeed = c.ForceSeed || *force
	c.Fixtures = c.Fixtures || *fixtures
	if c.SeedCustomers, err = strconv.Atoi(*customers); err != nil || c.SeedCustomers < 0 || c.SeedCustomers > 100000 {
		return nil, fs, fmt.Errorf("SEED_CUSTOMER_COUNT: %q is not a whole number from 0 to 100000", *customers)
	}
	if *asOf == "" {
		c.AsOf = now.UTC().Truncate(24 * time.Hour)
	} else if c.AsOf, err = time.Parse("2006-01-02", *asOf); err != nil {
		return nil, fs, fmt.Errorf("AS_OF (--as-of): %q is not a date in YYYY-MM-DD form", *asOf)
	}
	durations := []struct {
		name string
		dst  *time.Duration
	}{{"SESSION_IDLE_TIMEOUT", &c.SessionTimeout}, {"SHUTDOWN_TIMEOUT", &c.ShutdownGrace}, {"TROUBLESHOOT_STEP", &c.StepDuration},
		{"TASK_TTL", &c.TaskTTL}, {"TASK_LEASE", &c.TaskLease}, {"READ_BODY_TIMEOUT", &c.ReadBody}}
	for _, d := range durations {
		if *d.dst, err = time.ParseDuration(e(d.name)); err != nil || *d.dst <= 0 {
			return nil, fs, fmt.Errorf("%s: %q is not a positive duration such as 30s or 5m", d.name, e(d.name))
		}
	}
	if c.MaxBodyBytes, err = strconv.ParseInt(e("MAX_BODY_BYTES"), 10, 64); err != nil || c.MaxBodyBytes < 1024 {
		return nil, fs, fmt.Errorf("MAX_BODY_BYTES: %q is not a number of bytes of at least 1024", e("MAX_BODY_BYTES"))
	}
	if c.RatePerSecond, err = strconv.ParseFloat(e("RATE_LIMIT_PER_SECOND"), 64); err != nil || c.RatePerSecond < 0 {
		return nil, fs, fmt.Errorf("RATE_LIMIT_PER_SECOND: %q is not a number of requests per second (0 turns the limit off)", e("RATE_LIMIT_PER_SECOND"))
	}
	if c.RateBurst, err = strconv.Atoi(e("RATE_LIMIT_BURST")); err != nil || c.RateBurst < 1 {
		return nil, fs, fmt.Errorf("RATE_LIMIT_BURST: %q is not a whole number of at least 1", e("RATE_LIMIT_BURST"))
	}
	if c.UseCosmos {
		return nil, fs, fmt.Errorf("USE_COSMOSDB=true: the Cosmos DB backend is not part of this build yet; unset it to use the embedded SQLite store")
	}
	c.StdioRoles = splitList(e("STDIO_ROLES"))
	c.AllowedOrigins = splitList(getenv("ALLOWED_ORIGINS"))
	for _, o := range c.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
			return nil, fs, fmt.Errorf("ALLOWED_ORIGINS: %q is not an origin such as https://app.example.com", o)
		}
	}
	if c.LogFlush, err = logFlush(getenv); err != nil {
		return nil, fs, err
	}
	if c.AdminAddr, err = adminAddr(getenv); err != nil {
		return nil, fs, err
	}
	if err := c.parseAuth(*authMode, disableAuth, getenv); err != nil {
		return nil, fs, err
	}
	if explicit := splitList(getenv("TENANTS")); len(explicit) > 0 {
		c.Tenants = explicit
	}
	if *tenant != "" {
		c.Tenants = []string{*tenant}
	}
	if len(c.Tenants) == 0 {
		return nil, fs, fmt.Errorf("TENANTS: no tenant named")
	}
	for _, t := range c.Tenants {
		if !tenantName.MatchString(t) {
			return nil, fs, fmt.Errorf("TENANTS: %q is not a tenant name (1 to 63 lower-case letters, digits and hyphens)", t)
		}
	}
	if *tenant == "" {
		for tid, name := range c.Auth.AllowedTenants {
			if !slices.Contains(c.Tenants, name) {
				return nil, fs, fmt.Errorf("ALLOWED_TENANTS: tenant id %s maps to %q, which is not in TENANTS (%s)", tid, name, strings.Join(c.Tenants, ","))
			}
		}
	}
	c.PublicBaseURL = strings.TrimSuffix(getenv("PUBLIC_BASE_URL"), "/")
	if c.PublicBaseURL != "" {
		if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fs, fmt.Errorf("PUBLIC_BASE_URL: %q is not an http(s) URL", c.PublicBaseURL)
		}
	}
	if !c.Stdio && cmd == "serve" {
		if err := c.requireSafeAddr(); err != nil {
			return nil, fs, err
		}
	}
	return c, fs, nil
}

// parseAuth picks the mode (the flag, AUTH_MODE, DISABLE_AUTH, or what is
// configured: OIDC_ISSUER means oidc, an audience with tenants means entra,
// nothing means dev) and reads its settings.
func (c *config) parseAuth(mode string, disable bool, getenv func(string) string) error {
	e := func(name string) string { return env(getenv, name) }
	a := &c.Auth
	a.Audiences = splitList(getenv("MCP_API_AUDIENCE"))
	a.Authority = strings.TrimSuffix(e("ENTRA_AUTHORITY"), "/")
	a.OIDCIssuer = strings.TrimSuffix(getenv("OIDC_ISSUER"), "/")
	a.TenantClaim, a.RolesClaim = e("OIDC_TENANT_CLAIM"), e("OIDC_ROLES_CLAIM")
	a.QueryRole, a.AdminRole, a.SecurityRole = e("QUERY_ROLE"), e("ADMIN_ROLE"), e("SECURITY_ROLE")
	a.PolicyFile = getenv("ROLE_POLICY_FILE")
	a.Scopes = splitList(getenv("MCP_SCOPES"))
	a.AllowedTenants = map[string]string{}
	for _, pair := range splitList(getenv("ALLOWED_TENANTS")) {
		tid, name, ok := strings.Cut(pair, "=")
		tid, name = strings.TrimSpace(tid), strings.TrimSpace(name)
		if !ok {
			name = strings.ToLower(tid)
		}
		if tid == "" || !tenantName.MatchString(name) {
			return fmt.Errorf("ALLOWED_TENANTS: %q is not tenant-id=tenant-name (for example 72f988bf-86f1-41af-91ab-2d7cd011db47=contoso)", pair)
		}
		a.AllowedTenants[tid] = name
	}
	if tid := getenv("AAD_TENANT_ID"); tid != "" && len(a.AllowedTenants) == 0 {
		name := "contoso"
		if t := splitList(getenv("TENANTS")); len(t) > 0 {
			name = t[0]
		}
		a.AllowedTenants[tid] = name
	}
	var err error
	if a.MaxLifetime, err = maxTokenLifetime(getenv); err != nil {
		return err
	}
	switch {
	case disable:
		if mode != "" && mode != "disabled" {
			return fmt.Errorf("DISABLE_AUTH=true contradicts AUTH_MODE=%s", mode)
		}
		mode = "disabled"
	case mode != "":
	case a.OIDCIssuer != "":
		mode = "oidc"
	case len(a.Audiences) > 0 && len(a.AllowedTenants) > 0:
		mode = "entra"
	default:
		mode = "dev"
	}
	a.Mode = mode
	switch mode {
	case "entra", "oidc":
		if len(a.Audiences) == 0 {
			return fmt.Errorf("MCP_API_AUDIENCE: AUTH_MODE=%s needs the accepted audience (client id and/or Application ID URI)", mode)
		}
		if mode == "oidc" && a.OIDCIssuer == "" {
			return fmt.Errorf("OIDC_ISSUER: AUTH_MODE=oidc needs the issuer URL")
		}
		if len(a.AllowedTenants) == 0 && !(mode == "oidc" && a.TenantClaim == "") {
			return fmt.Errorf("ALLOWED_TENANTS: AUTH_MODE=%s needs the allowed tenant ids (tenant-id=tenant-name,...)", mode)
		}
		if mode == "entra" {
			for tid := range a.AllowedTenants {
				if err := auth.CheckEntraTenantID(tid); err != nil {
					name := "ALLOWED_TENANTS"
					if getenv("ALLOWED_TENANTS") == "" {
						name = "AAD_TENANT_ID"
					}
					return fmt.Errorf("%s: AUTH_MODE=entra: %v", name, err)
				}
			}
		}
		for _, name := range a.AllowedTenants {
			if !slices.Contains(c.Tenants, name) {
				c.Tenants = append(c.Tenants, name)
			}
		}
		slices.Sort(c.Tenants)
		if mode == "oidc" && a.TenantClaim == "" && len(c.Tenants) == 0 {
			c.Tenants = []string{"contoso"}
		}
	case "dev":
		c.Tenants = []string{"contoso", "fabrikam"}
		if len(a.Audiences) == 0 {
			a.Audiences = []string{"contoso-mcp"}
		}
	case "passthrough", "disabled":
		c.Tenants = []string{"contoso"}
	default:
		return fmt.Errorf("AUTH_MODE (--auth-mode): %q is not one of entra, oidc, dev, passthrough, disabled", mode)
	}
	return nil
}

// requireSafeAddr refuses a listen address off the loopback interface unless
// tokens are verified against a real issuer (entra or oidc).
func (c *config) requireSafeAddr() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("ADDR (--addr): %q is not host:port: %v", c.Addr, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("ADDR (--addr): port %q is not a number from 0 to 65535", port)
	}
	if auth.IsLoopbackHost(host) {
		return nil
	}
	if c.Auth.Mode == "entra" || c.Auth.Mode == "oidc" {
		return nil
	}
	return fmt.Errorf("ADDR (--addr): refusing to listen on %q with AUTH_MODE=%s: a non-loopback address needs verified tokens (AUTH_MODE=entra or oidc); dev, passthrough and disabled serve loopback only (127.0.0.1, ::1, localhost)", c.Addr, c.Auth.Mode)
}

// maxTokenLifetime is MAX_TOKEN_LIFETIME: the longest lifetime (exp - iat) a
// verified token may have, and the most the token command's --ttl may ask.
func maxTokenLifetime(getenv func(string) string) (time.Duration, error) {
	v := env(getenv, "MAX_TOKEN_LIFETIME")
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute || d > auth.LongestMaxTokenLifetime {
		return 0, fmt.Errorf("MAX_TOKEN_LIFETIME: %q is not a duration from 1m to %s such as 24h (the longest lifetime, exp - iat, of a token accepted)", v, auth.LongestMaxTokenLifetime)
	}
	return d, nil
}

// logFlush is LOG_FLUSH: how long log lines may wait to be written together
// (0 writes each at once).
func logFlush(getenv func(string) string) (time.Duration, error) {
	v := env(getenv, "LOG_FLUSH")
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > time.Minute {
		return 0, fmt.Errorf("LOG_FLUSH: %q is not a duration from 0 to 1m such as 100ms (0 writes each line at once)", v)
	}
	return d, nil
}

// adminAddr is ADMIN_ADDR, checked: a loopback host:port, or "".
func adminAddr(getenv func(string) string) (string, error) {
	addr := getenv("ADMIN_ADDR")
	if addr == "" {
		return "", nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !auth.IsLoopbackHost(host) {
		return "", fmt.Errorf("ADMIN_ADDR: %q must be a loopback host:port (the admin listener serves pprof without authentication)", addr)
	}
	return addr, nil
}
