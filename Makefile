# The two commands a new user needs: `make run` and `make test`. Both bring up
# a project-local PostgreSQL (scripts/devdb.sh) unless DATABASE_URL is set.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go

.PHONY: run test check generate lint bench bench-http db-stop db-url web web-if-node web-dev web-check

# The front end (web/): its production build goes to web/dist/app, which the
# server embeds; rebuilt when a source or the lock file is newer than it.
WEB_SRC := $(shell find web/src web/index.html web/vite.config.ts web/scripts web/package.json web/tsconfig.app.json -type f 2>/dev/null)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web/dist/app/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

web: web/dist/app/index.html

# make run builds the front end when Node is there; without it the server
# serves a placeholder page at / (the API works the same).
web-if-node:
	if command -v npm >/dev/null; then $(MAKE) --no-print-directory web; else echo "npm not found: / serves a placeholder page (install Node.js 20+ for the front end)"; fi

# Vite's dev server with hot reload on :5173, proxying /graphql (and its
# websocket), /export and /calendar to the Go server (make run) on :8080.
web-dev: web/node_modules/.package-lock.json
	cd web && npx vite --host

run: web-if-node
	DATABASE_URL="$$(scripts/devdb.sh url)"; export DATABASE_URL
	$(GO) run ./server -demo

# The Go suite, the front end's component tests (Vitest) and the end-to-end
# suite: Chromium (scripts/chromium.sh) against the server on the demo data.
test: web
	DATABASE_URL="$$(scripts/devdb.sh url)"; export DATABASE_URL
	$(GO) test -count=1 ./...
	(cd web && npx vitest run)
	$(GO) test -count=1 -timeout 30m -v -tags e2e -run TestWebEndToEnd ./server

# The front end's types: the generated operations are those of the schema
# files (graphql-codegen), and the pages type-check against them (vue-tsc).
web-check: web/node_modules/.package-lock.json
	before="$$(git status --porcelain -- web/src/gql | sha1sum)$$(git diff -- web/src/gql | sha1sum)"
	(cd web && npm run --silent codegen >/dev/null)
	after="$$(git status --porcelain -- web/src/gql | sha1sum)$$(git diff -- web/src/gql | sha1sum)"
	[ "$$before" = "$$after" ] || { git diff --stat -- web/src/gql; echo "web: npm run codegen changed web/src/gql: run it and commit the result"; exit 1; }
	(cd web && npm run --silent typecheck)

# What CI checks besides the tests.
check: lint web-check
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
