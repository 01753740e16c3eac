# The two commands a new user needs: `make run` and `make test`. Both bring up
# a project-local PostgreSQL (scripts/devdb.sh) unless DATABASE_URL is set.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go

.PHONY: run test check generate lint bench bench-http db-stop db-url

run:
	DATABASE_URL="$$(scripts/devdb.sh url)"; export DATABASE_URL
	$(GO) run ./server -demo

test:
	DATABASE_URL="$$(scripts/devdb.sh url)"; export DATABASE_URL
	$(GO) test -count=1 ./...

# What CI checks besides the tests.
check: lint
	before="$$(git diff -- graph | sha1sum)$$(git status --porcelain -- graph | sha1sum)"
	$(GO) tool gqlgen generate
	after="$$(git diff -- graph | sha1sum)$$(git status --porcelain -- graph | sha1sum)"
	[ "$$before" = "$$after" ] || { git diff --stat -- graph; echo "go tool gqlgen generate changed graph/: run it and commit the result"; exit 1; }

lint:
	test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above are not formatted"; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

generate:
	$(GO) tool gqlgen generate

bench:
	DATABASE_URL="$$(scripts/devdb.sh url)"; export DATABASE_URL
	$(GO) test -run '^$$' -bench . -benchmem ./...

db-url:
	@scripts/devdb.sh url

db-stop:
	scripts/devdb.sh stop

# The HTTP benchmark (cmd/benchhttp): the contract operations at c=1/16/64
# beside a floor handler, written to docs/benchmarks.md. Longer runs:
# make bench-http BENCH_FLAGS='-duration 20s -warmup 3s'
BENCH_FLAGS ?=
bench-http:
	DATABASE_URL="$$(scripts/devdb.sh url)"; export DATABASE_URL
	$(GO) run ./cmd/benchhttp -out docs/benchmarks.md $(BENCH_FLAGS)
