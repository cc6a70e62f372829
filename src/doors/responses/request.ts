// A Responses request -> the internal chat request (protocols-doors.md 2.6). Items become chat messages
// (consecutive calls join one assistant message, outputs become tool messages); tools.ts maps the tools.
// Gateway-side fields (store, include, metadata, prompt_cache_key ...) stay here.
import { badRequest } from "../../errors.ts";
import type { ChatMessage, ChatRequest, ContentPart, ToolCall } from "../../providers/types.ts";
import { toToolChoice, toTools, type UpstreamName } from "./tools.ts";
import type { InputPart, Item, ResponsesRequest, ToolTargets } from "./types.ts";

export interface ChatTranslation {
  chat: ChatRequest;
  /** Upstream function name -> the function or custom tool to answer with. */
  targets: ToolTargets;
  /** Types of the built-in tools left out (x-gateway-dropped-tools). */
  dropped: string[];
}

/** Items kept for the record but never sent upstream: reasoning (nothing encrypted is ever minted) and built-in tool runs. */
const SILENT_ITEMS = new Set(["reasoning", "additional_tools", "web_search_call", "file_search_call", "image_generation_call", "code_interpreter_call", "compaction", "compaction_summary"]);

/** `input` as items: a string is one user message. */
export const inputItems = (input: ResponsesRequest["input"]): Item[] =>
  input === undefined ? [] : typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input;

