// POST /v1/completions (legacy): each prompt is answered by a chat model as one user message. The first
// prompt goes the way of every door (sessions, cache, router); the others of a prompt array are routed
// beside it when the answer is put together, so a cached first prompt stays a valid cache entry.
import { metaOf, type RequestMeta } from "../../plugins/request-context.ts";
import type { Router } from "../../routing/router.ts";
import { chunkFrames } from "../chat/door.ts";
import type { Door } from "../door.ts";
import { type CompletionRequest, prompts, toChat } from "./request.ts";
import { chunkMapper, toCompletion } from "./response.ts";
import { completionsRequestSchema } from "./schema.ts";

export function completionsDoor(router: Router, maxTokensLimit: number): Door<CompletionRequest> {
  const batches = new WeakMap<RequestMeta, { list: string[]; signal: AbortSignal }>();
  return {
    route: "/v1/completions",
    name: "completions",
    schema: completionsRequestSchema(maxTokensLimit),
    detail: {
      summary: "Create a completion (legacy)",
      description: "OpenAI's legacy completions: each prompt is sent to a chat model as one user message (`max_tokens` defaults to 16, as OpenAI documents). `suffix`, token-id prompts, `best_of` and `logprobs` are refused.",
      tags: ["OpenAI"],
    },
    toChat(req, _headers, request) {
      const list = prompts(req);
      batches.set(metaOf(request), { list, signal: request.signal });
      return toChat(req, list[0]);
    },
    async reply(completion, req, meta) {
      const { list, signal } = batches.get(meta)!;
      if (list.length === 1) return toCompletion(req, list, [completion]);
      const rest = await Promise.all(list.slice(1).map((p) => router.chat(toChat(req, p), signal)));
      const answer = toCompletion(req, list, [completion, ...rest.map((r) => r.result)]);
      meta.usage = answer.usage;
      return answer;
    },
    stream: (req) => chunkFrames(req.model, req.stream_options?.include_usage === true, chunkMapper(req, prompts(req)[0])),
  };
}
