package mcpserver_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/go-cmp/cmp"
)

// rpcAnswer is the JSON-RPC message of an answer (SSE or JSON).
func rpcAnswer(t *testing.T, status int, msg any) map[string]any {
	t.Helper()
	if msgs, ok := msg.([]any); ok && len(msgs) == 1 {
		msg = msgs[0]
	}
	m, ok := msg.(map[string]any)
	if status != http.StatusOK || !ok {
		t.Fatalf("HTTP %d: %v", status, msg)
	}
	return m
}

// listedTools posts a tools/list and returns the names it lists.
func listedTools(t *testing.T, url, body string, headers map[string]string) []string {
	t.Helper()
	status, _, msg := postMessage(t, url, body, headers)
	res, _ := rpcAnswer(t, status, msg)["result"].(map[string]any)
	var names []string
	for _, tool := range res["tools"].([]any) {
		names = append(names, tool.(map[string]any)["name"].(string))
	}
	return names
}

var adminTools = []string{"create_support_ticket", "pay_invoice", "unlock_account", "update_subscription"}

// TestSessionRightsComeFromEachRequest: a 2025-11-25 session opened with a
// token of every role, then used with a query-only token of the same
// subject, shows and runs only the query tools; used again with the full
// token, it runs them. And the other way round: a session opened with a
// query token runs write tools for a request whose token grants them. Each
// through the fast path and through the go-sdk alone.
func TestSessionRightsComeFromEachRequest(t *testing.T) {
	for _, sdkOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("sdkOnly=%v", sdkOnly), func(t *testing.T) {
			f := newFixtureWith(t, nil, fixtureOptions{sdkOnly: sdkOnly})
			url := f.endpoint(t)
			inv := findLatestInvoice(t, f.store, scenario(1))
			locked := scenario(4)
			full := "Bearer " + f.token(t, "contoso", "agent-1", "query", "admin", "security")
			query := "Bearer " + f.token(t, "contoso", "agent-1", "query")
			pay := func(id int) string {
				return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"pay_invoice","arguments":{"invoice_id":%d,"amount":1}}}`, id, inv)
			}
			unlock := fmt.Sprintf(`{"jsonrpc":"2.0","id":20,"method":"tools/call","params":{"name":"unlock_account","arguments":{"customer_id":%d}}}`, locked)
			unknown := `{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}`
			list := `{"jsonrpc":"2.0","id":30,"method":"tools/list"}`

			sid := openSession(t, f, strings.TrimPrefix(full, "Bearer "))
			h := map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"}
			before, err := f.store.Fingerprint(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if names := listedTools(t, url, list, with(h, "Authorization", query)); slices.ContainsFunc(names, func(n string) bool { return slices.Contains(adminTools, n) }) {
				t.Errorf("query token on a full session lists %v", names)
			}
			_, _, unknownMsg := postMessage(t, url, unknown, with(h, "Authorization", query))
			for _, body := range []string{pay(10), unlock} {
				status, _, msg := postMessage(t, url, body, with(h, "Authorization", query))
				got := rpcAnswer(t, status, msg)
				e, _ := got["error"].(map[string]any)
				if e == nil || e["code"] != float64(-32602) || !strings.HasPrefix(e["message"].(string), "unknown tool ") {
					t.Errorf("query token on a full session ran %.60s: %v", body, got)
					continue
				}
				// Exactly the unknown tool's answer but for the name and id.
				want := rpcAnswer(t, 200, unknownMsg)
				want = map[string]any{"jsonrpc": want["jsonrpc"], "error": map[string]any{"code": float64(-32602)}}
				delete(got, "id")
				got["error"] = map[string]any{"code": e["code"]}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("refusal differs from an unknown tool's: %s", diff)
				}
			}
			after, err := f.store.Fingerprint(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("refused calls changed data: %s", diff)
			}
			// The full token again: its rights, on the same session.
			status, _, msg := postMessage(t, url, pay(11), with(h, "Authorization", full))
			if got := rpcAnswer(t, status, msg); got["error"] != nil || !strings.Contains(fmt.Sprint(got["result"]), "Recorded payment") {
				t.Errorf("full token on its session: %v", got)
			}

			qsid := openSession(t, f, strings.TrimPrefix(query, "Bearer "))
			qh := map[string]string{"Mcp-Session-Id": qsid, "Mcp-Protocol-Version": "2025-11-25"}
			if names := listedTools(t, url, list, with(qh, "Authorization", query)); slices.Contains(names, "pay_invoice") {
				t.Errorf("query session lists %v", names)
			}
			if names := listedTools(t, url, list, with(qh, "Authorization", full)); !slices.Contains(names, "unlock_account") {
				t.Errorf("full token on a query session lists %v", names)
			}
			status, _, msg = postMessage(t, url, pay(12), with(qh, "Authorization", full))
			if got := rpcAnswer(t, status, msg); got["error"] != nil {
				t.Errorf("full token on a query session: %v", got)
			}
		})
	}
}

// TestTaskRightsComeFromEachRequest: a task is its owner's to read and
// cancel only while the owner's current token grants the task's tool. The
// product's one task tool is a read tool, which every role grants, so the
// service here gives the role "writer" writes but no reads.
func TestTaskRightsComeFromEachRequest(t *testing.T) {
	grants := func(p *auth.Principal) contoso.Rights {
		return contoso.Rights{Read: slices.Contains(p.Roles, "query"), Write: slices.Contains(p.Roles, "writer")}
	}
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			s := newTaskService(t, taskOptions{step: 100 * time.Millisecond, grants: grants})
			mint := func(roles ...string) string {
				tok, err := s.dev.Mint("contoso", "agent-1", roles, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				return tok
			}
			c := newClient(t, s.url, mint("query"), era, true)
			id := c.startTask("trouble_shoot_device", troubleshootArgs).TaskID
			writer := *c
			writer.token = mint("writer")
			for _, method := range []string{"tasks/get", "tasks/cancel"} {
				if e := writer.failure(method, map[string]any{"taskId": id}); e.Code != -32602 || e.Message != "Failed to retrieve task: Task not found" {
					t.Errorf("%s by the owner without the tool's rights: %+v", method, e)
				}
			}
			if v := c.get(id); v.Status != "working" {
				t.Errorf("after a refused tasks/cancel the task is %q", v.Status)
			}
			var ack map[string]any
			c.request("tasks/cancel", map[string]any{"taskId": id}, &ack)
			if v := c.waitFor(id, 5*time.Second, terminal); v.Status != "cancelled" {
				t.Errorf("owner with the rights cancelled: %+v", v)
			}
		})
	}
}

// heldAudits is a store whose audit writes wait until released.
type heldAudits struct {
	contoso.Store
	release chan struct{}
	stored  chan contoso.AuditRecord
}

func (h *heldAudits) RecordAudit(ctx context.Context, rec contoso.AuditRecord) error {
	<-h.release
	err := h.Store.RecordAudit(ctx, rec)
	h.stored <- rec
	return err
}

// TestHiddenToolAnsweredAsUnknown: a call of a tool the caller's rights
// hide is answered as a call of an unknown tool is, body and headers, and
// without waiting for its audit record (which would make it slower than an
// unknown tool's answer, telling the tool exists); the record is written
// after, with outcome "refused".
func TestHiddenToolAnsweredAsUnknown(t *testing.T) {
	for _, sdkOnly := range []bool{false, true} {
		for _, era := range []string{"2025-11-25", "2026-07-28"} {
			t.Run(fmt.Sprintf("%s/sdkOnly=%v", era, sdkOnly), func(t *testing.T) {
				st := &heldAudits{Store: seededStore(t), release: make(chan struct{}), stored: make(chan contoso.AuditRecord, 1)}
				f := newFixtureWith(t, st, fixtureOptions{sdkOnly: sdkOnly})
				url := f.endpoint(t)
				query := f.token(t, "contoso", "agent-1", "query")
				h := map[string]string{"Authorization": "Bearer " + query}
				meta := ""
				if era == "2026-07-28" {
					h["Mcp-Protocol-Version"], h["Mcp-Method"] = era, "tools/call"
					meta = `,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}`
				} else {
					h["Mcp-Session-Id"], h["Mcp-Protocol-Version"] = openSession(t, f, query), era
				}
				answer := func(name string) (*http.Response, string) {
					body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + name + `","arguments":{"customer_id":251}` + meta + `}}`
					got := make(chan struct{})
					var resp *http.Response
					var text string
					go func() {
						defer close(got)
						resp, text = postRaw(t, url, body, with(h, "Mcp-Name", name))
					}()
					select {
					case <-got:
					case <-time.After(10 * time.Second):
						close(st.release)
						<-got
						t.Fatalf("the refusal of %s waited for its audit record", name)
					}
					return resp, strings.Replace(text, name, "NAME", 1)
				}
				uResp, unknown := answer("xnlock_account") // the same length: the same Content-Length
				hResp, hidden := answer("unlock_account")
				if unknown != hidden || !strings.Contains(hidden, "unknown tool") {
					t.Errorf("hidden tool answered\n%s\nunknown tool answered\n%s", hidden, unknown)
				}
				for _, k := range []string{"Content-Type", "Cache-Control", "Connection", "Content-Length"} {
					if uResp.Header.Get(k) != hResp.Header.Get(k) {
						t.Errorf("header %s: hidden %q, unknown %q", k, hResp.Header.Get(k), uResp.Header.Get(k))
					}
				}
				close(st.release)
				select {
				case rec := <-st.stored:
					if rec.Tool != "unlock_account" || rec.Outcome != "refused" || rec.Subject != "agent-1" {
						t.Errorf("audit record %+v", rec)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("the refusal was never audited")
				}
			})
		}
	}
}
