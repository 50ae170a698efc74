package contoso

// Rights are what a caller may do, and what a tool needs (the roles of the
// domain: query reads, admin also writes, security also unlocks accounts).
// The one type for both: a principal's rights cover a tool when they hold
// everything the tool needs.
type Rights struct {
	Read   bool // the read tools, search, troubleshooting, the experts
	Write  bool // the write tools
	Unlock bool // unlock_account
}

// Any reports whether the rights allow anything at all.
func (r Rights) Any() bool { return r.Read || r.Write || r.Unlock }

// Covers reports whether r holds everything need asks for.
func (r Rights) Covers(need Rights) bool {
	return (r.Read || !need.Read) && (r.Write || !need.Write) && (r.Unlock || !need.Unlock)
}

// AllRights are every right.
var AllRights = Rights{Read: true, Write: true, Unlock: true}
