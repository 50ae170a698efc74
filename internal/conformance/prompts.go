package conformance

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type promptFixture struct {
	prompt  *mcp.Prompt
	handler mcp.PromptHandler
}

func promptFixtures() []promptFixture {
	return []promptFixture{
		simplePrompt(),
		{&mcp.Prompt{
			Name:        "test_prompt_with_arguments",
			Title:       "Prompt with arguments",
			Description: "A prompt that substitutes its two required arguments into its message",
			Arguments: []*mcp.PromptArgument{
				{Name: "arg1", Description: "First test argument", Required: true},
				{Name: "arg2", Description: "Second test argument", Required: true},
			},
		}, promptWithArguments},
		{&mcp.Prompt{
			Name:        "test_prompt_with_embedded_resource",
			Title:       "Prompt with an embedded resource",
			Description: "A prompt whose first message embeds the resource named by its argument",
			Arguments: []*mcp.PromptArgument{
				{Name: "resourceUri", Description: "URI of the resource to embed", Required: true},
			},
		}, promptWithEmbeddedResource},
		{&mcp.Prompt{
			Name:        "test_prompt_with_image",
			Title:       "Prompt with an image",
			Description: "A prompt whose first message is an image",
		}, promptWithImage},
		{&mcp.Prompt{
			Name:        "test_input_required_result_prompt",
			Title:       "Prompt that asks for input",
			Description: "Multi-round trip (SEP-2322): asks for context through an elicitation input request before it answers",
		}, irPrompt},
	}
}

func simplePrompt() promptFixture {
	return promptFixture{&mcp.Prompt{
		Name:        "test_simple_prompt",
		Title:       "Simple prompt",
		Description: "A prompt without arguments",
	}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{
			Description: "A simple test prompt",
			Messages: []*mcp.PromptMessage{
				{Role: "user", Content: &mcp.TextContent{Text: "This is a simple prompt for testing."}},
			},
		}, nil
	}}
}

func promptWithArguments(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	args := req.Params.Arguments
	return &mcp.GetPromptResult{
		Description: "A prompt with arguments",
		Messages: []*mcp.PromptMessage{{
			Role:    "user",
			Content: &mcp.TextContent{Text: fmt.Sprintf("Prompt with arguments: arg1=%q, arg2=%q", args["arg1"], args["arg2"])},
		}},
	}, nil
}

func promptWithEmbeddedResource(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	uri := req.Params.Arguments["resourceUri"]
	if uri == "" {
		uri = "test://static-text"
	}
	return &mcp.GetPromptResult{
		Description: "A prompt with an embedded resource",
		Messages: []*mcp.PromptMessage{
			{Role: "user", Content: &mcp.EmbeddedResource{Resource: &mcp.ResourceContents{
				URI:      uri,
				MIMEType: "text/plain",
				Text:     "Embedded resource content for testing.",
			}}},
			{Role: "user", Content: &mcp.TextContent{Text: "Please process the embedded resource above."}},
		},
	}, nil
}

func promptWithImage(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	return &mcp.GetPromptResult{
		Description: "A prompt with an image",
		Messages: []*mcp.PromptMessage{
			{Role: "user", Content: &mcp.ImageContent{Data: pngImage(), MIMEType: pngMIME}},
			{Role: "user", Content: &mcp.TextContent{Text: "Please analyze the image above."}},
		},
	}, nil
}
