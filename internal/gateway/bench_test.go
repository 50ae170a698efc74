package gateway

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkProxiedCall is the gateway's own cost per stateless call: a
// tools/call through the gateway to a backend that answers at once (token
// verification from its cache, body inspection, limits, forwarding, the
// access log).
//
//	go test -run '^$' -bench ProxiedCall -benchmem ./internal/gateway
func BenchmarkProxiedCall(b *testing.B) {
	backend := newFakeBackend(b, "b")
	backend.mcp = func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n")
	}
	g := startGateway(b, "  - {path: /contoso-mcp, tenants: [contoso], backends: ["+backend.url()+"], limits: {rate_per_second: 0, concurrency: 0}}\n", "")
	tok := g.token(b, "contoso", "bench")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, g.url+"/contoso-mcp", strings.NewReader(callBody))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Mcp-Method", "tools/call")
			req.Header.Set("Mcp-Name", "get_customer_detail")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
