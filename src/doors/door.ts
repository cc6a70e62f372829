// Front doors: each API dialect the gateway speaks (OpenAI chat, Anthropic Messages, ...) is a Door that
// translates at the edge into the one internal ChatRequest and back. Everything between the two edges is
// shared, so auth, rate limits, sessions, cache, routing, failover, metrics and logs treat every door
// alike. How a request flows (README.md in this folder says how to add a door):
//
//   validation (the door's schema)
//   -> doorTranslation: door.toChat(body) puts the internal request in RequestMeta.chat (global
//      onBeforeHandle registered before the sessions and cache plugins, which read meta.chat)
//   -> sessions, cache (a hit hands the cached internal completion to door.reply)
//   -> doorRoute's handler: router.chat / router.chatStream with meta.chat
//   -> door.reply(completion) or door.stream() frames written by sseStream
import { Elysia, type TSchema } from "elysia";
import { metaOf, type RequestEvents, type RequestMeta } from "../plugins/request-context.ts";
import type { ChatCompletion, ChatRequest } from "../providers/types.ts";
import type { Router } from "../routing/router.ts";
import { noteRoute, timed } from "../routes/routed.ts";
import { estimateUsage, messageTexts } from "../ledger/estimate.ts";
import { sseStream, type StreamEncoder } from "./stream.ts";

// Door methods take the body Elysia validated against `schema`, hence `any` as the default.
export interface Door<Body = any> {
  /** The route it serves, e.g. "/v1/messages". */
  route: string;
  /** Its label in metrics and logs ("chat", "messages" ...). */
  name: string;
  schema: TSchema;
  detail: { summary: string; description?: string; tags: string[] };
  /**
   * The client's validated body as the internal request, which goes upstream as it is. Throws a
   * GatewayError for what cannot be translated; may set response headers (x-gateway-dropped-tools).
   * A door that must read a store first (Responses' previous_response_id) returns a promise.
   */
  toChat(body: Body, headers: Record<string, unknown>, request: Request): ChatRequest | Promise<ChatRequest>;
  /** A whole internal completion, fresh or from the cache, as the door's JSON answer. */
  reply(completion: ChatCompletion, body: Body, meta: RequestMeta): unknown;
  /** A fresh encoder for one streamed answer. */
  stream(body: Body, meta: RequestMeta): StreamEncoder;
  /** OpenAI chat's extension: JSON answers carry `sessionId` (the sessions plugin sets it). */
  sessionInBody?: boolean;
  /**
   * The door lowers a max_tokens above its limit instead of refusing it (Claude Code asks for 128000):
   * the router then also lowers it to each candidate's output limit where the live catalog knows one.
   */
  lowersMaxTokens?: boolean;
}

/**
 * A list of client-supplied names as a response header value (x-gateway-dropped-tools). Header values
 * allow visible ASCII only: anything else would make the response itself fail (a 500 from the server),
 * so other characters become "?", and the value stays short.
 */
export function headerList(names: string[]): string {
  return names.map((n) => n.slice(0, 64).replace(/[^\x20-\x7e]/g, "?")).join(", ").slice(0, 1024);
}

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" };

/**
 * Translates every door's request before the sessions and cache plugins look at it: install it before
 * them. One map lookup per request; routes without a door (embeddings, admin ...) pass untouched.
 */
export function doorTranslation(doors: Door[]) {
  const byRoute = new Map(doors.map((d) => [d.route, d]));
  return new Elysia({ name: "door-translation" }).onBeforeHandle({ as: "global" }, ({ request, route, body, set }) => {
    const door = byRoute.get(route);
    if (!door) return;
    const meta = metaOf(request);
    meta.door = door;
    const chat = door.toChat(body, set.headers, request);
    // Only doors that need it pay for a promise.
    if (chat instanceof Promise) return chat.then((c) => void (meta.chat = c));
    meta.chat = chat;
  });
}

/** The door's POST route: routes meta.chat through the Router and answers in the door's dialect. */
export function doorRoute(door: Door, router: Router, events: RequestEvents) {
  return new Elysia().post(door.route, async ({ body, request, set }) => {
    const meta = metaOf(request);
    const chat = meta.chat!;
    if (chat.stream) {
      const routed = await timed(meta, () => router.chatStream(chat, request.signal, door.lowersMaxTokens));
      // From here the stream, not the handler, completes the request (failures before this are plain errors).
      meta.streaming = true;
      noteRoute(meta, set.headers, routed);
      const stream = sseStream(routed.result, door.stream(body, meta), {
        onFirstByte: () => (meta.firstByteMs = performance.now() - meta.start),
        onEnd: ({ usage, error, cancelled, text }) => {
          meta.error = error?.message ?? (cancelled ? "client disconnected" : undefined);
          // A failure after the first byte keeps the 200 the client got, but is recorded as an error.
          if (error) meta.errorCode = error.code ?? error.type;
          meta.usage = usage;
          if (!cancelled) return events.complete(meta, 200);
          // 499 (nginx's "client closed request"), with the tokens seen so far or an estimate of them.
          meta.errorCode = "client_closed";
          if (usage) return events.complete(meta, 499);
          void estimateUsage(messageTexts(chat.messages), text)
            .then((estimate) => void (meta.usage = estimate), () => undefined)
            .finally(() => events.complete(meta, 499));
        },
      });
      return new Response(stream, { headers: SSE_HEADERS });
    }
    const routed = await timed(meta, () => router.chat(chat, request.signal, door.lowersMaxTokens));
    noteRoute(meta, set.headers, routed);
    meta.usage = routed.result.usage;
    meta.completion = routed.result;
    return door.reply(routed.result, body, meta);
  }, { body: door.schema, detail: door.detail });
}
