package auth

import (
	"net/http/httptest"
	"testing"
)

func TestBearerToken(t *testing.T) {
	cases := []struct {
		name    string
		target  string
		headers []string
		token   string
		reason  string
	}{
		{"no credentials", "/mcp", nil, "", ""},
		{"Bearer", "/mcp", []string{"Bearer abc.def.ghi"}, "abc.def.ghi", ""},
		{"lower-case bearer accepted", "/mcp", []string{"bearer abc.def.ghi"}, "abc.def.ghi", ""},
		{"upper-case BEARER accepted", "/mcp", []string{"BEARER abc.def.ghi"}, "abc.def.ghi", ""},
		{"two spaces", "/mcp", []string{"Bearer  abc.def.ghi"}, "abc.def.ghi", ""},
		{"token in the query string", "/mcp?access_token=abc.def.ghi", nil, "", ReasonTokenInQuery},
		{"token in the query string and a header", "/mcp?x=1&access_token=abc", []string{"Bearer abc.def.ghi"}, "", ReasonTokenInQuery},
		{"two Authorization headers", "/mcp", []string{"Bearer a.b.c", "Bearer d.e.f"}, "", ReasonMultipleAuthorization},
		{"two tokens in one header", "/mcp", []string{"Bearer a.b.c, Bearer d.e.f"}, "", ReasonMalformed},
		{"Basic", "/mcp", []string{"Basic dXNlcjpwYXNz"}, "", ReasonNotBearer},
		{"scheme only", "/mcp", []string{"Bearer"}, "", ReasonNotBearer},
		{"scheme and space", "/mcp", []string{"Bearer "}, "", ReasonMissing},
		{"no scheme", "/mcp", []string{"abc.def.ghi"}, "", ReasonNotBearer},
		{"token with a space", "/mcp", []string{"Bearer abc def"}, "", ReasonMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", c.target, nil)
			for _, h := range c.headers {
				r.Header.Add("Authorization", h)
			}
			tok, err := BearerToken(r)
			if tok != c.token || (c.reason == "" && err != nil) || (c.reason != "" && reasonOf(err) != c.reason) {
				t.Fatalf("BearerToken = %q, %v; want %q, %q", tok, err, c.token, c.reason)
			}
		})
	}
}
