package mcpserver

// The Tasks extension (io.modelcontextprotocol/tasks) on go-sdk v1.8.0, which
// has no Tasks support of its own. It is built on the SDK's extension points:
//
//   - tasks/get, tasks/update and tasks/cancel are custom methods
//     (mcp.AddReceivingCustomMethod): the SDK refuses unknown methods before
//     any middleware runs. Their handlers get no request (no token, no
//     per-request capabilities), so the runtime's receiving middleware hands
//     them the caller's principal and declared capabilities in the context.
//   - a tool handler cannot answer with resultType "task" (the SDK keeps the
//     field private), so the same middleware intercepts tools/call: for a
//     task-capable tool and a client that declared the extension it stores
//     the task first, answers its own CreateTaskResult, and runs the rest of
//     the chain (argument checks, logging, audit, the SDK's tool call) in the
//     background on a context of its own.
//   - the capability is advertised through ServerOptions.Capabilities
//     (which drops the SDK's default logging capability: it is added back).
//   - the SDK checks neither the Mcp-Name header of custom methods nor
//     anything else about them: the guard does (guard.go).
//
// Tasks live in the tenant's store (contoso.TaskStore), so any replica
// answers tasks/get, tasks/update and tasks/cancel for any task. The worker
// that runs a task renews a lease in the store as it goes (at each progress
// report and on a heartbeat) and reads the task's cancel flag at the same
// time; a task whose worker stopped renewing (its process died) is reported
// failed once the lease has run out, by whichever replica looks at it.
//
// A tool running as a task reports progress through tools.Reporter, which
// the runtime records in the task (tasks/get shows it in statusMessage and
// in _meta). A tool that needs input (a multi-round-trip "input required"
// result, SEP-2322) parks its task in input_required with the requests in
// inputRequests; tasks/update delivers the responses, and the worker calls
// the tool again with them, as a client retrying the call would.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/contoso/contoso-mcp/internal/auth"
	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/contoso/contoso-mcp/internal/tools"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TasksExtension is the identifier of the Tasks extension.
const TasksExtension = "io.modelcontextprotocol/tasks"

// metaProgress is the _meta key under which tasks/get reports a working
// task's progress as numbers.
const metaProgress = "com.contoso/progress"

// TaskConfig tunes the Tasks runtime.
type TaskConfig struct {
	// TTL is how long a task is kept after it was created (0: 1 hour). A
	// task still running when its TTL runs out is stopped.
	TTL time.Duration
	// Lease is how long a task's worker may go without renewing its lease
	// before the task counts as failed (0: 30 seconds). The worker renews it
	// several times per lease.
	Lease time.Duration
	// PollInterval is the polling interval suggested to clients, and how
	// often a worker renews its lease, reads the cancel flag and looks for
	// input (0: 1 second; never more than a third of Lease).
	PollInterval time.Duration
}

// TaskTool says how a tool runs as a task.
type TaskTool struct {
	// Required: the tool cannot run without a task, so a client that did
	// not declare the extension gets -32021 (missing required client
	// capability). Otherwise such a client gets a plain synchronous call.
	Required bool
	// Ready, when set, reports whether this call is to run as a task now.
	// When it returns false the call runs synchronously: for example a
	// multi-round-trip round that still gathers input before the work
	// starts (the extension asks servers to finish those rounds before
	// creating the task).
	Ready func(*mcp.CallToolRequest) bool
}

// AddTaskTool adds a tool to srv that runs as a task for the clients that
// declared the extension, on every server built by this package (other
// servers run it synchronously). The tools of the catalog that are
// LongRunning are task tools already.
func AddTaskTool(srv *mcp.Server, t *mcp.Tool, h mcp.ToolHandler, opts TaskTool) {
	srv.AddTool(t, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		w, _ := ctx.Value(workerKey{}).(*taskWorker)
		if w == nil {
			return h(ctx, req)
		}
		// Inside a task, input is asked for through the task in both
		// eras: the SDK never sees the input-required result (it would
		// turn it into a real elicitation on a 2025-11-25 session).
		for {
			res, err := h(ctx, req)
			if err != nil || res == nil || len(res.InputRequests) == 0 {
				return res, err
			}
			responses, err := w.awaitInput(ctx, res.InputRequests)
			if err != nil {
				return nil, err
			}
			req = retryWith(req, responses, res.RequestState)
		}
	})
	set := taskToolsOf(srv, true)
	set.mu.Lock()
	set.tools[t.Name] = opts
	set.mu.Unlock()
}

