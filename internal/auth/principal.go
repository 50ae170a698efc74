package auth

import (
	"strconv"
	"strings"
	"time"
)

// Principal is the verified caller.
type Principal struct {
	Tenant    string    // tenant NAME: selects the tenant's data store
	TenantID  string    // the tenant claim as issued (Entra: tid GUID; dev: the name); "" in single-tenant oidc
	Subject   string    // oid when present, else sub
	Roles     []string  // the roles claim as issued; nil when absent or not an array of strings
	Issuer    string    // iss as issued ("disabled" in disabled mode)
	ExpiresAt time.Time // exp; zero in disabled mode and for passthrough tokens without exp
}

// Key is a stable identity for session binding and rate limits. It joins
// issuer, tenant id, tenant name and subject, each length-prefixed, so no two
// different principals share a key whatever characters their values hold.
func (p *Principal) Key() string {
	var b strings.Builder
	b.Grow(len(p.Issuer) + len(p.TenantID) + len(p.Tenant) + len(p.Subject) + 16)
	for i, s := range [...]string{p.Issuer, p.TenantID, p.Tenant, p.Subject} {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	return b.String()
}

// HasRole reports whether the principal holds role (exact, case-sensitive).
func (p *Principal) HasRole(role string) bool {
	if p == nil || role == "" {
		return false
	}
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

func (p *Principal) clone() *Principal {
	c := *p
	if p.Roles != nil {
		c.Roles = append([]string(nil), p.Roles...)
	}
	return &c
}
