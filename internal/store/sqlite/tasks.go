package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// Tasks (contoso.TaskStore) live in the tasks table of migration 0003.
// Every change is a read-modify-write in one immediate transaction on the
// writer, so it holds the database's write lock from its first statement:
// two updates of one task, from this process or another on the same file,
// never interleave.

const taskCols = `task_id, owner, tool, status, status_message, progress, total, result, error, input_requests,
	input_responses, cancel_requested, created_at, updated_at, ttl_ms, lease_until, expires_at`

// errTaskNotFound is the one answer for a task that does not exist, belongs
// to another owner or expired: the three must not be told apart.
func errTaskNotFound() error { return contoso.Errorf(contoso.KindNotFound, "task not found") }

// CreateTask stores a new task.
func (s *Store) CreateTask(ctx context.Context, t contoso.Task) error {
	if err := validTask(&t); err != nil {
		return err
	}
	t.ExpiresAt = expiry(t.CreatedAt, t.TTL)
	return s.inTx(ctx, "creating a task", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tasks WHERE task_id = ?`, t.ID).Scan(&n); err != nil {
			return contoso.Internal(err, "creating a task")
		}
		if n > 0 {
			return contoso.Errorf(contoso.KindConflict, "a task with this id exists already")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tasks (`+taskCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			taskRow(&t)...); err != nil {
			return contoso.Internal(err, "creating a task")
		}
		return nil
	})
}

// GetTask returns the owner's task as it is at now.
func (s *Store) GetTask(ctx context.Context, id, owner string, now time.Time) (contoso.Task, error) {
	t, err := scanTask(s.r.QueryRowContext(ctx, `SELECT `+taskCols+` FROM tasks WHERE task_id = ?`, id))
	if err != nil {
		return contoso.Task{}, taskReadError(err)
	}
	if !visible(&t, owner, now) {
		return contoso.Task{}, errTaskNotFound()
	}
	return t, nil
}

// UpdateTask changes the owner's task in one transaction.
func (s *Store) UpdateTask(ctx context.Context, id, owner string, now time.Time, change func(*contoso.Task) error) (contoso.Task, error) {
	var out contoso.Task
	err := s.inTx(ctx, "updating a task", func(tx *sql.Tx) error {
		cur, err := scanTask(tx.QueryRowContext(ctx, `SELECT `+taskCols+` FROM tasks WHERE task_id = ?`, id))
		if err != nil {
			return taskReadError(err)
		}
		if !visible(&cur, owner, now) {
			return errTaskNotFound()
		}
		next := cur
		next.Result = clone(cur.Result)
		next.Error = clone(cur.Error)
		next.InputRequests = clone(cur.InputRequests)
		next.InputResponses = clone(cur.InputResponses)
		if err := change(&next); err != nil {
			return err
		}
		next.ID, next.Owner, next.CreatedAt = cur.ID, cur.Owner, cur.CreatedAt
		if !next.Status.Valid() {
			return contoso.Errorf(contoso.KindInvalid, "invalid task status %q", next.Status)
		}
		if cur.Status.Terminal() && next.Status != cur.Status {
			return contoso.Errorf(contoso.KindConflict, "the task is %s already", cur.Status)
		}
		if next.TTL < 0 {
			return contoso.Errorf(contoso.KindInvalid, "a task's time to live cannot be negative")
		}
		next.ExpiresAt = expiry(next.CreatedAt, next.TTL)
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET tool = ?, status = ?, status_message = ?, progress = ?, total = ?, result = ?,
			error = ?, input_requests = ?, input_responses = ?, cancel_requested = ?, updated_at = ?, ttl_ms = ?, lease_until = ?,
			expires_at = ? WHERE task_id = ?`,
			next.Tool, string(next.Status), next.StatusMessage, next.Progress, next.Total, jsonText(next.Result), jsonText(next.Error),
			jsonText(next.InputRequests), jsonText(next.InputResponses), next.CancelRequested, next.UpdatedAt.UnixMilli(),
			next.TTL.Milliseconds(), next.LeaseUntil.UnixMilli(), millisOrNull(next.ExpiresAt), id); err != nil {
			return contoso.Internal(err, "updating a task")
		}
		out = normalized(next)
		return nil
	})
	if err != nil {
		return contoso.Task{}, err
	}
	return out, nil
}

// PurgeTasks deletes the tasks that expired at now.
func (s *Store) PurgeTasks(ctx context.Context, now time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM tasks WHERE expires_at IS NOT NULL AND expires_at <= ?`, now.UnixMilli())
	if err != nil {
		return 0, contoso.Internal(err, "purging expired tasks")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, contoso.Internal(err, "purging expired tasks")
	}
	return int(n), nil
}

func validTask(t *contoso.Task) error {
	switch {
	case t.ID == "" || t.Owner == "" || t.Tool == "":
		return contoso.Errorf(contoso.KindInvalid, "a task needs an id, an owner and a tool")
	case !t.Status.Valid():
		return contoso.Errorf(contoso.KindInvalid, "invalid task status %q", t.Status)
	case t.TTL < 0:
		return contoso.Errorf(contoso.KindInvalid, "a task's time to live cannot be negative")
	}
	return nil
}

// visible: the task is the owner's and has not expired.
func visible(t *contoso.Task, owner string, now time.Time) bool {
	if t.Owner != owner {
		return false
	}
	return t.ExpiresAt.IsZero() || now.UnixMilli() < t.ExpiresAt.UnixMilli()
}

func taskReadError(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errTaskNotFound()
	}
	return contoso.Internal(err, "reading a task")
}

