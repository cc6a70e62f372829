// Internal chat chunks -> Responses stream events (protocols-doors.md 2.4), as a StreamEncoder: the frames
// of each upstream chunk go out as it arrives (a custom tool's input alone waits for its call to end, as
// it must be unwrapped from JSON). One output item is open at a time: a change of kind, or a new tool
// call, closes it. Every `output_item.done` carries the whole item and the terminal event the whole
// Response (Codex reads them); `sequence_number` counts every event from 0.
import type { GatewayError } from "../../errors.ts";
import type { ChatChunk, ToolCallDelta } from "../../providers/types.ts";
import type { StreamEncoder } from "../stream.ts";
import { callItem, customInput, envelope, finish, messageItem, reasoningItem, reasoningText, type ResponseContext } from "./response.ts";
import { type Item, newId, type ResponseObject, type ToolTarget } from "./types.ts";

type Open =
  | { kind: "message" | "reasoning"; index: number; id: string; text: string }
  | { kind: "call"; index: number; id: string; upstream: number; callId: string; name?: string; target?: ToolTarget; args: string };

/** `onDone` hears the final Response when the stream finished (completed or incomplete), to store it. */
export function responseEvents(ctx: ResponseContext, onDone: (response: ResponseObject) => void): StreamEncoder {
  let seq = 0;
  let frames = "";
  const output: Item[] = [];
  let open: Open | undefined;
  let finishReason: string | null = null;
  let usage: ChatChunk["usage"];

  const emit = (type: string, fields: Record<string, unknown>) => {
    frames += `event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: seq++ })}\n\n`;
  };
  /** The frames gathered since the last call. */
  const take = () => {
    const text = frames;
    frames = "";
    return text;
  };
  /** The two events that open every stream, before the first frame of anything else. */
  const start = () => {
    if (seq > 0) return;
    const created = envelope(ctx, "in_progress");
    emit("response.created", { response: created });
    emit("response.in_progress", { response: created });
  };
  const added = (item: Item) => {
    output.push(item);
    emit("response.output_item.added", { output_index: output.length - 1, item });
  };
  const done = (index: number, item: Item) => {
    output[index] = item;
    emit("response.output_item.done", { output_index: index, item });
  };

  const openText = (kind: "message" | "reasoning") => {
    close();
    const id = newId(kind === "message" ? "msg" : "rs");
    const part = kind === "message" ? { type: "output_text", text: "", annotations: [] } : { type: "reasoning_text", text: "" };
    added(kind === "message" ? { type: "message", id, status: "in_progress", role: "assistant", content: [] } : { type: "reasoning", id, status: "in_progress", summary: [], content: [] });
    emit("response.content_part.added", { item_id: id, output_index: output.length - 1, content_index: 0, part });
    return (open = { kind, index: output.length - 1, id, text: "" });
  };
  const text = (kind: "message" | "reasoning", delta: string) => {
    const o = open?.kind === kind ? open : openText(kind);
    o.text += delta;
    const at = { item_id: o.id, output_index: o.index, content_index: 0 };
    if (kind === "message") emit("response.output_text.delta", { ...at, delta, logprobs: [] });
    else emit("response.reasoning_text.delta", { ...at, delta });
  };

  const call = (d: ToolCallDelta) => {
    let o = open;
    if (o?.kind !== "call" || o.upstream !== d.index) {
      close();
      o = open = { kind: "call", index: -1, id: "", upstream: d.index, callId: d.id ?? newId("call"), args: "" };
    }
    const args = d.function?.arguments ?? "";
    if (o.name === undefined && d.function?.name) {
      // Announced once its name is known, with whatever arguments came before it.
      o.name = d.function.name;
      o.target = ctx.targets.get(o.name);
      const item = callItem({ id: o.callId, function: { name: o.name, arguments: "" } }, ctx.targets, "in_progress");
      o.id = item.id as string;
      added(item);
      o.index = output.length - 1;
      o.args += args;
      if (o.args && o.target?.kind !== "custom") emit("response.function_call_arguments.delta", { item_id: o.id, output_index: o.index, delta: o.args });
      return;
    }
    o.args += args;
    if (args && o.name !== undefined && o.target?.kind !== "custom") emit("response.function_call_arguments.delta", { item_id: o.id, output_index: o.index, delta: args });
  };

  const close = () => {
    const o = open;
    open = undefined;
    if (!o) return;
    if (o.kind === "call") {
      if (o.name === undefined) return;
      const at = { item_id: o.id, output_index: o.index };
      const item = callItem({ id: o.callId, function: { name: o.name, arguments: o.args } }, ctx.targets, "completed", o.id);
      if (item.type === "custom_tool_call") {
        const input = customInput(o.args);
        emit("response.custom_tool_call_input.delta", { ...at, delta: input });
        emit("response.custom_tool_call_input.done", { ...at, input });
      } else emit("response.function_call_arguments.done", { ...at, arguments: o.args });
      done(o.index, item);
      return;
    }
    const at = { item_id: o.id, output_index: o.index, content_index: 0 };
    if (o.kind === "message") {
      emit("response.output_text.done", { ...at, text: o.text, logprobs: [] });
      emit("response.content_part.done", { ...at, part: { type: "output_text", text: o.text, annotations: [] } });
      done(o.index, messageItem(o.id, o.text, "completed"));
    } else {
      emit("response.reasoning_text.done", { ...at, text: o.text });
      emit("response.content_part.done", { ...at, part: { type: "reasoning_text", text: o.text } });
      done(o.index, reasoningItem(o.id, o.text, "completed"));
    }
  };

  const translate = (chunk: ChatChunk) => {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) return;
    const delta = choice.delta ?? {};
    const thought = reasoningText(delta);
    if (thought && ctx.reasoning) text("reasoning", thought);
    if (typeof delta.content === "string" && delta.content !== "") text("message", delta.content);
    for (const d of delta.tool_calls ?? []) call(d);
    if (choice.finish_reason) {
      finishReason = choice.finish_reason;
      close();
    }
  };


  return {
    chunk(chunk) {
      start();
      translate(chunk);
      return take();
    },
    end() {
      start();
      close();
      const response = finish(envelope(ctx, "in_progress"), output, finishReason, usage);
      emit(response.status === "incomplete" ? "response.incomplete" : "response.completed", { response });
      onDone(response);
      return take();
    },
    fail(error: GatewayError) {
      start();
      const response = { ...envelope(ctx, "failed"), output, error: { code: error.code ?? "server_error", message: error.message } };
      emit("response.failed", { response });
      return take();
    },
    // An SSE comment: every client skips it, and proxies see traffic on a long silent stream.
    ping: ": keep-alive\n\n",
  };
}