// Task tools added with AddTaskTool, per server. The servers are weak keys:
// an entry goes when its server is collected.
var taskToolSets sync.Map // weak.Pointer[mcp.Server] -> *taskToolSet

type taskToolSet struct {
	mu    sync.RWMutex
	tools map[string]TaskTool
}

func taskToolsOf(srv *mcp.Server, create bool) *taskToolSet {
	key := weak.Make(srv)
	if v, ok := taskToolSets.Load(key); ok {
		return v.(*taskToolSet)
	}
	if !create {
		return nil
	}
	v, loaded := taskToolSets.LoadOrStore(key, &taskToolSet{tools: map[string]TaskTool{}})
	if !loaded {
		runtime.AddCleanup(srv, func(k weak.Pointer[mcp.Server]) { taskToolSets.Delete(k) }, key)
	}
	return v.(*taskToolSet)
}

// Shutdown stops the tasks running in this process: each is recorded
// failed ("the server shut down"). It waits for their workers until ctx
// ends. New tasks are refused from then on.
func (s *Service) Shutdown(ctx context.Context) error {
	err := s.tasks.shutdown(ctx)
	// Wait for the audit records written in the background (auditRefusal).
	for range cap(s.auditSlots) {
		select {
		case s.auditSlots <- struct{}{}:
			defer func() { <-s.auditSlots }()
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		}
	}
	return err
}

// ---- the runtime ------------------------------------------------------------

type taskRuntime struct {
	cfg       *Config
	principal func(mcp.Request) *auth.Principal
	ttl       time.Duration
	lease     time.Duration
	poll      time.Duration
	catalog   map[string]tools.Spec

	base    context.Context // cancelled by Shutdown
	stop    context.CancelFunc
	workers sync.WaitGroup

	mu      sync.Mutex
	running map[string]*taskWorker // by task id, the tasks this process runs
	purged  map[string]time.Time   // by tenant, the last purge of expired tasks
}

func newTaskRuntime(cfg *Config, principal func(mcp.Request) *auth.Principal, catalog []tools.Spec) *taskRuntime {
	tc := cfg.Tasks
	if tc.TTL <= 0 {
		tc.TTL = time.Hour
	}
	if tc.Lease <= 0 {
		tc.Lease = 30 * time.Second
	}
	if tc.PollInterval <= 0 {
		tc.PollInterval = time.Second
	}
	tc.PollInterval = min(tc.PollInterval, tc.Lease/3)
	rt := &taskRuntime{cfg: cfg, principal: principal, ttl: tc.TTL, lease: tc.Lease, poll: max(tc.PollInterval, time.Millisecond),
		catalog: map[string]tools.Spec{}, running: map[string]*taskWorker{}, purged: map[string]time.Time{}}
	rt.base, rt.stop = context.WithCancel(context.Background())
	for _, spec := range catalog {
		rt.catalog[spec.Name] = spec
	}
	return rt
}

// configure advertises the extension (keeping the logging capability the
// SDK advertises by default).
func (rt *taskRuntime) configure(opts *mcp.ServerOptions) {
	if opts.Capabilities == nil {
		//lint:ignore SA1019 logging is deprecated in 2026-07-28 but in force for 2025-11-25 sessions; setting Capabilities must not drop it
		opts.Capabilities = &mcp.ServerCapabilities{Logging: &mcp.LoggingCapabilities{}}
	}
	opts.Capabilities.AddExtension(TasksExtension, nil)
}

// install adds the tasks methods and the middleware to srv, a server for
// the rights g. Call it after the tools' own middleware, so that a task's
// background run goes through all of it.
func (rt *taskRuntime) install(srv *mcp.Server, g contoso.Rights) {
	for method, h := range map[string]func(context.Context, *mcp.ServerSession, *taskParams) (mcp.Result, error){
		methodTasksGet: rt.get, methodTasksUpdate: rt.update, methodTasksCancel: rt.cancel,
	} {
		if err := mcp.AddReceivingCustomMethod(srv, method, h); err != nil {
			panic(err) // only for a name that shadows a standard method
		}
	}
	srv.AddReceivingMiddleware(rt.middleware(srv, g))
}

const (
	methodTasksGet    = "tasks/get"
	methodTasksUpdate = "tasks/update"
	methodTasksCancel = "tasks/cancel"
)

