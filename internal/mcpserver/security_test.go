package mcpserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/seed"
	"github.com/contoso/contoso-mcp/internal/store/sqlite"
	"github.com/contoso/contoso-mcp/internal/tools"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const listBody = `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{` +
	`"io.modelcontextprotocol/protocolVersion":"2026-07-28",` +
	`"io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},` +
	`"io.modelcontextprotocol/clientCapabilities":{}}}}`

var newEraHeaders = map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list"}

func with(h map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestAuthChallenges: no token, a bad token and a token without roles get
// the answers of RFC 6750 / RFC 9728, on every request.
func TestAuthChallenges(t *testing.T) {
	f := newFixture(t, nil)
	url := f.endpoint(t)
	cases := []struct {
		name    string
		headers map[string]string
		status  int
		wwwAuth []string
	}{
		{"no token", newEraHeaders, 401, []string{`resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource/mcp"`}},
		{"garbage token", with(newEraHeaders, "Authorization", "Bearer not.a.jwt"), 401, []string{`error="invalid_token"`, "resource_metadata="}},
		{"token of another issuer's key", with(newEraHeaders, "Authorization", "Bearer "+foreignToken(t)), 401, []string{`error="invalid_token"`}},
		{"basic auth", with(newEraHeaders, "Authorization", "Basic dXNlcjpwYXNz"), 401, []string{`error="invalid_request"`}},
		{"no roles", with(newEraHeaders, "Authorization", "Bearer "+f.token(t, "contoso", "nobody")), 403, []string{`error="insufficient_scope"`, "query, admin, security"}},
		{"wrong-case role", with(newEraHeaders, "Authorization", "Bearer "+f.token(t, "contoso", "shouty", "QUERY")), 403, []string{`error="insufficient_scope"`}},
		{"lowercase bearer is accepted", with(newEraHeaders, "Authorization", "bearer "+f.token(t, "contoso", "a", "query")), 200, nil},
	}
	for _, c := range cases {
		resp, body := postRaw(t, url, listBody, c.headers)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, resp.StatusCode, c.status, body)
			continue
		}
		got := resp.Header.Get("WWW-Authenticate")
		for _, w := range c.wwwAuth {
			if !strings.Contains(got, w) {
				t.Errorf("%s: WWW-Authenticate %q lacks %q", c.name, got, w)
			}
		}
		if c.status == 200 && got != "" {
			t.Errorf("%s: a challenge on success: %q", c.name, got)
		}
	}
	// The legacy era is guarded the same way: no session without a token.
	resp, _ := postRaw(t, url, initialize, nil)
	if resp.StatusCode != 401 || resp.Header.Get("Mcp-Session-Id") != "" {
		t.Errorf("initialize without a token: %d, session %q", resp.StatusCode, resp.Header.Get("Mcp-Session-Id"))
	}
}

// foreignToken is a well-formed token signed by another development issuer.
func foreignToken(t *testing.T) string {
	t.Helper()
	other := newFixture(t, nil)
	return other.token(t, "contoso", "intruder", "query", "admin", "security")
}

// TestRolesShapeTheToolList: each role sees exactly its tools (one golden per
// role), and a hidden tool called by name fails exactly as an unknown tool.
func TestRolesShapeTheToolList(t *testing.T) {
	f := newFixture(t, nil)
	roles := map[string][]string{
		"query":          {"query"},
		"admin":          {"admin"},
		"security":       {"security"},
		"query-admin":    {"query", "admin"},
		"all":            {"query", "admin", "security"},
		"unknown-extras": {"query", "superuser"},
	}
	for name, rs := range roles {
		for _, tr := range []transport{httpLegacy, httpCurrent} {
			cs := f.connectAs(t, tr, f.token(t, "contoso", "agent-"+name, rs...))
			var names []string
			for n := range listTools(t, cs) {
				names = append(names, n)
			}
			slices.Sort(names)
			got, _ := json.MarshalIndent(names, "", "  ")
			golden := filepath.Join("testdata", "tools_list_role_"+name+".golden.json")
			if *update {
				os.WriteFile(golden, append(got, '\n'), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update creates it)", err)
			}
			if diff := cmp.Diff(strings.TrimSpace(string(want)), string(got)); diff != "" {
				t.Errorf("role %s over %s (-want +got):\n%s", name, tr, diff)
			}
		}
	}
	cs := f.connectAs(t, httpCurrent, f.token(t, "contoso", "reader", "query"))
	_, unknownErr := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "no_such_tool", Arguments: map[string]any{"customer_id": 254}})
	_, unlockErr := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "unlock_account", Arguments: map[string]any{"customer_id": 254}})
	if unknownErr == nil || unlockErr == nil {
		t.Fatalf("unknown tool: %v; hidden tool: %v; want both refused", unknownErr, unlockErr)
	}
	if strings.ReplaceAll(unlockErr.Error(), "unlock_account", "X") != strings.ReplaceAll(unknownErr.Error(), "no_such_tool", "X") {
		t.Errorf("a hidden tool fails unlike an unknown one:\n hidden:  %v\n unknown: %v", unlockErr, unknownErr)
	}
	var logs struct{ Locked bool }
	call(t, f.connect(t, httpCurrent), "get_security_logs", map[string]any{"customer_id": scenario(4)}, &logs)
	if !logs.Locked {
		t.Error("the hidden unlock_account changed the account")
	}
}

