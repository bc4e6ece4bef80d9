# ztkit developer entry points. `make run` starts the reference finance platform on
# its embedded defaults; `make test` runs every module's tests.

GO       ?= go
TOOL     := GOWORK=off $(GO) tool -modfile=$(CURDIR)/tools/go.mod
MODULES  := . examples
TESTFLAGS ?= -race -count=1 -timeout 30m
FUZZTIME ?= 20s
BENCHCOUNT ?= 10

.PHONY: run test lint vuln bench fuzz services

# The finance platform (all five services in one process, embedded SQLite) and, beside
# it, the ZeroSMS backend that feeds it drafts; Ctrl-C stops both.
run:
	bash scripts/web.sh
	bash scripts/zerosms-run.sh

# Go tests of every module (with the web UI built first, so the platform's tests
# serve the real build), then the UI's component tests and its end-to-end walk in
# headless Chromium against a real `financeapp dev`.

test:
	bash scripts/web.sh
	@set -e; for m in $(MODULES); do \
		echo "== go test $$m"; \
		(cd $$m && $(GO) test $(TESTFLAGS) ./...); \
	done
	E2E_STRICT=1 bash scripts/web.sh --test --e2e --platform

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@set -e; for m in $(MODULES); do \
		echo "== vet and staticcheck $$m"; \
		(cd $$m && $(GO) vet ./... && $(TOOL) staticcheck ./...); \
	done

# govulncheck needs its vulnerability database, which only a connected machine
# reaches; it is kept out of CI for that reason.
vuln:
	@set -e; for m in $(MODULES); do (cd $$m && $(TOOL) govulncheck ./...); done

bench:
	bash scripts/bench.sh $(BENCHCOUNT)

fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

services:
	bash scripts/services.sh
