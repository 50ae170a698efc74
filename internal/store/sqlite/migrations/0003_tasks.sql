-- 0003: tasks of the MCP Tasks extension (io.modelcontextprotocol/tasks),
-- kept in the tenant's database so that any replica answers for any task.
-- Like the audit trail they are not part of the data set: Load does not
-- clear them and Fingerprint does not read them.
--
-- Instants are INTEGER milliseconds since the Unix epoch (UTC), compared as
-- numbers; JSON values are TEXT, NULL when absent.
CREATE TABLE tasks (
    task_id          TEXT PRIMARY KEY,
    owner            TEXT NOT NULL,   -- the creating principal's key
    tool             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('working', 'input_required', 'completed', 'failed', 'cancelled')),
    status_message   TEXT NOT NULL,
    progress         REAL NOT NULL,
    total            REAL NOT NULL,
    result           TEXT,            -- CallToolResult JSON (completed)
    error            TEXT,            -- JSON-RPC error object (failed)
    input_requests   TEXT,            -- outstanding input requests, by key
    input_responses  TEXT,            -- answered, not yet taken by the worker
    cancel_requested INTEGER NOT NULL CHECK (cancel_requested IN (0, 1)),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    ttl_ms           INTEGER NOT NULL CHECK (ttl_ms >= 0), -- 0: kept for ever
    lease_until      INTEGER NOT NULL,
    expires_at       INTEGER          -- NULL: never
) STRICT;

CREATE INDEX tasks_expires_at ON tasks (expires_at) WHERE expires_at IS NOT NULL;
