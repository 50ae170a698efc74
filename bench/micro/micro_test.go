// Package micro holds the hot-path micro-benchmarks of issue 6 (item 3) that
// live outside the product's packages: token verification with cached keys,
// role filtering, tool dispatch and argument decoding, each store query, and
// one whole tools/call in process (no network) for the product in both eras,
// the floor and the mcp-go peer, so that allocations per call compare side
// by side. make bench runs them pinned to one core:
//
//	cd bench && go test -run '^$' -bench . -benchmem ./micro/
package micro

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/bench/floor"
	"github.com/contoso/contoso-mcp/bench/internal/product"
	"github.com/contoso/contoso-mcp/bench/mcpgopeer"
	"github.com/contoso/contoso-mcp/bench/peerdata"
	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var (
	asOf = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	env  struct {
		dir                   string
		secured, open         *product.Endpoint
		floor, mcpgo          http.Handler
		token, queryOnly      string
		uncached              auth.Verifier
		invoice, subscription int64
	}
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "contoso-micro-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	env.dir = dir
	iss, err := product.SeedDataDir(ctx, dir, asOf)
	if err != nil {
		panic(err)
	}
	if env.secured, err = product.Build(ctx, dir, product.Options{}); err != nil {
		panic(err)
	}
	defer env.secured.Close()
	if env.open, err = product.Build(ctx, dir, product.Options{AuthDisabled: true}); err != nil {
		panic(err)
	}
	defer env.open.Close()
	if env.token, err = iss.Mint("contoso", "bench", []string{"query", "admin"}, time.Hour); err != nil {
		panic(err)
	}
	if env.queryOnly, err = iss.Mint("contoso", "bench", []string{"query"}, time.Hour); err != nil {
		panic(err)
	}
	if env.uncached, err = auth.New(ctx, auth.Config{Mode: "dev", Audiences: []string{auth.DevAudience},
		Tenants: map[string]string{"contoso": "contoso"}, DefaultTenant: "contoso", DataDir: dir, TokenCacheSize: -1}); err != nil {
		panic(err)
	}
	db, err := peerdata.Open(ctx, filepath.Join(dir, "contoso.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	env.floor, env.mcpgo = floor.Handler(db), mcpgopeer.Handler(db)
	// A subscription and an invoice with payments, for the store queries.
	subs, err := env.secured.Store.CustomerSubscriptions(ctx, 7)
	if err != nil || len(subs) == 0 {
		panic(fmt.Sprint("no subscriptions for customer 7: ", err))
	}
	env.subscription = subs[0].SubscriptionID
	invs, err := env.secured.Store.SubscriptionInvoices(ctx, env.subscription)
	if err != nil || len(invs) == 0 {
		panic(fmt.Sprint("no invoices: ", err))
	}
	env.invoice = invs[0].InvoiceID
	return m.Run()
}

// recorder is a reusable ResponseWriter (with Flush, for event streams).
type recorder struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) WriteHeader(c int) {
	if r.code == 0 {
		r.code = c
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = 200
	}
	return r.body.Write(b)
}
func (r *recorder) Flush() {}
func (r *recorder) reset() {
	clear(r.h)
	r.code = 0
	r.body.Reset()
}

const meta2026 = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"micro","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`

// client sends requests to a handler in process.
type client struct {
	h      http.Handler
	header http.Header
	rec    recorder
}

func newClient(h http.Handler, token string, stateless bool, method, name string) *client {
	c := &client{h: h, header: http.Header{}, rec: recorder{h: http.Header{}}}
	c.header.Set("Content-Type", "application/json")
	c.header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		c.header.Set("Authorization", "Bearer "+token)
	}
	if stateless {
		c.header.Set("Mcp-Protocol-Version", "2026-07-28")
		c.header.Set("Mcp-Method", method)
		if name != "" {
			c.header.Set("Mcp-Name", name)
		}
	}
	return c
}

func (c *client) do(tb testing.TB, body []byte) *recorder {
	r := &http.Request{Method: http.MethodPost, URL: mcpURL, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: c.header, Host: "127.0.0.1:8000", RemoteAddr: "127.0.0.1:40000", ContentLength: int64(len(body)),
		Body: io.NopCloser(bytes.NewReader(body))}
	r = r.WithContext(context.Background())
	c.rec.reset()
	c.h.ServeHTTP(&c.rec, r)
	if c.rec.code != http.StatusOK && c.rec.code != http.StatusAccepted {
		tb.Fatalf("HTTP %d: %s", c.rec.code, c.rec.body.String())
	}
	if bytes.Contains(c.rec.body.Bytes(), []byte(`"isError":true`)) || bytes.Contains(c.rec.body.Bytes(), []byte(`"error":{`)) {
		tb.Fatalf("error: %s", c.rec.body.String())
	}
	return &c.rec
}

