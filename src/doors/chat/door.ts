// POST /v1/chat/completions: OpenAI's chat dialect is the gateway's internal shape, so this door's
// request mapping is a check and its response mapping names the requested model; streams keep OpenAI's
// `data:` frames, drop the usage chunk unless the client asked for it (naive clients crash on empty
// `choices`), and end a failure after the first byte with an error frame the OpenAI SDK raises.
import { badRequest } from "../../errors.ts";
import type { ChatChunk, ChatRequest } from "../../providers/types.ts";
import type { Door } from "../door.ts";
import type { StreamEncoder } from "../stream.ts";
import { chatRequestSchema } from "./schema.ts";

export function chatDoor(maxTokensLimit: number): Door<ChatRequest> {
  return {
    route: "/v1/chat/completions",
    name: "chat",
    schema: chatRequestSchema(maxTokensLimit),
    detail: {
      summary: "Create a chat completion",
      description: "OpenAI-compatible. `model` may be an alias (gpt-4o-mini ...), an OpenRouter id (vendor/model:free) or opencode-<id>. Set `stream: true` for server-sent events.",
      tags: ["OpenAI"],
    },
    sessionInBody: true,
    toChat(req) {
      checkMessages(req);
      return req;
    },
    reply(completion, req) {
      // The completion was parsed (or read from the cache) for this request alone: naming the requested
      // model in place spares a copy.
      completion.model = req.model;
      return completion;
    },
    stream: (req) => chunkFrames(req.model, req.stream_options?.include_usage === true),
  };
}

const DONE = "data: [DONE]\n\n";

/** OpenAI's `data:` frames; `map` reshapes each chunk for a sibling dialect (legacy completions). */
export function chunkFrames(model: string, includeUsage: boolean, map?: (chunk: ChatChunk) => unknown): StreamEncoder {
  return {
    chunk(chunk: ChatChunk) {
      if (chunk.usage && !includeUsage) {
        if (chunk.choices.length === 0) return "";
        delete chunk.usage;
      }
      chunk.model = model;
      return `data: ${JSON.stringify(map ? map(chunk) : chunk)}\n\n`;
    },
    end: () => DONE,
    fail: (error) => `data: ${JSON.stringify(error.toBody())}\n\n`,
    // An SSE comment, which OpenAI clients skip (OpenRouter sends ": OPENROUTER PROCESSING" the same way):
    // a stream silent for IDLE_TIMEOUT would otherwise be cut by the server before UPSTREAM_TIMEOUT ends it cleanly.
    ping: ": keep-alive\n\n",
  };
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
