package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Reporter receives the progress of a long-running tool. Without one in the
// context, progress goes to the client as notifications/progress when the
// request carried a progress token; the Tasks runtime puts its own in the
// context to record progress in the task.
type Reporter interface {
	Report(ctx context.Context, progress, total float64, message string)
}

type reporterKey struct{}

// WithReporter returns ctx whose long-running tools report to r.
func WithReporter(ctx context.Context, r Reporter) context.Context {
	return context.WithValue(ctx, reporterKey{}, r)
}

// report sends one progress update of the running tool call.
func report(ctx context.Context, progress, total float64, message string) {
	if r, ok := ctx.Value(reporterKey{}).(Reporter); ok {
		r.Report(ctx, progress, total, message)
		return
	}
	req, _ := ctx.Value(requestKey{}).(*mcp.CallToolRequest)
	if req == nil || req.Session == nil || req.Params == nil {
		return
	}
	token := req.Params.GetProgressToken()
	if token == nil {
		return
	}
	// A failed notification (client gone) must not fail the work; the
	// context's cancellation stops it instead.
	_ = req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: token, Progress: progress, Total: total, Message: message})
}

// sleep waits d or until ctx ends (then it returns ctx's error), so that
// cancellation stops a long-running tool within one step.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TroubleshootInput names the device and the problem.
type TroubleshootInput struct {
	Detail     string `json:"detail" input:"multiline" jsonschema:"what the customer reports, in plain words (for example: no internet since this morning); line breaks and tabs allowed, no other control characters"`
	DeviceName string `json:"device_name" jsonschema:"the device to diagnose (for example: router-1); one line"`
}

// TroubleshootStep is one step of a diagnosis as it ran.
type TroubleshootStep struct {
	Step       int     `json:"step"`
	Name       string  `json:"name"`
	Progress   float64 `json:"progress" jsonschema:"percent done after this step"`
	Outcome    string  `json:"outcome"`
	FinishedAt string  `json:"finished_at" jsonschema:"RFC 3339, UTC"`
}

// DeviceReport is the output of trouble_shoot_device.
type DeviceReport struct {
	DeviceName   string             `json:"device_name"`
	Detail       string             `json:"detail"`
	Status       string             `json:"status" jsonschema:"resolved or escalate"`
	Findings     []string           `json:"findings"`
	ActionsTaken []string           `json:"actions_taken"`
	Steps        []TroubleshootStep `json:"steps"`
	StartedAt    string             `json:"started_at"`
	FinishedAt   string             `json:"finished_at"`
}

func (o DeviceReport) Summary() string {
	return fmt.Sprintf("Diagnosis of %s: %s. Findings: %s. Actions taken: %s.", o.DeviceName, o.Status,
		strings.Join(o.Findings, "; "), strings.Join(o.ActionsTaken, "; "))
}

// troubleshootSteps are the nine steps of docs/DOMAIN.md with the progress each
// reaches.
var troubleshootSteps = []struct {
	name     string
	progress float64
}{
	{"Collecting device inventory", 10},
	{"Checking connectivity", 20},
	{"Checking DNS and gateway", 30},
	{"Running ping and traceroute", 40},
	{"Inspecting services and logs", 55},
	{"Restarting the management agent", 70},
	{"Running health checks", 85},
	{"Summarising the diagnosis", 95},
	{"Finalising the report", 100},
}

func defineLongRunning(s *Set) {
	define(s, &mcp.Tool{Name: "trouble_shoot_device", Title: "Diagnose a device",
		Description: "Run a remote diagnosis of a customer's device (router, modem, phone) in nine steps over about 45 seconds: inventory, connectivity, DNS and gateway, ping and traceroute, services and logs, a restart of the management agent, health checks, then a report of findings and actions taken. Reports progress as it goes when the request asks for it, stops when cancelled, and can run as a task."},
		Read, func(s *jsonschema.Schema) {
			one, detail, name := 1, 1000, 100
			prop(s, "detail").MinLength, prop(s, "detail").MaxLength = &one, &detail
			prop(s, "device_name").MinLength, prop(s, "device_name").MaxLength = &one, &name
		}, troubleshootDevice)
	d := s.last()
	d.longRunning = true
	// It restarts an agent on the device: not a read-only call.
	d.tool.Annotations.ReadOnlyHint = false
	d.tool.Annotations.IdempotentHint = false
}

// troubleshootDevice simulates the diagnosis. The findings follow from the
// reported detail, so the same report comes back for the same problem.
func troubleshootDevice(ctx context.Context, env *Env, _ contoso.Store, in TroubleshootInput) (DeviceReport, error) {
	device, detail := strings.TrimSpace(in.DeviceName), strings.TrimSpace(in.Detail)
	if device == "" || detail == "" {
		return DeviceReport{}, contoso.Errorf(contoso.KindInvalid, "device_name and detail must not be empty")
	}
	out := DeviceReport{DeviceName: device, Detail: detail, Status: "resolved",
		StartedAt: env.Now().UTC().Format(time.RFC3339), Findings: []string{}, ActionsTaken: []string{}, Steps: []TroubleshootStep{}}
	report(ctx, 0, 100, "Starting the diagnosis of "+device)
	lower := strings.ToLower(detail)
	for i, step := range troubleshootSteps {
		if err := sleep(ctx, env.TroubleshootStep); err != nil {
			return DeviceReport{}, contoso.Errorf(contoso.KindConflict, "diagnosis of %s cancelled after %d of %d steps", device, i, len(troubleshootSteps))
		}
		outcome := "ok"
		switch i {
		case 1:
			if strings.Contains(lower, "internet") || strings.Contains(lower, "offline") || strings.Contains(lower, "connect") {
				outcome = "WAN link up but upstream sync was renegotiated"
				out.Findings = append(out.Findings, "the WAN link had dropped sync and renegotiated")
			}
		case 2:
			if strings.Contains(lower, "dns") || strings.Contains(lower, "website") || strings.Contains(lower, "internet") {
				outcome = "stale DNS cache flushed"
				out.ActionsTaken = append(out.ActionsTaken, "flushed the DNS cache")
			}
		case 3:
			if strings.Contains(lower, "slow") || strings.Contains(lower, "lag") {
				outcome = "packet loss 4% at the second hop"
				out.Findings = append(out.Findings, "4% packet loss at the second hop (access network)")
				out.Status = "escalate"
			}
		case 5:
			outcome = "management agent restarted"
			out.ActionsTaken = append(out.ActionsTaken, "restarted the management agent")
		case 6:
			if out.Status == "escalate" {
				outcome = "throughput below 25% of the subscribed tier"
			}
		}
		out.Steps = append(out.Steps, TroubleshootStep{Step: i + 1, Name: step.name, Progress: step.progress, Outcome: outcome,
			FinishedAt: env.Now().UTC().Format(time.RFC3339)})
		report(ctx, step.progress, 100, fmt.Sprintf("%s (%d/%d)", step.name, i+1, len(troubleshootSteps)))
	}
	if len(out.Findings) == 0 {
		out.Findings = append(out.Findings, "no fault found on the device")
	}
	if out.Status == "escalate" {
		out.ActionsTaken = append(out.ActionsTaken, "recommended escalation to network engineering (see Troubleshooting Slow Internet)")
	}
	out.FinishedAt = env.Now().UTC().Format(time.RFC3339)
	return out, nil
}
