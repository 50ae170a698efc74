package contoso

import "testing"

func TestRightsCover(t *testing.T) {
	read, write, unlock := Rights{Read: true}, Rights{Write: true}, Rights{Unlock: true}
	query, admin, security := Rights{Read: true}, Rights{Read: true, Write: true}, Rights{Read: true, Unlock: true}
	for _, c := range []struct {
		name       string
		have, need Rights
		want       bool
	}{
		{"query reads", query, read, true},
		{"query does not write", query, write, false},
		{"query does not unlock", query, unlock, false},
		{"admin writes", admin, write, true},
		{"admin does not unlock", admin, unlock, false},
		{"security unlocks", security, unlock, true},
		{"security does not write", security, write, false},
		{"nothing needs nothing", Rights{}, Rights{}, true},
		{"no rights read nothing", Rights{}, read, false},
		{"all cover all", AllRights, AllRights, true},
		{"a need of two rights needs both", admin, Rights{Write: true, Unlock: true}, false},
	} {
		if got := c.have.Covers(c.need); got != c.want {
			t.Errorf("%s: %+v covers %+v = %v", c.name, c.have, c.need, got)
		}
	}
	if (Rights{}).Any() || !query.Any() {
		t.Error("Any")
	}
}
