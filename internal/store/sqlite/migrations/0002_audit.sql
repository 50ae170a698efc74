-- 0002: the audit trail of write and privileged tool calls. It is not part
-- of the data set: Load does not clear it and Fingerprint does not read it.
CREATE TABLE audit_log (
    audit_id   INTEGER PRIMARY KEY,
    time       TEXT NOT NULL,
    tenant     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    tool       TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    request_id TEXT NOT NULL
) STRICT;
