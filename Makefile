# Every target installs what it needs first, so `make start` and `make test` work on a fresh machine
# that has only Node.js and npm.
BUN_VERSION := 1.4.5

.PHONY: start dev test typecheck build release image bench fuzz deps bun clean

start: deps
	bun src/index.ts

dev: deps
	bun --watch src/index.ts

test: deps
	bun test

typecheck: deps
	./node_modules/.bin/tsc --noEmit -p .

build: deps
	packaging/compile.sh dist/gateway

VERSION = $(shell bun -p 'require("./package.json").version')
# Bun's names for the platforms; `make release TARGETS="linux-x64 linux-arm64"` builds fewer. (Bun 1.4.5's
# linux-x64 and linux-x64-baseline runtimes on npm are byte-identical; both names are kept for users.)
TARGETS := linux-x64 linux-x64-baseline linux-arm64 darwin-arm64 darwin-x64 windows-x64

# dist/release/openai-gateway-<version>-<os>-<arch>[.exe] for every platform, and SHA256SUMS (macOS has
# shasum, with the same output, instead of sha256sum).
SHA256SUM := $(shell command -v sha256sum >/dev/null 2>&1 && echo sha256sum || echo shasum -a 256)
release: deps
	rm -rf dist/release && mkdir -p dist/release
	@set -e; for t in $(TARGETS); do \
		packaging/compile.sh dist/release/openai-gateway-$(VERSION)-$$t$$(case $$t in windows-*) echo .exe;; esac) bun-$$t; \
	done
	cd dist/release && $(SHA256SUM) openai-gateway-* >SHA256SUMS

# The minimal image from the binary built here, with no pulls (the Dockerfile's `local` stage); with
# docker when its daemon answers, else podman (--format docker keeps the HEALTHCHECK; --layers=false
# leaves no intermediate images behind).
ENGINE := $(shell docker info >/dev/null 2>&1 && echo docker || echo podman)
IMAGE = openai-gateway:$(VERSION)
image: build
	packaging/rootfs.sh dist/gateway dist/image
	$(ENGINE) build $(if $(filter podman,$(ENGINE)),--format docker --layers=false) --target local -t $(IMAGE) .

# Property-based fuzzing of every route with a random seed (FUZZ_SEED=n replays one, FUZZ_RUNS cases per
# route, default 2000; FUZZ_ROUTE='POST /v1/chat' runs the matching routes only). `make test` runs a fixed seed.
fuzz: deps
	bun test/fuzz/run.ts

# Mixed traffic with ~10 % upstream faults against the gateway as its own process for SOAK_SECONDS
# (default 600); prints the table and pass criteria of docs/reliability.md. Not part of `make test`.
soak: deps
	bun test/soak/run.ts

# Gateway overhead against a bare Bun proxy, an Elysia floor and Portkey (bench/README.md); about 110 s.
bench: build
	bun bench/run.ts

deps: bun
	@test -d node_modules/elysia && test node_modules/.bun-installed -nt bun.lock || \
		(bun install --frozen-lockfile && touch node_modules/.bun-installed)

bun:
	@bun --version >/dev/null 2>&1 || npm install -g bun@$(BUN_VERSION)
	@bun --version >/dev/null

clean:
	rm -rf dist node_modules
