package contoso

import (
	"context"
	"encoding/json"
	"time"
)

// TaskStatus is where a task stands (the statuses of the MCP Tasks
// extension, io.modelcontextprotocol/tasks).
type TaskStatus string

// The statuses. A task starts working, may wait for input and go back to
// working, and ends in exactly one of the three terminal statuses.
const (
	TaskWorking       TaskStatus = "working"
	TaskInputRequired TaskStatus = "input_required"
	TaskCompleted     TaskStatus = "completed" // the tool returned a result (even one with isError)
	TaskFailed        TaskStatus = "failed"    // a protocol-level (JSON-RPC) error, or the worker died
	TaskCancelled     TaskStatus = "cancelled"
)

// Valid reports whether s is one of the five statuses.
func (s TaskStatus) Valid() bool {
	switch s {
	case TaskWorking, TaskInputRequired, TaskCompleted, TaskFailed, TaskCancelled:
		return true
	}
	return false
}

// Terminal reports whether s is final: completed, failed or cancelled.
func (s TaskStatus) Terminal() bool {
	return s == TaskCompleted || s == TaskFailed || s == TaskCancelled
}

// Task is one task: a tool call that runs in the background while its
// owner polls for it. The store keeps it as given; the meaning of the JSON
// fields belongs to the MCP layer.
type Task struct {
	// ID is the task id: unguessable (at least 128 random bits), since
	// knowing it is half of what lets a caller see the task.
	ID string
	// Owner is the key of the principal that created the task; only the
	// owner ever sees it.
	Owner string
	// Tool is the name of the tool the task runs.
	Tool string
	// Status and StatusMessage are what tasks/get reports; StatusMessage
	// carries the progress of a working task.
	Status        TaskStatus
	StatusMessage string
	// Progress and Total are the last progress reported (Total 0: unknown).
	Progress, Total float64
	// Result is the tool's CallToolResult as JSON (status completed).
	Result json.RawMessage
	// Error is the JSON-RPC error object (status failed).
	Error json.RawMessage
	// InputRequests are the outstanding requests for client input, a JSON
	// object keyed by request key (status input_required).
	InputRequests json.RawMessage
	// InputResponses are the responses received for requests no longer
	// outstanding, not yet taken by the worker: a JSON object keyed the same way.
	InputResponses json.RawMessage
	// CancelRequested is set by tasks/cancel; the worker, wherever it runs,
	// sees it at its next progress report or heartbeat and stops.
	CancelRequested bool
	// CreatedAt and UpdatedAt are the instants of creation and of the last
	// change a client can see (a heartbeat is not one).
	CreatedAt, UpdatedAt time.Time
	// TTL is how long the task is kept after CreatedAt (0: for ever).
	TTL time.Duration
	// LeaseUntil is how long the worker is known to be alive: it renews the
	// lease as it goes. A task that is not terminal and whose lease ran out
	// has lost its worker (its process died) and is reported failed.
	LeaseUntil time.Time
	// ExpiresAt is CreatedAt+TTL (zero when TTL is 0: never), set by the
	// store. From then on the task is gone: every method answers
	// KindNotFound, and PurgeTasks deletes it.
	ExpiresAt time.Time
}

// TaskStore is the part of a store that keeps tasks, so that any replica
// serving the tenant answers for any task. Like the audit trail, tasks are
// not part of the data set: Load leaves them alone and Fingerprint ignores
// them. Instants are kept to the millisecond.
//
// A task is only ever named together with its owner: a task that does not
// exist, one that belongs to another owner and one that expired are the
// same KindNotFound error, with the same message, so that no caller can
// learn that another's task exists.
type TaskStore interface {
	// CreateTask stores a new task durably: once it returns, GetTask finds
	// it from any process that opens the same store. ID, Owner and Tool must
	// be set and Status must be valid (KindInvalid otherwise); an ID already
	// in use is KindConflict.
	CreateTask(ctx context.Context, t Task) error
	// GetTask returns the owner's task id as it is at now; KindNotFound
	// when there is no such task, when it belongs to another owner or when
	// it expired (ExpiresAt <= now).
	GetTask(ctx context.Context, id, owner string, now time.Time) (Task, error)
	// UpdateTask changes the owner's task id atomically: it reads the task
	// (KindNotFound as GetTask, and then change is not called), calls change
	// on it and stores what change left, with no other update in between;
	// it returns the task as stored. When change returns an error, nothing
	// is stored and UpdateTask returns that error. ID, Owner and CreatedAt
	// keep their stored values whatever change does. A terminal task keeps
	// its status: a change that moves it to another status is KindConflict,
	// as is an invalid status (KindInvalid). change must depend only on the
	// task it is given: a backend may call it again after a concurrent update.
	UpdateTask(ctx context.Context, id, owner string, now time.Time, change func(*Task) error) (Task, error)
	// PurgeTasks deletes every task that expired at now and returns how many.
	PurgeTasks(ctx context.Context, now time.Time) (int, error)
}
