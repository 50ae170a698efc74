package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/go-cmp/cmp"
)

// taskEpoch is the instant the task tests start from (whole milliseconds:
// stores keep instants to the millisecond).
var taskEpoch = time.Date(2025, 5, 20, 10, 0, 0, 123_000_000, time.UTC)

const (
	ownerA = "3:dev|7:contoso|7:contoso|7:agent-1"
	ownerB = "3:dev|7:contoso|7:contoso|7:agent-2"
)

// newTask is a working task of ownerA created at taskEpoch that lives an hour.
func newTask(id string) contoso.Task {
	return contoso.Task{
		ID: id, Owner: ownerA, Tool: "trouble_shoot_device", Status: contoso.TaskWorking,
		StatusMessage: "Starting", Total: 100,
		CreatedAt: taskEpoch, UpdatedAt: taskEpoch, TTL: time.Hour, LeaseUntil: taskEpoch.Add(30 * time.Second),
	}
}

// testTasks is the contract of contoso.TaskStore.
func testTasks(t *testing.T, s contoso.Store) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, contoso.Store)
	}{
		{"CreateThenGet", testTaskCreateGet},
		{"CreateRejects", testTaskCreateRejects},
		{"NotFoundHidesOthers", testTaskNotFound},
		{"Expiry", testTaskExpiry},
		{"Update", testTaskUpdate},
		{"UpdateRejects", testTaskUpdateRejects},
		{"TerminalIsFinal", testTaskTerminal},
		{"UpdatesDoNotInterleave", testTaskConcurrentUpdates},
		{"NotPartOfTheDataSet", testTaskNotData},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, s) })
	}
}

// testTaskCreateGet: every field comes back as stored, ExpiresAt derived
// from CreatedAt and TTL.
func testTaskCreateGet(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	want := newTask("create-get")
	want.Progress = 10
	want.Result = json.RawMessage(`{"content":[{"type":"text","text":"done"}]}`)
	want.Error = json.RawMessage(`{"code":-32603,"message":"boom"}`)
	want.InputRequests = json.RawMessage(`{"confirm":{"method":"elicitation/create","params":{"message":"Sure?"}}}`)
	want.InputResponses = json.RawMessage(`{"name":{"action":"accept","content":{"name":"Ada"}}}`)
	want.CancelRequested = true
	check(t, "CreateTask", s.CreateTask(ctx, want))
	got, err := s.GetTask(ctx, want.ID, ownerA, taskEpoch.Add(time.Minute))
	check(t, "GetTask", err)
	want.ExpiresAt = taskEpoch.Add(time.Hour)
	diffTask(t, "GetTask after CreateTask", got, want)

	// A task kept for ever has no expiry.
	forever := newTask("forever")
	forever.TTL = 0
	check(t, "CreateTask(TTL 0)", s.CreateTask(ctx, forever))
	got, err = s.GetTask(ctx, forever.ID, ownerA, taskEpoch.Add(10*365*24*time.Hour))
	check(t, "GetTask of a task kept for ever, ten years on", err)
	if !got.ExpiresAt.IsZero() || got.TTL != 0 {
		t.Errorf("task kept for ever: TTL %v, ExpiresAt %v; want 0 and zero", got.TTL, got.ExpiresAt)
	}
}

func testTaskCreateRejects(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	check(t, "CreateTask", s.CreateTask(ctx, newTask("dup")))
	wantKind(t, "CreateTask with an id in use", s.CreateTask(ctx, newTask("dup")), contoso.KindConflict)
	other := newTask("dup")
	other.Owner = ownerB
	wantKind(t, "CreateTask with an id in use by another owner", s.CreateTask(ctx, other), contoso.KindConflict)
	for name, mutate := range map[string]func(*contoso.Task){
		"no id":        func(t *contoso.Task) { t.ID = "" },
		"no owner":     func(t *contoso.Task) { t.Owner = "" },
		"no tool":      func(t *contoso.Task) { t.Tool = "" },
		"bad status":   func(t *contoso.Task) { t.Status = "paused" },
		"negative TTL": func(t *contoso.Task) { t.TTL = -time.Second },
	} {
		task := newTask("invalid-" + name)
		mutate(&task)
		wantKind(t, "CreateTask with "+name, s.CreateTask(ctx, task), contoso.KindInvalid)
	}
}