// isTaskMethod reports whether method is one of the methods that name a task.
func isTaskMethod(method string) bool {
	return method == methodTasksGet || method == methodTasksUpdate || method == methodTasksCancel
}

// taskTool reports whether name is a task tool on srv, a server for g.
func (rt *taskRuntime) taskTool(srv *mcp.Server, g contoso.Rights, name string) (TaskTool, bool) {
	if set := taskToolsOf(srv, false); set != nil {
		set.mu.RLock()
		tt, ok := set.tools[name]
		set.mu.RUnlock()
		if ok {
			return tt, true
		}
	}
	if spec, ok := rt.catalog[name]; ok && spec.LongRunning && g.Covers(spec.Needs) {
		return TaskTool{}, true
	}
	return TaskTool{}, false
}

type callerKey struct{}

// caller is who sent a tasks/* request, as the middleware found out.
type caller struct {
	principal *auth.Principal
	declared  bool // the request declared the extension
}

func (rt *taskRuntime) middleware(srv *mcp.Server, g contoso.Rights) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if isTaskMethod(method) {
				c := caller{principal: rt.principal(req)}
				c.declared = declaredOnRequest(req)
				return next(context.WithValue(ctx, callerKey{}, c), method, req)
			}
			call, ok := req.(*mcp.CallToolRequest)
			if method != "tools/call" || !ok || call.Params == nil {
				return next(ctx, method, req)
			}
			tt, ok := rt.taskTool(srv, g, call.Params.Name)
			if !ok || (tt.Ready != nil && !tt.Ready(call)) {
				return next(ctx, method, req)
			}
			if !declaredOnRequest(call) {
				if tt.Required {
					return nil, missingTasksCapability("the tool " + call.Params.Name + " runs only as a task")
				}
				return next(ctx, method, req)
			}
			return rt.start(ctx, next, call)
		}
	}
}

// declaredOnRequest reports whether the request itself declares the
// extension in its per-request capabilities (params._meta). A declaration
// made only at initialize does not count: the extension says a server "MUST
// NOT return CreateTaskResult to a client that did not include the extension
// capability on its request, regardless of prior declarations" — and some
// 2025-11-25 clients (MCP Inspector 2.12's legacy mode) declare it at
// initialize without handling task results.
func declaredOnRequest(req mcp.Request) bool {
	p := req.GetParams()
	if p == nil {
		return false
	}
	caps, ok := p.GetMeta()[mcp.MetaKeyClientCapabilities]
	if !ok {
		return false
	}
	var decoded struct {
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	raw, err := json.Marshal(caps)
	if err != nil || json.Unmarshal(raw, &decoded) != nil {
		return false
	}
	v, ok := decoded.Extensions[TasksExtension]
	return ok && string(v) != "null"
}

// missingTasksCapability is the -32021 error for a client that did not
// declare the extension.
func missingTasksCapability(why string) error {
	data, _ := json.Marshal(mcp.MissingRequiredClientCapabilityData{RequiredCapabilities: &mcp.ClientCapabilities{
		Extensions: map[string]any{TasksExtension: map[string]any{}}}})
	return &jsonrpc.Error{Code: mcp.CodeMissingRequiredClientCapabilities,
		Message: "Missing required client capability: " + TasksExtension + " (" + why + ")", Data: data}
}

// errTaskNotFound is the one answer for a task id the caller may not see:
// unknown, expired, or another principal's (-32602, as the extension asks).
func errTaskNotFound() error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "Failed to retrieve task: Task not found"}
}

func internalError(msg string) error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: msg}
}

