// Gemini SSE (`:streamGenerateContent?alt=sse`) -> OpenAI chat.completion.chunk objects, yielded as
// each event arrives. Every Gemini event is a whole GenerateContentResponse holding only new parts;
// a functionCall arrives complete in one event, so each becomes one tool-call delta.

import type { ChatChunk, FinishReason, Usage } from "../types.ts";
import { SseEvents } from "../sse.ts";
import { geminiError, invalidResponse, transportError } from "./errors.ts";
import { completionId, finishReason, toLogprobs, toUsage, translateParts } from "./response.ts";
import type { GeminiErrorBody, GeminiResponse } from "./wire.ts";

type Choice = ChatChunk["choices"][number];

interface ChoiceState { roleSent: boolean; toolCalls: number; finished: boolean }

export async function* translateStream(
  body: ReadableStream<Uint8Array>,
  opts: { model: string; includeUsage: boolean; signal: AbortSignal },
): AsyncGenerator<ChatChunk> {
  let id: string | undefined;
  let model = opts.model;
  let usage: Usage | undefined;
  const created = Math.floor(Date.now() / 1000);
  const states = new Map<number, ChoiceState>();
  // With include_usage, OpenAI sends `usage: null` on every chunk and the totals in a last one.
  const chunk = (choices: Choice[]): ChatChunk => ({
    id: id!, object: "chat.completion.chunk", created, model, choices, ...(opts.includeUsage ? { usage: null } : {}),
  });
  const state = (index: number): ChoiceState => {
    let s = states.get(index);
    if (!s) states.set(index, (s = { roleSent: false, toolCalls: 0, finished: false }));
    return s;
  };
  const finish = (index: number, reason: FinishReason): ChatChunk => {
    state(index).finished = true;
    return chunk([{ index, delta: {}, finish_reason: reason }]);
  };

  const events = new SseEvents(body);
  try {
    for (let data = await events.next(); data !== undefined; data = await events.next()) {
      let event: GeminiResponse & GeminiErrorBody;
      try {
        event = JSON.parse(data);
      } catch {
        throw invalidResponse("a stream event that is not JSON");
      }
      if (event.error) throw geminiError(event.error.code ?? 500, event);
      id ??= completionId(event.responseId);
      model = event.modelVersion ?? model;
      if (event.usageMetadata) usage = toUsage(event.usageMetadata);

      const candidates = event.candidates ?? [];
      if (candidates.length === 0 && event.promptFeedback?.blockReason) {
        const s = state(0);
        if (!s.roleSent) yield chunk([{ index: 0, delta: { role: "assistant", content: null }, finish_reason: null }]);
        s.roleSent = true;
        yield finish(0, "content_filter");
        continue;
      }
      for (const [i, candidate] of candidates.entries()) {
        const index = candidate.index ?? i;
        const s = state(index);
        const { content, reasoning, toolCalls } = translateParts(candidate.content?.parts);
        const delta: Choice["delta"] = s.roleSent ? {} : { role: "assistant" };
        s.roleSent = true;
        if (content !== null) delta.content = content;
        if (reasoning !== null) delta.reasoning_content = reasoning;
        if (toolCalls.length > 0) delta.tool_calls = toolCalls.map((call) => ({ index: s.toolCalls++, ...call }));
        if (Object.keys(delta).length > 0) {
          const logprobs = toLogprobs(candidate.logprobsResult);
          yield chunk([{ index, delta, finish_reason: null, ...(logprobs ? { logprobs } : {}) }]);
        }
        if (candidate.finishReason) yield finish(index, finishReason(candidate.finishReason, s.toolCalls > 0));
      }
    }
  } catch (err) {
    throw transportError(err, opts.signal);
  } finally {
    // Also when the consumer stops early: cancelling the body aborts the upstream request.
    events.cancel();
  }

  // Gemini always ends with a finishReason event; without one the stream was cut short.
  if (states.size === 0 || [...states.values()].some((s) => !s.finished)) throw invalidResponse("a stream that ended before its finish reason");
  // Always last, for metrics and sessions; the SSE route drops it unless the client asked for usage.
  if (usage) yield { ...chunk([]), usage };
}
