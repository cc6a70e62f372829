// The floor for an Elysia gateway that translates: the bare proxy's job done through Elysia, plus the
// least any OpenAI gateway does to a body (parse the request JSON, name the upstream model, parse the
// answer and name the requested model again). Streams are passed through as bytes. No hooks, no
// validation, no routing: what is left between this and the gateway is the gateway's own work.
import { Elysia } from "elysia";

const upstream = `${process.env.OPENROUTER_BASE_URL}/chat/completions`;
const json = { "content-type": "application/json" };

new Elysia()
  .get("/health", () => "ok")
  .post("/v1/chat/completions", async ({ body, request }) => {
    const req = body as { model: string; stream?: boolean };
    const requested = req.model;
    req.model = "openai/gpt-4o-mini";
    const up = await fetch(upstream, { method: "POST", body: JSON.stringify(req), headers: json, signal: request.signal });
    if (req.stream) return new Response(up.body, { status: up.status, headers: { "content-type": "text/event-stream" } });
    const answer = (await up.json()) as { model: string };
    answer.model = requested;
    return answer;
  })
  .listen({ hostname: "127.0.0.1", port: Number(process.env.PORT ?? 0), reusePort: false });
