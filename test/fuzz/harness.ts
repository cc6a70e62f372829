// Runs the fuzzer's requests against the real gateway on a real port, with the upstream fakes behind it
// (OpenRouter and OpenCode share the OpenAI-compatible fake, Gemini and GitHub have theirs), and checks
// the properties after every request:
//   - no 5xx except an upstream's 502/503/504 (and 529 on the Anthropic door);
//   - every error answer has the route's error shape (OpenAI's, or Anthropic's under /v1/messages);
//   - nothing invalid reached an upstream (the fakes record each body as it arrived);
//   - every request is answered within a deadline, and the gateway still serves afterwards.
import fc from "fast-check";
import { Kind, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { chatRequestSchema } from "../../src/doors/chat/schema.ts";
import { canonicalPath } from "../../src/plugins/auth.ts";
import { jsonLimitViolation } from "../../src/plugins/json-limits.ts";
import { embeddingRequestSchema } from "../../src/routes/embeddings.schema.ts";
import { ADMIN_TOKEN, startAuthGateway } from "../auth/setup.ts";
import { startFakeGemini, type FakeGemini } from "../fakes/gemini.ts";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import type { Gateway } from "../helpers.ts";
import { fromSchema, mutateValue, PROTO_NAMES, rawRequest, type RawRequest } from "./arbitraries.ts";
import type { FuzzRoute } from "./routes.ts";

/** Longest a single fuzzed request may take before it counts as unanswered. */
const ANSWER_DEADLINE_MS = 15_000;

export interface FuzzTarget {
  gw: Gateway;
  openrouter: FakeOpenRouter;
  gemini: FakeGemini;
  github: FakeGitHub;
  stop(): Promise<void>;
}

export async function startFuzzTarget(): Promise<FuzzTarget> {
  const openrouter = await startFakeOpenRouter();
  const gemini = await startFakeGemini();
  const github = await startFakeGitHub();
  const upstream = { apiKey: openrouter.apiKey, baseUrl: openrouter.baseUrl };
  const { gw } = await startAuthGateway(github, {
    openrouter: upstream,
    opencode: upstream,
    gemini: { apiKey: gemini.apiKey, baseUrl: gemini.baseUrl },
    // One answer per request: failures surface at once instead of waiting out backoffs.
    maxRetries: 0,
    retryDelayMs: 0,
    upstreamTimeoutMs: 5_000,
    requestTimeoutMs: 8_000,
  });
  return {
    gw, openrouter, gemini, github,
    async stop() {
      await gw.stop();
      await Promise.all([openrouter.stop(), gemini.stop(), github.stop()]);
    },
  };
}

/** A path segment for ":param" and "*": names, encodings and lengths a router may trip on. */
const segment = fc.oneof(
  fc.constantFrom(...PROTO_NAMES),
  fc.stringMatching(/^[\w-]{1,24}$/),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom("%", "%zz", "%00", "a%2Fb", "..", ".", "%2e%2e", "x".repeat(3000), "gpt-4o", "sess_aaaaaaaaaaaaaaaaaaaaaaaa", "a/b/c"),
);

interface Case {
  url: string;
  init: RequestInit;
  description: string;
}

/** The fuzzed requests of one route. */
function cases(target: FuzzTarget, route: FuzzRoute): fc.Arbitrary<Case> {
  const info = target.gw.routes.find((r) => r.method === route.method && r.path === route.path);
  if (!info) throw new Error(`the app has no route ${route.method} ${route.path}`);
  const hooks = info.hooks as { body?: TSchema; query?: TSchema };
  const valid = hooks.body ? (route.body ?? ((s: TSchema) => fromSchema(s as never)))(hooks.body) : undefined;
  const query = hooks.query && hooks.query[Kind] === "Object"
    ? fromSchema(hooks.query as never).chain(mutateValue).map((q) => (q && typeof q === "object" && !Array.isArray(q)
      ? `?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v) ?? ""]))}`
      : ""))
    : fc.constant("");
  const params = (route.path.match(/:\w+|\*/g) ?? []).length;
  const headers: Record<string, string> = route.admin ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {};
  return fc.tuple(rawRequest(valid, headers), fc.array(segment, { minLength: params, maxLength: params }), query).map(([raw, segments, q]) => {
    let i = 0;
    const path = route.path.replace(/:\w+|\*/g, () => segments[i++]);
    return toCase(target, route.method, `${raw.pathPrefix}${path}${raw.pathSuffix}${raw.pathSuffix.includes("?") ? "" : q}`, raw);
  });
}

function toCase(target: FuzzTarget, method: string, path: string, raw: RawRequest): Case {
  const url = `${target.gw.url}${path.startsWith("/") ? "" : "/"}${path}`;
  const init: RequestInit = { method, headers: raw.headers, body: method === "GET" || method === "HEAD" ? undefined : raw.body, redirect: "manual" };
  const body = typeof raw.body === "string" ? raw.body.slice(0, 1500) : raw.body ? `<${raw.body.length} bytes>` : "";
  return { url, init, description: `${method} ${path.slice(0, 200)} ${JSON.stringify(raw.headers).slice(0, 300)} ${body}` };
}

/** Statuses a client may see that are not the gateway's own failure. */
function allowedStatus(status: number, anthropic: boolean): boolean {
  return status < 500 || status === 502 || status === 503 || status === 504 || (anthropic && status === 529);
}

function checkErrorShape(body: unknown, anthropic: boolean): string | undefined {
  const b = body as { type?: unknown; error?: { message?: unknown; type?: unknown; param?: unknown; code?: unknown } } | null;
  if (!b || typeof b !== "object" || !b.error || typeof b.error !== "object") return "no error object";
  if (anthropic) return b.type === "error" && typeof b.error.type === "string" && typeof b.error.message === "string" ? undefined : "not Anthropic's error shape";
  const e = b.error;
  return typeof e.message === "string" && typeof e.type === "string" && "param" in e && "code" in e ? undefined : "not OpenAI's error shape";
}

const chatSchemaCache = new Map<number, TSchema>();

/** Why a request a fake received is not something the gateway should ever send, or undefined. */
function invalidUpstream(target: FuzzTarget, path: string, raw: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return "a body that is not JSON";
  }
  const limit = jsonLimitViolation(raw);
  if (limit) return limit.message;
  if (path.endsWith("/chat/completions")) {
    const max = target.gw.config.maxTokensLimit;
    if (!chatSchemaCache.has(max)) chatSchemaCache.set(max, chatRequestSchema(max));
    const schema = chatSchemaCache.get(max)!;
    if (!Value.Check(schema, body)) return `a chat request outside the chat schema: ${[...Value.Errors(schema, body)][0]?.path}`;
    const messages = (body as { messages: Array<{ role: string; content?: unknown; tool_calls?: unknown[] }> }).messages;
    const empty = messages.findIndex((m) => (m.content === undefined || m.content === null) && !(m.role === "assistant" && m.tool_calls?.length));
    if (empty !== -1) return `messages[${empty}] without content`;
  }
  if (path.endsWith("/embeddings") && !Value.Check(embeddingRequestSchema, body)) return "an embeddings request outside its schema";
  return undefined;
}

