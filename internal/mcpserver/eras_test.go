package mcpserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// postRaw sends one JSON-RPC message with the given headers: an empty
// value removes a default header, "Host" sets the request's host.
func postRaw(t *testing.T, url, body string, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		switch {
		case k == "Host":
			req.Host = v
		case v == "":
			req.Header.Del(k)
		default:
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

const newEraList = `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{` +
	`"io.modelcontextprotocol/protocolVersion":"2026-07-28",` +
	`"io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},` +
	`"io.modelcontextprotocol/clientCapabilities":{}}}}`

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",` +
	`"capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

// TestEraRouting checks each routing rule with raw HTTP, as a client of
// either era sends it, with no configuration.
func TestEraRouting(t *testing.T) {
	f := newFixture(t, nil)
	url := f.endpoint(t)
	auth := "Bearer " + f.token(t, "contoso", "agent-1", "query", "admin")
	post := func(t *testing.T, url, body string, headers map[string]string) (*http.Response, string) {
		t.Helper()
		h := map[string]string{"Authorization": auth}
		for k, v := range headers {
			h[k] = v
		}
		return postRaw(t, url, body, h)
	}

	t.Run("2026-07-28 request with headers is stateless", func(t *testing.T) {
		resp, body := post(t, url, newEraList, map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list"})
		if resp.StatusCode != 200 || !strings.Contains(body, "get_customer_detail") {
			t.Fatalf("status %d body %.300s", resp.StatusCode, body)
		}
		if id := resp.Header.Get("Mcp-Session-Id"); id != "" {
			t.Errorf("a stateless request got session %q", id)
		}
	})
	t.Run("2026-07-28 request without the version header goes stateless by its _meta", func(t *testing.T) {
		resp, body := post(t, url, newEraList, nil)
		if resp.Header.Get("Mcp-Session-Id") != "" {
			t.Error("routed to the stateful handler")
		}
		if strings.Contains(body, "get_customer_detail") {
			t.Errorf("served without the required headers: %d %.200s", resp.StatusCode, body)
		}
	})
	t.Run("unknown future version is answered, not misrouted", func(t *testing.T) {
		resp, body := post(t, url, strings.ReplaceAll(newEraList, "2026-07-28", "2099-01-01"), map[string]string{"Mcp-Protocol-Version": "2099-01-01", "Mcp-Method": "tools/list"})
		if resp.Header.Get("Mcp-Session-Id") != "" || !strings.Contains(body, "-32022") && !strings.Contains(strings.ToLower(body), "version") {
			t.Errorf("status %d body %.300s, want an unsupported-version error", resp.StatusCode, body)
		}
	})

	var session string
	t.Run("initialize opens a 2025-11-25 session", func(t *testing.T) {
		resp, body := post(t, url, initialize, nil)
		session = resp.Header.Get("Mcp-Session-Id")
		if resp.StatusCode != 200 || session == "" || !strings.Contains(body, `"protocolVersion":"2025-11-25"`) {
			t.Fatalf("status %d session %q body %.300s", resp.StatusCode, session, body)
		}
	})
	t.Run("the session serves requests by its id", func(t *testing.T) {
		h := map[string]string{"Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-11-25"}
		post(t, url, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, h)
		resp, body := post(t, url, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, h)
		if resp.StatusCode != 200 || !strings.Contains(body, "pay_invoice") {
			t.Fatalf("status %d body %.300s", resp.StatusCode, body)
		}
	})
	t.Run("DELETE ends the session", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodDelete, url, nil)
		req.Header.Set("Mcp-Session-Id", session)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("DELETE: %d", resp.StatusCode)
		}
		resp, _ = post(t, url, `{"jsonrpc":"2.0","id":3,"method":"tools/list"}`, map[string]string{"Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-11-25"})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("request on a deleted session: %d, want 404", resp.StatusCode)
		}
	})
	t.Run("a header-less body over the limit is refused with 413", func(t *testing.T) {
		big := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"` + strings.Repeat("x", 2<<20) + `"}}`
		resp, _ := post(t, url, big, nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", resp.StatusCode)
		}
	})
	t.Run("the request id reaches the MCP log line", func(t *testing.T) {
		resp, _ := post(t, url, newEraList, map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list", "X-Request-Id": "req-4711"})
		if resp.Header.Get("X-Request-Id") != "req-4711" {
			t.Errorf("response X-Request-Id = %q", resp.Header.Get("X-Request-Id"))
		}
		var mcpLine string
		for _, line := range strings.Split(f.logs.String(), "\n") {
			if strings.Contains(line, `"msg":"mcp request"`) && strings.Contains(line, "req-4711") {
				mcpLine = line
			}
		}
		if mcpLine == "" {
			t.Errorf("no MCP log line carries the request id:\n%s", f.logs)
		}
		resp, _ = post(t, url, newEraList, map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list", "X-Request-Id": "bad id <script>"})
		if got := resp.Header.Get("X-Request-Id"); got == "" || strings.ContainsAny(got, " <>") {
			t.Errorf("a malformed request id was kept: %q", got)
		}
	})
}
