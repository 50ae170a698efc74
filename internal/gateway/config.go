package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
	"go.yaml.in/yaml/v3"
)

// Config is the gateway's configuration file. Every field is checked by
// Parse; errors name the field by its path in the file, for example
// routes[1].backends[0].
type Config struct {
	// Listen is host:port. Off loopback it needs auth mode entra or oidc.
	Listen string `yaml:"listen"`
	// PublicBaseURL is the gateway's URL as clients see it; each route's
	// resource is PublicBaseURL + its path, and a 401 points clients at its
	// metadata there. Default (dev mode only): http://Listen. Required in
	// entra and oidc modes, and not a loopback one: clients elsewhere would
	// be sent to their own machine.
	PublicBaseURL string `yaml:"public_base_url"`
	Auth          Auth   `yaml:"auth"`
	// MaxBodyBytes bounds a request body (413 above). Default 1 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// AllowedOrigins are the browser origins accepted; empty: loopback
	// origins only. Requests without an Origin header are not affected.
	AllowedOrigins []string `yaml:"allowed_origins"`
	Health         Health   `yaml:"health"`
	Timeouts       Timeouts `yaml:"timeouts"`
	Sessions       Sessions `yaml:"sessions"`
	Routes         []Route  `yaml:"routes"`

	baseDefaulted bool // PublicBaseURL was not given: it follows the listen address
}

// Auth selects the token verification, as serve's AUTH_MODE does.
type Auth struct {
	// Mode is dev, entra or oidc. passthrough and disabled are refused: the
	// gateway exists to check tokens.
	Mode string `yaml:"mode"`
	// DataDir holds the development issuer's key (dev). Give the gateway and
	// the backends the same key: the same directory, or a copy of its
	// dev-issuer.key. Default ./data.
	DataDir string `yaml:"data_dir"`
	// Audience: the accepted aud values (one or a list). Required for entra
	// and oidc; dev tokens carry contoso-mcp. Entra: the API's client id (the
	// aud of v2.0 tokens) and its Application ID URI (v1.0 tokens).
	Audience []string `yaml:"audience"`
	// Authority is Entra's host (sovereign clouds; http only on loopback,
	// for tests). Default https://login.microsoftonline.com.
	Authority string `yaml:"authority"`
	// MaxTokenLifetime refuses tokens that live longer (exp - iat; see
	// auth.Config.MaxTokenLifetime). Default 24h, from 1m to 168h.
	MaxTokenLifetime Duration `yaml:"max_token_lifetime"`
	// Issuer is the OpenID Connect issuer (oidc).
	Issuer string `yaml:"issuer"`
	// TenantClaim names the tenant claim (oidc). Default tid.
	TenantClaim string `yaml:"tenant_claim"`
	// Scopes are the metadata's scopes_supported (entra default:
	// <first audience>/.default).
	Scopes []string `yaml:"scopes"`
}

// Health configures the active health checks of replicas.
type Health struct {
	Path           string   `yaml:"path"`            // default /readyz, on each backend's origin
	Interval       Duration `yaml:"interval"`        // default 2s
	Timeout        Duration `yaml:"timeout"`         // default 1s
	UnhealthyAfter int      `yaml:"unhealthy_after"` // failed checks in a row that take a replica out; default 2
	HealthyAfter   int      `yaml:"healthy_after"`   // passed checks in a row that bring it back; default 1
}

// Timeouts bound the gateway's waits without cutting a live stream.
type Timeouts struct {
	Connect Duration `yaml:"connect"` // dialing a backend; default 5s
	// Idle is the longest a backend may stay silent while it answers a POST:
	// before its response headers or between two events. Progress events
	// reset it, so a long call that reports progress is never cut. GET
	// streams (2025-11-25) are quiet by nature and are not bounded. Default 5m.
	Idle Duration `yaml:"idle"`
	// ReadBody bounds reading a request body from the client (slow clients).
	// Default 30s.
	ReadBody Duration `yaml:"read_body"`
}