/** Sends one case: its status (0 when fetch refused to send it) and why it broke a property, if it did. */
async function check(target: FuzzTarget, c: Case): Promise<{ status: number; failure?: string }> {
  const failure = await send(target, c);
  return { status: failure.status, failure: failure.why };
}

async function send(target: FuzzTarget, c: Case): Promise<{ status: number; why?: string }> {
  const seen = { openrouter: target.openrouter.requests.length, gemini: target.gemini.requests.length };
  const anthropic = (() => {
    try {
      const path = canonicalPath(c.url);
      return path === "/v1/messages" || path.startsWith("/v1/messages/");
    } catch {
      return false;
    }
  })();
  let res: Response;
  let text: string;
  try {
    res = await fetch(c.url, { ...c.init, signal: AbortSignal.timeout(ANSWER_DEADLINE_MS) });
    text = await res.text();
  } catch (error) {
    // fetch itself refuses some requests before sending them (an invalid header value): not the gateway's doing.
    if (error instanceof TypeError && !/socket|connection|closed|reset/i.test(error.message)) return { status: 0 };
    return { status: 0, why: `unanswered: ${error instanceof Error ? error.message : error}` };
  }
  const status = res.status;
  if (!allowedStatus(status, anthropic)) return { status, why: `status ${status}: ${text.slice(0, 300)}` };
  // Bun's HTTP parser refuses a request line or headers over 16 KB itself (431, no body), before the app.
  if (status === 431) return { status };
  if (res.status >= 400) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { status, why: `a ${status} whose body is not JSON: ${text.slice(0, 200)}` };
    }
    const shape = checkErrorShape(body, anthropic);
    if (shape) return { status, why: `a ${status} with ${shape}: ${text.slice(0, 300)}` };
  }
  const sent = [
    ...target.openrouter.requests.slice(seen.openrouter).filter((r) => r.method === "POST").map((r) => ({ path: r.path, raw: r.raw })),
    ...target.gemini.requests.slice(seen.gemini).filter((r) => r.method === "POST").map((r) => ({ path: r.path, raw: r.raw })),
  ];
  for (const s of sent) {
    const why = invalidUpstream(target, s.path, s.raw);
    if (why) return { status, why: `the upstream got ${why}: ${s.path} ${s.raw.slice(0, 300)}` };
  }
  return { status };
}

/** The gateway still answers a plain request after the fuzzing. */
export async function stillServes(target: FuzzTarget): Promise<void> {
  const health = await fetch(`${target.gw.url}/health`);
  if (health.status !== 200) throw new Error(`/health answered ${health.status}`);
  const res = await fetch(`${target.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "vendor/liveness-check:free", messages: [{ role: "user", content: "still there?" }] }),
  });
  if (res.status !== 200) throw new Error(`a plain chat request answered ${res.status}: ${await res.text()}`);
}

export interface FuzzOptions {
  seed: number;
  numRuns: number;
}

export interface FuzzStats {
  cases: number;
  /** Requests the upstream fakes received: how deep the fuzzing got. */
  upstreamCalls: number;
  statuses: Map<number, number>;
}

/** Fuzzes one route; throws fast-check's report (with the seed and path to replay) on a failure. */
export async function fuzzRoute(target: FuzzTarget, route: FuzzRoute, opts: FuzzOptions): Promise<FuzzStats> {
  const stats: FuzzStats = { cases: 0, upstreamCalls: 0, statuses: new Map() };
  const before = () => target.openrouter.requests.length + target.gemini.requests.length;
  await fc.assert(
    fc.asyncProperty(cases(target, route), async (c) => {
      const start = before();
      const t0 = performance.now();
      const outcome = await check(target, c);
      if (process.env.FUZZ_SLOW && performance.now() - t0 > Number(process.env.FUZZ_SLOW)) console.log(`slow ${Math.round(performance.now() - t0)} ms: ${outcome.status} ${c.description.slice(0, 200)}`);
      stats.cases++;
      stats.upstreamCalls += before() - start;
      stats.statuses.set(outcome.status, (stats.statuses.get(outcome.status) ?? 0) + 1);
      if (outcome.failure) throw new Error(`${outcome.failure}\n  request: ${c.description}`);
    }),
    { seed: opts.seed, numRuns: Math.max(1, Math.round(opts.numRuns * (route.weight ?? 1))) },
  );
  return stats;
}
