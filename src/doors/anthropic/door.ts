// POST /v1/messages (Anthropic's Messages API) and POST /v1/messages/count_tokens. Credentials are the
// gateway's own (x-api-key or Bearer, see auth/authenticator.ts); anthropic-version and anthropic-beta
// change nothing here and are ignored; Claude Code's `?beta=true` query is accepted (routes match paths).
import { Elysia } from "elysia";
import { headerList, type Door } from "../door.ts";
import { countTokens } from "./count-tokens.ts";
import { toChat } from "./request.ts";
import { toMessage } from "./response.ts";
import { countTokensRequestSchema, messagesRequestSchema, type MessagesRequest } from "./schema.ts";
import { messageEvents } from "./stream.ts";

export function messagesDoor(maxTokensLimit: number): Door<MessagesRequest> {
  return {
    route: "/v1/messages",
    name: "messages",
    schema: messagesRequestSchema,
    detail: {
      summary: "Create a message (Anthropic Messages API)",
      description: "Anthropic-compatible, for Claude Code and the Anthropic SDKs. `claude-*` names map to free models; any model the gateway knows works. `max_tokens` above MAX_TOKENS_LIMIT is lowered to it; server tools are dropped (x-gateway-dropped-tools).",
      tags: ["Anthropic"],
    },
    toChat(body, headers) {
      // Anthropic's SDKs read the request id from `request-id` (errors carry it too, doors/errors.ts).
      headers["request-id"] = headers["x-request-id"];
      const { chat, droppedTools } = toChat(body, maxTokensLimit);
      if (droppedTools.length > 0) headers["x-gateway-dropped-tools"] = headerList(droppedTools);
      return chat;
    },
    lowersMaxTokens: true,
    reply: (completion, body) => toMessage(completion, body),
    stream: (body) => messageEvents(body),
  };
}

export function countTokensRoute() {
  return new Elysia().post("/v1/messages/count_tokens", async ({ body, set }) => {
    set.headers["request-id"] = set.headers["x-request-id"] ?? "";
    return { input_tokens: await countTokens(body) };
  }, {
    body: countTokensRequestSchema,
    detail: {
      summary: "Count a message's input tokens (an estimate)",
      description: "Answered locally, never upstream: an estimate with OpenAI's o200k tokenizer (no Claude tokenizer is public), images by Anthropic's width x height / 750 rule.",
      tags: ["Anthropic"],
    },
  });
}
