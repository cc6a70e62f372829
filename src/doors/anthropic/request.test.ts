// Golden tests, Anthropic Messages request -> chat request (src/doors/anthropic/request.ts).
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../errors.ts";
import recorded from "../../../test/doors/fixtures/claude-code-2.1-request.json";
import { toChat } from "./request.ts";
import type { MessagesRequest } from "./schema.ts";

const translate = (body: Record<string, unknown>, limit = 4096) => toChat(body as MessagesRequest, limit);

function refusal(body: Record<string, unknown>): GatewayError {
  try {
    translate(body);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    return error as GatewayError;
  }
  throw new Error("expected a 400");
}

describe("Anthropic -> chat", () => {
  test("every field the door maps", () => {
    const { chat, droppedTools } = translate({
      model: "claude-sonnet-5-5",
      max_tokens: 100_000,
      system: [
        { type: "text", text: "x-anthropic-billing-header: cc_version=2.1; cch=abc;" },
        { type: "text", text: "You are terse.", cache_control: { type: "ephemeral" } },
        { type: "text", text: "Use metric units." },
      ],
      messages: [
        { role: "user", content: [
          { type: "text", text: "Weather here?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
        ] },
        { role: "assistant", content: [
          { type: "thinking", thinking: "The user wants weather.", signature: "sig" },
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "toolu_2", name: "search", input: {} },
        ] },
        { role: "user", content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "18C" }, { type: "text", text: "sunny" }] },
          { type: "tool_result", tool_use_id: "toolu_2", content: "boom", is_error: true },
          { type: "text", text: "And tomorrow?" },
        ] },
        { role: "system", content: "Mid-conversation note." },
      ],
      tools: [
        { name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } }, cache_control: { type: "ephemeral" } },
        { name: "search", input_schema: { type: "object" }, type: "custom" },
        { type: "web_search_20250305", name: "web_search", max_uses: 2 },
      ],
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
      stop_sequences: ["STOP"],
      temperature: 0.5,
      top_p: 0.8,
      top_k: 40,
      thinking: { type: "enabled", budget_tokens: 8000 },
      output_config: { format: { type: "json_schema", schema: { type: "object" } } },
      metadata: { user_id: "{\"device_id\":\"d\"}" },
      context_management: { edits: [] },
      stream: true,
    });
    expect(droppedTools).toEqual(["web_search"]);
    expect(chat).toEqual({
      model: "claude-sonnet-5-5",
      max_tokens: 4096,
      messages: [
        { role: "system", content: "You are terse.\nUse metric units." },
        { role: "user", content: [{ type: "text", text: "Weather here?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
        { role: "assistant", content: "Checking.", tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } },
          { id: "toolu_2", type: "function", function: { name: "search", arguments: "{}" } },
        ] },
        { role: "tool", tool_call_id: "toolu_1", content: "18C\nsunny" },
        { role: "tool", tool_call_id: "toolu_2", content: "Error: boom" },
        { role: "user", content: [{ type: "text", text: "And tomorrow?" }] },
        { role: "system", content: "Mid-conversation note." },
      ],
      temperature: 0.5,
      top_p: 0.8,
      top_k: 40,
      stop: ["STOP"],
      tools: [
        { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
        { type: "function", function: { name: "search", parameters: { type: "object" } } },
      ],
      tool_choice: "auto",
      parallel_tool_calls: false,
      reasoning_effort: "medium",
      response_format: { type: "json_schema", json_schema: { name: "output", schema: { type: "object" }, strict: true } },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  test("tool_choice: any -> required, tool -> the function, none -> none; no tools -> no tool_choice", () => {
    const tools = [{ name: "f", input_schema: { type: "object" } }];
    const base = { model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }], tools };
    expect(translate({ ...base, tool_choice: { type: "any" } }).chat.tool_choice).toBe("required");
    expect(translate({ ...base, tool_choice: { type: "tool", name: "f" } }).chat.tool_choice).toEqual({ type: "function", function: { name: "f" } });
    expect(translate({ ...base, tool_choice: { type: "none" } }).chat.tool_choice).toBe("none");
    const bare = translate({ ...base, tools: undefined, tool_choice: { type: "auto" } }).chat;
    expect(bare).not.toHaveProperty("tools");
    expect(bare).not.toHaveProperty("tool_choice");
  });

  test("thinking and effort -> reasoning_effort", () => {
    const effort = (extra: Record<string, unknown>) => translate({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }], ...extra }).chat.reasoning_effort;
    expect(effort({})).toBeUndefined();
    expect(effort({ thinking: { type: "enabled", budget_tokens: 1024 } })).toBe("low");
    expect(effort({ thinking: { type: "enabled", budget_tokens: 16_384 } })).toBe("high");
    expect(effort({ thinking: { type: "adaptive" }, output_config: { effort: "max" } })).toBe("high");
    expect(effort({ thinking: { type: "adaptive" }, output_config: { effort: "low" } })).toBe("low");
    expect(effort({ thinking: { type: "disabled" }, output_config: { effort: "high" } })).toBeUndefined();
  });

  test("documents: text and content sources become text, a base64 PDF a file part", () => {
    const { chat } = translate({
      model: "m", max_tokens: 10,
      messages: [{ role: "user", content: [
        { type: "document", source: { type: "text", media_type: "text/plain", data: "plain" } },
        { type: "document", title: "T", source: { type: "content", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] } },
        { type: "document", title: "paper.pdf", source: { type: "base64", media_type: "application/pdf", data: "JVBE" } },
      ] }],
    });
    expect(chat.messages[0].content).toEqual([
      { type: "text", text: "plain" },
      { type: "text", text: "T\n\na\nb" },
      { type: "file", file: { filename: "paper.pdf", file_data: "data:application/pdf;base64,JVBE" } },
    ]);
  });

  test("what cannot be translated is a 400 naming the block", () => {
    const one = (block: Record<string, unknown>) => ({ model: "m", max_tokens: 10, messages: [{ role: "user", content: [block] }] });
    expect(refusal(one({ type: "image", source: { type: "file", file_id: "f" } })).param).toBe("messages[0].content[0].source");
    expect(refusal(one({ type: "document", source: { type: "url", url: "https://x/a.pdf" } })).message).toContain("base64 PDF");
    expect(refusal(one({ type: "container_upload", file_id: "f" })).message).toContain("'container_upload'");
    expect(refusal(one({ type: "tool_result", content: "orphan" })).param).toBe("messages[0].content[0].tool_use_id");
    const server = [{ type: "web_search_20250305", name: "web_search" }];
    const forced = refusal({ ...one({ type: "text", text: "x" }), tools: server, tool_choice: { type: "tool", name: "web_search" } });
    expect(forced.message).toContain("'web_search'");
    expect(refusal({ ...one({ type: "text", text: "x" }), tools: server, tool_choice: { type: "any" } }).param).toBe("tool_choice");
  });

  test("server tool blocks and thinking-only turns in history are left out", () => {
    const { chat } = translate({
      model: "m", max_tokens: 10,
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: [{ type: "redacted_thinking", data: "zz" }] },
        { role: "user", content: [{ type: "web_search_tool_result", tool_use_id: "s", content: [] }, { type: "text", text: "y" }] },
      ],
    });
    expect(chat.messages).toEqual([{ role: "user", content: "x" }, { role: "user", content: [{ type: "text", text: "y" }] }]);
  });

  test("Claude Code 2.1's recorded request: every tool offered, nothing of its extras forwarded", () => {
    const { chat, droppedTools } = translate(recorded.body as unknown as Record<string, unknown>);
    expect(droppedTools).toEqual([]);
    expect(Object.keys(chat).sort()).toEqual(["max_tokens", "messages", "model", "reasoning_effort", "stream", "stream_options", "tools"]);
    expect(chat.max_tokens).toBe(4096);
    // Its DeferredToolPlaceholder (defer_loading) is held back, as Anthropic would.
    expect(chat.tools!.map((t) => t.function!.name)).toEqual(recorded.body.tools.filter((t) => !("defer_loading" in t)).map((t) => t.name));
    expect(JSON.stringify(chat)).not.toMatch(/cache_control|x-anthropic-billing-header|defer_loading|device_id/);
  });
});
