# Every target installs what it needs first, so `make start` and `make test` work on a fresh machine
# that has only Node.js and npm.
BUN_VERSION := 1.4.5

.PHONY: start dev test typecheck build bench fuzz deps bun clean

start: deps
	bun src/index.ts

dev: deps
	bun --watch src/index.ts

test: deps
	bun test

typecheck: deps
	./node_modules/.bin/tsc --noEmit -p .

build: deps
	bun build --compile --production --bytecode --format esm --asset public src/index.ts --outfile dist/gateway

# Property-based fuzzing of every route with a random seed (FUZZ_SEED=n replays one, FUZZ_RUNS cases per
# route, default 2000; FUZZ_ROUTE='POST /v1/chat' runs the matching routes only). `make test` runs a fixed seed.
fuzz: deps
	bun test/fuzz/run.ts

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
