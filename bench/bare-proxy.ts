// The floor for any Bun gateway: forward the body, stream the answer back, nothing else. It reads the
// same env as the gateway (PORT, OPENROUTER_BASE_URL) so it can also stand in for it (GATEWAY_CMD).
const upstream = `${process.env.OPENROUTER_BASE_URL}/chat/completions`;

Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  reusePort: false,
  async fetch(req) {
    if (req.method === "GET") return new Response("ok"); // /health, for readiness and cold-start probes
    const up = await fetch(upstream, { method: "POST", body: await req.arrayBuffer(), headers: { "content-type": "application/json" }, signal: req.signal });
    return new Response(up.body, { status: up.status, headers: { "content-type": up.headers.get("content-type") ?? "application/json" } });
  },
});
