// A fake OpenRouter (protocols.md section 2) on 127.0.0.1: the chat, embeddings and models endpoints
// with OpenRouter's quirks (": OPENROUTER PROCESSING" keep-alives, `provider` and
// `native_finish_reason` fields, a separate final usage chunk, errors shaped {error:{code,message,
// metadata}}), switches for faults, and a log of what it received. Its model list starts with every
// OpenRouter model the gateway's table names, as the real catalog would.
import { CHAT_ALIASES, EMBEDDING_ALIASES } from "../../src/routing/aliases.ts";

export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown> | undefined;
  /** The body exactly as it arrived. */
  raw: string;
  /** performance.now() when it arrived (its body read). */
  at: number;
}

/** What the fake does with the next matching request. */
export type Behaviour =
  /** `reasoning`: OpenRouter's reasoning text, in `message.reasoning` (streamed as `delta.reasoning` before the content). */
  | { kind: "reply"; content?: string; reasoning?: string; toolCalls?: Array<{ name: string; arguments: string }>; finishReason?: string; delayMs?: number }
  | { kind: "error"; status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | { kind: "daily-cap"; resetAt: number }
  | { kind: "non-json" }
  | { kind: "hang" }
  /** Streams `chunks` content chunks `gapMs` apart, then fails as asked (or finishes normally). */
  | { kind: "stream"; chunks: number; gapMs: number; failWith?: "error-event" | "cut" };

export interface FakeOpenRouter {
  /** Base URL as OPENROUTER_BASE_URL expects it, e.g. http://127.0.0.1:1234/api/v1 */
  baseUrl: string;
  apiKey: string;
  requests: Recorded[];
  /** Requests whose response the client abandoned (connection closed or stream cancelled), with when. */
  aborted: Array<{ path: string; at: number }>;
  /** Queue behaviours for requests to `model` (or any model with "*"), used in order, then the default. */
  script(model: string, ...behaviours: Behaviour[]): void;
  /** Behaviour for every request to `model` until reset. */
  always(model: string, behaviour: Behaviour): void;
  models: Array<Record<string, unknown>>;
  /** GET /models calls (kept out of `requests`: the gateway's background catalog refresh makes them). */
  modelListings: number;
  /** Makes GET /models answer with this status (an error body) until set back to undefined. */
  failModels(status: number | undefined): void;
  reset(): void;
  stop(): Promise<void>;
}

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeOpenRouter(apiKey = "sk-or-v1-fake"): Promise<FakeOpenRouter> {
  const queues = new Map<string, Behaviour[]>();
  const fixed = new Map<string, Behaviour>();
  const requests: Recorded[] = [];
  const aborted: FakeOpenRouter["aborted"] = [];
  let generation = 0;

  let modelsStatus: number | undefined;
  const tableIds = [...CHAT_ALIASES.values(), ...EMBEDDING_ALIASES.values()].flat()
    .filter((t) => t.provider === "openrouter").map((t) => t.model);
  const models: Array<Record<string, unknown>> = [
    ...[...new Set(["meta-llama/llama-3.3-70b-instruct:free", "qwen/qwen3-coder:free", ...tableIds])].map(freeModel),
    { id: "openrouter/auto", name: "Auto Router", context_length: 2000000, pricing: { prompt: "-1", completion: "-1" } },
    { id: "openai/gpt-4o-mini", name: "OpenAI: GPT-4o-mini", context_length: 128000, pricing: { prompt: "0.00000015", completion: "0.0000006" } },
  ];

  const next = (model: string): Behaviour => {
    for (const key of [model, "*"]) {
      const q = queues.get(key);
      if (q?.length) return q.shift()!;
      const f = fixed.get(key);
      if (f) return f;
    }
    return { kind: "reply" };
  };

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 30,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/api/v1/models" && req.method === "GET") {
        fake.modelListings++;
        if (modelsStatus) return errorResponse({ kind: "error", status: modelsStatus });
        return Response.json({ data: models });
      }
      const raw = req.method === "POST" ? await req.text() : "";
      let body: Record<string, unknown> | undefined;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      requests.push({ method: req.method, path: url.pathname, headers: Object.fromEntries(req.headers), body, raw, at: performance.now() });
      req.signal.addEventListener("abort", () => aborted.push({ path: url.pathname, at: Date.now() }));

      if (req.headers.get("authorization") !== `Bearer ${apiKey}`) {
        return Response.json({ error: { code: 401, message: "No auth credentials found" } }, { status: 401 });
      }
      if (url.pathname === "/api/v1/embeddings" && req.method === "POST") {
        // Scripted errors apply to embeddings too; anything else answers with vectors.
        const behaviour = next(String(body?.model ?? ""));
        if (behaviour.kind === "error") return errorResponse(behaviour);
        return embeddings(body ?? {});
      }
      if (url.pathname !== "/api/v1/chat/completions" || req.method !== "POST") {
        return Response.json({ error: { code: 404, message: "Not Found" } }, { status: 404 });
      }
      const model = String(body?.model ?? "");
      const behaviour = next(model);
      const id = `gen-${Math.floor(Date.now() / 1000)}-${++generation}`;
      if ("delayMs" in behaviour && behaviour.delayMs) await sleep(behaviour.delayMs);

      switch (behaviour.kind) {
        case "error":
          return errorResponse(behaviour);
        case "daily-cap":
          return Response.json({
            error: {
              code: 429,
              message: "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day",
              metadata: { headers: { "X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(behaviour.resetAt) }, provider_name: null },
            },
            user_id: "user_fake",
          }, { status: 429 });
        case "non-json":
          return new Response("<html><body>502 Bad Gateway</body></html>", { headers: { "content-type": "text/html" } });
        case "hang":
          await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve()));
          return new Response(null, { status: 499 });
        case "stream":
          return streamResponse(id, model, reply(body ?? {}), behaviour, body);
        case "reply":
          if (body?.stream) return streamResponse(id, model, behaviour.content ?? reply(body), { kind: "stream", chunks: 3, gapMs: 0 }, body, behaviour);
          return Response.json(completion(id, model, body ?? {}, behaviour), { headers: { "x-generation-id": id } });
      }
    },
  });

  const fake: FakeOpenRouter = {
    baseUrl: `http://127.0.0.1:${server.port}/api/v1`,
    apiKey,
    requests,
    aborted,
    models,
    modelListings: 0,
    failModels(status) {
      modelsStatus = status;
    },
    script(model, ...behaviours) {
      queues.set(model, [...(queues.get(model) ?? []), ...behaviours]);
    },
    always(model, behaviour) {
      fixed.set(model, behaviour);
    },
    reset() {
      queues.clear();
      fixed.clear();
      requests.length = 0;
      aborted.length = 0;
    },
    async stop() {
      await server.stop(true);
    },
  };
  return fake;

  function streamResponse(
    id: string,
    model: string,
    text: string,
    plan: Extract<Behaviour, { kind: "stream" }>,
    body: Record<string, unknown> | undefined,
    reply?: Extract<Behaviour, { kind: "reply" }>,
  ): Response {
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({
        id, object: "chat.completion.chunk", created, model, provider: "FakeProvider",
        choices: [{ index: 0, delta: { role: "assistant", ...delta }, finish_reason: finish, native_finish_reason: finish }],
        ...extra,
      })}\n\n`;
    const pieces = split(text, plan.chunks);
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (s: string) => !cancelled && controller.enqueue(encoder.encode(s));
        send(": OPENROUTER PROCESSING\n\n");
        if (reply?.reasoning) send(chunk({ content: "", reasoning: reply.reasoning }, null));
        for (let i = 0; i < pieces.length; i++) {
          if (plan.gapMs) await sleep(plan.gapMs);
          if (cancelled) return;
          send(chunk({ content: pieces[i] }, null));
          if (i === 0) send(": OPENROUTER PROCESSING\n\n");
          if (i === 0 && plan.failWith === "error-event") {
            send(chunk({ content: "" }, "error", { error: { code: 502, message: "Provider disconnected unexpectedly" } }));
            controller.close();
            return;
          }
          if (i === 0 && plan.failWith === "cut") {
            await sleep(plan.gapMs);
            controller.error(new Error("connection cut by fake"));
            return;
          }
        }
        if (reply?.toolCalls) {
          reply.toolCalls.forEach((call, index) =>
            send(chunk({ tool_calls: [{ index, id: `call_${index}`, type: "function", function: { name: call.name, arguments: call.arguments } }] }, null)));
        }
        send(chunk({ content: "" }, reply?.finishReason ?? (reply?.toolCalls ? "tool_calls" : "stop")));
        send(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, provider: "FakeProvider", choices: [], usage: usageFor(body ?? {}, text) })}\n\n`);
        send("data: [DONE]\n\n");
        controller.close();
      },
      cancel() {
        cancelled = true;
        aborted.push({ path: "/api/v1/chat/completions (stream cancelled)", at: Date.now() });
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream", "x-generation-id": id } });
  }
}

