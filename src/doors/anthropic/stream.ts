// Internal chat chunks -> Anthropic's stream events (protocols-doors.md 1.4, 1.8): message_start and a
// ping with the first chunk, then one open content block at a time (a kind change or a new tool call
// closes it and opens the next index), one delta per upstream chunk, and at the end message_delta
// (stop_reason, usage) and message_stop. A failure after the first byte is an `event: error`.
import type { GatewayError } from "../../errors.ts";
import type { ChatChunk, Usage } from "../../providers/types.ts";
import type { StreamEncoder } from "../stream.ts";
import { anthropicError } from "./errors.ts";
import { thinkingEnabled } from "./request.ts";
import { anthropicUsage, messageId, reasoningOf, stopReason, toolUseId, type StopReason } from "./response.ts";
import type { MessagesRequest } from "./schema.ts";

const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const PING = event("ping", {});

export function messageEvents(body: Pick<MessagesRequest, "model" | "thinking">): StreamEncoder {
  const thinking = thinkingEnabled(body);
  let started = false;
  let index = -1;
  /** The open block: "text", "thinking", or the upstream index of the tool call it holds. */
  let open: "text" | "thinking" | number | undefined;
  let stop: StopReason | undefined;
  let usage: Usage | null | undefined;

  const start = () => {
    started = true;
    const message = { id: messageId(), type: "message", role: "assistant", model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(undefined) };
    return event("message_start", { message }) + PING;
  };
  const close = () => {
    if (open === undefined) return "";
    open = undefined;
    return event("content_block_stop", { index });
  };
  const begin = (kind: "text" | "thinking" | number, block: Record<string, unknown>) => {
    const out = close();
    open = kind;
    index++;
    return out + event("content_block_start", { index, content_block: block });
  };

  return {
    ping: PING,
    chunk(chunk: ChatChunk) {
      let out = started ? "" : start();
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) return out;
      const delta = choice.delta;
      const reasoning = thinking ? reasoningOf(delta) : undefined;
      if (reasoning) {
        if (open !== "thinking") out += begin("thinking", { type: "thinking", thinking: "", signature: "" });
        out += event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: reasoning } });
      }
      if (delta.content) {
        if (open !== "text") out += begin("text", { type: "text", text: "" });
        out += event("content_block_delta", { index, delta: { type: "text_delta", text: delta.content } });
      }
      for (const call of delta.tool_calls ?? []) {
        if (open !== call.index) {
          out += begin(call.index, { type: "tool_use", id: toolUseId(call.id), name: call.function?.name ?? "", input: {} });
        }
        const args = call.function?.arguments;
        if (args) out += event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: args } });
      }
      if (choice.finish_reason) {
        stop = stopReason(choice.finish_reason);
        out += close();
      }
      return out;
    },
    end() {
      // The usage chunk comes after finish_reason: message_delta waits for the upstream's end.
      const out = (started ? "" : start()) + close();
      return out + event("message_delta", { delta: { stop_reason: stop ?? "end_turn", stop_sequence: null }, usage: anthropicUsage(usage) })
        + event("message_stop", {});
    },
    fail: (error: GatewayError) => event("error", { error: anthropicError(error) }),
  };
}
