# The runtime image holds only the binary, the glibc files it links, an unprivileged user and /data
# (packaging/rootfs.sh lays them out). Two ways to get those files:
#   docker build -t openai-gateway .     with a registry: build everything inside oven/bun (ROOTFS=build)
#   make image                           no pulls: from the binary built on this machine (ROOTFS=local)
# Run: docker run -p 8787:8787 -e OPENROUTER_API_KEY=... -e JWT_SECRET=$(openssl rand -hex 32) -v gateway-data:/data openai-gateway
ARG ROOTFS=build

FROM oven/bun:1.4.5 AS build
WORKDIR /app
COPY package.json bun.lock bunfig.toml tsconfig.json ./
RUN bun install --frozen-lockfile --production
COPY src ./src
COPY public ./public
COPY packaging ./packaging
RUN packaging/compile.sh dist/gateway && packaging/rootfs.sh dist/gateway /out

# `make image` has run packaging/rootfs.sh into dist/image already.
FROM scratch AS local
COPY dist/image /out

FROM ${ROOTFS} AS rootfs
# An image of its own: podman build --layers=false would otherwise remove one image twice and fail.
LABEL stage=rootfs

FROM scratch
COPY --from=rootfs /out/root /
# The SQLite database lives in /data, owned by the unprivileged user so a fresh volume is writable.
COPY --from=rootfs --chown=65532:65532 /out/data /data
# BUN_JSC_forceRAMSize: JavaScriptCore sizes its heap growth by the machine's RAM; telling it 512 MiB
# makes it collect sooner, which lowered peak RSS under load by ~20 MB with no measurable cost in
# throughput (docs/benchmarks.md). The gateway's live heap is ~15 MB; raise it for huge caches.
ENV PORT=8787 HOST=0.0.0.0 NODE_ENV=production DATABASE_PATH=/data/gateway.db BUN_JSC_forceRAMSize=536870912
EXPOSE 8787
VOLUME /data
USER 65532:65532
# No curl in here: the binary checks itself (it reads PORT and HOST like the server).
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["/gateway", "healthcheck"]
# The binary handles SIGTERM itself (it is PID 1 here): it stops accepting and lets streams finish (8 s at most).
ENTRYPOINT ["/gateway"]
