package auth

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

func TestPolicyAccess(t *testing.T) {
	custom := Policy{QueryRole: "Contoso.Read", AdminRole: "Contoso.Admin", SecurityRole: "Contoso.Security"}
	cases := []struct {
		name    string
		policy  Policy
		roles   []string
		want    contoso.Rights
		missing []string
	}{
		{"no roles", Policy{}, nil, contoso.Rights{}, []string{"query", "admin", "security"}},
		{"empty roles", Policy{}, []string{}, contoso.Rights{}, []string{"query", "admin", "security"}},
		{"query", Policy{}, []string{"query"}, contoso.Rights{Read: true}, []string{"admin", "security"}},
		{"admin", Policy{}, []string{"admin"}, contoso.Rights{Read: true, Write: true}, []string{"query", "security"}},
		{"security", Policy{}, []string{"security"}, contoso.Rights{Read: true, Unlock: true}, []string{"query", "admin"}},
		{"admin and security", Policy{}, []string{"admin", "security"}, contoso.Rights{Read: true, Write: true, Unlock: true}, []string{"query"}},
		{"all three", Policy{}, []string{"security", "query", "admin"}, contoso.Rights{Read: true, Write: true, Unlock: true}, nil},
		{"wrong case", Policy{}, []string{"Admin", "QUERY", "Security"}, contoso.Rights{}, []string{"query", "admin", "security"}},
		{"surrounding space", Policy{}, []string{" admin", "query "}, contoso.Rights{}, []string{"query", "admin", "security"}},
		{"unknown roles", Policy{}, []string{"reader", "owner"}, contoso.Rights{}, []string{"query", "admin", "security"}},
		{"scope names are not roles", Policy{}, []string{"query.read"}, contoso.Rights{}, []string{"query", "admin", "security"}},
		{"custom names", custom, []string{"Contoso.Admin"}, contoso.Rights{Read: true, Write: true}, []string{"Contoso.Read", "Contoso.Security"}},
		{"default names under a custom policy", custom, []string{"admin", "query"}, contoso.Rights{}, []string{"Contoso.Read", "Contoso.Admin", "Contoso.Security"}},
		{"one name for two roles", Policy{AdminRole: "ops", SecurityRole: "ops"}, []string{"ops"}, contoso.Rights{Read: true, Write: true, Unlock: true}, []string{"query"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &Principal{Roles: c.roles}
			if got := c.policy.Access(p); got != c.want {
				t.Fatalf("Access = %+v, want %+v", got, c.want)
			}
			if got := c.policy.Access(p).Any(); got != (c.want != contoso.Rights{}) {
				t.Fatalf("Any = %v", got)
			}
			if d := cmp.Diff(c.missing, c.policy.Missing(p)); d != "" {
				t.Fatalf("Missing (-want +got):\n%s", d)
			}
		})
	}
	if (Policy{}).Access(nil).Any() {
		t.Fatal("nil principal has access")
	}
}

// TestRolesClaimShapes: the roles claim's shape as issued decides, through
// Verify, what Policy grants. Anything but an array of strings grants nothing.
func TestRolesClaimShapes(t *testing.T) {
	e := newEntraEnv(t, nil)
	cases := []struct {
		name  string
		edit  func(jwt.MapClaims)
		roles []string
		want  contoso.Rights
	}{
		{"no roles claim", func(c jwt.MapClaims) { delete(c, "roles") }, nil, contoso.Rights{}},
		{"a string instead of an array", func(c jwt.MapClaims) { c["roles"] = "admin" }, nil, contoso.Rights{}},
		{"space-separated string", func(c jwt.MapClaims) { c["roles"] = "query admin" }, nil, contoso.Rights{}},
		{"numbers", func(c jwt.MapClaims) { c["roles"] = []int{1, 2} }, nil, contoso.Rights{}},
		{"mixed strings and numbers", func(c jwt.MapClaims) { c["roles"] = []any{"admin", 1} }, nil, contoso.Rights{}},
		{"an object", func(c jwt.MapClaims) { c["roles"] = map[string]any{"admin": true} }, nil, contoso.Rights{}},
		{"nested arrays", func(c jwt.MapClaims) { c["roles"] = [][]string{{"admin"}} }, nil, contoso.Rights{}},
		{"null", func(c jwt.MapClaims) { c["roles"] = nil }, nil, contoso.Rights{}},
		{"wrong case", func(c jwt.MapClaims) { c["roles"] = []string{"Admin"} }, []string{"Admin"}, contoso.Rights{}},
		{"scp instead of roles", func(c jwt.MapClaims) { delete(c, "roles"); c["scp"] = "query admin security" }, nil, contoso.Rights{}},
		{"scp array instead of roles", func(c jwt.MapClaims) { delete(c, "roles"); c["scp"] = []string{"admin"} }, nil, contoso.Rights{}},
		{"empty array", func(c jwt.MapClaims) { c["roles"] = []string{} }, []string{}, contoso.Rights{}},
		{"admin", func(c jwt.MapClaims) { c["roles"] = []string{"admin"} }, []string{"admin"}, contoso.Rights{Read: true, Write: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustVerify(t, e.v, e.token(c.edit)) // the token itself is valid
			if d := cmp.Diff(c.roles, p.Roles); d != "" {
				t.Fatalf("Roles (-want +got):\n%s", d)
			}
			if got := DefaultPolicy().Access(p); got != c.want {
				t.Fatalf("Access = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestLoadPolicyFile(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "policy.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	got, err := LoadPolicyFile(write(`{"query": "Contoso.Read", "admin": "Contoso.Admin", "security": "Contoso.Security"}`))
	if err != nil || got != (Policy{"Contoso.Read", "Contoso.Admin", "Contoso.Security"}) {
		t.Fatalf("%+v, %v", got, err)
	}
	got, err = LoadPolicyFile(write(`{"security": "SecOps"}`))
	if err != nil || got != (Policy{"query", "admin", "SecOps"}) {
		t.Fatalf("partial: %+v, %v", got, err)
	}
	for _, bad := range []string{
		`{"query": "x", "owner": "y"}`,
		`{"admin": ""}`,
		`{"admin": " admin"}`,
		`{"admin": 1}`,
		`not json`,
		`{"admin": "a"} {"query": "b"}`,
	} {
		if _, err := LoadPolicyFile(write(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	if _, err := LoadPolicyFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing file was accepted")
	}
}
