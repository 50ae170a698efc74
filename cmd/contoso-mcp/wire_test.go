package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/mcpwire/wiretest"
)

// TestServeCutsOffSlowBodies: a client that sends its headers and then its
// body one byte at a time gets 408 within READ_BODY_TIMEOUT, and the
// connection closes; without a token it gets its 401 at once, before
// sending a byte of the body. (The probe held a connection for 126 s, and
// 200 without a token, at a byte every 2 s.)
func TestServeCutsOffSlowBodies(t *testing.T) {
	dir := t.TempDir()
	endpoint, _, stop := startServe(t, map[string]string{"SEED_CUSTOMER_COUNT": "5", "READ_BODY_TIMEOUT": "1s"}, "--data-dir", dir)
	defer stop()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	token := mintToken(t, dir)

	a := wiretest.SlowPost(t, u.Host, u.Path, 500, 200*time.Millisecond, 20*time.Second, "Authorization: Bearer "+token)
	if a.Status != 408 || !a.Closed || a.After > 8*time.Second || !strings.Contains(a.Body, "did not arrive within 1s") {
		t.Errorf("slow body with a token: %+v", a)
	}
	for name, header := range map[string][]string{"no token": nil, "a bad token": {"Authorization: Bearer x.y.z"}} {
		a = wiretest.SlowPost(t, u.Host, u.Path, 500, 200*time.Millisecond, 20*time.Second, header...)
		if a.Status != 401 || !a.Closed || a.Sent > 2 {
			t.Errorf("slow body with %s: %+v", name, a)
		}
	}
}
