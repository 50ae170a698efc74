# The two commands a new user needs:  make run  and  make test.
GO      ?= go
BIN     := bin/contoso-mcp
ADDR    ?= 127.0.0.1:8000
DATA    ?= ./data

.PHONY: run build test unit peers conformance ts-client inspector oidc-e2e lint fmt clean bench

run: build ## serve on http://127.0.0.1:8000/mcp from ./data (seeded on first start)
	$(BIN) serve --addr $(ADDR) --data-dir $(DATA)

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/contoso-mcp

test: ## everything CI runs; the last line is "make test: N passed, M failed"
	@scripts/test.sh

unit: ## Go tests with the race detector
	$(GO) test -race -count=1 ./...

peers: ## pinned Node 22, conformance suites, Inspector, TypeScript SDK (test/peers/package-lock.json)
	@scripts/peers.sh

ts-client: build peers ## the TypeScript SDK client against the built server
	@scripts/ts-client.sh $(BIN)

inspector: build peers ## every tool through MCP Inspector's CLI
	@scripts/inspector.sh $(BIN)

oidc-e2e: build peers ## AUTH_MODE=oidc against oauth2-mock-server
	@scripts/oidc-e2e.sh $(BIN)

conformance: build peers ## @modelcontextprotocol/conformance 0.1.16 and 0.2.0-alpha.12
	@scripts/conformance.sh $(BIN)

bench: ## side-by-side load benchmark, ~8 min, not part of make test: regenerates docs/PERFORMANCE.md (bench/run.sh)
	@bench/run.sh

lint: ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
