// A fake free tier: an OpenAI-compatible upstream on 127.0.0.1 that enforces request and token caps
// over fixed windows on a clock the test moves (a compressed day), answers as slowly as it is told, and
// reports what is left in the header style of the provider it stands in for:
//   groq:       x-ratelimit-{limit,remaining,reset}-{requests,tokens}, resets as durations ("2m59.56s");
//               a refusal is a 429 with retry-after (seconds) and Groq's error body;
//   cerebras:   the same names with a window suffix (-requests-day, -tokens-minute), resets in seconds;
//               a refusal is a 429 with Cerebras's body, no retry-after;
//   openrouter: nothing on success; the account-wide daily cap refuses with OpenRouter's
//               free-models-per-day body carrying X-RateLimit-Reset (epoch ms), the minute cap likewise;
//   plain:      nothing on success; a refusal is a 429 with retry-after (OpenCode, Gemini stand-ins).
// Windows are aligned to the epoch, so a day window resets at UTC midnight.

export type HeaderStyle = "groq" | "cerebras" | "openrouter" | "plain";

export interface Cap {
  requests?: number;
  tokens?: number;
  windowMs: number;
  /** Reported in the answer's headers (each provider reports some windows and not others). */
  reported?: boolean;
}

export interface CappedModel {
  id: string;
  caps: Cap[];
  /** More fields of its /models entry (OpenRouter-style supported_parameters, architecture). */
  listing?: Record<string, unknown>;
}

export interface CappedUpstreamOptions {
  style: HeaderStyle;
  clock: () => number;
  models: CappedModel[];
  /** Caps every model shares (OpenRouter's free pool), counted on top of each model's own. */
  shared?: Cap[];
  apiKey?: string;
  /** Tokens each answer costs (prompt plus completion, as its usage says). */
  tokensPerAnswer?: number;
}

export interface CappedUpstream {
  baseUrl: string;
  apiKey: string;
  /** Every chat request received: model, status answered, and the clock's time. */
  calls: Array<{ model: string; status: number; at: number; auth: string | null }>;
  /** Answer time in ms for a model (or "*"): the speed of this upstream. */
  delays: Map<string, number>;
  /** Status to fail a model (or "*") with, instead of answering (500: a broken upstream). */
  failing: Map<string, number>;
  /** Whether a model would answer at this time (its caps and the shared ones have room). */
  available(model: string, at: number): boolean;
  reset(): void;
  stop(): Promise<void>;
}

