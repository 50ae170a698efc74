package gateway

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestExampleConfigsParse(t *testing.T) {
	for _, name := range []string{"testdata/gateway.yaml", "testdata/gateway-entra.yaml"} {
		t.Run(name, func(t *testing.T) {
			c, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Routes) != 2 || c.Health.Path != "/readyz" || c.Health.Interval.D() != 2*time.Second || c.MaxBodyBytes != 1<<20 {
				t.Errorf("defaults not filled in: %+v", c)
			}
		})
	}
	c, err := Load("testdata/gateway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l := c.Routes[0].Limits
	if *l.RatePerSecond != 50 || *l.Burst != 100 || *l.Concurrency != 32 || *l.Methods[0].Concurrency != 2 || *l.Methods[1].Concurrency != 0 {
		t.Errorf("contoso limits: %+v", l)
	}
	f := c.Routes[1].Limits
	if *f.RatePerSecond != DefaultRatePerSecond || *f.Burst != 2*DefaultRatePerSecond || *f.Concurrency != DefaultConcurrency {
		t.Errorf("fabrikam's default limits: rate %v burst %v concurrency %v", *f.RatePerSecond, *f.Burst, *f.Concurrency)
	}
	if got := strings.Join(c.Tenants(), ","); got != "contoso,fabrikam" {
		t.Errorf("tenants %s", got)
	}
}

