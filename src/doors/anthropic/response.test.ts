// Golden tests, chat completion -> Anthropic Message (src/doors/anthropic/response.ts).
import { describe, expect, test } from "bun:test";
import type { ChatCompletion } from "../../providers/types.ts";
import { toMessage } from "./response.ts";

const completion = (message: Record<string, unknown>, finish: string, usage?: Record<string, unknown>): ChatCompletion => ({
  id: "gen-1", object: "chat.completion", created: 1, model: "qwen/qwen3-235b-a22b:free",
  choices: [{ index: 0, message: { role: "assistant", content: null, ...message }, finish_reason: finish }],
  usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, ...usage },
});

describe("chat -> Anthropic", () => {
  test("reasoning, text and tool calls become thinking, text and tool_use blocks; cached tokens are cache reads", () => {
    const message = toMessage(completion({
      content: "Let me check.",
      reasoning: "The user wants weather.",
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } },
        { id: "", type: "function", function: { name: "broken", arguments: "{not json" } },
      ],
    }, "tool_calls", { prompt_tokens_details: { cached_tokens: 100 } }), { model: "claude-sonnet-5-5", thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(message.id).toMatch(/^msg_[0-9a-f]{32}$/);
    const toolu = (message.content[3] as { id: string }).id;
    expect(toolu).toMatch(/^toolu_[0-9a-f]{32}$/);
    expect({ ...message, id: "msg_x" }).toEqual({
      id: "msg_x", type: "message", role: "assistant", model: "claude-sonnet-5-5",
      content: [
        { type: "thinking", thinking: "The user wants weather.", signature: "" },
        { type: "text", text: "Let me check.", citations: null },
        { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
        { type: "tool_use", id: toolu, name: "broken", input: {} },
      ],
      stop_reason: "tool_use", stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 100 },
    });
  });

  test("reasoning is left out unless the request enabled thinking (Gemini's reasoning_content too)", () => {
    const message = toMessage(completion({ content: "42", reasoning_content: "thinking" }, "stop"), { model: "m" });
    expect(message.content).toEqual([{ type: "text", text: "42", citations: null }]);
    const adaptive = toMessage(completion({ content: "42", reasoning_content: "thinking" }, "stop"), { model: "m", thinking: { type: "adaptive" } });
    expect(adaptive.content[0]).toEqual({ type: "thinking", thinking: "thinking", signature: "" });
  });

  test("finish reasons map to stop reasons; an empty answer is one empty text block", () => {
    const stop = (finish: string) => toMessage(completion({ content: "x" }, finish), { model: "m" }).stop_reason;
    expect([stop("stop"), stop("length"), stop("tool_calls"), stop("content_filter"), stop("unknown")]).toEqual(["end_turn", "max_tokens", "tool_use", "refusal", "end_turn"]);
    expect(toMessage(completion({ content: "" }, "stop"), { model: "m" }).content).toEqual([{ type: "text", text: "", citations: null }]);
  });
});
