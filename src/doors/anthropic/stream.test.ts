// Golden tests, chat chunks -> Anthropic stream events (src/doors/anthropic/stream.ts).
import { describe, expect, test } from "bun:test";
import { UpstreamError } from "../../errors.ts";
import type { ChatChunk } from "../../providers/types.ts";
import { messageEvents } from "./stream.ts";

const chunk = (delta: ChatChunk["choices"][number]["delta"], finish: string | null = null): ChatChunk =>
  ({ id: "c", object: "chat.completion.chunk", created: 1, model: "up", choices: [{ index: 0, delta, finish_reason: finish }] });
const usage: ChatChunk = { id: "c", object: "chat.completion.chunk", created: 1, model: "up", choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } };

/** Runs chunks through an encoder and parses the frames back into [event, data] pairs. */
function run(chunks: ChatChunk[], body: Parameters<typeof messageEvents>[0] = { model: "claude-sonnet-5-5" }) {
  const frames = messageEvents(body);
  const text = chunks.map((c) => frames.chunk(c)).join("") + frames.end();
  return text.trim().split("\n\n").map((f) => {
    const [event, data] = f.split("\n");
    const parsed = JSON.parse(data.slice("data: ".length));
    expect(event).toBe(`event: ${parsed.type}`);
    return parsed as Record<string, unknown>;
  });
}

describe("chat chunks -> Anthropic events", () => {
  test("reasoning, text, two tool calls: one block at a time, indexes 0..3, usage at the end", () => {
    const events = run([
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning: "Hmm." }),
      chunk({ content: "Let me " }),
      chunk({ content: "check." }),
      chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "{\"city\":" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "\"Paris\"}" } }] }),
      chunk({ tool_calls: [{ index: 1, id: "call_2", type: "function", function: { name: "get_time", arguments: "{}" } }] }),
      chunk({}, "tool_calls"),
      usage,
    ], { model: "claude-sonnet-5-5", thinking: { type: "enabled", budget_tokens: 1024 } });
    const start = events[0] as { message: { id: string } };
    expect(start.message.id).toMatch(/^msg_/);
    expect(events).toEqual([
      { type: "message_start", message: { id: start.message.id, type: "message", role: "assistant", model: "claude-sonnet-5-5", content: [], stop_reason: null, stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } } },
      { type: "ping" },
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Hmm." } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Let me " } },
      { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "check." } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "call_1", name: "get_weather", input: {} } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "{\"city\":" } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "\"Paris\"}" } },
      { type: "content_block_stop", index: 2 },
      { type: "content_block_start", index: 3, content_block: { type: "tool_use", id: "call_2", name: "get_time", input: {} } },
      { type: "content_block_delta", index: 3, delta: { type: "input_json_delta", partial_json: "{}" } },
      { type: "content_block_stop", index: 3 },
      { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { input_tokens: 12, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } },
      { type: "message_stop" },
    ]);
  });

  test("without thinking enabled, reasoning deltas send nothing; a length cut is max_tokens", () => {
    const events = run([chunk({ reasoning: "secret" }), chunk({ content: "Hi" }), chunk({}, "length")]);
    expect(events.map((e) => e.type)).toEqual(["message_start", "ping", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(events[5]).toMatchObject({ delta: { stop_reason: "max_tokens" } });
  });

  test("an upstream that sent nothing still gets a whole message; a failure is an error event", () => {
    expect(run([]).map((e) => e.type)).toEqual(["message_start", "ping", "message_delta", "message_stop"]);
    const frames = messageEvents({ model: "m" });
    expect(frames.fail(new UpstreamError("openrouter", "server", 500, "OpenRouter returned 500"))).toBe(
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"OpenRouter returned 500\"}}\n\n");
    expect(frames.ping).toBe("event: ping\ndata: {\"type\":\"ping\"}\n\n");
  });
});
