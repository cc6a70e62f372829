// Golden tests, chat chunks -> Responses stream events (src/doors/responses/stream.ts).
import { describe, expect, test } from "bun:test";
import { UpstreamError } from "../../errors.ts";
import type { ChatChunk } from "../../providers/types.ts";
import { sseStream } from "../stream.ts";
import type { ResponseContext } from "./response.ts";
import { responseEvents } from "./stream.ts";
import type { ResponseObject, ToolTargets } from "./types.ts";

const targets: ToolTargets = new Map([
  ["get_weather", { kind: "function", name: "get_weather" }],
  ["apply_patch", { kind: "custom", name: "apply_patch" }],
  ["spawn_agent", { kind: "function", name: "spawn_agent", namespace: "multi_agent_v1" }],
]);
const ctx: ResponseContext = { id: "resp_1", createdAt: 1700000000, request: { model: "gpt-4o-mini", input: "x" }, targets, reasoning: true };

const chunk = (delta: ChatChunk["choices"][0]["delta"], finish: string | null = null, usage?: ChatChunk["usage"]): ChatChunk =>
  ({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) });

/** Runs chunks through the encoder and the shared SSE pump, as a door's stream goes out. */
async function run(chunks: ChatChunk[], failAfter?: Error) {
  async function* rest() {
    yield* chunks.slice(1);
    if (failAfter) throw failAfter;
  }
  let stored: ResponseObject | undefined;
  let ended: Record<string, any> = {};
  const body = sseStream({ first: chunks[0], rest: rest() }, responseEvents(ctx, (r) => (stored = r)), {
    onFirstByte: () => {},
    onEnd: (o) => (ended = o),
  });
  const text = await new Response(body).text();
  const events = text.trim().split("\n\n").map((frame) => {
    const [event, data] = frame.split("\n");
    const parsed = JSON.parse(data.slice("data: ".length)) as Record<string, any>;
    expect(event).toBe(`event: ${parsed.type}`);
    return parsed;
  });
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  return { events, ended: { ...ended, response: stored } as Record<string, any> };
}

describe("chat stream -> Responses events", () => {
  test("reasoning, text, a function call and a custom tool call, each item whole in its done event", async () => {
    const { events, ended } = await run([
      chunk({ role: "assistant", reasoning_content: "Hmm" }),
      chunk({ content: "Let me " }),
      chunk({ content: "check." }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "{\"city\":" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "\"Paris\"}" } }] }),
      chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "apply_patch", arguments: "{\"input\":\"*** Begin" } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: " Patch\"}" } }] }),
      chunk({}, "tool_calls"),
      chunk({}, null, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 }),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      "response.created", "response.in_progress",
      "response.output_item.added", "response.content_part.added", "response.reasoning_text.delta",
      "response.reasoning_text.done", "response.content_part.done", "response.output_item.done",
      "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
      "response.output_text.done", "response.content_part.done", "response.output_item.done",
      "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
      "response.function_call_arguments.done", "response.output_item.done",
      "response.output_item.added", "response.custom_tool_call_input.delta", "response.custom_tool_call_input.done", "response.output_item.done",
      "response.completed",
    ]);
    const done = events.filter((e) => e.type === "response.output_item.done").map((e) => e.item);
    expect(done).toEqual([
      { type: "reasoning", id: expect.stringMatching(/^rs_/), status: "completed", summary: [], content: [{ type: "reasoning_text", text: "Hmm" }] },
      { type: "message", id: expect.stringMatching(/^msg_/), status: "completed", role: "assistant", content: [{ type: "output_text", text: "Let me check.", annotations: [] }] },
      { type: "function_call", id: expect.stringMatching(/^fc_/), status: "completed", call_id: "call_a", name: "get_weather", arguments: "{\"city\":\"Paris\"}" },
      { type: "custom_tool_call", id: expect.stringMatching(/^ctc_/), status: "completed", call_id: "call_b", name: "apply_patch", input: "*** Begin Patch" },
    ]);
    // Added and done items keep their ids; deltas name the item at their output_index.
    for (const e of events.filter((x) => "item_id" in x)) expect(e.item_id).toBe(done[e.output_index].id);
    const completed = events.at(-1)!.response;
    expect(completed).toMatchObject({ id: "resp_1", status: "completed", output_text: "Let me check.", usage: { input_tokens: 7, output_tokens: 3, total_tokens: 10 } });
    expect(completed.output).toEqual(done);
    expect(events[0].response).toMatchObject({ id: "resp_1", status: "in_progress", output: [] });
    expect(ended).toMatchObject({ cancelled: false, usage: { total_tokens: 10 }, response: { id: "resp_1" } });
  });

  test("a namespaced call answers with its bare name and namespace", async () => {
    const { events } = await run([
      chunk({ tool_calls: [{ index: 0, id: "call_n", function: { name: "spawn_agent", arguments: "{}" } }] }),
      chunk({}, "tool_calls"),
    ]);
    expect(events.find((e) => e.type === "response.output_item.done")!.item).toMatchObject({ type: "function_call", name: "spawn_agent", namespace: "multi_agent_v1", call_id: "call_n" });
  });

  test("length ends with response.incomplete", async () => {
    const { events } = await run([chunk({ content: "cut" }), chunk({}, "length")]);
    expect(events.at(-1)).toMatchObject({ type: "response.incomplete", response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } } });
  });

  test("an upstream failure after the first byte is response.failed", async () => {
    const { events, ended } = await run([chunk({ content: "half" })], new UpstreamError("openrouter", "server", 502, "Provider disconnected"));
    expect(events.at(-1)).toMatchObject({ type: "response.failed", response: { id: "resp_1", status: "failed", error: { message: "Provider disconnected" } } });
    expect(ended.error.message).toBe("Provider disconnected");
    expect(ended.response).toBeUndefined();
  });

  test("an empty upstream stream still completes", async () => {
    const { events } = await run([]);
    expect(events.map((e) => e.type)).toEqual(["response.created", "response.in_progress", "response.completed"]);
  });
});
