# atoguard — build, test, benchmark, fuzz.
GO ?= go
PKGS ?= ./...
FUZZTIME ?= 10s

.PHONY: test build bench fuzz lint deps clean

## test: vet, staticcheck and the whole test suite with the race detector.
test: deps lint
	$(GO) test -race -count=1 -timeout 25m $(PKGS)

lint:
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)

## deps: install what the tests need (git for history tests).
deps:
	@scripts/ensure-deps.sh

build:
	$(GO) build -o bin/atoguard ./cmd/atoguard

## bench: every benchmark, figures for docs/benchmarks.md.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 -timeout 60m $(PKGS)

## fuzz: a short run of every fuzz target (FUZZTIME each).
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin
