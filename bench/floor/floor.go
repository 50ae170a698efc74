// Package floor is the bench's floor: a bare net/http handler, no MCP
// framework, no token check, that does the same SQLite read as the product's
// get_customer_detail and search_knowledge_base (peerdata) and writes the same
// JSON-RPC response (text content plus structured content) as one
// application/json body. Whatever an MCP server costs above this is the
// price of its protocol machinery. It answers initialize (with a session id
// it does not keep), notifications (202) and tools/list too, so the load
// generator's 2025-11-25 flow and cold-start probe work unchanged.
package floor

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"

	"github.com/contoso/contoso-mcp/bench/peerdata"
)

type request struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"params"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type content struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type toolResult struct {
	Content           []content `json:"content"`
	StructuredContent any       `json:"structuredContent,omitempty"`
	IsError           bool      `json:"isError,omitempty"`
}

var toolList = json.RawMessage(`{"tools":[` +
	`{"name":"get_customer_detail","inputSchema":{"type":"object","properties":{"customer_id":{"type":"integer","minimum":1}},"required":["customer_id"]}},` +
	`{"name":"search_knowledge_base","inputSchema":{"type":"object","properties":{"query":{"type":"string"},"topk":{"type":"integer"}},"required":["query"]}}]}`)

// Handler serves POST requests on any path.
func Handler(db *peerdata.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var req request
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, "bad JSON", http.StatusBadRequest)
			return
		}
		if req.ID == nil { // a notification
			w.WriteHeader(http.StatusAccepted)
			return
		}
		resp := response{JSONRPC: "2.0", ID: req.ID}
		switch req.Method {
		case "initialize":
			var b [16]byte
			rand.Read(b[:])
			w.Header().Set("Mcp-Session-Id", hex.EncodeToString(b[:]))
			resp.Result = map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{"tools": map[string]any{}},
				"serverInfo": map[string]any{"name": "floor", "version": "1"}}
		case "tools/list":
			resp.Result = toolList
		case "tools/call":
			resp.Result, resp.Error = call(r, db, req.Params.Name, req.Params.Arguments)
		default:
			resp.Error = &rpcError{-32601, "method not found"}
		}
		out, err := json.Marshal(resp)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	})
}

func call(r *http.Request, db *peerdata.DB, name string, raw json.RawMessage) (any, *rpcError) {
	switch name {
	case "get_customer_detail":
		var in struct {
			CustomerID int64 `json:"customer_id"`
		}
		if err := json.Unmarshal(raw, &in); err != nil || in.CustomerID < 1 {
			return nil, &rpcError{-32602, "customer_id: a positive integer is required"}
		}
		d, err := db.CustomerDetail(r.Context(), in.CustomerID)
		if err != nil {
			return toolResult{Content: []content{{"text", err.Error()}}, IsError: true}, nil
		}
		return toolResult{Content: []content{{"text", d.Summary()}}, StructuredContent: d}, nil
	case "search_knowledge_base":
		var in struct {
			Query string `json:"query"`
			TopK  int    `json:"topk"`
		}
		if err := json.Unmarshal(raw, &in); err != nil || in.Query == "" {
			return nil, &rpcError{-32602, "query: a string is required"}
		}
		if in.TopK == 0 {
			in.TopK = 3
		}
		s, err := db.Search(r.Context(), in.Query, in.TopK)
		if err != nil {
			return toolResult{Content: []content{{"text", err.Error()}}, IsError: true}, nil
		}
		return toolResult{Content: []content{{"text", s.Summary()}}, StructuredContent: s}, nil
	}
	return nil, &rpcError{-32602, "unknown tool " + name}
}
