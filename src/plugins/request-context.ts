// Per-request bookkeeping shared by the plugins: a request id (the client's x-request-id when it is
// sane), the start time, who the client is, and what routing did. A request is "completed" once: when
// its response is handed over, or, for a stream, when the stream ends. Logging and metrics subscribe.
import { Elysia } from "elysia";
import type { Door } from "../doors/door.ts";
import type { ChatCompletion, ChatRequest } from "../providers/types.ts";

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
  error?: string;
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
export type Identify = (request: Request, ip: () => string | null) => Promise<{ kind: string; id: string }>;

export function requestContext(events: RequestEvents, identify: Identify) {
  return new Elysia({ name: "request-context" })
    .onRequest(async ({ request, server, set }) => {
      const start = performance.now();
      const given = request.headers.get("x-request-id");
      const id = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
      set.headers["x-request-id"] = id;
      const who = await identify(request, () => server?.requestIP(request)?.address ?? null);
      metas.set(request, { id, method: request.method, route: "unmatched", start, client: `${who.kind}:${who.id}` });
    })
    .onTransform({ as: "global" }, ({ request, route }) => {
      // Known once a route matched; streams complete after the handler, so record it now.
      const meta = metas.get(request);
      if (meta) meta.route = route;
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
