package conformance

import (
	"context"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// completionCandidates are the values completion/complete offers, per
// reference ("ref/prompt:NAME" or "ref/resource:URI") and argument name.
var completionCandidates = map[string]map[string][]string{
	"ref/prompt:test_prompt_with_arguments": {
		"arg1": {"paris", "park", "party", "test", "testValue1"},
		"arg2": {"blue", "green", "red", "testValue2"},
	},
	"ref/prompt:test_prompt_with_embedded_resource": {
		"resourceUri": {"test://static-binary", "test://static-text", "test://watched-resource"},
	},
	"ref/resource:" + templatePrefix + "{id}" + templateSuffix: {
		"id": {"1", "2", "3", "42", "123"},
	},
}

// completionHandler completes the arguments of the fixture prompts and of the
// fixture resource template: the candidates that start with the typed value
// (ignoring case). It hands any other reference to next; with no next it
// answers an empty list.
func completionHandler(next func(context.Context, *mcp.CompleteRequest) (*mcp.CompleteResult, error)) func(context.Context, *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
	return func(ctx context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
		ref := req.Params.Ref
		key := ""
		if ref != nil {
			switch ref.Type {
			case "ref/prompt":
				key = ref.Type + ":" + ref.Name
			case "ref/resource":
				key = ref.Type + ":" + ref.URI
			}
		}
		byArg, ours := completionCandidates[key]
		if !ours && next != nil {
			return next(ctx, req)
		}
		values := []string{} // never null: clients expect an array
		prefix := strings.ToLower(req.Params.Argument.Value)
		for _, c := range byArg[req.Params.Argument.Name] {
			if strings.HasPrefix(strings.ToLower(c), prefix) {
				values = append(values, c)
			}
		}
		slices.Sort(values)
		return &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{
			Values: values,
			Total:  len(values),
		}}, nil
	}
}