// Sessions configures the pinning of 2025-11-25 sessions.
type Sessions struct {
	IdleTimeout Duration `yaml:"idle_timeout"` // forget a pin unused this long; default 30m (serve's SESSION_IDLE_TIMEOUT)
	Max         int      `yaml:"max"`          // most pinned sessions at once (503 for a new one above); default 100000
}

// Route is one public path, the tenants allowed on it and its backend
// replicas.
type Route struct {
	// Path is the public path, for example /contoso-mcp.
	Path string `yaml:"path"`
	// Tenants are the tenant claim values allowed here: Entra tenant ids
	// (GUIDs), or tenant names in dev mode.
	Tenants []string `yaml:"tenants"`
	// Backends are the replicas' MCP endpoints, for example
	// http://127.0.0.1:8001/mcp.
	Backends []string `yaml:"backends"`
	// Limits apply per tenant on this route. Absent: the defaults (50/s,
	// burst 100, 32 in flight); a zero turns one off.
	Limits Limits `yaml:"limits"`
	// APIMBackend is what API Management forwards to for this route (for
	// example a load-balanced Container Apps URL ending in /mcp, or
	// "backend-id:NAME" for an APIM backend pool). Default: the only backend,
	// or a pool named <route>-pool when there are several.
	APIMBackend string `yaml:"apim_backend"`
}

// Limits are one tenant's limits on a route.
type Limits struct {
	RatePerSecond *float64 `yaml:"rate_per_second"` // default 50; 0: no rate limit
	Burst         *int     `yaml:"burst"`           // default 2 x rate_per_second, at least 1
	// Concurrency bounds the tenant's POSTs in flight; default 32; 0: none.
	Concurrency *int `yaml:"concurrency"`
	// Streams bounds the tenant's open GET streams (2025-11-25); default 0:
	// none.
	Streams *int `yaml:"streams"`
	// Methods are tighter limits for one JSON-RPC method (and tool), on top
	// of the tenant's.
	Methods []MethodLimit `yaml:"methods"`
}

// MethodLimit limits one method, or one tool of tools/call, for each tenant
// of the route. The method and name are read from the body, which the
// Mcp-Method and Mcp-Name headers of the 2026-07-28 era must equal; the limit
// applies to both protocol eras, so an old-style session cannot bypass it.
type MethodLimit struct {
	Method        string   `yaml:"method"` // for example tools/call
	Name          string   `yaml:"name"`   // for example pay_invoice; empty: every name
	RatePerSecond *float64 `yaml:"rate_per_second"`
	Burst         *int     `yaml:"burst"`
	Concurrency   *int     `yaml:"concurrency"`
}

// Duration is a time.Duration written as in Go ("5s", "2m30s").
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Defaults.
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultRatePerSecond  = 50
	DefaultConcurrency    = 32
	DefaultHealthPath     = "/readyz"
	defaultHealthInterval = 2 * time.Second
	defaultHealthTimeout  = time.Second
	defaultConnect        = 5 * time.Second
	defaultIdle           = 5 * time.Minute
	defaultReadBody       = 30 * time.Second
	defaultSessionIdle    = 30 * time.Minute
	defaultMaxSessions    = 100000
)

// reservedPaths are served by the gateway itself.
var reservedPaths = []string{"/healthz", "/readyz", "/.well-known", "/dev-issuer"}

// Load reads and parses a configuration file. Errors start with the file's
// name.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse decodes YAML strictly (an unknown field is an error, with the fields
// that exist), fills in the defaults and validates every value.
func Parse(data []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, errors.New("the configuration is empty: it needs at least auth and routes")
	}
	c := &Config{}
	if err := decodeNode(doc.Content[0], "", reflect.ValueOf(c).Elem()); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

type fieldError struct {
	path string
	line int
	msg  string
}

