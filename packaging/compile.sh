#!/bin/sh
# The one `bun build` line: `make build`, `make release` and the Dockerfile all compile through here.
#   packaging/compile.sh OUTFILE [TARGET]   TARGET as Bun names it (bun-linux-arm64 ...); none: this machine
# A target other than this machine's makes Bun fetch that platform's runtime from the npm registry once.
set -eu
exec bun build --compile --production --bytecode --format esm --asset public ${2:+"--target=$2"} src/index.ts src/db/checkpoint-worker.ts --outfile "$1"
