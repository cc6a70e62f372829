# The runtime image holds only the binary, the glibc files it links, an unprivileged user and /data
# (packaging/rootfs.sh lays them out). Two ways to build it:
#   docker build -t openai-gateway .         with a registry: the binary is built inside oven/bun
#   make image (--target local)              no pulls: from the binary built on this machine
# Run: docker run -p 8787:8787 -e OPENROUTER_API_KEY=... -e JWT_SECRET=$(openssl rand -hex 32) -v gateway-data:/data openai-gateway
FROM oven/bun:1.4.5 AS build
WORKDIR /app
COPY package.json bun.lock bunfig.toml tsconfig.json ./
RUN bun install --frozen-lockfile --production
COPY src ./src
COPY public ./public
COPY packaging ./packaging
RUN packaging/compile.sh dist/gateway && packaging/rootfs.sh dist/gateway /out

# What both images share. BUN_JSC_forceRAMSize: JavaScriptCore sizes its heap growth by the machine's
# RAM; telling it 512 MiB makes it collect sooner, which lowered peak RSS under load by ~20 MB with no
# measurable cost in throughput (docs/benchmarks.md). The live heap is ~15 MB; raise it for huge caches.
FROM scratch AS runtime
ENV PORT=8787 HOST=0.0.0.0 NODE_ENV=production DATABASE_PATH=/data/gateway.db BUN_JSC_forceRAMSize=536870912
EXPOSE 8787
USER 65532:65532
# No curl in here: the binary checks itself (it reads PORT and HOST like the server).
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["/gateway", "healthcheck"]
# The binary handles SIGTERM itself (it is PID 1 here): it stops accepting and lets streams finish (8 s at most).
ENTRYPOINT ["/gateway"]

# `make image`: the files packaging/rootfs.sh laid out in dist/image from the binary built here.
# /data belongs to the unprivileged user, so a fresh volume is writable (there lives the SQLite file).
FROM runtime AS local
COPY dist/image/root /
COPY --chown=65532:65532 dist/image/data /data
VOLUME /data

# The default (last) stage: the same files, from the build stage.
FROM runtime
COPY --from=build /out/root /
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME /data
