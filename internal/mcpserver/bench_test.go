package mcpserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// BenchmarkTokenCheckOverhead measures what the token checks add to a
// tools/call (get_customer_detail, 2026-07-28 stateless over real HTTP):
// the same call against a server with auth disabled and one verifying a
// development token (RS256, cached keys, verified-token cache), alternated
// in one run so both see the same machine. It reports both costs and the
// overhead as a percentage; the target is under 10%.
//
//	go test -run '^$' -bench TokenCheckOverhead ./internal/mcpserver
func BenchmarkTokenCheckOverhead(b *testing.B) {
	st := seededStore(b)
	open := newFixtureWith(b, st, fixtureOptions{disabled: true})
	secured := newFixtureWith(b, st, fixtureOptions{})
	token := "Bearer " + secured.token(b, "contoso", "bench", "query")
	body := strings.Replace(listBody, `"method":"tools/list","params":{`,
		`"method":"tools/call","params":{"name":"get_customer_detail","arguments":{"customer_id":7},`, 1)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	do := func(url, auth string) {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
		req.Header.Set("Mcp-Method", "tools/call")
		req.Header.Set("Mcp-Name", "get_customer_detail")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	openURL, securedURL := open.endpoint(b), secured.endpoint(b)
	do(openURL, "")
	do(securedURL, token)
	var plain, checked time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		do(openURL, "")
		t1 := time.Now()
		do(securedURL, token)
		t2 := time.Now()
		plain += t1.Sub(t0)
		checked += t2.Sub(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(plain.Nanoseconds())/n, "ns/call-noauth")
	b.ReportMetric(float64(checked.Nanoseconds())/n, "ns/call-auth")
	b.ReportMetric(100*(float64(checked)-float64(plain))/float64(plain), "%overhead")
}
