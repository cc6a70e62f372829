// A legacy completions request (protocols-doors.md 3) -> internal chat requests: each prompt is one user
// message. What chat cannot do (suffix, token-id prompts, best_of, logprobs) is refused, never ignored.
import { badRequest } from "../../errors.ts";
import type { ChatRequest } from "../../providers/types.ts";

export interface CompletionRequest {
  model: string;
  prompt: string | string[];
  max_tokens?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  echo?: boolean | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
  suffix?: string | null;
  best_of?: number | null;
  logprobs?: number | null;
  [k: string]: unknown;
}

/** OpenAI's documented default for this endpoint. */
export const DEFAULT_MAX_TOKENS = 16;
/** Sampling fields chat takes as they are. */
const PASSED = ["temperature", "top_p", "n", "stop", "presence_penalty", "frequency_penalty", "seed", "user", "logit_bias"] as const;

/** The prompts, after refusing what chat cannot answer. */
export function prompts(req: CompletionRequest): string[] {
  if (typeof req.suffix === "string" && req.suffix !== "") {
    throw badRequest("suffix (fill-in-the-middle) is not supported: the free upstreams behind this gateway are chat models.", "suffix", "unsupported_parameter");
  }
  if (req.best_of != null && req.best_of > (req.n ?? 1)) throw badRequest("best_of is not supported.", "best_of", "unsupported_parameter");
  if (req.logprobs != null && req.logprobs > 0) throw badRequest("logprobs is not supported on /v1/completions; use /v1/chat/completions.", "logprobs", "unsupported_parameter");
  const list = typeof req.prompt === "string" ? [req.prompt] : req.prompt;
  if (!Array.isArray(list) || list.length === 0 || !list.every((p) => typeof p === "string")) {
    throw badRequest("prompt must be a string or a non-empty array of strings (token-id prompts are not supported).", "prompt", "invalid_value");
  }
  if (req.stream && list.length > 1) throw badRequest("Streaming takes one prompt; send one request per prompt.", "prompt", "invalid_value");
  return list;
}

export function toChat(req: CompletionRequest, prompt: string): ChatRequest {
  const chat: ChatRequest = { model: req.model, messages: [{ role: "user", content: prompt }], max_tokens: req.max_tokens ?? DEFAULT_MAX_TOKENS };
  for (const key of PASSED) if (req[key] != null) (chat as Record<string, unknown>)[key] = req[key];
  if (req.stream) {
    chat.stream = true;
    if (req.stream_options) chat.stream_options = req.stream_options;
  }
  return chat;
}
