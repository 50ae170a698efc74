package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	watchedURI     = "test://watched-resource"
	templatePrefix = "test://template/"
	templateSuffix = "/data"
)

// watchedRevision counts the changes of the watched resource; Run bumps it.
var watchedRevision atomic.Int64

type resourceFixture struct {
	resource *mcp.Resource
	handler  mcp.ResourceHandler
}

func resourceFixtures() []resourceFixture {
	return []resourceFixture{
		{&mcp.Resource{
			URI:         "test://static-text",
			Name:        "static-text",
			Title:       "Static text",
			Description: "A text resource whose content never changes",
			MIMEType:    "text/plain",
		}, readStaticText},
		{&mcp.Resource{
			URI:         "test://static-binary",
			Name:        "static-binary",
			Title:       "Static binary",
			Description: "A binary resource (a PNG image) whose content never changes",
			MIMEType:    pngMIME,
		}, readStaticBinary},
		{&mcp.Resource{
			URI:         watchedURI,
			Name:        "watched-resource",
			Title:       "Watched resource",
			Description: "A resource that changes every few seconds; subscribers get notifications/resources/updated",
			MIMEType:    "text/plain",
		}, readWatched},
	}
}

func templateResource() *mcp.ResourceTemplate {
	return &mcp.ResourceTemplate{
		URITemplate: templatePrefix + "{id}" + templateSuffix,
		Name:        "template",
		Title:       "Templated data",
		Description: "A JSON document for any id: the id in the URI is substituted into the content",
		MIMEType:    "application/json",
	}
}

func readStaticText(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{
		URI:      req.Params.URI,
		MIMEType: "text/plain",
		Text:     "This is the content of the static text resource.",
	}}}, nil
}

func readStaticBinary(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{
		URI:      req.Params.URI,
		MIMEType: pngMIME,
		Blob:     pngImage(),
	}}}, nil
}

func readWatched(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{
		URI:      req.Params.URI,
		MIMEType: "text/plain",
		Text:     fmt.Sprintf("Watched resource content, revision %d", watchedRevision.Load()),
	}}}, nil
}

// templateID extracts {id} from test://template/{id}/data.
func templateID(uri string) (string, bool) {
	rest, ok := strings.CutPrefix(uri, templatePrefix)
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, templateSuffix)
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}

func readTemplate(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	id, ok := templateID(req.Params.URI)
	if !ok {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	doc, err := json.Marshal(struct {
		ID           string `json:"id"`
		TemplateTest bool   `json:"templateTest"`
		Data         string `json:"data"`
	}{id, true, "Data for ID: " + id})
	if err != nil {
		return nil, err
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{
		URI:      req.Params.URI,
		MIMEType: "application/json",
		Text:     string(doc),
	}}}, nil
}
