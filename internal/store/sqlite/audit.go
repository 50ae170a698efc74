package sqlite

import (
	"context"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// RecordAudit appends one record to the audit trail.
func (s *Store) RecordAudit(ctx context.Context, r contoso.AuditRecord) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO audit_log (time, tenant, subject, tool, outcome, request_id) VALUES (?, ?, ?, ?, ?, ?)`,
		r.Time, r.Tenant, r.Subject, r.Tool, r.Outcome, r.RequestID)
	if err != nil {
		return contoso.Internal(err, "recording an audit record")
	}
	return nil
}

// AuditTrail returns at most limit records, newest first.
func (s *Store) AuditTrail(ctx context.Context, limit int) ([]contoso.AuditRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT time, tenant, subject, tool, outcome, request_id FROM audit_log ORDER BY audit_id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, contoso.Internal(err, "reading the audit trail")
	}
	defer rows.Close()
	out := []contoso.AuditRecord{}
	for rows.Next() {
		var r contoso.AuditRecord
		if err := rows.Scan(&r.Time, &r.Tenant, &r.Subject, &r.Tool, &r.Outcome, &r.RequestID); err != nil {
			return nil, contoso.Internal(err, "reading the audit trail")
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, contoso.Internal(err, "reading the audit trail")
	}
	return out, nil
}