// start creates the task of a tool call, durably, and runs the call in the
// background.
func (rt *taskRuntime) start(ctx context.Context, next mcp.MethodHandler, call *mcp.CallToolRequest) (mcp.Result, error) {
	began := time.Now()
	if rt.base.Err() != nil {
		return nil, internalError("the server is shutting down; retry on another instance")
	}
	p := rt.principal(call)
	if p == nil || p.Tenant == "" {
		return nil, internalError("request without a principal")
	}
	st, err := rt.cfg.Stores(p.Tenant)
	if err != nil {
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: contoso.PublicMessage(err)}
	}
	now := time.Now()
	t := contoso.Task{ID: rand.Text(), Owner: p.Key(), Tool: call.Params.Name, Status: contoso.TaskWorking,
		StatusMessage: "The task has started", CreatedAt: now, UpdatedAt: now, TTL: rt.ttl, LeaseUntil: now.Add(rt.lease)}
	if err := st.CreateTask(ctx, t); err != nil {
		rt.cfg.Logger.ErrorContext(ctx, "task not created", "tool", t.Tool, "err", err)
		return nil, internalError("internal error while creating the task")
	}
	rt.purgeNowAndThen(ctx, p.Tenant, st, now)

	w := &taskWorker{rt: rt, store: st, id: t.ID, owner: t.Owner, tool: t.Tool, wake: make(chan struct{}, 1), usedKeys: map[string]bool{}}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.cancel = cancel
	rt.mu.Lock()
	rt.running[t.ID] = w
	rt.mu.Unlock()
	rt.workers.Add(1)
	go w.run(wctx, next, call)

	rt.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "mcp request", slog.String("mcp_method", "tools/call"), slog.String("request_id", requestID(call)),
		slog.String("tool", t.Tool), slog.String("outcome", "task"), slog.String("task_id", t.ID), slog.Duration("duration", time.Since(began)))
	return &createTaskResult{ResultType: "task", taskFields: rt.fields(&t)}, nil
}

// purgeNowAndThen deletes the tenant's expired tasks, at most once a minute.
func (rt *taskRuntime) purgeNowAndThen(ctx context.Context, tenant string, st contoso.Store, now time.Time) {
	rt.mu.Lock()
	due := now.Sub(rt.purged[tenant]) >= time.Minute
	if due {
		rt.purged[tenant] = now
	}
	rt.mu.Unlock()
	if !due {
		return
	}
	if n, err := st.PurgeTasks(context.WithoutCancel(ctx), now); err != nil {
		rt.cfg.Logger.ErrorContext(ctx, "expired tasks not purged", "tenant", tenant, "err", err)
	} else if n > 0 {
		rt.cfg.Logger.InfoContext(ctx, "expired tasks purged", "tenant", tenant, "count", n)
	}
}

func (rt *taskRuntime) worker(id string) *taskWorker {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.running[id]
}