// taskRow is t's values in the order of taskCols.
func taskRow(t *contoso.Task) []any {
	return []any{t.ID, t.Owner, t.Tool, string(t.Status), t.StatusMessage, t.Progress, t.Total,
		jsonText(t.Result), jsonText(t.Error), jsonText(t.InputRequests), jsonText(t.InputResponses), t.CancelRequested,
		t.CreatedAt.UnixMilli(), t.UpdatedAt.UnixMilli(), t.TTL.Milliseconds(), t.LeaseUntil.UnixMilli(), millisOrNull(t.ExpiresAt)}
}

// expiry is when a task created at created with time to live ttl expires
// (zero: never).
func expiry(created time.Time, ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return created.Add(ttl)
}

func millisOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func scanTask(row scanner) (contoso.Task, error) {
	var (
		t                                   contoso.Task
		status                              string
		result, rpcErr, requests, responses sql.NullString
		created, updated, ttl, lease        int64
		expires                             sql.NullInt64
	)
	if err := row.Scan(&t.ID, &t.Owner, &t.Tool, &status, &t.StatusMessage, &t.Progress, &t.Total, &result, &rpcErr, &requests,
		&responses, &t.CancelRequested, &created, &updated, &ttl, &lease, &expires); err != nil {
		return contoso.Task{}, err
	}
	t.Status = contoso.TaskStatus(status)
	t.Result, t.Error = rawJSON(result), rawJSON(rpcErr)
	t.InputRequests, t.InputResponses = rawJSON(requests), rawJSON(responses)
	t.CreatedAt, t.UpdatedAt = fromMillis(created), fromMillis(updated)
	t.TTL = time.Duration(ttl) * time.Millisecond
	t.LeaseUntil = fromMillis(lease)
	if expires.Valid {
		t.ExpiresAt = fromMillis(expires.Int64)
	}
	return t, nil
}

// normalized is t as a read would return it: instants to the millisecond
// in UTC, empty JSON as nil.
func normalized(t contoso.Task) contoso.Task {
	t.CreatedAt, t.UpdatedAt, t.LeaseUntil = fromMillis(t.CreatedAt.UnixMilli()), fromMillis(t.UpdatedAt.UnixMilli()), fromMillis(t.LeaseUntil.UnixMilli())
	if !t.ExpiresAt.IsZero() {
		t.ExpiresAt = fromMillis(t.ExpiresAt.UnixMilli())
	}
	t.TTL = t.TTL.Truncate(time.Millisecond)
	for _, p := range []*json.RawMessage{&t.Result, &t.Error, &t.InputRequests, &t.InputResponses} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return t
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func jsonText(m json.RawMessage) any {
	if len(m) == 0 {
		return nil
	}
	return string(m)
}

func rawJSON(s sql.NullString) json.RawMessage {
	if !s.Valid || s.String == "" {
		return nil
	}
	return json.RawMessage(s.String)
}

func clone(m json.RawMessage) json.RawMessage {
	if m == nil {
		return nil
	}
	return append(json.RawMessage(nil), m...)
}