interface Usage { requests: number; tokens: number }

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export async function startCappedUpstream(opts: CappedUpstreamOptions): Promise<CappedUpstream> {
  const apiKey = opts.apiKey ?? `key-${opts.style}-${Math.random().toString(36).slice(2)}`;
  const perAnswer = opts.tokensPerAnswer ?? 20;
  // Usage by scope ("*" shared, else model id), cap index and window start.
  const used = new Map<string, Usage>();
  const calls: CappedUpstream["calls"] = [];
  const models = new Map(opts.models.map((m) => [m.id, m]));

  const windowStart = (cap: Cap, at: number) => Math.floor(at / cap.windowMs) * cap.windowMs;
  const usage = (scope: string, i: number, cap: Cap, at: number): Usage => {
    const key = `${scope}|${i}|${windowStart(cap, at)}`;
    let u = used.get(key);
    if (!u) used.set(key, (u = { requests: 0, tokens: 0 }));
    return u;
  };
  const scopes = (model: CappedModel) => [
    ...model.caps.map((cap, i) => ({ scope: model.id, cap, i })),
    ...(opts.shared ?? []).map((cap, i) => ({ scope: "*", cap, i })),
  ];
  /** The first cap with no room left, if any. */
  const full = (model: CappedModel, at: number) =>
    scopes(model).find(({ scope, cap, i }) => {
      const u = usage(scope, i, cap, at);
      return (cap.requests !== undefined && u.requests >= cap.requests) || (cap.tokens !== undefined && u.tokens >= cap.tokens);
    });

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method === "GET" && url.pathname === "/v1/models") {
        return Response.json({ object: "list", data: opts.models.map((m) => ({ id: m.id, object: "model", owned_by: opts.style, ...m.listing })) });
      }
      if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") return Response.json({ error: { message: "Not Found" } }, { status: 404 });
      const body = (await req.json()) as { model: string; stream?: boolean };
      const at = opts.clock();
      const auth = req.headers.get("authorization");
      const record = (status: number) => calls.push({ model: body.model, status, at, auth });
      if (auth !== `Bearer ${apiKey}`) {
        record(401);
        return Response.json({ error: { message: "Invalid API Key", type: "invalid_request_error", code: "invalid_api_key" } }, { status: 401 });
      }
      const model = models.get(body.model);
      if (!model) {
        record(404);
        return Response.json({ error: { message: `The model \`${body.model}\` does not exist`, code: "model_not_found" } }, { status: 404 });
      }
      const delay = fake.delays.get(model.id) ?? fake.delays.get("*") ?? 0;
      if (delay) await Bun.sleep(delay);
      const failure = fake.failing.get(model.id) ?? fake.failing.get("*");
      if (failure) {
        record(failure);
        return Response.json({ error: { message: "Internal server error", type: "internal_server_error" } }, { status: failure });
      }
      const refusal = full(model, at);
      if (refusal) {
        record(429);
        return refuse(model, refusal.cap, refusal.scope, at);
      }
      for (const { scope, cap, i } of scopes(model)) {
        const u = usage(scope, i, cap, at);
        u.requests++;
        u.tokens += perAnswer;
      }
      record(200);
      const headers = reportHeaders(model, at);
      if (body.stream) return streamAnswer(model.id, headers);
      return Response.json(completion(model.id), { headers });
    },
  });

  /** Headers describing the model's reported windows after this answer. */
  function reportHeaders(model: CappedModel, at: number): Record<string, string> {
    if (opts.style === "openrouter" || opts.style === "plain") return {};
    const out: Record<string, string> = {};
    model.caps.forEach((cap, i) => {
      if (!cap.reported) return;
      const u = usage(model.id, i, cap, at);
      const resetMs = windowStart(cap, at) + cap.windowMs - at;
      for (const dimension of ["requests", "tokens"] as const) {
        const limit = cap[dimension];
        if (limit === undefined) continue;
        const left = Math.max(0, limit - u[dimension]);
        const suffix = opts.style === "cerebras" ? `${dimension}-${cap.windowMs >= DAY ? "day" : "minute"}` : dimension;
        out[`x-ratelimit-limit-${suffix}`] = String(limit);
        out[`x-ratelimit-remaining-${suffix}`] = String(left);
        out[`x-ratelimit-reset-${suffix}`] = opts.style === "cerebras" ? String(resetMs / 1000) : duration(resetMs);
      }
    });
    return out;
  }

  function refuse(model: CappedModel, cap: Cap, scope: string, at: number): Response {
    const resetAt = windowStart(cap, at) + cap.windowMs;
    const waitMs = resetAt - at;
    const what = cap.requests !== undefined ? "requests" : "tokens";
    switch (opts.style) {
      case "groq":
        return Response.json({
          error: {
            message: `Rate limit reached for model \`${model.id}\` in organization \`org_fake\` service tier \`on_demand\` on ${what} per ${cap.windowMs >= DAY ? "day (RPD)" : "minute (RPM)"}: Limit ${cap[what]}, Used ${cap[what]}, Requested 1. Please try again in ${duration(waitMs)}.`,
            type: what,
            code: "rate_limit_exceeded",
          },
        }, { status: 429, headers: { "retry-after": String(Math.ceil(waitMs / 1000)), ...reportHeaders(model, at) } });
      case "cerebras":
        return Response.json({
          message: `${what === "requests" ? "Requests" : "Tokens"} per ${cap.windowMs >= DAY ? "day" : "minute"} limit exceeded - too many requests sent.`,
          type: "too_many_requests_error",
          param: "quota",
          code: "request_quota_exceeded",
        }, { status: 429, headers: reportHeaders(model, at) });
      case "openrouter": {
        const perDay = cap.windowMs >= DAY;
        const name = scope === "*" ? "free-models" : "model";
        return Response.json({
          error: {
            code: 429,
            message: `Rate limit exceeded: ${name}-per-${perDay ? "day" : "min"}.${perDay ? " Add 10 credits to unlock 1000 free model requests per day" : ""}`,
            metadata: { headers: { "X-RateLimit-Limit": String(cap.requests), "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(resetAt) }, provider_name: null },
          },
          user_id: "user_fake",
        }, { status: 429 });
      }
      case "plain":
        return Response.json({ error: { message: "Rate limit exceeded", type: "rate_limit_error", code: "rate_limit_exceeded" } },
          { status: 429, headers: { "retry-after": String(Math.ceil(waitMs / 1000)) } });
    }
  }

  const fake: CappedUpstream = {
    baseUrl: `http://127.0.0.1:${server.port}/v1`,
    apiKey,
    calls,
    delays: new Map(),
    failing: new Map(),
    available(id, at) {
      const model = models.get(id);
      return !!model && !full(model, at);
    },
    reset() {
      used.clear();
      calls.length = 0;
      fake.delays.clear();
      fake.failing.clear();
    },
    async stop() {
      await server.stop(true);
    },
  };
  return fake;
}

/** Groq's duration format: "2m59.56s", "20ms". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${Number(s.toFixed(2))}s`;
}

function completion(model: string) {
  return {
    id: `chatcmpl-${crypto.randomUUID()}`, object: "chat.completion", created: Math.floor(Date.now() / 1000), model,
    choices: [{ index: 0, message: { role: "assistant", content: `Answer from ${model}` }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
  };
}

function streamAnswer(model: string, headers: Record<string, string>): Response {
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const text = chunk({ role: "assistant", content: `Answer from ${model}` }, null) + chunk({}, "stop") +
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 } })}\n\n` +
    "data: [DONE]\n\n";
  return new Response(text, { headers: { ...headers, "content-type": "text/event-stream" } });
}