// testTaskNotFound: unknown, another owner's and expired tasks are one and
// the same error, message included; UpdateTask does not call change on them.
func testTaskNotFound(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	task := newTask("hidden")
	task.TTL = time.Minute
	check(t, "CreateTask", s.CreateTask(ctx, task))
	at := taskEpoch.Add(time.Second)
	_, unknown := s.GetTask(ctx, "no-such-task", ownerA, at)
	_, otherOwner := s.GetTask(ctx, task.ID, ownerB, at)
	_, expired := s.GetTask(ctx, task.ID, ownerA, taskEpoch.Add(time.Minute))
	called := false
	_, updUnknown := s.UpdateTask(ctx, "no-such-task", ownerA, at, func(*contoso.Task) error { called = true; return nil })
	_, updOther := s.UpdateTask(ctx, task.ID, ownerB, at, func(*contoso.Task) error { called = true; return nil })
	_, updExpired := s.UpdateTask(ctx, task.ID, ownerA, taskEpoch.Add(2*time.Minute), func(*contoso.Task) error { called = true; return nil })
	if called {
		t.Error("UpdateTask called change for a task the owner cannot see")
	}
	errs := map[string]error{"unknown id": unknown, "another owner's task": otherOwner, "expired task": expired,
		"UpdateTask of an unknown id": updUnknown, "UpdateTask of another owner's task": updOther, "UpdateTask of an expired task": updExpired}
	for what, err := range errs {
		wantKind(t, what, err, contoso.KindNotFound)
		if err != nil && unknown != nil && contoso.PublicMessage(err) != contoso.PublicMessage(unknown) {
			t.Errorf("%s: message %q differs from the unknown id's %q: it tells the task exists", what, contoso.PublicMessage(err), contoso.PublicMessage(unknown))
		}
	}
	if _, err := s.GetTask(ctx, task.ID, ownerA, at); err != nil {
		t.Errorf("the owner lost the task: %v", err)
	}
}

// testTaskExpiry: a task is visible until CreatedAt+TTL, gone from then on;
// PurgeTasks deletes exactly the expired ones.
func testTaskExpiry(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	// The other tests' tasks (created at taskEpoch, none living a day) go first.
	start := taskEpoch.Add(24 * time.Hour)
	if _, err := s.PurgeTasks(ctx, start); err != nil {
		t.Fatal(err)
	}
	for i, ttl := range []time.Duration{time.Minute, time.Hour, 0} {
		task := newTask([]string{"ttl-minute", "ttl-hour", "ttl-forever"}[i])
		task.CreatedAt, task.UpdatedAt, task.TTL = start, start, ttl
		check(t, "CreateTask", s.CreateTask(ctx, task))
	}
	if _, err := s.GetTask(ctx, "ttl-minute", ownerA, start.Add(time.Minute-time.Millisecond)); err != nil {
		t.Errorf("a task is gone before its TTL ran out: %v", err)
	}
	n, err := s.PurgeTasks(ctx, start.Add(time.Minute-time.Millisecond))
	if err != nil || n != 0 {
		t.Errorf("PurgeTasks before any expiry = %d, %v; want 0", n, err)
	}
	n, err = s.PurgeTasks(ctx, start.Add(time.Minute))
	if err != nil || n != 1 {
		t.Errorf("PurgeTasks at the first expiry = %d, %v; want 1", n, err)
	}
	// Once purged, the task is gone even for a clock that runs behind.
	_, err = s.GetTask(ctx, "ttl-minute", ownerA, start)
	wantKind(t, "GetTask of a purged task", err, contoso.KindNotFound)
	for _, id := range []string{"ttl-hour", "ttl-forever"} {
		if _, err := s.GetTask(ctx, id, ownerA, start.Add(2*time.Minute)); err != nil {
			t.Errorf("PurgeTasks deleted %s, which has not expired: %v", id, err)
		}
	}
	n, err = s.PurgeTasks(ctx, start.Add(24*time.Hour))
	if err != nil || n != 1 {
		t.Errorf("PurgeTasks a day on = %d, %v; want 1 (tasks kept for ever stay)", n, err)
	}
	if _, err := s.GetTask(ctx, "ttl-forever", ownerA, start.Add(48*time.Hour)); err != nil {
		t.Errorf("a task kept for ever is gone: %v", err)
	}
}

