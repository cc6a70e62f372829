// Internal chat completion -> Anthropic Message (protocols-doors.md 1.3, 1.8). Serves fresh and cached
// completions alike, so it reads only the completion and the client's body.
import type { ChatCompletion, Usage } from "../../providers/types.ts";
import { thinkingEnabled } from "./request.ts";
import type { MessagesRequest } from "./schema.ts";

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

const STOP_REASONS: Record<string, StopReason> = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use", function_call: "tool_use", content_filter: "refusal" };

export const stopReason = (finish: string | null | undefined): StopReason => STOP_REASONS[finish ?? ""] ?? "end_turn";

export type ContentBlock =
  | { type: "text"; text: string; citations: null }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "tool_use"; id: string; name: string; input: unknown };

export function toMessage(completion: ChatCompletion, body: Pick<MessagesRequest, "model" | "thinking">) {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: ContentBlock[] = [];
  const reasoning = message && reasoningOf(message);
  if (reasoning && thinkingEnabled(body)) content.push({ type: "thinking", thinking: reasoning, signature: "" });
  if (message?.content) content.push({ type: "text", text: message.content, citations: null });
  for (const call of message?.tool_calls ?? []) {
    content.push({ type: "tool_use", id: toolUseId(call.id), name: call.function.name, input: parseInput(call.function.arguments) });
  }
  if (content.length === 0) content.push({ type: "text", text: "", citations: null });
  return {
    id: messageId(),
    type: "message" as const,
    role: "assistant" as const,
    model: body.model,
    content,
    stop_reason: stopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsage(completion.usage),
  };
}

/** Upstream reasoning text: OpenRouter's `reasoning`, DeepSeek's and the Gemini adapter's `reasoning_content`. */
export function reasoningOf(fields: Record<string, unknown>): string | undefined {
  const text = fields.reasoning_content ?? fields.reasoning;
  return typeof text === "string" && text ? text : undefined;
}

/** Cached prompt tokens are Anthropic's cache reads; Claude Code sums the three input counts. */
export function anthropicUsage(usage: Usage | null | undefined) {
  const cached = Number((usage?.prompt_tokens_details as { cached_tokens?: number } | undefined)?.cached_tokens ?? 0);
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

export const messageId = () => `msg_${crypto.randomUUID().replaceAll("-", "")}`;
export const toolUseId = (id: string | undefined) => id || `toolu_${crypto.randomUUID().replaceAll("-", "")}`;

/** Tool arguments are JSON text upstream and an object here; a model's broken JSON becomes {}. */
function parseInput(args: string): unknown {
  try {
    const value = JSON.parse(args || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}