func (e *fieldError) Error() string {
	p := e.path
	if p == "" {
		p = "(top level)"
	}
	if e.line > 0 {
		return fmt.Sprintf("%s (line %d): %s", p, e.line, e.msg)
	}
	return p + ": " + e.msg
}

func bad(path string, format string, args ...any) error {
	return &fieldError{path: path, msg: fmt.Sprintf(format, args...)}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

var durationType = reflect.TypeOf(Duration(0))

// decodeNode decodes n into v, strictly: mappings only hold the struct's
// yaml fields; a scalar is accepted where a list of strings is expected (a
// list of one).
func decodeNode(n *yaml.Node, path string, v reflect.Value) error {
	fail := func(format string, args ...any) error {
		return &fieldError{path: path, line: n.Line, msg: fmt.Sprintf(format, args...)}
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // absent: the default
	}
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		if err := decodeNode(n, path, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	if v.Type() == durationType {
		if n.Kind != yaml.ScalarNode {
			return fail("want a duration such as 5s or 2m")
		}
		d, err := time.ParseDuration(n.Value)
		if err != nil {
			return fail("%q is not a duration such as 5s or 2m", n.Value)
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return fail("want a mapping of %s", strings.Join(fieldNames(v.Type()), ", "))
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			if seen[key] {
				return &fieldError{path: join(path, key), line: n.Content[i].Line, msg: "given twice"}
			}
			seen[key] = true
			f, ok := fieldByTag(v, key)
			if !ok {
				return &fieldError{path: join(path, key), line: n.Content[i].Line,
					msg: "unknown field; the fields here are " + strings.Join(fieldNames(v.Type()), ", ")}
			}
			if err := decodeNode(val, join(path, key), f); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && v.Type().Elem().Kind() == reflect.String {
			v.Set(reflect.ValueOf([]string{n.Value}))
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return fail("want a list")
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if err := decodeNode(item, fmt.Sprintf("%s[%d]", path, i), s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return fail("want a single value, not a list or mapping")
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
	case reflect.Int, reflect.Int64:
		i, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return fail("%q is not a whole number", n.Value)
		}
		v.SetInt(i)
	case reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			return fail("%q is not a number", n.Value)
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if err != nil {
			return fail("%q is not true or false", n.Value)
		}
		v.SetBool(b)
	default:
		return fail("unsupported field type %s", v.Type())
	}
	return nil
}

func fieldByTag(v reflect.Value, key string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" {
			names = append(names, tag)
		}
	}
	return names
}

// validate fills in the defaults and checks every value.
func (c *Config) validate() error {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if err := c.validateAuth(); err != nil {
		return err
	}
	if err := c.CheckListen(c.Listen); err != nil {
		return err
	}
	if err := c.checkPublicBaseURL(); err != nil {
		return err
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxBodyBytes < 1024 {
		return bad("max_body_bytes", "%d is below 1024", c.MaxBodyBytes)
	}
	for i, o := range c.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
			return bad(fmt.Sprintf("allowed_origins[%d]", i), "%q is not an origin such as https://app.example.com", o)
		}
	}
	h := &c.Health
	if h.Path == "" {
		h.Path = DefaultHealthPath
	}
	if !strings.HasPrefix(h.Path, "/") {
		return bad("health.path", "%q must start with /", h.Path)
	}
	for _, d := range []struct {
		name string
		v    *Duration
		def  time.Duration
		min  time.Duration
	}{
		{"health.interval", &h.Interval, defaultHealthInterval, 50 * time.Millisecond},
		{"health.timeout", &h.Timeout, defaultHealthTimeout, 10 * time.Millisecond},
		{"timeouts.connect", &c.Timeouts.Connect, defaultConnect, 10 * time.Millisecond},
		{"timeouts.idle", &c.Timeouts.Idle, defaultIdle, time.Second},
		{"timeouts.read_body", &c.Timeouts.ReadBody, defaultReadBody, time.Second},
		{"sessions.idle_timeout", &c.Sessions.IdleTimeout, defaultSessionIdle, time.Second},
	} {
		if *d.v == 0 {
			*d.v = Duration(d.def)
		}
		if d.v.D() < d.min {
			return bad(d.name, "%s is shorter than %s", d.v.D(), d.min)
		}
	}
	if h.Timeout > h.Interval {
		return bad("health.timeout", "%s is longer than health.interval (%s)", h.Timeout.D(), h.Interval.D())
	}
	if h.UnhealthyAfter == 0 {
		h.UnhealthyAfter = 2
	}
	if h.HealthyAfter == 0 {
		h.HealthyAfter = 1
	}
	if h.UnhealthyAfter < 1 || h.UnhealthyAfter > 100 {
		return bad("health.unhealthy_after", "%d is not from 1 to 100", h.UnhealthyAfter)
	}
	if h.HealthyAfter < 1 || h.HealthyAfter > 100 {
		return bad("health.healthy_after", "%d is not from 1 to 100", h.HealthyAfter)
	}
	if c.Sessions.Max == 0 {
		c.Sessions.Max = defaultMaxSessions
	}
	if c.Sessions.Max < 1 {
		return bad("sessions.max", "%d is below 1", c.Sessions.Max)
	}
	if len(c.Routes) == 0 {
		return bad("routes", "no route: list at least one (path, tenants, backends)")
	}
	paths := map[string]bool{}
	for i := range c.Routes {
		if err := c.Routes[i].validate(fmt.Sprintf("routes[%d]", i), c.Auth.Mode); err != nil {
			return err
		}
		if paths[c.Routes[i].Path] {
			return bad(fmt.Sprintf("routes[%d].path", i), "%q is the path of an earlier route", c.Routes[i].Path)
		}
		paths[c.Routes[i].Path] = true
	}
	return nil
}

// checkPublicBaseURL defaults the public base URL in dev mode and checks
// it: outside dev mode it is where clients far away find the gateway (the
// routes' resources, the metadata a 401 points at, and the same in the APIM
// policy), so it must be given and must not be a loopback address.
func (c *Config) checkPublicBaseURL() error {
	if c.PublicBaseURL == "" {
		if c.Auth.Mode != auth.ModeDev {
			return bad("public_base_url", "required with auth mode %s: the URL clients reach the gateway (or API Management) at, such as https://mcp.contoso.example; it is each route's resource and where a 401 sends clients for the metadata", c.Auth.Mode)
		}
		c.PublicBaseURL = "http://" + c.Listen
		c.baseDefaulted = true
	}
	c.PublicBaseURL = strings.TrimSuffix(c.PublicBaseURL, "/")
	u, err := url.Parse(c.PublicBaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return bad("public_base_url", "%q is not an http(s) URL without query or fragment", c.PublicBaseURL)
	}
	if ip := net.ParseIP(u.Hostname()); c.Auth.Mode != auth.ModeDev && (auth.IsLoopbackHost(u.Hostname()) || ip != nil && ip.IsUnspecified()) {
		return bad("public_base_url", "%q is a loopback or unspecified address: with auth mode %s clients on other machines would be sent to their own; give the URL they reach the gateway (or API Management) at", c.PublicBaseURL, c.Auth.Mode)
	}
	return nil
}

func (c *Config) validateAuth() error {
	a := &c.Auth
	switch a.Mode {
	case auth.ModeDev:
		if a.DataDir == "" {
			a.DataDir = "./data"
		}
		if len(a.Audience) == 0 {
			a.Audience = []string{auth.DevAudience}
		}
	case auth.ModeEntra:
		if len(a.Audience) == 0 {
			return bad("auth.audience", "auth mode entra needs the accepted audience (the API's client id or Application ID URI)")
		}
		if a.Authority == "" {
			a.Authority = auth.DefaultAuthority
		}
		a.Authority = strings.TrimSuffix(a.Authority, "/")
		if err := auth.CheckFetchURL(a.Authority); err != nil {
			return bad("auth.authority", "%v", err)
		}
	case auth.ModeOIDC:
		if a.Issuer == "" {
			return bad("auth.issuer", "auth mode oidc needs the issuer URL")
		}
		a.Issuer = strings.TrimSuffix(a.Issuer, "/")
		if len(a.Audience) == 0 {
			return bad("auth.audience", "auth mode oidc needs the accepted audience")
		}
		if a.TenantClaim == "" {
			a.TenantClaim = "tid"
		}
	case "":
		return bad("auth.mode", "required: dev, entra or oidc")
	case auth.ModePassthrough, auth.ModeDisabled:
		return bad("auth.mode", "%q is not allowed at the gateway, whose job is to verify tokens: use dev, entra or oidc", a.Mode)
	default:
		return bad("auth.mode", "%q is not one of dev, entra, oidc", a.Mode)
	}
	if a.Mode != auth.ModeDev && a.DataDir != "" {
		return bad("auth.data_dir", "only auth mode dev has a data directory")
	}
	if a.MaxTokenLifetime == 0 {
		a.MaxTokenLifetime = Duration(auth.DefaultMaxTokenLifetime)
	}
	if d := a.MaxTokenLifetime.D(); d < time.Minute || d > auth.LongestMaxTokenLifetime {
		return bad("auth.max_token_lifetime", "%s is not from 1m to %s (the longest lifetime, exp - iat, of a token accepted)", d, auth.LongestMaxTokenLifetime)
	}
	for i, aud := range a.Audience {
		if aud == "" || strings.TrimSpace(aud) != aud {
			return bad(fmt.Sprintf("auth.audience[%d]", i), "%q is empty or has surrounding spaces", aud)
		}
	}
	return nil
}

func (r *Route) validate(path, mode string) error {
	if r.Path == "" {
		return bad(path+".path", "required, for example /contoso-mcp")
	}
	if !strings.HasPrefix(r.Path, "/") || r.Path == "/" || strings.HasSuffix(r.Path, "/") || strings.ContainsAny(r.Path, "?#%* \t") ||
		strings.Contains(r.Path, "//") || strings.Contains(r.Path, "/.") {
		return bad(path+".path", "%q is not a path such as /contoso-mcp (it starts with /, does not end with one, has no query)", r.Path)
	}
	for _, p := range reservedPaths {
		if r.Path == p || strings.HasPrefix(r.Path, p+"/") {
			return bad(path+".path", "%q is served by the gateway itself (%s)", r.Path, strings.Join(reservedPaths, ", "))
		}
	}
	if len(r.Tenants) == 0 {
		return bad(path+".tenants", "no tenant: list the tenant ids allowed on this route")
	}
	for i, t := range r.Tenants {
		p := fmt.Sprintf("%s.tenants[%d]", path, i)
		if slices.Index(r.Tenants, t) != i {
			return bad(p, "%q is listed twice", t)
		}
		if !auth.SafeTenantID(t) {
			return bad(p, "%q is not a tenant id (letters, digits, '.', '_' and '-', at most 128)", t)
		}
		if mode == auth.ModeDev && strings.ToLower(t) != t {
			return bad(p, "%q: dev tenants are lower-case names such as contoso", t)
		}
		if mode == auth.ModeEntra {
			if err := auth.CheckEntraTenantID(t); err != nil {
				return bad(p, "auth mode entra: %v", err)
			}
		}
	}
	if len(r.Backends) == 0 {
		return bad(path+".backends", "no backend: list the replicas' MCP URLs, for example http://127.0.0.1:8001/mcp")
	}
	for i, b := range r.Backends {
		p := fmt.Sprintf("%s.backends[%d]", path, i)
		u, err := url.Parse(b)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return bad(p, "%q is not an http(s) URL without credentials, query or fragment", b)
		}
		if slices.Index(r.Backends, b) != i {
			return bad(p, "%q is listed twice", b)
		}
	}
	if r.APIMBackend != "" && !strings.HasPrefix(r.APIMBackend, "backend-id:") {
		if u, err := url.Parse(r.APIMBackend); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.RawQuery != "" {
			return bad(path+".apim_backend", "%q is neither an http(s) URL nor backend-id:NAME", r.APIMBackend)
		}
	}
	l := &r.Limits
	if err := checkRate(path+".limits", &l.RatePerSecond, &l.Burst, DefaultRatePerSecond); err != nil {
		return err
	}
	if err := checkCount(path+".limits.concurrency", &l.Concurrency, DefaultConcurrency); err != nil {
		return err
	}
	if err := checkCount(path+".limits.streams", &l.Streams, 0); err != nil {
		return err
	}
	for i := range l.Methods {
		m := &l.Methods[i]
		p := fmt.Sprintf("%s.limits.methods[%d]", path, i)
		if m.Method == "" || strings.ContainsAny(m.Method, " \t\"'<>&") {
			return bad(p+".method", "required: a JSON-RPC method such as tools/call")
		}
		if strings.ContainsAny(m.Name, " \t\"'<>&") {
			return bad(p+".name", "%q is not a tool or resource name", m.Name)
		}
		if m.RatePerSecond == nil && m.Concurrency == nil {
			return bad(p, "give rate_per_second (and burst) or concurrency, or both")
		}
		if err := checkRate(p, &m.RatePerSecond, &m.Burst, 0); err != nil {
			return err
		}
		if err := checkCount(p+".concurrency", &m.Concurrency, 0); err != nil {
			return err
		}
		for j := range i {
			if l.Methods[j].Method == m.Method && l.Methods[j].Name == m.Name {
				return bad(p, "the same method and name as methods[%d]", j)
			}
		}
	}
	return nil
}