// TestConfigErrorsNameTheField: every mistake is reported with the path of
// the field in the file.
func TestConfigErrorsNameTheField(t *testing.T) {
	const base = `
auth: {mode: dev, data_dir: /tmp/x}
routes:
  - path: /contoso-mcp
    tenants: [contoso]
    backends: [http://127.0.0.1:8001/mcp]
`
	cases := []struct {
		name, yaml, want string
	}{
		{"empty", ``, "empty"},
		{"not yaml", "routes: [", "yaml"},
		{"unknown top field", "listn: 127.0.0.1:1\n" + base, "listn (line 1): unknown field; the fields here are listen, public_base_url"},
		{"unknown nested field", strings.Replace(base, "tenants:", "limits: {rate: 5}\n    tenants:", 1), "routes[0].limits.rate (line 5): unknown field; the fields here are rate_per_second, burst, concurrency, streams, methods"},
		{"no auth mode", strings.Replace(base, "mode: dev, ", "", 1), "auth.mode: required"},
		{"bad auth mode", strings.Replace(base, "mode: dev", "mode: ldap", 1), `auth.mode: "ldap" is not one of dev, entra, oidc`},
		{"passthrough refused", strings.Replace(base, "mode: dev", "mode: passthrough", 1), "auth.mode: \"passthrough\" is not allowed at the gateway"},
		{"entra without audience", strings.Replace(base, "mode: dev, data_dir: /tmp/x", "mode: entra", 1), "auth.audience: auth mode entra needs"},
		{"oidc without issuer", strings.Replace(base, "mode: dev, data_dir: /tmp/x", "mode: oidc, audience: x", 1), "auth.issuer: auth mode oidc needs"},
		{"data dir off dev", strings.Replace(base, "mode: dev", "mode: entra, audience: api://x", 1), "auth.data_dir: only auth mode dev"},
		{"dev off loopback", "listen: 0.0.0.0:8080\n" + base, "listen: refusing \"0.0.0.0:8080\" with auth mode dev"},
		{"bad listen", "listen: nowhere\n" + base, `listen: "nowhere" is not host:port`},
		{"bad port", "listen: 127.0.0.1:http\n" + base, `listen: port "http" is not a number`},
		{"bad public url", "public_base_url: ftp://x\n" + base, "public_base_url: \"ftp://x\" is not an http(s) URL"},
		{"small body", "max_body_bytes: 10\n" + base, "max_body_bytes: 10 is below 1024"},
		{"body not a number", "max_body_bytes: lots\n" + base, `max_body_bytes (line 1): "lots" is not a whole number`},
		{"bad duration", "health: {interval: soon}\n" + base, `health.interval (line 1): "soon" is not a duration`},
		{"timeout over interval", "health: {interval: 1s, timeout: 2s}\n" + base, "health.timeout: 2s is longer than health.interval"},
		{"bad origin", "allowed_origins: [app.example.com]\n" + base, "allowed_origins[0]: \"app.example.com\" is not an origin"},
		{"no routes", "auth: {mode: dev}\n", "routes: no route"},
		{"route without path", strings.Replace(base, "path: /contoso-mcp", "path: ''", 1), "routes[0].path: required"},
		{"route path with slash", strings.Replace(base, "path: /contoso-mcp", "path: /contoso-mcp/", 1), "routes[0].path: \"/contoso-mcp/\" is not a path"},
		{"reserved path", strings.Replace(base, "path: /contoso-mcp", "path: /readyz", 1), "routes[0].path: \"/readyz\" is served by the gateway itself"},
		{"no tenants", strings.Replace(base, "tenants: [contoso]", "tenants: []", 1), "routes[0].tenants: no tenant"},
		{"bad tenant", strings.Replace(base, "tenants: [contoso]", "tenants: [contoso, 'a b']", 1), "routes[0].tenants[1]: \"a b\" is not a tenant id"},
		{"dev tenant upper case", strings.Replace(base, "tenants: [contoso]", "tenants: [Contoso]", 1), "routes[0].tenants[0]: \"Contoso\": dev tenants are lower-case"},
		{"tenant twice", strings.Replace(base, "tenants: [contoso]", "tenants: [contoso, contoso]", 1), "routes[0].tenants[1]: \"contoso\" is listed twice"},
		{"no backends", strings.Replace(base, "backends: [http://127.0.0.1:8001/mcp]", "backends: []", 1), "routes[0].backends: no backend"},
		{"bad backend", strings.Replace(base, "http://127.0.0.1:8001/mcp", "127.0.0.1:8001", 1), "routes[0].backends[0]: \"127.0.0.1:8001\" is not an http(s) URL"},
		{"backend with query", strings.Replace(base, "http://127.0.0.1:8001/mcp", "'http://127.0.0.1:8001/mcp?x=1'", 1), "routes[0].backends[0]"},
		{"negative rate", strings.Replace(base, "tenants:", "limits: {rate_per_second: -1}\n    tenants:", 1), "routes[0].limits.rate_per_second: -1 is not from 0"},
		{"zero burst", strings.Replace(base, "tenants:", "limits: {burst: 0}\n    tenants:", 1), "routes[0].limits.burst: 0 is not from 1"},
		{"method limit without method", strings.Replace(base, "tenants:", "limits: {methods: [{name: pay_invoice, concurrency: 1}]}\n    tenants:", 1), "routes[0].limits.methods[0].method: required"},
		{"method limit without limits", strings.Replace(base, "tenants:", "limits: {methods: [{method: tools/call}]}\n    tenants:", 1), "routes[0].limits.methods[0]: give rate_per_second"},
		{"duplicate route", base + "  - {path: /contoso-mcp, tenants: [fabrikam], backends: [http://127.0.0.1:8003/mcp]}\n", "routes[1].path: \"/contoso-mcp\" is the path of an earlier route"},
		{"field twice", "listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n" + base, "listen (line 2): given twice"},
		{"list where a value goes", "listen: [a, b]\n" + base, "listen (line 1): want a single value"},
		{"value where a mapping goes", "auth: dev\nroutes: []\n", "auth (line 1): want a mapping of mode, data_dir"},
		{"lifetime over a week", strings.Replace(base, "data_dir: /tmp/x", "data_dir: /tmp/x, max_token_lifetime: 720h", 1), "auth.max_token_lifetime: 720h0m0s is not from 1m to 168h0m0s"},
		{"lifetime under a minute", strings.Replace(base, "data_dir: /tmp/x", "data_dir: /tmp/x, max_token_lifetime: 1s", 1), "auth.max_token_lifetime: 1s is not from 1m"},
		{"lifetime not a duration", strings.Replace(base, "data_dir: /tmp/x", "data_dir: /tmp/x, max_token_lifetime: long", 1), `auth.max_token_lifetime (line 2): "long" is not a duration`},
		{"entra tenant a name", "public_base_url: https://mcp.example\n" + strings.Replace(base, "mode: dev, data_dir: /tmp/x", "mode: entra, audience: api://x", 1), `routes[0].tenants[0]: auth mode entra: tenant id "contoso" is not a GUID`},
		{"entra without public base URL", strings.Replace(strings.Replace(base, "mode: dev, data_dir: /tmp/x", "mode: entra, audience: api://x", 1), "[contoso]", "[72f988bf-86f1-41af-91ab-2d7cd011db47]", 1), "public_base_url: required with auth mode entra"},
		{"oidc with a loopback public base URL", "public_base_url: http://localhost:8080\n" + strings.Replace(base, "mode: dev, data_dir: /tmp/x", "mode: oidc, audience: x, issuer: https://idp.example", 1), `public_base_url: "http://localhost:8080" is a loopback or unspecified address: with auth mode oidc`},
		{"entra authority plain http", strings.Replace(base, "mode: dev, data_dir: /tmp/x", "mode: entra, audience: api://x, authority: 'http://login.example.com'", 1), "auth.authority: \"http://login.example.com\": plain http is allowed only on loopback"},
		{"bad apim backend", strings.Replace(base, "tenants:", "apim_backend: pool\n    tenants:", 1), "routes[0].apim_backend: \"pool\" is neither"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant an error containing %q", err, c.want)
			}
		})
	}
	if _, err := Parse([]byte(base)); err != nil {
		t.Errorf("the base configuration: %v", err)
	}
}

func TestAudienceAcceptsOneOrAList(t *testing.T) {
	const tmpl = "public_base_url: https://mcp.example\nauth: {mode: entra, audience: %s}\nroutes: [{path: /a, tenants: [72f988bf-86f1-41af-91ab-2d7cd011db47], backends: ['http://127.0.0.1:1/mcp']}]\n"
	for in, want := range map[string]string{"api://x": "api://x", "[api://x, 1234]": "api://x,1234"} {
		c, err := Parse([]byte(strings.Replace(tmpl, "%s", in, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(c.Auth.Audience, ","); got != want {
			t.Errorf("audience %s: got %s", in, got)
		}
	}
}

// TestREADMEConfigurationParses keeps the README's annotated configuration
// valid.
func TestREADMEConfigurationParses(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "### The configuration file")
	if !ok {
		t.Fatal("README has no configuration section")
	}
	_, block, ok := strings.Cut(after, "```yaml\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("no yaml block in the README's configuration section")
	}
	c, err := Parse([]byte(block))
	if err != nil {
		t.Fatalf("the README's configuration: %v", err)
	}
	if len(c.Routes) != 1 || *c.Routes[0].Limits.Methods[0].Concurrency != 2 {
		t.Errorf("parsed %+v", c.Routes)
	}
}