// testTaskUpdate: change sees the stored task, its result is stored and
// returned; ID, Owner and CreatedAt cannot change; a TTL change moves the expiry.
func testTaskUpdate(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	check(t, "CreateTask", s.CreateTask(ctx, newTask("update")))
	at := taskEpoch.Add(5 * time.Second)
	got, err := s.UpdateTask(ctx, "update", ownerA, at, func(task *contoso.Task) error {
		if task.StatusMessage != "Starting" || task.Status != contoso.TaskWorking {
			t.Errorf("change saw %+v, want the stored task", task)
		}
		task.ID, task.Owner, task.CreatedAt = "renamed", ownerB, at
		task.Status = contoso.TaskInputRequired
		task.StatusMessage = "55% Inspecting services and logs (5/9)"
		task.Progress = 55
		task.InputRequests = json.RawMessage(`{"confirm":{"method":"elicitation/create","params":{}}}`)
		task.UpdatedAt = at
		task.LeaseUntil = at.Add(30 * time.Second)
		task.TTL = 2 * time.Hour
		return nil
	})
	check(t, "UpdateTask", err)
	want := newTask("update")
	want.Status = contoso.TaskInputRequired
	want.StatusMessage = "55% Inspecting services and logs (5/9)"
	want.Progress = 55
	want.InputRequests = json.RawMessage(`{"confirm":{"method":"elicitation/create","params":{}}}`)
	want.UpdatedAt = at
	want.LeaseUntil = at.Add(30 * time.Second)
	want.TTL = 2 * time.Hour
	want.ExpiresAt = taskEpoch.Add(2 * time.Hour)
	diffTask(t, "UpdateTask's result", got, want)
	stored, err := s.GetTask(ctx, "update", ownerA, at)
	check(t, "GetTask after UpdateTask", err)
	diffTask(t, "GetTask after UpdateTask", stored, want)
	if _, err := s.GetTask(ctx, "renamed", ownerA, at); contoso.ErrorKind(err) != contoso.KindNotFound {
		t.Errorf("UpdateTask renamed the task (GetTask(renamed) = %v)", err)
	}
	// Clearing JSON fields stores them as absent.
	got, err = s.UpdateTask(ctx, "update", ownerA, at, func(task *contoso.Task) error {
		task.InputRequests = nil
		task.Status = contoso.TaskWorking
		return nil
	})
	check(t, "UpdateTask clearing the input requests", err)
	if got.InputRequests != nil || got.Status != contoso.TaskWorking {
		t.Errorf("after clearing: %+v", got)
	}
}