var mcpURL = must(http.NewRequest(http.MethodPost, "http://127.0.0.1:8000/mcp", nil)).URL

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// session opens a 2025-11-25 session on h and returns a client that sends
// its session id.
func session(tb testing.TB, h http.Handler, token string) *client {
	c := newClient(h, token, false, "", "")
	rec := c.do(tb, []byte(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"micro","version":"1"}}}`))
	sid := rec.h.Get("Mcp-Session-Id")
	if sid == "" {
		tb.Fatalf("no session id: %s", rec.body.String())
	}
	c.header.Set("Mcp-Session-Id", sid)
	c.header.Set("Mcp-Protocol-Version", "2025-11-25")
	c.do(tb, []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
	return c
}

func callBody(stateless bool, tool, args string) []byte {
	meta := ""
	if stateless {
		meta = "," + meta2026
	}
	return []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":` + args + meta + `}}`)
}

// BenchmarkCall is one get_customer_detail tools/call served in process
// (the whole HTTP handler stack, no socket): the product in both eras with
// and without token checks, the floor and the mcp-go peer.
func BenchmarkCall(b *testing.B) {
	const args = `{"customer_id":7}`
	cases := []struct {
		name      string
		h         http.Handler
		token     string
		stateless bool
	}{
		{"floor", env.floor, "", true},
		{"mcp-go/2026-07-28", env.mcpgo, "", true},
		{"mcp-go/2025-11-25", env.mcpgo, "", false},
		{"contoso/2026-07-28", env.secured.Handler, env.token, true},
		{"contoso/2025-11-25", env.secured.Handler, env.token, false},
		{"contoso-noauth/2026-07-28", env.open.Handler, "", true},
		{"contoso-noauth/2025-11-25", env.open.Handler, "", false},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var c *client
			if tc.stateless {
				c = newClient(tc.h, tc.token, true, "tools/call", "get_customer_detail")
			} else {
				c = session(b, tc.h, tc.token)
			}
			body := callBody(tc.stateless, "get_customer_detail", args)
			c.do(b, body)
			b.ReportAllocs()
			for b.Loop() {
				c.do(b, body)
			}
		})
	}
}