// TestSecurityRoleUnlocks: the done-when, a security-role token
// unlocks scenario 4's account, and the audit trail records it.
func TestSecurityRoleUnlocksAndIsAudited(t *testing.T) {
	f := newFixture(t, nil)
	cs := f.connectAs(t, httpLegacy, f.token(t, "contoso", "sec-officer", "query", "security"))
	call(t, cs, "unlock_account", map[string]any{"customer_id": scenario(4)}, nil)
	callErr(t, cs, "unlock_account", map[string]any{"customer_id": scenario(4)})
	call(t, cs, "get_customer_detail", map[string]any{"customer_id": 1}, nil)
	trail, err := f.store.AuditTrail(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 {
		t.Fatalf("audit trail = %+v, want the two unlock calls only (reads are not audited)", trail)
	}
	for i, want := range []string{"tool_error", "ok"} {
		r := trail[i]
		if r.Tool != "unlock_account" || r.Subject != "sec-officer" || r.Tenant != "contoso" || r.Outcome != want || r.RequestID == "" || r.Time == "" {
			t.Errorf("audit record %d = %+v, want unlock_account by sec-officer, %s, with a request id", i, r, want)
		}
	}
	if !strings.Contains(f.logs.String(), `"msg":"audit"`) {
		t.Error("no audit line in the log")
	}
}

// fabrikamStore is a second tenant with its own generated data and a marker
// no contoso read may ever show.
func fabrikamStore(t *testing.T) contoso.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "fabrikam.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, err := seed.Generate(seed.Options{Seed: seed.TenantSeed("fabrikam"), Customers: seed.DefaultCustomers, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	d.Customers[0].FirstName, d.Customers[0].LastName = "Fabrikamonly", "Secretperson"
	if err := st.Load(ctx, d); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestTenantIsolation: a token of tenant A reads nothing of tenant B through
// any tool; no argument or header can pick another tenant.
func TestTenantIsolation(t *testing.T) {
	f := newFixtureWith(t, nil, fixtureOptions{fabrikam: fabrikamStore(t)})
	contosoCS := f.connect(t, httpCurrent)
	fabCS := f.connectAs(t, httpLegacy, f.token(t, "fabrikam", "fab-agent", "query", "admin", "security"))

	var fab tools.CustomerDetail
	call(t, fabCS, "get_customer_detail", map[string]any{"customer_id": 1}, &fab)
	if fab.Customer.FirstName != "Fabrikamonly" {
		t.Fatalf("fabrikam's token does not see fabrikam's data: %+v", fab.Customer)
	}
	inv := findLatestInvoice(t, f.store, scenario(1))
	everything := ""
	for _, c := range validCalls(inv) {
		res := call(t, contosoCS, c.tool, c.args, nil)
		data, _ := json.Marshal(res)
		everything += string(data)
	}
	if strings.Contains(everything, "Fabrikamonly") || strings.Contains(everything, "Secretperson") {
		t.Error("a contoso token read fabrikam's data")
	}
	// An argument naming the tenant is refused; a header naming it is ignored.
	if msg := callErr(t, contosoCS, "get_customer_detail", map[string]any{"customer_id": 1, "tenant": "fabrikam"}); !strings.Contains(msg, "tenant") {
		t.Errorf("tenant argument: %q", msg)
	}
	resp, body := postRaw(t, f.endpoint(t), strings.Replace(listBody, `"method":"tools/list","params":{`,
		`"method":"tools/call","params":{"name":"get_customer_detail","arguments":{"customer_id":1},`, 1),
		map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "get_customer_detail",
			"Authorization": "Bearer " + f.token(t, "contoso", "agent-1", "query"), "X-Tenant": "fabrikam", "X-Tenant-Id": "fabrikam"})
	if resp.StatusCode != 200 || strings.Contains(body, "Fabrikamonly") {
		t.Errorf("tenant headers: %d %.300s", resp.StatusCode, body)
	}
	// A token for a tenant this service does not serve is refused.
	stranger := f.token(t, "northwind", "n", "query")
	if resp, _ := postRaw(t, f.endpoint(t), listBody, with(newEraHeaders, "Authorization", "Bearer "+stranger)); resp.StatusCode != 401 {
		t.Errorf("token of an unknown tenant: %d, want 401", resp.StatusCode)
	}
}

