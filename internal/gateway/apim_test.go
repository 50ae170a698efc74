package gateway

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestAPIMPolicyGolden pins the generated API Management policy: a change
// in what APIM enforces shows in review.
func TestAPIMPolicyGolden(t *testing.T) {
	c, err := Load("testdata/gateway-entra.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.APIMPolicy(&b, "gateway-entra.yaml"); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/apim-policy.golden.xml"
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update ./internal/gateway to create it)", err)
	}
	if d := cmp.Diff(string(want), b.String()); d != "" {
		t.Errorf("the policy changed (-golden +generated); run go test -update ./internal/gateway if it should:\n%s", d)
	}
}

// TestAPIMPolicyIsWellFormedAndComplete parses the policy as XML and checks
// each thing it must enforce is there.
func TestAPIMPolicyIsWellFormedAndComplete(t *testing.T) {
	c, err := Load("testdata/gateway-entra.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.APIMPolicy(&b, "gateway-entra.yaml"); err != nil {
		t.Fatal(err)
	}
	type elem struct {
		name  string
		attrs map[string]string
		text  string
	}
	var elems []elem
	var stack []string
	d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	d.Strict = true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b.String())
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			a := map[string]string{}
			for _, at := range tk.Attr {
				a[at.Name.Local] = at.Value
			}
			elems = append(elems, elem{name: tk.Name.Local, attrs: a})
			stack = append(stack, tk.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(elems) > 0 && strings.TrimSpace(string(tk)) != "" {
				elems[len(elems)-1].text += string(tk)
			}
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
	count := func(name string, match func(elem) bool) int {
		n := 0
		for _, e := range elems {
			if e.name == name && (match == nil || match(e)) {
				n++
			}
		}
		return n
	}
	has := func(name, attr, value string) bool {
		return count(name, func(e elem) bool { return e.attrs[attr] == value }) > 0
	}
	hasText := func(name, text string) bool {
		return count(name, func(e elem) bool { return e.text == text }) > 0
	}
	if elems[0].name != "policies" {
		t.Errorf("root %s, want policies", elems[0].name)
	}
	if !has("validate-jwt", "header-name", "Authorization") || !has("validate-jwt", "require-scheme", "Bearer") || !has("validate-jwt", "require-expiration-time", "true") {
		t.Error("validate-jwt does not read the Bearer token of the Authorization header with expiry required")
	}
	tids := []string{"72f988bf-86f1-41af-91ab-2d7cd011db47", "4a5b6c7d-0000-4000-8000-00000000fab1"}
	for _, tid := range tids {
		iss := "https://login.microsoftonline.com/" + tid + "/v2.0"
		if !hasText("issuer", iss) || !has("openid-config", "url", iss+"/.well-known/openid-configuration") {
			t.Errorf("tenant %s: issuer or OpenID configuration missing", tid)
		}
		// v1.0 tokens: their own issuer, with its trailing slash; the same
		// OpenID configuration gives their keys.
		if !hasText("issuer", "https://sts.windows.net/"+tid+"/") {
			t.Errorf("tenant %s: the v1.0 issuer is missing", tid)
		}
		if !hasText("value", tid) {
			t.Errorf("tenant %s: not among the tid claim's values", tid)
		}
		if !has("when", "condition", `@((string)context.Variables["tenant"] == "`+tid+`")`) {
			t.Errorf("tenant %s: no branch", tid)
		}
	}
	if !has("claim", "name", "tid") || !hasText("audience", "api://contoso-mcp") || !hasText("audience", "6e74172b-be56-4843-9ff4-e66a39bb12e3") {
		t.Error("tid claim, or one of the audiences (Application ID URI for v1.0 tokens, client id for v2.0), missing")
	}
	if n, want := count("issuer", nil), 2*len(tids); n != want {
		t.Errorf("%d issuers, want %d (v1.0 and v2.0 per tenant)", n, want)
	}
	// After validate-jwt: the issuer must be the one of the token's ver for
	// its own tid, an access token's client claim present, the lifetime
	// bounded; a refusal is a 401 with the reason.
	var refusal string
	for _, e := range elems {
		if e.name == "set-variable" && e.attrs["name"] == "token-refusal" {
			refusal = e.attrs["value"]
		}
	}
	for _, part := range []string{
		`var ver = jwt.Claims.GetValueOrDefault("ver", "")`,
		`ver == "2.0" ? "https://login.microsoftonline.com/" + jwt.Claims.GetValueOrDefault("tid", "") + "/v2.0" : "https://sts.windows.net/" + jwt.Claims.GetValueOrDefault("tid", "") + "/"`,
		`return "wrong issuer"`,
		`GetValueOrDefault(ver == "2.0" ? "azp" : "appid", "") == "") { return "ID token not accepted"`,
		`jwt.Claims.ContainsKey("nonce")`,
		`(jwt.ExpirationTime.Value - start).TotalSeconds > 86400) { return "token lifetime over the maximum"`,
	} {
		if !strings.Contains(refusal, part) {
			t.Errorf("the token-refusal expression lacks %s:\n%s", part, refusal)
		}
	}
	if !has("when", "condition", `@((string)context.Variables["token-refusal"] != "")`) ||
		count("set-status", func(e elem) bool { return e.attrs["code"] == "401" }) != 2 {
		t.Error("want a 401 for a refused token shape as well as for validate-jwt's refusals")
	}
	if n := count("set-status", func(e elem) bool { return e.attrs["code"] == "403" }); n != 2 {
		t.Errorf("%d 403 answers, want one per route", n)
	}
	if !has("set-backend-service", "base-url", "https://contoso-mcp.internal.example") || !has("set-backend-service", "base-url", "http://fabrikam-mcp:8000") ||
		!has("rewrite-uri", "template", "/mcp") {
		t.Error("backends: want the origins as base-url and /mcp as the rewritten path")
	}
	for _, key := range []string{"/contoso-mcp|" + tids[0], "/fabrikam-mcp|" + tids[1], "/contoso-mcp|" + tids[0] + "|tools/call|pay_invoice"} {
		if !has("rate-limit-by-key", "counter-key", key) {
			t.Errorf("no rate-limit-by-key keyed %s", key)
		}
	}
	// Query tokens in any case, as the gateway refuses them.
	if !strings.Contains(b.String(), `k.Equals(&quot;access_token&quot;, StringComparison.OrdinalIgnoreCase)`) {
		t.Error("the policy must refuse access_token in the query string in any case")
	}
	// The tool limit counts what the backend executes: the body's method
	// and name, read by exact member name, not headers a client may leave
	// out (a 2025-11-25 session would otherwise go around the limit).
	if !has("when", "condition", `@((string)context.Variables["mcp-method"] == "tools/call" && (string)context.Variables["mcp-name"] == "pay_invoice")`) ||
		!has("set-variable", "name", "mcp-name") || strings.Contains(b.String(), `Headers.GetValueOrDefault("Mcp-Name"`) {
		t.Error("the pay_invoice limit must be keyed on the body's method and name, not on the Mcp-Method/Mcp-Name headers")
	}
	for _, v := range []string{"mcp-method", "mcp-name"} {
		for _, e := range elems {
			if e.name == "set-variable" && e.attrs["name"] == v && (!strings.Contains(e.attrs["value"], "Body.As<JObject>(preserveContent: true)") || !strings.Contains(e.attrs["value"], "catch")) {
				t.Errorf("%s is not read from the body, keeping it for the backend: %s", v, e.attrs["value"])
			}
		}
	}
	if !has("rate-limit-by-key", "calls", "100") || !has("rate-limit-by-key", "renewal-period", "2") {
		t.Error("50/s with a burst of 100: want 100 calls per 2 s")
	}
	if !has("forward-request", "buffer-response", "false") || !has("limit-concurrency", "max-count", "32") {
		t.Error("backend: want unbuffered forwarding and the concurrency bound")
	}
	if !strings.Contains(b.String(), "resource_metadata") || !has("when", "condition", `@(context.Request.OriginalUrl.Path == "/.well-known/oauth-protected-resource/contoso-mcp")`) {
		t.Error("the metadata and the 401's resource_metadata are missing")
	}
}

