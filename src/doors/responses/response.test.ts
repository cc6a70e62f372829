// Golden tests, chat completion -> Response object (src/doors/responses/response.ts).
import { describe, expect, test } from "bun:test";
import { type ResponseContext, toResponse } from "./response.ts";
import type { ToolTargets } from "./types.ts";
import type { ChatCompletion } from "../../providers/types.ts";

const targets: ToolTargets = new Map([
  ["get_weather", { kind: "function", name: "get_weather" }],
  ["apply_patch", { kind: "custom", name: "apply_patch" }],
  ["spawn_agent", { kind: "function", name: "spawn_agent", namespace: "multi_agent_v1" }],
]);
const ctx = (over: Partial<ResponseContext> = {}): ResponseContext =>
  ({ id: "resp_1", createdAt: 1700000000, request: { model: "gpt-4o-mini", input: "x" }, targets, reasoning: false, ...over });

function completion(message: ChatCompletion["choices"][0]["message"], finish = "stop"): ChatCompletion {
  return {
    id: "chatcmpl-1", object: "chat.completion", created: 1, model: "upstream/model",
    choices: [{ index: 0, message, finish_reason: finish }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } },
  };
}

describe("chat -> Response", () => {
  test("text, a function call, a custom tool call and a namespaced call", () => {
    const r = toResponse(completion({
      role: "assistant",
      content: "Checking.",
      reasoning: "Think first.",
      tool_calls: [
        { id: "call_a", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } },
        { id: "call_b", type: "function", function: { name: "apply_patch", arguments: JSON.stringify({ input: "*** Begin Patch\n*** End Patch\n" }) } },
        { id: "call_c", type: "function", function: { name: "spawn_agent", arguments: "{}" } },
      ],
    }, "tool_calls"), ctx());
    expect(r).toEqual({
      id: "resp_1", object: "response", created_at: 1700000000, status: "completed", error: null, incomplete_details: null,
      instructions: null, max_output_tokens: null, model: "gpt-4o-mini",
      output: [
        { type: "message", id: expect.stringMatching(/^msg_/), status: "completed", role: "assistant", content: [{ type: "output_text", text: "Checking.", annotations: [] }] },
        { type: "function_call", id: expect.stringMatching(/^fc_/), status: "completed", call_id: "call_a", name: "get_weather", arguments: "{\"city\":\"Paris\"}" },
        { type: "custom_tool_call", id: expect.stringMatching(/^ctc_/), status: "completed", call_id: "call_b", name: "apply_patch", input: "*** Begin Patch\n*** End Patch\n" },
        { type: "function_call", id: expect.stringMatching(/^fc_/), status: "completed", call_id: "call_c", name: "spawn_agent", namespace: "multi_agent_v1", arguments: "{}" },
      ],
      output_text: "Checking.",
      parallel_tool_calls: true, previous_response_id: null, reasoning: null, store: true, temperature: null,
      text: { format: { type: "text" } }, tool_choice: "auto", tools: [], top_p: null, truncation: "disabled",
      usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 15 },
      user: null, metadata: {},
    });
  });

  test("reasoning becomes a reasoning item only when the request asked for reasoning", () => {
    const message = { role: "assistant" as const, content: "42", reasoning_content: "6 x 7" };
    expect(toResponse(completion(message), ctx()).output.map((i) => i.type)).toEqual(["message"]);
    const r = toResponse(completion(message), ctx({ reasoning: true }));
    expect(r.output[0]).toEqual({ type: "reasoning", id: expect.stringMatching(/^rs_/), status: "completed", summary: [], content: [{ type: "reasoning_text", text: "6 x 7" }] });
  });

  test("length and content_filter finish an incomplete response", () => {
    expect(toResponse(completion({ role: "assistant", content: "cut" }, "length"), ctx())).toMatchObject({
      status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output_text: "cut",
    });
    expect(toResponse(completion({ role: "assistant", content: null }, "content_filter"), ctx())).toMatchObject({
      status: "incomplete", incomplete_details: { reason: "content_filter" }, output: [],
    });
  });

  test("a custom tool call whose arguments are not the {input} object passes the text on", () => {
    const r = toResponse(completion({ role: "assistant", content: null, tool_calls: [
      { id: "c", type: "function", function: { name: "apply_patch", arguments: "*** Begin Patch" } },
    ] }, "tool_calls"), ctx());
    expect(r.output[0]).toMatchObject({ type: "custom_tool_call", input: "*** Begin Patch" });
  });

  test("request settings are echoed", () => {
    const r = toResponse(completion({ role: "assistant", content: "ok" }), ctx({ request: {
      model: "gpt-5", instructions: "Be terse.", temperature: 0.5, top_p: 0.8, max_output_tokens: 50, store: false,
      previous_response_id: "resp_0", metadata: { k: "v" }, tool_choice: "required", parallel_tool_calls: false,
    } }));
    expect(r).toMatchObject({
      model: "gpt-5", instructions: "Be terse.", temperature: 0.5, top_p: 0.8, max_output_tokens: 50, store: false,
      previous_response_id: "resp_0", metadata: { k: "v" }, tool_choice: "required", parallel_tool_calls: false,
    });
  });
});