// TestSessionBoundToPrincipal: a 2025-11-25 session id presented by another
// principal is refused.
func TestSessionBoundToPrincipal(t *testing.T) {
	f := newFixture(t, nil)
	url := f.endpoint(t)
	alice := "Bearer " + f.token(t, "contoso", "alice", "query")
	mallory := "Bearer " + f.token(t, "contoso", "mallory", "query", "admin", "security")
	resp, _ := postRaw(t, url, initialize, map[string]string{"Authorization": alice})
	session := resp.Header.Get("Mcp-Session-Id")
	if session == "" {
		t.Fatalf("no session: %d", resp.StatusCode)
	}
	h := map[string]string{"Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-11-25"}
	postRaw(t, url, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, with(h, "Authorization", alice))
	if resp, _ := postRaw(t, url, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, with(h, "Authorization", mallory)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another principal on alice's session: %d, want 403", resp.StatusCode)
	}
	if resp, body := postRaw(t, url, `{"jsonrpc":"2.0","id":3,"method":"tools/list"}`, with(h, "Authorization", alice)); resp.StatusCode != 200 || strings.Contains(body, "pay_invoice") {
		t.Errorf("alice on her own session: %d (query role must not list pay_invoice) %.200s", resp.StatusCode, body)
	}
}

// TestTransportHardening: the limits that apply before the token matters.
func TestTransportHardening(t *testing.T) {
	f := newFixture(t, nil)
	url := f.endpoint(t)
	auth := "Bearer " + f.token(t, "contoso", "agent-1", "query")
	ok := with(newEraHeaders, "Authorization", auth)
	callBody := strings.Replace(listBody, `"method":"tools/list","params":{`, `"method":"tools/call","params":{"name":"get_products","arguments":{},`, 1)
	cases := []struct {
		name    string
		url     string
		body    string
		headers map[string]string
		status  int
	}{
		{"allowed", url, listBody, ok, 200},
		{"loopback origin", url, listBody, with(ok, "Origin", "http://localhost:6274"), 200},
		{"foreign origin", url, listBody, with(ok, "Origin", "https://evil.example"), 403},
		{"null origin", url, listBody, with(ok, "Origin", "null"), 403},
		{"text/plain", url, listBody, with(ok, "Content-Type", "text/plain"), 415},
		{"batch", url, "[" + listBody + "]", ok, 400},
		{"Mcp-Method disagrees", url, listBody, with(ok, "Mcp-Method", "tools/call"), 400},
		{"Mcp-Name disagrees", url, callBody, with(ok, "Mcp-Method", "tools/call", "Mcp-Name", "pay_invoice"), 400},
		{"Mcp-Name disagrees, legacy version claimed", url, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_products"}}`,
			map[string]string{"Authorization": auth, "Mcp-Protocol-Version": "2025-11-25", "Mcp-Method": "tools/call", "Mcp-Name": "unlock_account"}, 400},
		{"oversized body", url, `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":"` + strings.Repeat("a", 2<<20) + `"}}`, ok, 413},
		{"token in the query string", url + "?access_token=" + strings.TrimPrefix(auth, "Bearer "), listBody, newEraHeaders, 400},
		{"DNS rebinding Host", url, listBody, with(ok, "Host", "evil.example:80"), 403},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		for k, v := range c.headers {
			if k == "Host" {
				req.Host = v
				continue
			}
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.status)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(listBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range newEraHeaders {
		req.Header.Set(k, v)
	}
	req.Header.Add("Authorization", auth)
	req.Header.Add("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("two Authorization headers: %d, want 401", resp.StatusCode)
	}
}

// TestRateLimitPerPrincipal: past its burst a principal gets 429 with
// Retry-After; another principal is unaffected.
func TestRateLimitPerPrincipal(t *testing.T) {
	f := newFixtureWith(t, nil, fixtureOptions{rateLimit: 0.5, rateBurst: 3})
	url := f.endpoint(t)
	busy := with(newEraHeaders, "Authorization", "Bearer "+f.token(t, "contoso", "busy", "query"))
	statuses := []int{}
	var retry string
	for range 5 {
		resp, _ := postRaw(t, url, listBody, busy)
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == 429 {
			retry = resp.Header.Get("Retry-After")
		}
	}
	if !slices.Equal(statuses, []int{200, 200, 200, 429, 429}) || retry == "" || retry == "0" {
		t.Errorf("statuses %v, Retry-After %q; want 3 allowed then 429 with a Retry-After", statuses, retry)
	}
	other := with(newEraHeaders, "Authorization", "Bearer "+f.token(t, "contoso", "calm", "query"))
	if resp, _ := postRaw(t, url, listBody, other); resp.StatusCode != 200 {
		t.Errorf("another principal: %d", resp.StatusCode)
	}
}

// TestDisabledAuthServesWithoutToken: DISABLE_AUTH (loopback only, checked
// by the command) serves every tool without a token.
func TestDisabledAuthServesWithoutToken(t *testing.T) {
	f := newFixtureWith(t, nil, fixtureOptions{disabled: true})
	resp, body := postRaw(t, f.endpoint(t), listBody, newEraHeaders)
	if resp.StatusCode != 200 || !strings.Contains(body, "unlock_account") {
		t.Errorf("status %d body %.200s", resp.StatusCode, body)
	}
}
