package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// Policy names the app roles that grant access. Empty fields mean the
// defaults: query, admin, security. Names match exactly (case-sensitive).
//
//	query    -> Read
//	admin    -> Read + Write
//	security -> Read + Unlock
//
// Roles add up: admin and security together give all three.
type Policy struct {
	QueryRole, AdminRole, SecurityRole string
}

// DefaultPolicy is query, admin, security.
func DefaultPolicy() Policy { return Policy{}.withDefaults() }

func (p Policy) withDefaults() Policy {
	if p.QueryRole == "" {
		p.QueryRole = "query"
	}
	if p.AdminRole == "" {
		p.AdminRole = "admin"
	}
	if p.SecurityRole == "" {
		p.SecurityRole = "security"
	}
	return p
}

// Access returns what pr may do. A nil principal may do nothing; a
// verified principal that may do nothing gets 403 insufficient_scope.
func (p Policy) Access(pr *Principal) contoso.Rights {
	var a contoso.Rights
	if pr == nil {
		return a
	}
	p = p.withDefaults()
	for _, r := range pr.Roles {
		// Not a switch: a policy may give two built-in roles one name.
		if r == p.QueryRole {
			a.Read = true
		}
		if r == p.AdminRole {
			a.Read, a.Write = true, true
		}
		if r == p.SecurityRole {
			a.Read, a.Unlock = true, true
		}
	}
	return a
}

// Missing names the policy's roles that pr does not hold, in the order
// query, admin, security: the text of a 403 insufficient_scope.
func (p Policy) Missing(pr *Principal) []string {
	p = p.withDefaults()
	var out []string
	for _, r := range [...]string{p.QueryRole, p.AdminRole, p.SecurityRole} {
		if !pr.HasRole(r) && !contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// LoadPolicyFile reads a policy file: a JSON object naming, for each of the
// three built-in roles, the app role (as it appears in tokens' roles claim)
// that grants it. Every member is optional (missing means the default name);
// unknown members are an error.
//
//	{"query": "Contoso.Read", "admin": "Contoso.Admin", "security": "Contoso.Security"}
func LoadPolicyFile(path string) (Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return Policy{}, fmt.Errorf("policy file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<10+1))
	if err != nil {
		return Policy{}, fmt.Errorf("policy file %s: %w", path, err)
	}
	if len(data) > 64<<10 {
		return Policy{}, fmt.Errorf("policy file %s: larger than 64 KiB", path)
	}
	var doc struct {
		Query    *string `json:"query"`
		Admin    *string `json:"admin"`
		Security *string `json:"security"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return Policy{}, fmt.Errorf("policy file %s: %w", path, err)
	}
	if dec.More() {
		return Policy{}, fmt.Errorf("policy file %s: more than one JSON value", path)
	}
	var p Policy
	for _, m := range []struct {
		name string
		v    *string
		dst  *string
	}{{"query", doc.Query, &p.QueryRole}, {"admin", doc.Admin, &p.AdminRole}, {"security", doc.Security, &p.SecurityRole}} {
		if m.v == nil {
			continue
		}
		if *m.v == "" || strings.TrimSpace(*m.v) != *m.v {
			return Policy{}, fmt.Errorf("policy file %s: %s: role name %q is empty or has surrounding spaces", path, m.name, *m.v)
		}
		*m.dst = *m.v
	}
	return p.withDefaults(), nil
}