func (rt *taskRuntime) shutdown(ctx context.Context) error {
	rt.stop()
	done := make(chan struct{})
	go func() {
		rt.workers.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ---- tasks/get, tasks/update, tasks/cancel ---------------------------------

// taskParams are the params of the three methods (inputResponses only for
// tasks/update). Input responses stay raw: those for keys that are not
// outstanding are ignored whatever they hold.
type taskParams struct {
	mcp.ParamsBase
	TaskID         string                     `json:"taskId"`
	InputResponses map[string]json.RawMessage `json:"inputResponses,omitempty"`
}

// taskFields are the fields of the Task shape.
type taskFields struct {
	TaskID         string `json:"taskId"`
	Status         string `json:"status"`
	StatusMessage  string `json:"statusMessage,omitempty"`
	CreatedAt      string `json:"createdAt"`
	LastUpdatedAt  string `json:"lastUpdatedAt"`
	TTLMs          *int64 `json:"ttlMs"` // null: kept for ever
	PollIntervalMs int64  `json:"pollIntervalMs,omitempty"`
}

// createTaskResult is CreateTaskResult: Result & Task, flat.
type createTaskResult struct {
	mcp.ResultBase
	ResultType string `json:"resultType"`
	taskFields
}

// getTaskResult is GetTaskResult: Result & DetailedTask.
type getTaskResult struct {
	mcp.ResultBase
	ResultType string `json:"resultType"`
	taskFields
	InputRequests json.RawMessage `json:"inputRequests,omitempty"`
	Result        json.RawMessage `json:"result,omitempty"`
	Error         json.RawMessage `json:"error,omitempty"`
}

// ackResult is the empty acknowledgement of tasks/update and tasks/cancel.
type ackResult struct {
	mcp.ResultBase
	ResultType string `json:"resultType"`
}

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func (rt *taskRuntime) fields(t *contoso.Task) taskFields {
	f := taskFields{TaskID: t.ID, Status: string(t.Status), StatusMessage: t.StatusMessage,
		CreatedAt: t.CreatedAt.UTC().Format(timeLayout), LastUpdatedAt: t.UpdatedAt.UTC().Format(timeLayout)}
	if t.TTL > 0 {
		ms := t.TTL.Milliseconds()
		f.TTLMs = &ms
	}
	if !t.Status.Terminal() {
		f.PollIntervalMs = max(rt.poll.Milliseconds(), 1)
	}
	return f
}

// lookup resolves a tasks/* request: the caller must have declared the
// extension and name a task id.
//
// The owner string it returns is the caller's principal key; mayUse
// reports whether the caller's current token grants a task's tool. A task
// is the caller's to read, answer or cancel only while it does: a role
// taken away in the identity provider takes effect at the next token, also
// for tasks started before (answered as an unknown task).
func (rt *taskRuntime) lookup(ctx context.Context, p *taskParams) (st contoso.Store, owner string, mayUse func(tool string) bool, err error) {
	st, owner, err = rt.find(ctx, p)
	if err != nil {
		return nil, "", nil, err
	}
	c, _ := ctx.Value(callerKey{}).(caller)
	grants := rt.cfg.Rights(c.principal)
	mayUse = func(tool string) bool {
		spec, ok := rt.catalog[tool]
		return !ok || grants.Covers(spec.Needs) // tools outside the catalog (test fixtures) are every caller's
	}
	return st, owner, mayUse, nil
}

func (rt *taskRuntime) find(ctx context.Context, p *taskParams) (contoso.Store, string, error) {
	c, _ := ctx.Value(callerKey{}).(caller)
	if !c.declared {
		return nil, "", missingTasksCapability("tasks/get, tasks/update and tasks/cancel need it")
	}
	if c.principal == nil || c.principal.Tenant == "" {
		return nil, "", internalError("request without a principal")
	}
	if p == nil || p.TaskID == "" {
		return nil, "", &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "params.taskId is required"}
	}
	st, err := rt.cfg.Stores(c.principal.Tenant)
	if err != nil {
		return nil, "", errTaskNotFound()
	}
	return st, c.principal.Key(), nil
}

// storeError turns a store error into the answer of a tasks/* method.
func (rt *taskRuntime) storeError(ctx context.Context, what string, err error) error {
	var rpcErr *jsonrpc.Error
	switch {
	case errors.As(err, &rpcErr):
		return rpcErr
	case contoso.ErrorKind(err) == contoso.KindNotFound:
		return errTaskNotFound()
	}
	rt.cfg.Logger.ErrorContext(ctx, "task store failed", "during", what, "err", err)
	return internalError("internal error while " + what)
}

// errUnchanged is returned by a change that has nothing to do.
var errUnchanged = errors.New("unchanged")

func (rt *taskRuntime) get(ctx context.Context, _ *mcp.ServerSession, p *taskParams) (mcp.Result, error) {
	st, owner, mayUse, err := rt.lookup(ctx, p)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	t, err := st.GetTask(ctx, p.TaskID, owner, now)
	if err == nil && !mayUse(t.Tool) {
		return nil, errTaskNotFound()
	}
	if err == nil && !t.Status.Terminal() && !now.Before(t.LeaseUntil) {
		t, err = rt.failLost(ctx, st, p.TaskID, owner)
	}
	if err != nil {
		return nil, rt.storeError(ctx, "reading the task", err)
	}
	res := &getTaskResult{ResultType: "complete", taskFields: rt.fields(&t)}
	switch t.Status {
	case contoso.TaskInputRequired:
		res.InputRequests = t.InputRequests
		if len(res.InputRequests) == 0 {
			res.InputRequests = json.RawMessage(`{}`)
		}
	case contoso.TaskCompleted:
		res.Result = t.Result
	case contoso.TaskFailed:
		res.Error = t.Error
	}
	if t.Total > 0 && !t.Status.Terminal() {
		res.Meta = mcp.Meta{metaProgress: map[string]float64{"progress": t.Progress, "total": t.Total}}
	}
	return res, nil
}

// lostError is the error of a task whose worker stopped renewing its lease.
var lostError = json.RawMessage(`{"code":-32603,"message":"The server running the task stopped before it finished"}`)

// failLost records as failed a task whose lease ran out, and returns it.
func (rt *taskRuntime) failLost(ctx context.Context, st contoso.Store, id, owner string) (contoso.Task, error) {
	now := time.Now()
	t, err := st.UpdateTask(ctx, id, owner, now, func(t *contoso.Task) error {
		if t.Status.Terminal() || now.Before(t.LeaseUntil) {
			return errUnchanged // finished or renewed meanwhile
		}
		t.Status, t.Error, t.InputRequests = contoso.TaskFailed, lostError, nil
		t.StatusMessage = "Failed: the server running the task stopped before it finished (" + t.StatusMessage + ")"
		t.UpdatedAt = now
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return st.GetTask(ctx, id, owner, now)
	}
	if err == nil {
		rt.cfg.Logger.WarnContext(ctx, "task failed: its worker is gone", "task_id", id, "tool", t.Tool)
	}
	return t, err
}

func (rt *taskRuntime) update(ctx context.Context, _ *mcp.ServerSession, p *taskParams) (mcp.Result, error) {
	st, owner, mayUse, err := rt.lookup(ctx, p)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	_, err = st.UpdateTask(ctx, p.TaskID, owner, now, func(t *contoso.Task) error {
		if !mayUse(t.Tool) {
			return errTaskNotFound()
		}
		if t.Status != contoso.TaskInputRequired || len(p.InputResponses) == 0 {
			return errUnchanged
		}
		outstanding, answered := map[string]json.RawMessage{}, map[string]json.RawMessage{}
		if err := unmarshalObject(t.InputRequests, &outstanding); err != nil {
			return err
		}
		if err := unmarshalObject(t.InputResponses, &answered); err != nil {
			return err
		}
		changed := false
		for _, key := range slices.Sorted(maps.Keys(p.InputResponses)) {
			if _, ok := outstanding[key]; !ok {
				continue // never asked, answered already, or superseded: ignored
			}
			raw := p.InputResponses[key]
			if err := checkInputResponse(key, raw); err != nil {
				return err
			}
			delete(outstanding, key)
			answered[key] = raw
			changed = true
		}
		if !changed {
			return errUnchanged
		}
		var err error
		if t.InputResponses, err = json.Marshal(answered); err != nil {
			return err
		}
		if len(outstanding) == 0 {
			t.Status, t.InputRequests, t.StatusMessage = contoso.TaskWorking, nil, "Input received; the task resumes"
		} else if t.InputRequests, err = json.Marshal(outstanding); err != nil {
			return err
		}
		t.UpdatedAt = now
		return nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return nil, rt.storeError(ctx, "updating the task", err)
	}
	if w := rt.worker(p.TaskID); w != nil && err == nil {
		w.poke()
	}
	return &ackResult{ResultType: "complete"}, nil
}

// checkInputResponse refuses a response that is no input response at all
// (-32602): an elicitation, sampling or roots result is expected.
func checkInputResponse(key string, raw json.RawMessage) error {
	wrapped, err := json.Marshal(map[string]json.RawMessage{key: raw})
	if err == nil {
		var m mcp.InputResponseMap
		err = json.Unmarshal(wrapped, &m)
	}
	if err != nil {
		return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "invalid inputResponses: " + err.Error()}
	}
	return nil
}

func (rt *taskRuntime) cancel(ctx context.Context, _ *mcp.ServerSession, p *taskParams) (mcp.Result, error) {
	st, owner, mayUse, err := rt.lookup(ctx, p)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	_, err = st.UpdateTask(ctx, p.TaskID, owner, now, func(t *contoso.Task) error {
		if !mayUse(t.Tool) {
			return errTaskNotFound()
		}
		switch {
		case t.Status.Terminal():
			return errUnchanged // cancelling a finished task is acknowledged and changes nothing
		case !now.Before(t.LeaseUntil):
			// No worker is left to see the flag.
			t.Status, t.InputRequests, t.StatusMessage, t.UpdatedAt = contoso.TaskCancelled, nil, "Cancelled at the caller's request", now
		default:
			t.CancelRequested = true
		}
		return nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return nil, rt.storeError(ctx, "cancelling the task", err)
	}
	if w := rt.worker(p.TaskID); w != nil && err == nil {
		w.requestCancel()
	}
	return &ackResult{ResultType: "complete"}, nil
}

func unmarshalObject(raw json.RawMessage, v *map[string]json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return contoso.Internal(err, "reading the task's input")
	}
	if *v == nil {
		*v = map[string]json.RawMessage{}
	}
	return nil
}

// ---- the worker -------------------------------------------------------------

// taskWorker runs one task in this process.
type taskWorker struct {
	rt    *taskRuntime
	store contoso.Store
	id    string
	owner string
	tool  string

	cancel    context.CancelFunc
	cancelled atomic.Bool   // the caller cancelled the task
	lost      atomic.Bool   // the task is no longer this worker's (failed or expired meanwhile)
	wake      chan struct{} // input arrived through this process

	usedKeys map[string]bool // input request keys used so far (unique over the task's life)
}

func (w *taskWorker) requestCancel() {
	w.cancelled.Store(true)
	w.cancel()
}

func (w *taskWorker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// errTaskOver stops a worker's write: the task is terminal already.
var errTaskOver = errors.New("the task is over")

// save applies change to the task (renewing the lease) and notices a
// cancellation requested elsewhere or a task that is no longer this
// worker's. Store writes are not cancelled with the work.
func (w *taskWorker) save(change func(t *contoso.Task, now time.Time) error) (contoso.Task, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := time.Now()
	t, err := w.store.UpdateTask(ctx, w.id, w.owner, now, func(t *contoso.Task) error {
		if t.Status.Terminal() {
			return errTaskOver
		}
		t.LeaseUntil = now.Add(w.rt.lease)
		if change != nil {
			return change(t, now)
		}
		return nil
	})
	switch {
	case err == nil:
		if t.CancelRequested {
			w.requestCancel()
		}
	case errors.Is(err, errTaskOver), contoso.ErrorKind(err) == contoso.KindNotFound, contoso.ErrorKind(err) == contoso.KindConflict:
		w.lost.Store(true)
		w.cancel()
	}
	return t, err
}

// Report records a progress update (tools.Reporter).
func (w *taskWorker) Report(_ context.Context, progress, total float64, message string) {
	msg := message
	if total > 0 {
		msg = strconv.FormatFloat(progress*100/total, 'f', 0, 64) + "% " + message
	}
	if _, err := w.save(func(t *contoso.Task, now time.Time) error {
		t.Progress, t.Total, t.StatusMessage, t.UpdatedAt = progress, total, msg, now
		return nil
	}); err != nil && !w.lost.Load() {
		w.rt.cfg.Logger.Error("task progress not recorded", "task_id", w.id, "err", err)
	}
}

// heartbeat renews the lease and reads the cancel flag until done closes.
func (w *taskWorker) heartbeat(done <-chan struct{}) {
	tick := time.NewTicker(w.rt.poll)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if _, err := w.save(nil); err != nil && !w.lost.Load() {
				w.rt.cfg.Logger.Error("task lease not renewed", "task_id", w.id, "err", err)
			}
		}
	}
}

func (w *taskWorker) run(ctx context.Context, next mcp.MethodHandler, call *mcp.CallToolRequest) {
	defer w.rt.workers.Done()
	defer func() {
		w.rt.mu.Lock()
		delete(w.rt.running, w.id)
		w.rt.mu.Unlock()
	}()
	defer w.cancel()
	stopOnShutdown := context.AfterFunc(w.rt.base, w.cancel)
	defer stopOnShutdown()
	done := make(chan struct{})
	var beats sync.WaitGroup
	beats.Go(func() { w.heartbeat(done) })
	defer beats.Wait()
	defer close(done)

	began := time.Now()
	ctx = context.WithValue(tools.WithReporter(ctx, w), workerKey{}, w)
	res, err := w.call(ctx, next, call)
	for err == nil && res != nil && len(res.InputRequests) > 0 && ctx.Err() == nil {
		// The tool asks for input: the task waits for it, then the call is
		// made again with the responses, as a client would retry it.
		var responses mcp.InputResponseMap
		if responses, err = w.awaitInput(ctx, res.InputRequests); err != nil {
			break
		}
		call = retryWith(call, responses, res.RequestState)
		res, err = w.call(ctx, next, call)
	}
	t := w.finish(res, err)
	w.rt.cfg.Logger.Info("task finished", "task_id", w.id, "tool", w.tool, "status", string(t), "duration", time.Since(began))
}

// workerKey carries the worker of a task to the tools added with AddTaskTool.
type workerKey struct{}

// retryWith is call again with the responses to its input requests, as a
// client retrying it would send it.
func retryWith(call *mcp.CallToolRequest, responses mcp.InputResponseMap, state string) *mcp.CallToolRequest {
	retry := *call
	params := *call.Params
	params.InputResponses, params.RequestState = responses, state
	retry.Params = &params
	return &retry
}

// call runs the tool call through the rest of the middleware chain; a panic
// becomes an internal error.
func (w *taskWorker) call(ctx context.Context, next mcp.MethodHandler, call *mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			w.rt.cfg.Logger.Error("task panicked", "task_id", w.id, "tool", w.tool, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			res, err = nil, internalError("internal error")
		}
	}()
	r, err := next(ctx, "tools/call", call)
	if err != nil {
		return nil, err
	}
	res, ok := r.(*mcp.CallToolResult)
	if !ok || res == nil {
		return nil, internalError(fmt.Sprintf("the tool returned %T, not a tool result", r))
	}
	return res, nil
}

