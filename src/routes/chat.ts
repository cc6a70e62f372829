// POST /v1/chat/completions: validate, route to a free upstream, answer in OpenAI's shape.
import { Elysia } from "elysia";
import { badRequest } from "../errors.ts";
import type { ChatRequest } from "../providers/types.ts";
import type { Router } from "../routing/router.ts";
import { chatRequestSchema } from "./chat.schema.ts";
import { sseBody } from "./sse.ts";

export function chatRoutes(router: Router, maxTokensLimit: number) {
  return new Elysia().post(
    "/v1/chat/completions",
    async ({ body, request, set }) => {
      const req = body as ChatRequest;
      checkMessages(req);
      if (req.stream) {
        const routed = await router.chatStream(req, request.signal);
        return new Response(sseBody(routed.result, { model: req.model, includeUsage: req.stream_options?.include_usage === true }), {
          headers: {
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-cache",
            "x-accel-buffering": "no",
            ...routeHeaders(routed),
          },
        });
      }
      const routed = await router.chat(req, request.signal);
      Object.assign(set.headers, routeHeaders(routed));
      return { ...routed.result, model: req.model };
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

export function routeHeaders(routed: { provider: string; model: string; attempts: number }): Record<string, string> {
  return {
    "x-gateway-provider": routed.provider,
    "x-gateway-upstream-model": routed.model,
    "x-gateway-attempts": String(routed.attempts),
  };
}
