package storetest

import (
	"fmt"
	"testing"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/go-cmp/cmp"
)

// testAuditTrail: records come back newest first, limited; the trail is not
// part of the data set, so Fingerprint ignores it and Load keeps it.
func testAuditTrail(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	if got, err := s.AuditTrail(ctx, 10); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("empty trail = %v, %v; want an empty, non-nil list", got, err)
	}
	before, err := s.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []contoso.AuditRecord
	for i := range 3 {
		r := contoso.AuditRecord{Time: fmt.Sprintf("2025-05-20T10:00:0%dZ", i), Tenant: "contoso", Subject: "agent-7",
			Tool: "pay_invoice", Outcome: []string{"ok", "tool_error", "error"}[i], RequestID: fmt.Sprintf("req-%d", i)}
		if err := s.RecordAudit(ctx, r); err != nil {
			t.Fatalf("RecordAudit: %v", err)
		}
		want = append([]contoso.AuditRecord{r}, want...)
	}
	got, err := s.AuditTrail(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:2], got); diff != "" {
		t.Errorf("AuditTrail(2) (-want +got):\n%s", diff)
	}
	after, err := s.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("audit records changed the data set's fingerprint:\n%s", diff)
	}
	if err := s.Load(ctx, Fixture()); err != nil {
		t.Fatal(err)
	}
	if got, err := s.AuditTrail(ctx, 10); err != nil || len(got) != 3 {
		t.Errorf("after Load the trail has %d records (%v), want the 3 kept", len(got), err)
	}
}