// awaitInput parks the task in input_required with the tool's requests
// until tasks/update has answered them all; it returns the responses under
// the tool's own keys.
func (w *taskWorker) awaitInput(ctx context.Context, requests mcp.InputRequestMap) (mcp.InputResponseMap, error) {
	// Keys are unique over the task's life: a tool that asks again under a
	// key it used gets a fresh one on the wire.
	surfaced, toolKey := mcp.InputRequestMap{}, map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(requests)) {
		key := k
		for n := 2; w.usedKeys[key]; n++ {
			key = k + "-" + strconv.Itoa(n)
		}
		w.usedKeys[key] = true
		surfaced[key], toolKey[key] = requests[k], k
	}
	raw, err := json.Marshal(surfaced)
	if err != nil {
		return nil, internalError("the tool's input requests do not encode: " + err.Error())
	}
	message := "Waiting for input"
	for _, k := range slices.Sorted(maps.Keys(surfaced)) {
		if e, ok := surfaced[k].(*mcp.ElicitParams); ok && e.Message != "" {
			message = "Waiting for input: " + e.Message
			break
		}
	}
	if _, err := w.save(func(t *contoso.Task, now time.Time) error {
		t.Status, t.InputRequests, t.InputResponses, t.StatusMessage, t.UpdatedAt = contoso.TaskInputRequired, raw, nil, message, now
		return nil
	}); err != nil {
		return nil, err
	}
	tick := time.NewTicker(w.rt.poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-w.wake:
		case <-tick.C:
		}
		var taken json.RawMessage
		if _, err := w.save(func(t *contoso.Task, now time.Time) error {
			taken = nil
			if t.Status != contoso.TaskWorking {
				return nil // still waiting
			}
			taken, t.InputResponses = t.InputResponses, nil
			return nil
		}); err != nil {
			return nil, err
		}
		if taken == nil || ctx.Err() != nil {
			continue
		}
		var got mcp.InputResponseMap
		if err := json.Unmarshal(taken, &got); err != nil {
			return nil, internalError("stored input responses do not decode: " + err.Error())
		}
		out := mcp.InputResponseMap{}
		for k, v := range got {
			if tk, ok := toolKey[k]; ok {
				out[tk] = v
			}
		}
		return out, nil
	}
}

