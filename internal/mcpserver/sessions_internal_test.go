package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
)

// TestSlimRequestForSessions: what a session may keep of the request that
// opened it holds no bearer token, no body and no layers' values, and
// still carries what the SDK and the handlers read.
func TestSlimRequestForSessions(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Bearer secret-token")
	h.Set("Cookie", "a=b")
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	h.Set("Mcp-Session-Id", "S1")
	h.Set("Mcp-Protocol-Version", "2025-11-25")
	h.Set("Mcp-Param-Region", "eu")
	h.Set("X-Request-Id", "r-1")
	slim := slimHeaders(h)
	for _, k := range []string{"Authorization", "Cookie"} {
		if _, ok := slim[k]; ok {
			t.Errorf("slimHeaders kept %s", k)
		}
	}
	for _, k := range []string{"Content-Type", "Accept", "Mcp-Session-Id", "Mcp-Protocol-Version", "Mcp-Param-Region", "X-Request-Id"} {
		if slim.Get(k) != h.Get(k) {
			t.Errorf("slimHeaders: %s = %q, want %q", k, slim.Get(k), h.Get(k))
		}
	}
	h["Accept"][0] = "changed"
	if slim.Get("Accept") == "changed" {
		t.Error("slimHeaders shares the request's value slices")
	}

	p := &auth.Principal{Tenant: "contoso", Subject: "s"}
	r := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader("{}"))
	ctx, cancel := context.WithCancel(r.Context())
	ctx = context.WithValue(ctx, principalKey{}, p)
	ctx = context.WithValue(ctx, inspectedKey{}, &inspected{Method: "initialize", Params: map[string]json.RawMessage{"big": make(json.RawMessage, 1000)}})
	type other struct{}
	ctx = context.WithValue(ctx, other{}, "kept by nobody")
	infos := &tokenInfos{}
	sr, done := slimContext(r.WithContext(ctx), infos)
	defer done()
	if got := PrincipalFrom(sr.Context()); got == nil || !samePrincipal(got, p) || got != infos.shared(p) {
		t.Error("slimContext lost the principal, or does not share it")
	}
	if sr.Context().Value(inspectedKey{}) != nil || sr.Context().Value(other{}) != nil {
		t.Error("slimContext kept the body or another layer's value")
	}
	cancel()
	<-sr.Context().Done() // ends with the request
}

func TestOpensSession(t *testing.T) {
	post := func(h map[string]string, newEra bool) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		for k, v := range h {
			r.Header.Set(k, v)
		}
		return r.WithContext(context.WithValue(r.Context(), inspectedKey{}, &inspected{NewEra: newEra}))
	}
	cases := []struct {
		name string
		r    *http.Request
		want bool
	}{
		{"initialize", post(nil, false), true},
		{"2025-11-25 header, no session", post(map[string]string{"Mcp-Protocol-Version": "2025-11-25"}, false), true},
		{"with a session", post(map[string]string{"Mcp-Session-Id": "S"}, false), false},
		{"2026-07-28 header", post(map[string]string{"Mcp-Protocol-Version": "2026-07-28"}, true), false},
		{"2026-07-28 _meta without header", post(nil, true), false},
		{"GET", httptest.NewRequest(http.MethodGet, "/mcp", nil), false},
	}
	for _, c := range cases {
		if got := opensSession(c.r); got != c.want {
			t.Errorf("%s: opensSession = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestTokenInfosShared: one TokenInfo per identical principal, a new one
// when anything the handlers read differs.
func TestTokenInfosShared(t *testing.T) {
	var c tokenInfos
	exp := time.Now().Add(time.Hour)
	p := func(roles ...string) *auth.Principal {
		return &auth.Principal{Tenant: "contoso", TenantID: "contoso", Subject: "a", Issuer: "i", Roles: roles, ExpiresAt: exp}
	}
	first := c.get(p("query"))
	if again := c.get(p("query")); again != first {
		t.Error("an identical principal got a new TokenInfo")
	}
	if got := c.get(p("query", "admin")); got == first || got.Extra[principalExtra].(*auth.Principal).Roles[1] != "admin" {
		t.Error("a principal with other roles got the cached TokenInfo")
	}
	later := p("query")
	later.ExpiresAt = exp.Add(time.Minute)
	if got := c.get(later); got.Expiration != later.ExpiresAt {
		t.Errorf("expiry %v, want %v", got.Expiration, later.ExpiresAt)
	}
	for i := range maxTokenInfos + 5 {
		c.get(&auth.Principal{Tenant: "contoso", Subject: fmt.Sprint(i)})
	}
	if len(c.m) > maxTokenInfos {
		t.Errorf("%d cached TokenInfos, bound %d", len(c.m), maxTokenInfos)
	}
}
