// Package conformance provides the fixtures that the MCP conformance suite
// (the @modelcontextprotocol/conformance CLI) calls by name when it tests a
// server: tools such as test_simple_text or test_sampling, the test:// resources
// and resource template, the test_* prompts and a completion/complete handler.
//
// These are TEST FIXTURES, not product features. They never appear in the
// product's tool, resource or prompt lists unless the server is started with
// --conformance-fixtures (contoso-mcp serve --conformance-fixtures), which is
// meant only for a loopback server that the conformance runner
// (scripts/conformance.sh) talks to. The product wires them in this order:
//
//	conformance.Options(opts)    // completion and subscribe handlers, capabilities
//	srv := mcp.NewServer(impl, opts)
//	conformance.Register(srv)    // every fixture tool, resource, template and prompt
//	go conformance.Run(ctx, srv) // watched-resource updates until ctx ends
//
// Besides the 2025-era fixtures, the package registers the fixtures that the
// 2026-07-28 requirement set of the suite needs: the multi-round-trip
// (SEP-2322, "input required") tools and prompt, and the diagnostic tools of
// the stateless-protocol scenario (SEP-2575). The fixtures of the Tasks
// extension scenarios are not part of this package.
package conformance
