//lint:file-ignore SA1019 the conformance suite still tests logging, sampling and roots (deprecated by SEP-2577 but in force for 2025-era sessions), so these fixtures use them on purpose.

package conformance

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// uriScheme is the scheme of every fixture resource.
const uriScheme = "test://"

// watchInterval is how often Run announces a change of the watched resource.
const watchInterval = 3 * time.Second

// Options prepares server options for the fixtures. Call it before
// mcp.NewServer. It installs the completion handler (completion/complete) and
// the resource subscribe/unsubscribe handlers; a handler that opts already
// holds keeps serving every reference and URI that is not a fixture's. When
// opts.Capabilities is set explicitly (which drops the SDK's default logging
// capability), Options adds the logging capability back, since the logging
// fixture and the logging/setLevel scenario need it.
func Options(opts *mcp.ServerOptions) {
	if opts == nil {
		return
	}
	opts.CompletionHandler = completionHandler(opts.CompletionHandler)
	opts.SubscribeHandler = subscribeHandler(opts.SubscribeHandler)
	opts.UnsubscribeHandler = unsubscribeHandler(opts.UnsubscribeHandler)
	if opts.Capabilities != nil && opts.Capabilities.Logging == nil {
		opts.Capabilities.Logging = &mcp.LoggingCapabilities{}
	}
}

// Register adds every fixture tool, resource, resource template and prompt to
// srv.
func Register(srv *mcp.Server) {
	for _, f := range toolFixtures(srv) {
		srv.AddTool(f.tool, f.handler)
	}
	registerTaskFixtures(srv)
	for _, f := range resourceFixtures() {
		srv.AddResource(f.resource, f.handler)
	}
	srv.AddResourceTemplate(templateResource(), readTemplate)
	for _, f := range promptFixtures() {
		srv.AddPrompt(f.prompt, f.handler)
	}
}

// Run does the fixtures' background work until ctx ends: every few seconds it
// changes the watched resource (test://watched-resource) and notifies the
// sessions subscribed to it.
func Run(ctx context.Context, srv *mcp.Server) {
	runEvery(ctx, srv, watchInterval)
}

func runEvery(ctx context.Context, srv *mcp.Server, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			watchedRevision.Add(1)
			// ResourceUpdated only fails for sessions that are going away;
			// the next tick tries again.
			_ = srv.ResourceUpdated(ctx, &mcp.ResourceUpdatedNotificationParams{URI: watchedURI})
		}
	}
}

// ToolNames returns the names of the fixture tools, sorted. The product's tests
// use it to check that none of them leaks into the product's tool list when
// the fixtures are off.
func ToolNames() []string {
	var names []string
	for _, f := range toolFixtures(nil) {
		names = append(names, f.tool.Name)
	}
	names = append(names, taskFixtureNames()...)
	slices.Sort(names)
	return names
}

// PromptNames returns the names of the fixture prompts, sorted.
func PromptNames() []string {
	var names []string
	for _, f := range promptFixtures() {
		names = append(names, f.prompt.Name)
	}
	slices.Sort(names)
	return names
}

// ResourceURIs returns the URIs of the fixture resources and the URI template
// of the fixture resource template, sorted.
func ResourceURIs() []string {
	uris := []string{templateResource().URITemplate}
	for _, f := range resourceFixtures() {
		uris = append(uris, f.resource.URI)
	}
	slices.Sort(uris)
	return uris
}

// isFixtureURI reports whether uri names a fixture resource.
func isFixtureURI(uri string) bool { return strings.HasPrefix(uri, uriScheme) }

// subscribeHandler accepts subscriptions to fixture resources (the SDK keeps
// track of subscribers, and Run notifies them) and hands any other URI to next.
func subscribeHandler(next func(context.Context, *mcp.SubscribeRequest) error) func(context.Context, *mcp.SubscribeRequest) error {
	return func(ctx context.Context, req *mcp.SubscribeRequest) error {
		if next != nil && !isFixtureURI(req.Params.URI) {
			return next(ctx, req)
		}
		return nil
	}
}

func unsubscribeHandler(next func(context.Context, *mcp.UnsubscribeRequest) error) func(context.Context, *mcp.UnsubscribeRequest) error {
	return func(ctx context.Context, req *mcp.UnsubscribeRequest) error {
		if next != nil && !isFixtureURI(req.Params.URI) {
			return next(ctx, req)
		}
		return nil
	}
}