function errorResponse(behaviour: Extract<Behaviour, { kind: "error" }>): Response {
  return Response.json(behaviour.body ?? { error: { code: behaviour.status, message: `Fake error ${behaviour.status}` } }, {
    status: behaviour.status,
    headers: behaviour.headers,
  });
}

/** A models-list entry priced at "0", as OpenRouter lists a free model. */
export function freeModel(id: string): Record<string, unknown> {
  return {
    id, name: id, created: 1733506137, context_length: 131072,
    pricing: { prompt: "0", completion: "0", request: "0", image: "0" },
  };
}

function lastUserText(body: Record<string, unknown>): string {
  const messages = (body.messages as Array<{ role: string; content: unknown }> | undefined) ?? [];
  const last = [...messages].reverse().find((m) => m.role === "user");
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  return (last.content as Array<{ type: string; text?: string }>).filter((p) => p.type === "text").map((p) => p.text).join(" ");
}

/** Deterministic answer derived from the request, so tests can tell what reached the upstream. */
function reply(body: Record<string, unknown>): string {
  return `Echo: ${lastUserText(body)}`;
}

function usageFor(body: Record<string, unknown>, text: string) {
  const prompt = Math.ceil(lastUserText(body).length / 4) + 5;
  const completion = Math.ceil(text.length / 4);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, cost: 0, is_byok: false };
}