/** `items` is the whole conversation: a stored chain's input and output, then this request's input. */
export function toChat(req: ResponsesRequest, items: Item[], maxTokensLimit: number): ChatTranslation {
  // Codex may send its tools in an `additional_tools` input item instead of `tools`.
  const allTools = [...(req.tools ?? []), ...items.flatMap((it) => (it.type === "additional_tools" ? it.tools ?? [] : []))];
  const { tools, targets, upstreamName, dropped } = toTools(allTools);
  const messages: ChatMessage[] = [];
  if (req.instructions) messages.push({ role: "system", content: req.instructions });
  const offset = items.length - inputItems(req.input).length;
  items.forEach((item, i) => addItem(messages, item, `input[${i - offset}]`, upstreamName));

  const chat: ChatRequest = { model: req.model, messages: answerDanglingCalls(messages) };
  if (req.stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  if (req.temperature != null) chat.temperature = req.temperature;
  if (req.top_p != null) chat.top_p = req.top_p;
  if (req.max_output_tokens != null) chat.max_tokens = Math.min(req.max_output_tokens, maxTokensLimit);
  if (typeof req.user === "string") chat.user = req.user;
  const effort = req.reasoning?.effort;
  if (effort && effort !== "none") chat.reasoning_effort = effort;
  const format = req.text?.format;
  if (format?.type === "json_object") chat.response_format = { type: "json_object" };
  if (format?.type === "json_schema") {
    chat.response_format = { type: "json_schema", json_schema: { name: format.name ?? "response", schema: format.schema, strict: format.strict ?? null, ...(format.description ? { description: format.description } : {}) } };
  }
  const choice = toToolChoice(req.tool_choice, allTools, upstreamName);
  if (tools.length > 0) {
    chat.tools = tools;
    if (choice !== undefined) chat.tool_choice = choice;
    if (req.parallel_tool_calls != null) chat.parallel_tool_calls = req.parallel_tool_calls;
  }
  return { chat, targets, dropped };
}

function addItem(out: ChatMessage[], item: Item, param: string, upstreamName: UpstreamName): void {
  const type = item.type ?? "message";
  switch (type) {
    case "message":
      out.push(message(item, param));
      return;
    case "function_call":
    case "custom_tool_call": {
      if (!item.call_id || !item.name) throw badRequest(`${type} items need call_id and name.`, `${param}.call_id`, "missing_required_parameter");
      const args = type === "function_call" ? item.arguments ?? "{}" : JSON.stringify({ input: item.input ?? "" });
      const call: ToolCall = { id: item.call_id, type: "function", function: { name: upstreamName(item.name, item.namespace), arguments: args } };
      const last = out.at(-1);
      if (last?.role === "assistant") (last.tool_calls ??= []).push(call);
      else out.push({ role: "assistant", content: null, tool_calls: [call] });
      return;
    }
    case "function_call_output":
    case "custom_tool_call_output":
      if (!item.call_id) throw badRequest(`${type} items need a call_id.`, `${param}.call_id`, "missing_required_parameter");
      out.push(...toolResult(item.call_id, item.output, `${param}.output`));
      return;
    case "item_reference":
      throw badRequest("item_reference items are not supported; send the item itself or use previous_response_id.", `${param}.type`, "unsupported_value");
    default:
      if (!SILENT_ITEMS.has(type)) throw badRequest(`Input items of type '${type}' are not supported.`, `${param}.type`, "unsupported_value");
  }
}

function message(item: Item, param: string): ChatMessage {
  const role = item.role;
  if (role === "assistant") return { role, content: typeof item.content === "string" ? item.content : texts(item.content ?? [], param) };
  if (role !== "user" && role !== "system" && role !== "developer") {
    throw badRequest(`Message role must be 'user', 'assistant', 'system' or 'developer' (got ${JSON.stringify(role)}).`, `${param}.role`, "invalid_value");
  }
  // `developer` is OpenAI's alone: other upstreams refuse it, and it means what `system` means to them.
  if (role !== "user") return { role: "system", content: typeof item.content === "string" ? item.content : texts(item.content ?? [], param) };
  if (typeof item.content === "string") return { role, content: item.content };
  return { role, content: (item.content ?? []).map((p, j) => part(p, `${param}.content[${j}]`)) };
}

/** Text of a system or assistant message: its text parts joined. */
function texts(parts: InputPart[], param: string): string {
  return parts.map((p, j) => {
    if (typeof p.text === "string" && (p.type === "input_text" || p.type === "output_text")) return p.text;
    if (p.type === "refusal" && typeof p.refusal === "string") return p.refusal;
    throw badRequest(`Only text parts are allowed here (got '${p.type}').`, `${param}.content[${j}].type`, "invalid_value");
  }).join("");
}

function part(p: InputPart, param: string): ContentPart {
  switch (p.type) {
    case "input_text":
    case "output_text":
      if (typeof p.text !== "string") throw badRequest(`${p.type} parts need text.`, `${param}.text`, "missing_required_parameter");
      return { type: "text", text: p.text };
    case "input_image": {
      if (!p.image_url) throw badRequest("input_image needs an image_url (file_id is not supported: this gateway has no Files API).", `${param}.image_url`, "unsupported_value");
      const detail = p.detail === "original" ? "high" : p.detail;
      return { type: "image_url", image_url: { url: p.image_url, ...(detail ? { detail } : {}) } };
    }
    case "input_file": {
      const data = p.file_data ?? p.file_url;
      if (!data) throw badRequest("input_file needs file_data or file_url (file_id is not supported: this gateway has no Files API).", `${param}.file_data`, "unsupported_value");
      return { type: "file", file: { file_data: data, ...(p.filename ? { filename: p.filename } : {}) } };
    }
    default:
      throw badRequest(`Content parts of type '${p.type}' are not supported.`, `${param}.type`, "unsupported_value");
  }
}

/** A tool message with the output's text; images in it follow as a user message (tool messages take text only). */
function toolResult(callId: string, output: Item["output"], param: string): ChatMessage[] {
  if (typeof output === "string" || output === undefined) return [{ role: "tool", tool_call_id: callId, content: output ?? "" }];
  const parts = output.map((p, j) => part(p, `${param}[${j}]`));
  const text = parts.filter((p) => p.type === "text").map((p) => (p as { text: string }).text).join("\n");
  const media = parts.filter((p) => p.type !== "text");
  const result: ChatMessage[] = [{ role: "tool", tool_call_id: callId, content: text }];
  if (media.length > 0) result.push({ role: "user", content: media });
  return result;
}

/**
 * Chat upstreams refuse a call without a reply and a reply without its call. A call the client never
 * answered (Codex interrupted) gets an "aborted" reply; a reply to no call is the client's mistake.
 * Images from tool outputs wait until the run of replies is over (nothing may come between them).
 */
function answerDanglingCalls(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let open: string[] = [];
  let media: ChatMessage[] = [];
  const close = () => {
    for (const id of open) out.push({ role: "tool", tool_call_id: id, content: "aborted" });
    out.push(...media);
    open = [];
    media = [];
  };
  for (const m of messages) {
    if (m.role === "tool") {
      const at = open.indexOf(m.tool_call_id ?? "");
      if (at === -1) {
        throw badRequest(`No function_call with call_id '${m.tool_call_id}' precedes its output; send the call too or use previous_response_id.`,
          "input", "invalid_value");
      }
      open.splice(at, 1);
      out.push(m);
    } else if (m.role === "user" && open.length > 0 && out.at(-1)?.role === "tool" && Array.isArray(m.content) && m.content.every((p) => p.type !== "text")) {
      media.push(m);
    } else {
      close();
      out.push(m);
      if (m.role === "assistant" && m.tool_calls) open = m.tool_calls.map((c) => c.id);
    }
  }
  close();
  return out;
}
