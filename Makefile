# atoguard — build, test, benchmark, fuzz.
GO ?= go
PKGS ?= ./...
FUZZTIME ?= 10s

GORELEASER ?= $(GO) run github.com/goreleaser/goreleaser/v2@v2.14.3

.PHONY: test build install bench fuzz lint deps man release-check release-snapshot clean

## test: lint, then the whole test suite with the race detector, run in a copy
## of the work tree with nothing beside it (scripts/test-isolated.sh), so a
## test that needs a file outside the repository fails here, not for a user.
test: deps lint release-check
	@scripts/test-isolated.sh $(GO) test -race -count=1 -timeout 25m $(PKGS)

## lint: vet, staticcheck, gofmt, and go.mod/go.sum exactly as go mod tidy leaves them.
lint:
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum not tidy: run go mod tidy"; exit 1; }

## deps: install what the tests need: git, and nginx, PostgreSQL and Chromium, which the
## tests start themselves on 127.0.0.1.
deps:
	@scripts/ensure-deps.sh

## build: bin/atoguard, stamped with the git commit by the Go toolchain.
build:
	$(GO) build -trimpath -o bin/atoguard ./cmd/atoguard

## install: atoguard into $$(go env GOPATH)/bin.
install:
	$(GO) install -trimpath ./cmd/atoguard

## man: man pages for every command in man/man1 (man -l man/man1/atoguard-scan.1).
man:
	$(GO) run ./internal/tools/mangen -dir man/man1

## release-check: validate .goreleaser.yaml with goreleaser itself (part of make test).
release-check:
	$(GORELEASER) check

## release-snapshot: every release archive in dist/, built locally, nothing published.
release-snapshot:
	$(GORELEASER) release --snapshot --clean

## bench: every benchmark, figures for docs/benchmarks.md.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 -timeout 60m $(PKGS)

## fuzz: a short run of every fuzz target (FUZZTIME each).
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin dist man
