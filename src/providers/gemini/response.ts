// Gemini GenerateContentResponse -> OpenAI ChatCompletion, plus the per-part, finish-reason and
// usage mappings the stream translator shares.

import type { ChatCompletion, FinishReason, ToolCall, Usage } from "../types.ts";
import { invalidResponse } from "./errors.ts";
import { withSignature } from "./signatures.ts";
import type { GeminiLogprobsResult, GeminiPart, GeminiResponse, GeminiUsage } from "./wire.ts";

export interface TranslatedParts {
  content: string | null;
  reasoning: string | null;
  toolCalls: ToolCall[];
}

/** Splits a candidate's parts into answer text, thought text and tool calls. */
export function translateParts(parts: GeminiPart[] | undefined): TranslatedParts {
  let content: string | null = null;
  let reasoning: string | null = null;
  const toolCalls: ToolCall[] = [];
  for (const part of parts ?? []) {
    if (part.functionCall) toolCalls.push(toToolCall(part));
    else if (typeof part.text === "string" && part.thought) reasoning = (reasoning ?? "") + part.text;
    else if (typeof part.text === "string") content = (content ?? "") + part.text;
  }
  return { content, reasoning, toolCalls };
}

function toToolCall(part: GeminiPart): ToolCall {
  const call = part.functionCall!;
  const args = call.args && Object.keys(call.args).length > 0 ? JSON.stringify(call.args) : "{}";
  // Gemini's own id when it sends one; see signatures.ts for why the signature rides in the id.
  const id = withSignature(call.id ?? newToolCallId(), part.thoughtSignature);
  const toolCall: ToolCall = { id, type: "function", function: { name: call.name, arguments: args } };
  if (part.thoughtSignature) toolCall.extra_content = { google: { thought_signature: part.thoughtSignature } };
  return toolCall;
}

const newToolCallId = () => `call_${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`;

const CONTENT_FILTER = new Set(["SAFETY", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "RECITATION", "LANGUAGE"]);

/** Gemini says STOP even for function-call turns, so tool calls decide first. */
export function finishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return "tool_calls";
  if (reason === "MAX_TOKENS") return "length";
  return reason !== undefined && CONTENT_FILTER.has(reason) ? "content_filter" : "stop";
}

/** candidatesTokenCount excludes thinking, which OpenAI counts as completion (reasoning) tokens. */
export function toUsage(u: GeminiUsage): Usage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const reasoning = u.thoughtsTokenCount ?? 0;
  const completion = (u.candidatesTokenCount ?? 0) + reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: u.totalTokenCount ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

/** Gemini logprobsResult -> OpenAI `logprobs.content`; top candidates align with chosen by position. */
export function toLogprobs(result: GeminiLogprobsResult | undefined): { content: unknown[] } | null {
  if (!result?.chosenCandidates) return null;
  const entry = (c: { token?: string; logProbability?: number }) => ({ token: c.token ?? "", logprob: c.logProbability ?? 0, bytes: null });
  return {
    content: result.chosenCandidates.map((chosen, i) => ({
      ...entry(chosen),
      top_logprobs: (result.topCandidates?.[i]?.candidates ?? []).map(entry),
    })),
  };
}

export const completionId = (responseId: string | undefined) => `chatcmpl-${responseId ?? crypto.randomUUID().replace(/-/g, "")}`;

export function toChatCompletion(res: GeminiResponse, model: string): ChatCompletion {
  const candidates = res.candidates ?? [];
  const base = {
    id: completionId(res.responseId),
    object: "chat.completion" as const,
    created: Math.floor(Date.now() / 1000),
    model: res.modelVersion ?? model,
    ...(res.usageMetadata ? { usage: toUsage(res.usageMetadata) } : {}),
  };
  if (candidates.length === 0) {
    // A blocked prompt is answered with no candidates: report the filter, never an empty success.
    if (!res.promptFeedback?.blockReason) throw invalidResponse("no candidates and no block reason");
    return {
      ...base,
      choices: [{ index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter", logprobs: null }],
    };
  }
  return {
    ...base,
    choices: candidates.map((c, i) => {
      const { content, reasoning, toolCalls } = translateParts(c.content?.parts);
      const message: ChatCompletion["choices"][number]["message"] = { role: "assistant", content };
      if (reasoning !== null) message.reasoning_content = reasoning;
      if (toolCalls.length > 0) message.tool_calls = toolCalls;
      return { index: c.index ?? i, message, finish_reason: finishReason(c.finishReason, toolCalls.length > 0), logprobs: toLogprobs(c.logprobsResult) };
    }),
  };
}
