# Two stages: build the single self-contained binary with Bun, then ship it on a small glibc base.
# Build: docker build -t openai-gateway .   Run: docker run -p 8787:8787 -e OPENROUTER_API_KEY=... openai-gateway
FROM oven/bun:1.4.5 AS build
WORKDIR /app
COPY package.json bun.lock bunfig.toml tsconfig.json ./
RUN bun install --frozen-lockfile
COPY src ./src
COPY public ./public
RUN bun build --compile --production --bytecode --asset public src/index.ts --outfile dist/gateway

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /app/dist/gateway /gateway
ENV PORT=8787 HOST=0.0.0.0 NODE_ENV=production
EXPOSE 8787
USER nonroot
# The binary handles SIGTERM itself (it is PID 1 here): it stops accepting and lets streams finish.
ENTRYPOINT ["/gateway"]
