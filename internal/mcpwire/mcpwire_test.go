package mcpwire

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	segjson "github.com/segmentio/encoding/json"
)

// sdkView decodes body as the go-sdk does (its JSON-RPC decoder, then
// params with member names matched exactly, the go-sdk's decoder setting).
func sdkView(t *testing.T, body []byte) (method, name string, ok bool) {
	t.Helper()
	msg, err := jsonrpc.DecodeMessage(body)
	if err != nil {
		return "", "", false
	}
	req, isReq := msg.(*jsonrpc.Request)
	if !isReq {
		return "", "", false
	}
	var params struct {
		Name string `json:"name"`
	}
	if len(req.Params) > 0 {
		dec := segjson.NewDecoder(bytes.NewReader(req.Params))
		dec.DontMatchCaseInsensitiveStructFields()
		if dec.Decode(&params) != nil {
			return "", "", false
		}
	}
	return req.Method, params.Name, true
}

func TestParseRefusesWhatReadersCouldDisagreeOn(t *testing.T) {
	long := strings.Repeat("x", 900000)
	cases := map[string]string{
		"name and Name":                        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","Name":"get_promotions"}}`,
		"Name and name":                        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"Name":"get_promotions","name":"pay_invoice"}}`,
		"method and Method":                    `{"jsonrpc":"2.0","id":1,"method":"tools/call","Method":"tools/list","params":{"name":"pay_invoice"}}`,
		"Method alone":                         `{"jsonrpc":"2.0","id":1,"Method":"tools/call","params":{"name":"pay_invoice"}}`,
		"NAME alone":                           `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"NAME":"pay_invoice"}}`,
		"name twice":                           `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_promotions","name":"pay_invoice"}}`,
		"method twice":                         `{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"pay_invoice"}}`,
		"escaped duplicate":                    `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_promotions","n\u0061me":"pay_invoice"}}`,
		"id twice":                             `{"jsonrpc":"2.0","id":1,"id":2,"method":"tools/list"}`,
		"params twice":                         `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a"},"params":{"name":"b"}}`,
		"Params":                               `{"jsonrpc":"2.0","id":1,"method":"tools/call","Params":{"name":"pay_invoice"}}`,
		"Kelvin sign in taskId variant":        `{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"tas\u212aId":"t1"}}`,
		"long s in taskId variant":             `{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"ta\u017fkId":"t1"}}`,
		"arguments twice":                      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","arguments":{},"arguments":{"amount":1}}}`,
		"argument amount and Amount":           `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","arguments":{"amount":10,"Amount":0.001}}}`,
		"_meta key twice":                      `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/protocolVersion":"2025-11-25"}}}`,
		"trailing second message":              `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice"}}{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		"invalid UTF-8":                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"pay_invoice\xff\"}}",
		"not JSON":                             `{"jsonrpc":"2.0",`,
		"batch":                                `[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]`,
		"a string":                             `"tools/call"`,
		"params an array":                      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":["pay_invoice"]}`,
		"name a number":                        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":7}}`,
		"method an object":                     `{"jsonrpc":"2.0","id":1,"method":{"a":1}}`,
		"id an object":                         `{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}`,
		"name of 900,000 characters":           `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + long + `"}}`,
		"method of 900,000 characters":         `{"jsonrpc":"2.0","id":1,"method":"` + long + `"}`,
		"id of 900,000 characters":             `{"jsonrpc":"2.0","id":"` + long + `","method":"tools/list"}`,
		"protocol version of 5,000 characters": `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"` + strings.Repeat("9", 5000) + `"}}}`,
		"protocol version a number":            `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":20260728}}}`,
		"_meta an array":                       `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":[]}}`,
		"jsonrpc twice in other case":          `{"jsonrpc":"2.0","JSONRPC":"1.0","id":1,"method":"tools/list"}`,
		"argument a and A":                     `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1,"A":2}}}`,
	}
	var many strings.Builder
	for i := range 40 {
		fmt.Fprintf(&many, `"k%d":%d,`, i, i)
	}
	cases["argument case variant after 40 members"] = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{` + many.String() + `"K7":1}}}`
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			m, p := Parse([]byte(body))
			if p == nil {
				t.Fatalf("accepted: method %q name %q", m.Method, m.Name)
			}
			if p.Status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", p.Status)
			}
			if len(p.Text) > 200 || strings.Contains(p.Text, "xxxxxxxxxx") {
				t.Errorf("the refusal echoes the input: %.300q", p.Text)
			}
		})
	}
}

func TestParseReadsAsTheSDKDoes(t *testing.T) {
	bodies := []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","arguments":{"invoice_id":3,"amount":1}}}`,
		`{"jsonrpc":"2.0","id":"a-1","method":"tools/call","params":{"name":"get_promotions","_meta":{"progressToken":1}}}`,
		`  {"method":"tools/list","id":7,"jsonrpc":"2.0","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}  `,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"n\u0061me":"pay_invoice"}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{"name":"pay\u005finvoice"}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_customer_detail","arguments":{"customer_id":251,"note":"{\"name\":\"x\"}"}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"caf\u00e9"}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"taskId":"t-1"}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":null}`,
	}
	for _, body := range bodies {
		m, p := Parse([]byte(body))
		if p != nil {
			t.Errorf("%s: refused: %s", body, p.Text)
			continue
		}
		method, name, ok := sdkView(t, []byte(body))
		if !ok {
			t.Errorf("%s: the SDK cannot decode it", body)
			continue
		}
		if m.Method != method || (m.Method == "tools/call" && m.Name != name) {
			t.Errorf("%s: read as %q %q, the SDK reads %q %q", body, m.Method, m.Name, method, name)
		}
	}
	m, _ := Parse([]byte(bodies[2]))
	if !m.NewEra || m.JSONRPC != "2.0" || string(m.ID) != "7" {
		t.Errorf("era %v, jsonrpc %q, id %s", m.NewEra, m.JSONRPC, m.ID)
	}
	m, _ = Parse([]byte(bodies[7]))
	if m.Name != "t-1" {
		t.Errorf("taskId read as %q", m.Name)
	}
}