// testTaskUpdateRejects: a change that fails stores nothing; an invalid
// status is refused.
func testTaskUpdateRejects(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	check(t, "CreateTask", s.CreateTask(ctx, newTask("reject")))
	before, err := s.GetTask(ctx, "reject", ownerA, taskEpoch)
	check(t, "GetTask", err)
	sentinel := errors.New("changed my mind")
	_, err = s.UpdateTask(ctx, "reject", ownerA, taskEpoch, func(task *contoso.Task) error {
		task.Progress = 99
		task.Status = contoso.TaskCompleted
		return sentinel
	})
	if !errors.Is(err, sentinel) {
		t.Errorf("UpdateTask returned %v, want change's error", err)
	}
	_, err = s.UpdateTask(ctx, "reject", ownerA, taskEpoch, func(task *contoso.Task) error {
		task.Progress = 99
		task.Status = "paused"
		return nil
	})
	wantKind(t, "UpdateTask to an invalid status", err, contoso.KindInvalid)
	after, err := s.GetTask(ctx, "reject", ownerA, taskEpoch)
	check(t, "GetTask", err)
	diffTask(t, "the task after refused changes", after, before)
}

// testTaskTerminal: a terminal status never changes again; other fields may.
func testTaskTerminal(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	check(t, "CreateTask", s.CreateTask(ctx, newTask("terminal")))
	_, err := s.UpdateTask(ctx, "terminal", ownerA, taskEpoch, func(task *contoso.Task) error {
		task.Status = contoso.TaskCancelled
		return nil
	})
	check(t, "UpdateTask to cancelled", err)
	for _, status := range []contoso.TaskStatus{contoso.TaskWorking, contoso.TaskCompleted, contoso.TaskFailed} {
		_, err := s.UpdateTask(ctx, "terminal", ownerA, taskEpoch, func(task *contoso.Task) error {
			task.Status = status
			task.StatusMessage = "too late"
			return nil
		})
		wantKind(t, "UpdateTask from cancelled to "+string(status), err, contoso.KindConflict)
	}
	got, err := s.UpdateTask(ctx, "terminal", ownerA, taskEpoch, func(task *contoso.Task) error {
		task.StatusMessage = "Cancelled by the caller"
		return nil
	})
	check(t, "UpdateTask of a cancelled task's message", err)
	if got.Status != contoso.TaskCancelled || got.StatusMessage != "Cancelled by the caller" {
		t.Errorf("after the refused changes: %s %q", got.Status, got.StatusMessage)
	}
}

// testTaskConcurrentUpdates: read-modify-writes of one task from many
// goroutines never lose an update.
func testTaskConcurrentUpdates(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	check(t, "CreateTask", s.CreateTask(ctx, newTask("counter")))
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := s.UpdateTask(context.WithoutCancel(ctx), "counter", ownerA, taskEpoch, func(task *contoso.Task) error {
				task.Progress++
				return nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		check(t, "concurrent UpdateTask", err)
	}
	got, err := s.GetTask(ctx, "counter", ownerA, taskEpoch)
	check(t, "GetTask", err)
	if got.Progress != n {
		t.Errorf("after %d concurrent increments progress is %v: updates were lost", n, got.Progress)
	}
}

// testTaskNotData: tasks are not part of the data set.
func testTaskNotData(t *testing.T, s contoso.Store) {
	ctx := t.Context()
	before := fingerprint(t, s)
	check(t, "CreateTask", s.CreateTask(ctx, newTask("kept")))
	if d := cmp.Diff(before, fingerprint(t, s)); d != "" {
		t.Errorf("a task changed the data set's fingerprint:\n%s", d)
	}
	check(t, "Load", s.Load(ctx, Fixture()))
	if _, err := s.GetTask(ctx, "kept", ownerA, taskEpoch); err != nil {
		t.Errorf("Load dropped a task: %v", err)
	}
}

func diffTask(t *testing.T, what string, got, want contoso.Task) {
	t.Helper()
	// JSON compares by value: a backend may re-encode it.
	asValue := cmp.Transformer("json", func(m json.RawMessage) any {
		if m == nil {
			return nil
		}
		var v any
		if err := json.Unmarshal(m, &v); err != nil {
			return string(m)
		}
		return v
	})
	if d := cmp.Diff(want, got, asValue); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}