function completion(id: string, model: string, body: Record<string, unknown>, behaviour: Extract<Behaviour, { kind: "reply" }>) {
  const content = behaviour.toolCalls ? null : behaviour.content ?? reply(body);
  const n = typeof body.n === "number" ? body.n : 1;
  return {
    id, provider: "FakeProvider", model, object: "chat.completion", created: Math.floor(Date.now() / 1000),
    choices: Array.from({ length: n }, (_, index) => ({
      logprobs: null,
      finish_reason: behaviour.finishReason ?? (behaviour.toolCalls ? "tool_calls" : "stop"),
      native_finish_reason: "stop",
      index,
      message: {
        role: "assistant", content, refusal: null, reasoning: behaviour.reasoning ?? null,
        ...(behaviour.toolCalls ? {
          tool_calls: behaviour.toolCalls.map((c, i) => ({ id: `call_${i}`, type: "function", function: { name: c.name, arguments: c.arguments } })),
        } : {}),
      },
    })),
    usage: usageFor(body, content ?? ""),
  };
}

function embeddings(body: Record<string, unknown>): Response {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  return Response.json({
    object: "list",
    model: body.model,
    data: inputs.map((input, index) => ({ object: "embedding", index, embedding: vectorFor(String(input)) })),
    usage: { prompt_tokens: inputs.length * 3, total_tokens: inputs.length * 3 },
  });
}

/** Eight deterministic float32-exact values per text, so base64 round trips compare exactly. */
export function vectorFor(text: string): number[] {
  return Array.from({ length: 8 }, (_, i) => Math.fround(((text.charCodeAt(i % Math.max(1, text.length)) || 0) % 97) / 97 - 0.5 + i / 16));
}

function split(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  while (out.length < parts) out.push("");
  return out;
}