// TestParseAgreesWithTheSDKOnCaseVariants tries every case spelling of the
// members that route a call, alone and beside the exact one: whatever Parse
// accepts, it reads as the SDK does.
func TestParseAgreesWithTheSDKOnCaseVariants(t *testing.T) {
	variants := func(s string) []string {
		return []string{s, strings.ToUpper(s), strings.ToUpper(s[:1]) + s[1:], s[:len(s)-1] + strings.ToUpper(s[len(s)-1:])}
	}
	accepted := 0
	for _, mk := range variants("method") {
		for _, nk := range variants("name") {
			for _, extra := range []string{"", `,"` + nk + `":"get_promotions"`} {
				body := `{"jsonrpc":"2.0","id":1,"` + mk + `":"tools/call","params":{"` + nk + `":"pay_invoice"` + extra + `}}`
				m, p := Parse([]byte(body))
				if p != nil {
					continue
				}
				accepted++
				method, name, ok := sdkView(t, []byte(body))
				if !ok || method != m.Method || name != m.Name {
					t.Errorf("%s: read as %q %q, the SDK reads %q %q (%v)", body, m.Method, m.Name, method, name, ok)
				}
			}
		}
	}
	if accepted != 1 {
		t.Errorf("accepted %d spellings, want only the exact one", accepted)
	}
}

func TestCheckHeaders(t *testing.T) {
	m, _ := Parse([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice"}}`))
	for _, tc := range []struct {
		method, name string
		ok           bool
	}{{"", "", true}, {"tools/call", "pay_invoice", true}, {"tools/list", "", false}, {"tools/call", "get_promotions", false}} {
		h := http.Header{}
		if tc.method != "" {
			h.Set("Mcp-Method", tc.method)
		}
		if tc.name != "" {
			h.Set("Mcp-Name", tc.name)
		}
		if p := CheckHeaders(h, m); (p == nil) != tc.ok {
			t.Errorf("%+v: %v", tc, p)
		}
	}
}

func TestHeaderProblem(t *testing.T) {
	for _, k := range []string{"Mcp-Method", "mcp-name", "MCP-PROTOCOL-VERSION", "Origin", "Mcp-Session-Id", "Content-Type"} {
		h := http.Header{}
		h.Add(k, "a")
		if got := HeaderProblem(h); got != "" {
			t.Errorf("%s once: %q", k, got)
		}
		h.Add(k, "b")
		if got := HeaderProblem(h); !strings.Contains(got, http.CanonicalHeaderKey(k)+" header is given more than once") {
			t.Errorf("%s twice: %q", k, got)
		}
	}
	h := http.Header{}
	h.Set("Mcp-Protocol-Version", strings.Repeat("9", 65))
	if got := HeaderProblem(h); !strings.Contains(got, "longer than 64 bytes") {
		t.Errorf("a long protocol version: %q", got)
	}
}

func BenchmarkParse(b *testing.B) {
	body := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_customer_detail","arguments":{"customer_id":251},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, p := Parse(body); p != nil {
			b.Fatal(p.Text)
		}
	}
}

func TestTokenInQuery(t *testing.T) {
	for q, want := range map[string]bool{
		"": false, "x=1": false, "tokens=1": false, "access_tokenx=1": false,
		"access_token=a": true, "Access_Token=a": true, "ACCESS_TOKEN=a": true, "x=1&Token=a": true,
		"x=1;id_token=a": true, "access%5Ftoken=a": true, "access%5FTOKEN": true, "ID_TOKEN": true,
	} {
		if got := TokenInQuery(q); got != want {
			t.Errorf("%q: %v, want %v", q, got, want)
		}
	}
}