func TestAPIMPolicyRefusesDevMode(t *testing.T) {
	c, err := Load("testdata/gateway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = c.APIMPolicy(io.Discard, "gateway.yaml")
	if err == nil || !strings.Contains(err.Error(), "auth.mode") {
		t.Errorf("dev mode: %v, want an error naming auth.mode", err)
	}
}

// TestAPIMPolicyRefusesWhatWouldSendClientsAstray: a policy with tenants
// that are not tenant ids would fetch login.microsoftonline.com/contoso/...,
// and one with a loopback public base URL would send clients to their own
// machine; both are refused, naming the field.
func TestAPIMPolicyRefusesWhatWouldSendClientsAstray(t *testing.T) {
	entra, err := os.ReadFile("testdata/gateway-entra.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ old, new, want string }{
		"tenant a name":             {"[72f988bf-86f1-41af-91ab-2d7cd011db47]", "[contoso]", `routes[0].tenants[0]: auth mode entra: tenant id "contoso" is not a GUID`},
		"tenant a domain":           {"[4a5b6c7d-0000-4000-8000-00000000fab1]", "[fabrikam.onmicrosoft.com]", `routes[1].tenants[0]: auth mode entra: tenant id "fabrikam.onmicrosoft.com" is not a GUID`},
		"no public base URL":        {"public_base_url: https://mcp.contoso.example\n", "", "public_base_url: required with auth mode entra"},
		"loopback public base URL":  {"https://mcp.contoso.example", "http://127.0.0.1:8080", `public_base_url: "http://127.0.0.1:8080" is a loopback or unspecified address`},
		"localhost public base URL": {"https://mcp.contoso.example", "https://localhost", `public_base_url: "https://localhost" is a loopback`},
		"unspecified address":       {"https://mcp.contoso.example", "http://0.0.0.0:8080", `public_base_url: "http://0.0.0.0:8080" is a loopback or unspecified address`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(strings.Replace(string(entra), c.old, c.new, 1)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// A configuration changed after Parse is checked again.
	c, err := Load("testdata/gateway-entra.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.PublicBaseURL = "http://127.0.0.1:8080"
	if err := c.APIMPolicy(io.Discard, "x"); err == nil || !strings.Contains(err.Error(), "public_base_url") {
		t.Errorf("APIMPolicy with a loopback public base URL: %v", err)
	}
	c, _ = Load("testdata/gateway-entra.yaml")
	c.Routes[0].Tenants = []string{"contoso"}
	if err := c.APIMPolicy(io.Discard, "x"); err == nil || !strings.Contains(err.Error(), "not a GUID") {
		t.Errorf("APIMPolicy with a tenant name: %v", err)
	}
}