// finish records how the task ended and returns that status.
func (w *taskWorker) finish(res *mcp.CallToolResult, callErr error) contoso.TaskStatus {
	var status contoso.TaskStatus
	_, err := w.save(func(t *contoso.Task, now time.Time) error {
		t.InputRequests, t.InputResponses, t.UpdatedAt = nil, nil, now
		switch {
		case w.cancelled.Load() || t.CancelRequested:
			t.Status, t.StatusMessage = contoso.TaskCancelled, "Cancelled at the caller's request"
			if res != nil && res.IsError {
				t.StatusMessage += ": " + resultText(res)
			}
		case w.rt.base.Err() != nil:
			t.Status, t.Error = contoso.TaskFailed, json.RawMessage(`{"code":-32603,"message":"The server shut down before the task finished"}`)
			t.StatusMessage = "Failed: the server shut down before the task finished"
		case callErr != nil:
			rpcErr := &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: callErr.Error()}
			errors.As(callErr, &rpcErr)
			raw, err := json.Marshal(rpcErr)
			if err != nil {
				return err
			}
			t.Status, t.Error, t.StatusMessage = contoso.TaskFailed, raw, "Tool execution failed: "+rpcErr.Message
		default:
			raw, err := json.Marshal(res)
			if err != nil {
				return err
			}
			t.Status, t.Result, t.StatusMessage = contoso.TaskCompleted, raw, "Completed"
			if res.IsError {
				t.StatusMessage = "Completed with a tool error: " + resultText(res)
			}
		}
		status = t.Status
		return nil
	})
	if err != nil {
		if !w.lost.Load() {
			w.rt.cfg.Logger.Error("task outcome not recorded", "task_id", w.id, "err", err)
		}
		return "lost"
	}
	return status
}

// resultText is the text of a result's first text block, shortened.
func resultText(res *mcp.CallToolResult) string {
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			if len(tc.Text) > 200 {
				return tc.Text[:200] + "..."
			}
			return tc.Text
		}
	}
	return ""
}
