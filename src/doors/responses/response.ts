// The internal chat completion -> a Response object (protocols-doors.md 2.3, 2.7). The stream mapping
// builds the same items and envelope with the helpers here, so both paths answer alike.
import type { ChatCompletion, ToolCall, Usage } from "../../providers/types.ts";
import { type Item, newId, type ResponseObject, type ResponsesRequest, type ResponseUsage, type ToolTargets } from "./types.ts";

/** What a Response needs besides the upstream answer. */
export interface ResponseContext {
  id: string;
  createdAt: number;
  request: ResponsesRequest;
  targets: ToolTargets;
  /** Reasoning text becomes a reasoning item only when the request asked for reasoning. */
  reasoning: boolean;
}

export function toResponse(completion: ChatCompletion, ctx: ResponseContext): ResponseObject {
  const choice = completion.choices[0];
  const message = choice?.message;
  const output: Item[] = [];
  const thought = message && reasoningText(message);
  if (ctx.reasoning && thought) output.push(reasoningItem(newId("rs"), thought, "completed"));
  if (typeof message?.content === "string" && message.content !== "") output.push(messageItem(newId("msg"), message.content, "completed"));
  for (const call of message?.tool_calls ?? []) output.push(callItem(call, ctx.targets, "completed"));
  return finish(envelope(ctx, "in_progress"), output, choice?.finish_reason ?? "stop", completion.usage);
}

/** The Response before its output: the request's settings echoed, as `response.created` shows it. */
export function envelope(ctx: ResponseContext, status: ResponseObject["status"]): ResponseObject {
  const r = ctx.request;
  return {
    id: ctx.id,
    object: "response",
    created_at: ctx.createdAt,
    status,
    error: null,
    incomplete_details: null,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    model: r.model,
    output: [],
    output_text: "",
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: r.previous_response_id ?? null,
    reasoning: r.reasoning ?? null,
    store: r.store !== false,
    temperature: r.temperature ?? null,
    text: r.text ?? { format: { type: "text" } },
    tool_choice: r.tool_choice ?? "auto",
    tools: r.tools ?? [],
    top_p: r.top_p ?? null,
    truncation: "disabled",
    usage: null,
    user: r.user ?? null,
    metadata: r.metadata ?? {},
  };
}

/** Completes the envelope: output, status from the finish reason, usage. */
export function finish(response: ResponseObject, output: Item[], finishReason: string | null, usage: Usage | null | undefined): ResponseObject {
  response.output = output;
  response.output_text = output.flatMap((it) => (it.type === "message" && Array.isArray(it.content) ? it.content.map((p) => p.text ?? "") : [])).join("");
  const cut = finishReason === "length" ? "max_output_tokens" : finishReason === "content_filter" ? "content_filter" : null;
  response.status = cut ? "incomplete" : "completed";
  response.incomplete_details = cut ? { reason: cut } : null;
  response.usage = usage ? toUsage(usage) : null;
  return response;
}

export function toUsage(u: Usage): ResponseUsage {
  const details = (u.prompt_tokens_details ?? {}) as { cached_tokens?: number };
  const out = (u.completion_tokens_details ?? {}) as { reasoning_tokens?: number };
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: details.cached_tokens ?? 0 },
    output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: out.reasoning_tokens ?? 0 },
    total_tokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens,
  };
}

export const messageItem = (id: string, text: string, status: string): Item => ({
  type: "message", id, status, role: "assistant", content: [{ type: "output_text", text, annotations: [] }],
});

export const reasoningItem = (id: string, text: string, status: string): Item => ({
  type: "reasoning", id, status, summary: [], content: [{ type: "reasoning_text", text }],
});

/** Upstream reasoning arrives as `reasoning_content` (Gemini, DeepSeek) or `reasoning` (OpenRouter). */
export function reasoningText(delta: Record<string, unknown>): string | undefined {
  const text = delta.reasoning_content ?? delta.reasoning;
  return typeof text === "string" && text !== "" ? text : undefined;
}

/**
 * A tool call as the client's tool kind expects it: a function_call, or a custom_tool_call whose input
 * is the `input` string the upstream wrote; both carry the tool's own name and namespace (Codex looks
 * tools up by both).
 */
export function callItem(call: Pick<ToolCall, "id" | "function">, targets: ToolTargets, status: string, itemId?: string): Item {
  const target = targets.get(call.function.name);
  const namespace = target?.namespace ? { namespace: target.namespace } : {};
  const name = target?.name ?? call.function.name;
  if (target?.kind === "custom") {
    return { type: "custom_tool_call", id: itemId ?? newId("ctc"), status, call_id: call.id, name, ...namespace, input: customInput(call.function.arguments) };
  }
  return { type: "function_call", id: itemId ?? newId("fc"), status, call_id: call.id, name, ...namespace, arguments: call.function.arguments };
}

/** The `input` string of `{"input": "..."}`; a model that wrote something else gets its text passed on as is. */
export function customInput(args: string): string {
  try {
    const parsed = JSON.parse(args) as unknown;
    if (parsed && typeof parsed === "object" && typeof (parsed as { input?: unknown }).input === "string") return (parsed as { input: string }).input;
  } catch {
    // Not JSON: the model wrote the raw input.
  }
  return args;
}