// BenchmarkToken is the token check: a dev token (RS256) verified with the
// verified-token cache (the common case) and without it (a full check).
func BenchmarkToken(b *testing.B) {
	ctx := context.Background()
	b.Run("verify-cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := env.secured.Verifier.Verify(ctx, env.token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify-uncached-RS256", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := env.uncached.Verify(ctx, env.token); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRoles is role filtering: the policy mapping a principal to its
// rights, and tools/list served to a query-only caller (its own filtered
// list) and to a query+admin caller.
func BenchmarkRoles(b *testing.B) {
	p := &auth.Principal{Tenant: "contoso", Subject: "bench", Roles: []string{"User.Read", "query", "admin"}}
	b.Run("policy-access", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if a := env.secured.Policy.Access(p); !a.Read {
				b.Fatal("no read")
			}
		}
	})
	list := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{` + meta2026 + `}}`)
	for _, tc := range []struct{ name, token string }{{"tools-list/query", env.queryOnly}, {"tools-list/query+admin", env.token}} {
		b.Run(tc.name, func(b *testing.B) {
			c := newClient(env.secured.Handler, tc.token, true, "tools/list", "")
			c.do(b, list)
			b.ReportAllocs()
			for b.Loop() {
				c.do(b, list)
			}
		})
	}
}

type customerIn struct {
	CustomerID int64 `json:"customer_id" jsonschema:"the customer's id"`
}

// BenchmarkDispatch isolates the go-sdk's tool dispatch and argument
// decoding: a stateless go-sdk handler with one tool and no store, its output
// a fixed customer detail, registered typed (mcp.AddTool: input validated and
// defaulted through a map, output schema-checked) and raw (Server.AddTool: the
// handler unmarshals the arguments itself).
func BenchmarkDispatch(b *testing.B) {
	ctx := context.Background()
	db, err := peerdata.Open(ctx, filepath.Join(env.dir, "contoso.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	detail, err := db.CustomerDetail(ctx, 7)
	if err != nil {
		b.Fatal(err)
	}
	typed := mcp.NewServer(&mcp.Implementation{Name: "typed", Version: "1"}, nil)
	mcp.AddTool(typed, &mcp.Tool{Name: "get_customer_detail"}, func(ctx context.Context, req *mcp.CallToolRequest, in customerIn) (*mcp.CallToolResult, peerdata.CustomerDetail, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: detail.Summary()}}}, detail, nil
	})
	raw := mcp.NewServer(&mcp.Implementation{Name: "raw", Version: "1"}, nil)
	raw.AddTool(&mcp.Tool{Name: "get_customer_detail", InputSchema: json.RawMessage(`{"type":"object","properties":{"customer_id":{"type":"integer","minimum":1}},"required":["customer_id"]}`)},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			var in customerIn
			if err := json.Unmarshal(req.Params.Arguments, &in); err != nil || in.CustomerID < 1 {
				return nil, fmt.Errorf("bad arguments")
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: detail.Summary()}}, StructuredContent: detail}, nil
		})
	body := callBody(true, "get_customer_detail", `{"customer_id":7}`)
	for _, tc := range []struct {
		name string
		s    *mcp.Server
	}{{"go-sdk-typed-AddTool", typed}, {"go-sdk-raw-AddTool", raw}} {
		b.Run(tc.name, func(b *testing.B) {
			h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return tc.s }, &mcp.StreamableHTTPOptions{Stateless: true})
			c := newClient(h, "", true, "tools/call", "get_customer_detail")
			c.do(b, body)
			b.ReportAllocs()
			for b.Loop() {
				c.do(b, body)
			}
		})
	}
	// Argument decoding alone: straight into the Go type, and the typed
	// AddTool's way (unmarshal to a map, validate against the resolved
	// schema, marshal, unmarshal into the type).
	args := []byte(`{"customer_id":7}`)
	schema, err := jsonschema.For[customerIn](nil)
	if err != nil {
		b.Fatal(err)
	}
	resolved, err := schema.Resolve(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("args/straight-into-type", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var in customerIn
			if err := json.Unmarshal(args, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("args/map-validate-remarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(args, &m); err != nil {
				b.Fatal(err)
			}
			if err := resolved.Validate(m); err != nil {
				b.Fatal(err)
			}
			out, err := json.Marshal(m)
			if err != nil {
				b.Fatal(err)
			}
			var in customerIn
			if err := json.Unmarshal(out, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStore is each query of the SQLite store (prepared statements,
// the default data set), as the tools call them.
func BenchmarkStore(b *testing.B) {
	ctx := context.Background()
	st := env.secured.Store
	sub, inv := env.subscription, env.invoice
	queries := []struct {
		name string
		f    func() error
	}{
		{"GetCustomer", func() error { _, err := st.GetCustomer(ctx, 7); return err }},
		{"CustomerSubscriptions", func() error { _, err := st.CustomerSubscriptions(ctx, 7); return err }},
		{"ListProducts", func() error { _, err := st.ListProducts(ctx, ""); return err }},
		{"ListCustomers", func() error { _, err := st.ListCustomers(ctx); return err }},
		{"GetSubscription", func() error { _, err := st.GetSubscription(ctx, sub); return err }},
		{"SubscriptionInvoices", func() error { _, err := st.SubscriptionInvoices(ctx, sub); return err }},
		{"SubscriptionPayments", func() error { _, err := st.SubscriptionPayments(ctx, sub); return err }},
		{"SubscriptionIncidents", func() error { _, err := st.SubscriptionIncidents(ctx, sub); return err }},
		{"GetInvoice", func() error { _, err := st.GetInvoice(ctx, inv); return err }},
		{"InvoicePayments", func() error { _, err := st.InvoicePayments(ctx, inv); return err }},
		{"DataUsage-30d", func() error { _, err := st.DataUsage(ctx, sub, "2026-05-01", "2026-05-31"); return err }},
		{"ListPromotions", func() error { _, err := st.ListPromotions(ctx); return err }},
		{"SearchKnowledge", func() error { _, err := st.SearchKnowledge(ctx, "roaming charges abroad", 3); return err }},
		{"SecurityLogs", func() error { _, err := st.SecurityLogs(ctx, 7); return err }},
		{"CustomerOrders", func() error { _, err := st.CustomerOrders(ctx, 7); return err }},
		{"SupportTickets", func() error { _, err := st.SupportTickets(ctx, 7, false); return err }},
		{"GetProduct", func() error { _, err := st.GetProduct(ctx, 1); return err }},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			if err := q.f(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := q.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// PayInvoice: one write transaction (BEGIN IMMEDIATE, read the invoice
	// and its payments, insert, commit; WAL, synchronous=NORMAL) per call,
	// one cent at a time over 1,000 invoices topped up first (a payment
	// reads every earlier payment of its invoice, so the rotation keeps that
	// list as short as in real use).
	b.Run("PayInvoice", func(b *testing.B) {
		ids, err := topUp(1000)
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			i++
			_, err := st.PayInvoice(ctx, contoso.PaymentRequest{InvoiceID: ids[i%len(ids)], Amount: 0.01, Method: "credit_card",
				IdempotencyKey: fmt.Sprintf("micro-%d-%d", time.Now().UnixNano(), i), Date: "2026-06-15"})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// topUp adds $1,000,000 to n invoices of the benchmark's own copy of the
// data and returns their ids.
func topUp(n int) ([]int64, error) {
	db, err := sql.Open("sqlite", filepath.Join(env.dir, "contoso.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT invoice_id FROM invoices ORDER BY invoice_id LIMIT ?`, n)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	_, err = db.Exec(`UPDATE invoices SET amount = amount + 100000000 WHERE invoice_id IN (SELECT invoice_id FROM invoices ORDER BY invoice_id LIMIT ?)`, n)
	return ids, err
}
