// Anthropic Messages request -> internal chat request (protocols-doors.md 1.7). A whitelist: what is not
// translated here (metadata, context_management, cache_control, signatures ...) never goes upstream.
import { badRequest } from "../../errors.ts";
import type { ChatMessage, ChatRequest, ContentPart, ToolDefinition } from "../../providers/types.ts";
import type { AnthropicBlock, MessagesRequest } from "./schema.ts";

/** Claude Code's per-call attribution line: its nonce would defeat every cache, and no upstream needs it. */
const BILLING_HEADER = "x-anthropic-billing-header:";
/** Block types of Anthropic's server tools (web search, code execution ...), which no free upstream runs. */
const SERVER_BLOCK = /^(server_tool_use|.+_tool_result)$/;

export interface Translated {
  chat: ChatRequest;
  /** Server tools left out, by name, for the x-gateway-dropped-tools header. */
  droppedTools: string[];
}

export function toChat(body: MessagesRequest, maxTokensLimit: number): Translated {
  const { functions, dropped } = splitTools(body);
  const messages: ChatMessage[] = [];
  const system = systemText(body.system);
  if (system) messages.push({ role: "system", content: system });
  body.messages.forEach((m, i) => {
    if (m.role === "assistant") pushAssistant(messages, m.content as string | AnthropicBlock[], i);
    else if (m.role === "system") messages.push({ role: "system", content: typeof m.content === "string" ? m.content : texts(m.content as AnthropicBlock[]) });
    else pushUser(messages, m.content as string | AnthropicBlock[], i);
  });
  // Empty content arrays translate to nothing: a conversation left without a turn must not go upstream.
  if (!messages.some((m) => m.role !== "system")) {
    throw badRequest("messages: every message is empty; send at least one with content.", "messages", "invalid_value");
  }

  const chat: ChatRequest = { model: body.model, messages, max_tokens: Math.min(body.max_tokens, maxTokensLimit) };
  if (body.temperature !== undefined) chat.temperature = body.temperature;
  if (body.top_p !== undefined) chat.top_p = body.top_p;
  if (body.top_k !== undefined) chat.top_k = body.top_k;
  if (body.stop_sequences?.length) chat.stop = body.stop_sequences;
  const choice = toolChoice(body.tool_choice, functions.length, dropped);
  // Without tools, chat upstreams refuse a tool_choice: both go, or neither.
  if (functions.length > 0) {
    chat.tools = functions;
    if (choice !== undefined) chat.tool_choice = choice;
    if (body.tool_choice?.disable_parallel_tool_use) chat.parallel_tool_calls = false;
  }
  const effort = reasoningEffort(body);
  if (effort) chat.reasoning_effort = effort;
  const format = body.output_config?.format;
  if (format?.type === "json_schema" && format.schema) {
    chat.response_format = { type: "json_schema", json_schema: { name: "output", schema: format.schema, strict: true } };
  }
  if (body.stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return { chat, droppedTools: dropped };
}

/** Whether the client asked for thinking, which is when upstream reasoning comes back as thinking blocks. */
export const thinkingEnabled = (body: Pick<MessagesRequest, "thinking">) =>
  body.thinking?.type === "enabled" || body.thinking?.type === "adaptive";

function systemText(system: MessagesRequest["system"]): string {
  if (system === undefined) return "";
  if (typeof system === "string") return system;
  return system.filter((b) => !b.text.startsWith(BILLING_HEADER)).map((b) => b.text).join("\n");
}

const texts = (blocks: AnthropicBlock[]) => blocks.filter((b) => b.type === "text").map((b) => b.text ?? "").join("\n");

/** Tool results first (chat wants them right after the assistant's calls), then the turn's other parts. */
function pushUser(messages: ChatMessage[], content: string | AnthropicBlock[], i: number): void {
  if (typeof content === "string") {
    messages.push({ role: "user", content });
    return;
  }
  const parts: ContentPart[] = [];
  content.forEach((block, j) => {
    const at = `messages[${i}].content[${j}]`;
    if (block.type === "tool_result") {
      // Without the id of the call it answers, every chat upstream refuses the turn: say so here.
      if (typeof block.tool_use_id !== "string" || block.tool_use_id === "") {
        throw badRequest(`${at}: a tool_result needs the tool_use_id of the tool_use it answers.`, `${at}.tool_use_id`, "missing_required_parameter");
      }
      const { text, images } = toolResult(block, at);
      messages.push({ role: "tool", tool_call_id: block.tool_use_id, content: text });
      // Chat tool messages carry text only: images a tool returned follow in the user turn.
      parts.push(...images);
    } else {
      const part = userPart(block, at);
      if (part) parts.push(part);
    }
  });
  if (parts.length > 0) messages.push({ role: "user", content: parts });
}

function userPart(block: AnthropicBlock, at: string): ContentPart | undefined {
  switch (block.type) {
    case "text":
      return { type: "text", text: block.text ?? "" };
    case "image":
      return image(block, at);
    case "document":
      return documentPart(block, at);
    case "thinking":
    case "redacted_thinking":
      return undefined;
    default:
      if (SERVER_BLOCK.test(block.type)) return undefined;
      throw badRequest(`${at}: content blocks of type '${block.type}' are not supported by this gateway.`, at, "unsupported_content");
  }
}

function image(block: AnthropicBlock, at: string): ContentPart {
  const source = block.source;
  if (source?.type === "base64" && typeof source.data === "string") {
    return { type: "image_url", image_url: { url: `data:${source.media_type ?? "image/png"};base64,${source.data}` } };
  }
  if (source?.type === "url" && source.url) return { type: "image_url", image_url: { url: source.url } };
  throw badRequest(`${at}: image sources must be base64 or url (file ids are not supported by this gateway).`, `${at}.source`, "unsupported_content");
}

/** Text documents become text; a base64 PDF becomes a chat `file` part, which the upstream takes or refuses (400). */
function documentPart(block: AnthropicBlock, at: string): ContentPart {
  const source = block.source;
  const title = block.title ? `${block.title}\n\n` : "";
  if (source?.type === "text" && typeof source.data === "string") return { type: "text", text: title + source.data };
  if (source?.type === "content") {
    const inner = typeof source.content === "string" ? source.content : texts((source.content as AnthropicBlock[] | undefined) ?? []);
    return { type: "text", text: title + inner };
  }
  if (source?.type === "base64" && source.media_type === "application/pdf" && typeof source.data === "string") {
    return { type: "file", file: { filename: block.title ?? "document.pdf", file_data: `data:application/pdf;base64,${source.data}` } };
  }
  throw badRequest(`${at}: documents must be plain text or a base64 PDF (url and file sources are not supported by this gateway).`,
    `${at}.source`, "unsupported_content");
}

function toolResult(block: AnthropicBlock, at: string): { text: string; images: ContentPart[] } {
  const content = block.content;
  let text = "";
  const images: ContentPart[] = [];
  if (typeof content === "string") text = content;
  else if (Array.isArray(content)) {
    text = texts(content);
    content.forEach((b, k) => {
      if (b.type === "image") images.push(image(b, `${at}.content[${k}]`));
    });
  }
  return { text: block.is_error ? `Error: ${text}` : text, images };
}

function pushAssistant(messages: ChatMessage[], content: string | AnthropicBlock[], i: number): void {
  if (typeof content === "string") {
    messages.push({ role: "assistant", content });
    return;
  }
  const text = texts(content);
  const calls = content.filter((b) => b.type === "tool_use").map((b, k) => ({
    id: String(b.id ?? `toolu_${i}_${k}`),
    type: "function" as const,
    function: { name: String(b.name ?? ""), arguments: JSON.stringify(b.input ?? {}) },
  }));
  // A turn of thinking blocks alone carries nothing an upstream can use.
  if (!text && calls.length === 0) return;
  const message: ChatMessage = { role: "assistant", content: text || null };
  if (calls.length > 0) message.tool_calls = calls;
  messages.push(message);
}

/**
 * Client tools become functions; server tools (a dated `type` such as web_search_20250305) are dropped.
 * So are tools marked `defer_loading`: Anthropic keeps them from the model until a tool search finds
 * them (Claude Code then sends them again without the mark).
 */
function splitTools(body: MessagesRequest): { functions: ToolDefinition[]; dropped: string[] } {
  const functions: ToolDefinition[] = [];
  const dropped: string[] = [];
  for (const tool of body.tools ?? []) {
    if (tool.defer_loading === true) continue;
    if (tool.type !== undefined && tool.type !== "custom") {
      dropped.push(tool.name);
      continue;
    }
    const fn: NonNullable<ToolDefinition["function"]> = { name: tool.name, parameters: tool.input_schema ?? { type: "object", properties: {} } };
    if (tool.description) fn.description = tool.description;
    functions.push({ type: "function", function: fn });
  }
  return { functions, dropped };
}

/** Forcing a server tool (by name, or "any" when only server tools are offered) cannot be honoured: a 400. */
function toolChoice(choice: MessagesRequest["tool_choice"], functions: number, dropped: string[]): ChatRequest["tool_choice"] | undefined {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case "auto":
      return "auto";
    case "none":
      return "none";
    case "any":
      if (functions === 0 && dropped.length > 0) throw forcedServerTool(dropped.join("', '"));
      return "required";
    case "tool":
      if (dropped.includes(choice.name ?? "")) throw forcedServerTool(choice.name ?? "");
      return { type: "function", function: { name: choice.name ?? "" } };
  }
}

function forcedServerTool(name: string) {
  return badRequest(`tool_choice forces the server tool '${name}', which no upstream of this gateway can run.`, "tool_choice", "unsupported_tool");
}

/** thinking / output_config.effort -> reasoning_effort: budget <4k low, <16k medium, else high. */
function reasoningEffort(body: MessagesRequest): string | undefined {
  const thinking = body.thinking;
  if (thinking?.type === "disabled") return undefined;
  if (thinking?.type === "enabled") {
    const budget = thinking.budget_tokens ?? 0;
    return budget < 4096 ? "low" : budget < 16_384 ? "medium" : "high";
  }
  const effort = body.output_config?.effort;
  if (effort === "low" || effort === "medium" || effort === "high") return effort;
  if (effort === "xhigh" || effort === "max") return "high";
  return undefined;
}