func checkRate(path string, rate **float64, burst **int, def float64) error {
	if *rate == nil {
		*rate = &def
	}
	if r := **rate; r < 0 || r > 1e6 {
		return bad(path+".rate_per_second", "%g is not from 0 (off) to 1000000", r)
	}
	if *burst == nil {
		b := max(1, int(2*(**rate)))
		*burst = &b
	}
	if b := **burst; b < 1 || b > 1e7 {
		return bad(path+".burst", "%d is not from 1 to 10000000", b)
	}
	return nil
}

func checkCount(path string, n **int, def int) error {
	if *n == nil {
		*n = &def
	}
	if v := **n; v < 0 || v > 1e6 {
		return bad(path, "%d is not from 0 (off) to 1000000", v)
	}
	return nil
}

// CheckListen checks a listen address (the file's, or one given on the
// command line): host:port, and loopback in dev mode.
func (c *Config) CheckListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return bad("listen", "%q is not host:port", addr)
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || (p == 0 && port != "0") {
		return bad("listen", "port %q is not a number from 0 to 65535", port)
	}
	if !auth.IsLoopbackHost(host) && c.Auth.Mode == auth.ModeDev {
		return bad("listen", "refusing %q with auth mode dev: the development issuer's key is a local file, so dev serves loopback only (127.0.0.1, ::1, localhost); use auth mode entra or oidc", addr)
	}
	return nil
}

// Listening records the address the gateway listens on (a listen port of 0
// picks one); a public base URL that was not given follows it.
func (c *Config) Listening(addr string) {
	c.Listen = addr
	if c.baseDefaulted {
		c.PublicBaseURL = "http://" + addr
	}
}

// Tenants returns every tenant id of every route, sorted, once each.
func (c *Config) Tenants() []string {
	var out []string
	for _, r := range c.Routes {
		for _, t := range r.Tenants {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
}
