// Per-request bookkeeping shared by the plugins: a request id (the client's x-request-id when it is
// sane), the start time, who the client is, and what routing did. A request is "completed" once: when
// its response is handed over, or, for a stream, when the stream ends. Logging and metrics subscribe.
import { Elysia } from "elysia";
import type { Door } from "../doors/door.ts";
import type { ChatCompletion, ChatRequest } from "../providers/types.ts";
import type { Clock } from "../stores/clock.ts";

export interface RequestMeta {
  id: string;
  method: string;
  /** Route pattern (never the raw path, so labels stay bounded); set once the router matched. */
  route: string;
  start: number;
  /** Stable client identity for rate limits and ownership: "key:<sha256>", "user:<github id>" or "ip:<address>". */
  client: string;
  /** The front door that took the request, and its request translated to the internal shape. */
  door?: Door;
  chat?: ChatRequest;
  /** The internal completion a door answered from (what the cache stores). */
  completion?: ChatCompletion;
  /** Who that is in words: the gateway API key's id, or the GitHub login; unset for anonymous callers. */
  keyId?: string;
  login?: string;
  /** The `model` the client asked for (an alias or an upstream id), read from any JSON body that has one. */
  model?: string;
  provider?: string;
  upstreamModel?: string;
  attempts?: number;
  cache?: "HIT" | "MISS" | "BYPASS";
  sessionId?: string;
  streaming?: boolean;
  /** Milliseconds spent waiting on upstreams (until the first chunk for streams). */
  upstreamMs?: number;
  /** Milliseconds from the request's start to the first streamed byte. */
  firstByteMs?: number;
  status?: number;
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** What went wrong, in words (logs). */
  error?: string;
  /** The OpenAI error code (or type) of the answer, or of a stream that failed after its first byte. */
  errorCode?: string;
}

export type CompletionListener = (meta: RequestMeta, durationMs: number) => void;

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const metas = new WeakMap<Request, RequestMeta>();

export function metaOf(request: Request): RequestMeta {
  const meta = metas.get(request);
  if (!meta) throw new Error("request-context plugin is not installed");
  return meta;
}

/** The request's id, if the request-context plugin saw it (error answers name it). */
export const requestIdOf = (request: Request): string | undefined => metas.get(request)?.id;
/** For hooks that also see requests refused before the context was made (onError). */
export const findMeta = (request: Request): RequestMeta | undefined => metas.get(request);

export class RequestEvents {
  private readonly listeners: CompletionListener[] = [];

  onComplete(listener: CompletionListener): void {
    this.listeners.push(listener);
  }

  complete(meta: RequestMeta, status: number): void {
    meta.status = status;
    const duration = performance.now() - meta.start;
    for (const listener of this.listeners) listener(meta, duration);
  }
}

/** Who is calling: the hash of its bearer key, its JWT subject, or (without a credential) its IP. */
export type Identify = (request: Request, ip: () => string | null) => Promise<{ kind: string; id: string; keyId?: string; login?: string }>;

export function requestContext(events: RequestEvents, identify: Identify, clock: Clock) {
  return new Elysia({ name: "request-context" })
    .onRequest(async ({ request, server, set }) => {
      const start = performance.now();
      const given = request.headers.get("x-request-id");
      // Time-ordered (UUIDv7) on the clock that also times the request's ledger row: the usage API finds a
      // row by its id through the ledger's time index (ledger/sql.ts cursorQuery).
      const id = given && REQUEST_ID.test(given) ? given : Bun.randomUUIDv7("hex", clock());
      set.headers["x-request-id"] = id;
      const who = await identify(request, () => server?.requestIP(request)?.address ?? null);
      metas.set(request, { id, method: request.method, route: "unmatched", start, client: `${who.kind}:${who.id}`, keyId: who.keyId, login: who.login });
    })
    .onTransform({ as: "global" }, ({ request, route, body }) => {
      // Known once a route matched; streams complete after the handler, so record it now.
      const meta = metas.get(request);
      if (!meta) return;
      meta.route = route;
      // Read before validation, so a refused request still names the model it asked for.
      const model = (body as { model?: unknown } | undefined)?.model;
      if (typeof model === "string") meta.model = model.slice(0, 200);
    })
    .onAfterResponse({ as: "global" }, ({ request, route, set, responseValue }) => {
      const meta = metas.get(request);
      if (!meta) return;
      if (route) meta.route = route;
      // Streams complete when their body ends (see doors/stream.ts), not when the handler returns.
      if (meta.streaming) return;
      events.complete(meta, responseValue instanceof Response ? responseValue.status : Number(set.status) || 200);
    });
}
