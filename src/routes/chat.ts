// POST /v1/chat/completions: validate, route to a free upstream, answer in OpenAI's shape.
import { Elysia } from "elysia";
import { badRequest } from "../errors.ts";
import { metaOf, type RequestEvents, type RequestMeta } from "../plugins/request-context.ts";
import type { ChatRequest } from "../providers/types.ts";
import type { Routed, Router } from "../routing/router.ts";
import { chatRequestSchema } from "./chat.schema.ts";
import { sseBody } from "./sse.ts";

export function chatRoutes(router: Router, events: RequestEvents, maxTokensLimit: number) {
  return new Elysia().post(
    "/v1/chat/completions",
    async ({ body, request, set }) => {
      const req = body as ChatRequest;
      checkMessages(req);
      const meta = metaOf(request);
      if (req.stream) {
        const routed = await timed(meta, () => router.chatStream(req, request.signal));
        // From here the stream, not the handler, completes the request (failures before this are plain errors).
        meta.streaming = true;
        noteRoute(meta, set.headers, routed);
        const stream = sseBody(routed.result, {
          model: req.model,
          includeUsage: req.stream_options?.include_usage === true,
          onFirstByte: () => (meta.firstByteMs = performance.now() - meta.start),
          onEnd: ({ usage, error, cancelled }) => {
            meta.usage = usage;
            meta.error = error?.message ?? (cancelled ? "client disconnected" : undefined);
            events.complete(meta, 200);
          },
        });
        return new Response(stream, {
          headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" },
        });
      }
      const routed = await timed(meta, () => router.chat(req, request.signal));
      noteRoute(meta, set.headers, routed);
      meta.usage = routed.result.usage;
      // The completion was parsed for this request alone: naming the requested model in place spares a copy.
      routed.result.model = req.model;
      return routed.result;
    },
    {
      body: chatRequestSchema(maxTokensLimit),
      detail: {
        summary: "Create a chat completion",
        description: "OpenAI-compatible. `model` may be an alias (gpt-4o-mini ...), an OpenRouter id (vendor/model:free) or opencode-<id>. Set `stream: true` for server-sent events.",
        tags: ["OpenAI"],
      },
    },
  );
}

/** Rules a schema cannot express: who needs content, and what goes with streaming. */
function checkMessages(req: ChatRequest): void {
  req.messages.forEach((m, i) => {
    const empty = m.content === undefined || m.content === null || (Array.isArray(m.content) && m.content.length === 0);
    if (empty && !(m.role === "assistant" && m.tool_calls?.length)) {
      throw badRequest(`messages[${i}] (role '${m.role}') must have content${m.role === "assistant" ? " or tool_calls" : ""}.`,
        `messages[${i}].content`, "missing_required_parameter");
    }
    if (m.role === "tool" && !m.tool_call_id) {
      throw badRequest(`messages[${i}] has role 'tool' but no tool_call_id.`, `messages[${i}].tool_call_id`, "missing_required_parameter");
    }
  });
  if (req.stream_options && !req.stream) {
    throw badRequest("stream_options is only allowed when stream is true.", "stream_options", "invalid_value");
  }
}

/** Says where the request went: response headers for the client, request meta for logs and metrics. */
export function noteRoute(meta: RequestMeta, headers: Record<string, unknown>, routed: Routed<unknown>): void {
  meta.provider = routed.provider;
  meta.upstreamModel = routed.model;
  meta.attempts = routed.attempts;
  headers["x-gateway-provider"] = routed.provider;
  headers["x-gateway-upstream-model"] = routed.model;
  headers["x-gateway-attempts"] = String(routed.attempts);
}

/** Records how long the router (upstream calls) took, also when it fails. */
export async function timed<T>(meta: RequestMeta, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    meta.upstreamMs = performance.now() - started;
  }
}
