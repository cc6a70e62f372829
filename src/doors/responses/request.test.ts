// Golden tests, Responses request -> chat request (src/doors/responses/request.ts).
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../errors.ts";
import { inputItems, toChat } from "./request.ts";
import type { ResponsesRequest } from "./types.ts";
import codexGpt5 from "./fixtures/codex-0.171-gpt-5.json";
import codexGpt55 from "./fixtures/codex-0.171-gpt-5.5.json";

const translate = (req: ResponsesRequest, limit = 4096) => toChat(req, inputItems(req.input), limit);

function refusal(req: ResponsesRequest): GatewayError {
  try {
    translate(req);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    return error as GatewayError;
  }
  throw new Error("expected a 400");
}

describe("Responses -> chat", () => {
  test("every field the door maps", () => {
    const { chat, targets, dropped } = translate({
      model: "gpt-4o-mini",
      instructions: "Be terse.",
      input: [
        { role: "developer", content: "Use metric units." },
        { type: "message", role: "user", content: [
          { type: "input_text", text: "Weather here?" },
          { type: "input_image", image_url: "data:image/png;base64,AAAA", detail: "original" },
          { type: "input_file", filename: "a.pdf", file_data: "data:application/pdf;base64,JVBE" },
        ] },
        { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "opaque" },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Checking." }] },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: "{\"city\":\"Paris\"}" },
        { type: "custom_tool_call", call_id: "call_2", name: "apply_patch", input: "*** Begin Patch\n*** End Patch" },
        { type: "function_call", call_id: "call_3", name: "lookup", namespace: "crm", arguments: "{}" },
        { type: "function_call_output", call_id: "call_1", output: "sunny" },
        { type: "custom_tool_call_output", call_id: "call_2", output: "Done!" },
        { type: "function_call_output", call_id: "call_3", output: [{ type: "input_text", text: "found" }, { type: "input_image", image_url: "https://x/y.png" }] },
      ],
      tools: [
        { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true },
        { type: "custom", name: "apply_patch", description: "Edit files.", format: { type: "grammar", syntax: "lark", definition: "start: x" } },
        { type: "namespace", name: "crm", description: "CRM", tools: [
          { type: "function", name: "lookup", parameters: { type: "object", properties: {} } },
          { type: "function", name: "get_weather" },
        ] },
        { type: "web_search" },
      ],
      tool_choice: { type: "custom", name: "apply_patch" },
      parallel_tool_calls: false,
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 100_000,
      reasoning: { effort: "low", summary: "auto" },
      text: { format: { type: "json_schema", name: "w", schema: { type: "object" }, strict: true } },
      store: true,
      include: ["reasoning.encrypted_content"],
      prompt_cache_key: "k",
      metadata: { a: "b" },
      previous_response_id: null,
      stream: true,
      user: "u1",
    });
    expect(chat).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be terse." },
        { role: "system", content: "Use metric units." },
        { role: "user", content: [
          { type: "text", text: "Weather here?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail: "high" } },
          { type: "file", file: { file_data: "data:application/pdf;base64,JVBE", filename: "a.pdf" } },
        ] },
        { role: "assistant", content: "Checking.", tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } },
          { id: "call_2", type: "function", function: { name: "apply_patch", arguments: JSON.stringify({ input: "*** Begin Patch\n*** End Patch" }) } },
          { id: "call_3", type: "function", function: { name: "lookup", arguments: "{}" } },
        ] },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
        { role: "tool", tool_call_id: "call_2", content: "Done!" },
        { role: "tool", tool_call_id: "call_3", content: "found" },
        { role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 4096,
      user: "u1",
      reasoning_effort: "low",
      response_format: { type: "json_schema", json_schema: { name: "w", schema: { type: "object" }, strict: true } },
      tools: [
        { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true } },
        { type: "function", function: {
          name: "apply_patch",
          description: "Edit files.\n\nPass the tool's raw input (not JSON) as the `input` string. It must follow this lark grammar:\nstart: x",
          parameters: { type: "object", properties: { input: { type: "string", description: "The tool's raw input text." } }, required: ["input"], additionalProperties: false },
        } },
        { type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } },
        // Its bare name is taken by the top-level get_weather.
        { type: "function", function: { name: "crm__get_weather", parameters: { type: "object", properties: {} } } },
      ],
      tool_choice: { type: "function", function: { name: "apply_patch" } },
      parallel_tool_calls: false,
    });
    expect(Object.fromEntries(targets)).toEqual({
      get_weather: { kind: "function", name: "get_weather" },
      apply_patch: { kind: "custom", name: "apply_patch" },
      lookup: { kind: "function", name: "lookup", namespace: "crm" },
      crm__get_weather: { kind: "function", name: "get_weather", namespace: "crm" },
    });
    expect(dropped).toEqual(["web_search"]);
  });

  test("a string input is one user message; no tools means no tool fields", () => {
    const { chat } = translate({ model: "m", input: "hi", tool_choice: "auto", parallel_tool_calls: true, tools: [{ type: "web_search" }] });
    expect(chat).toEqual({ model: "m", messages: [{ role: "user", content: "hi" }] });
  });

  test("json_object, effort none, and a call never answered gets an 'aborted' reply", () => {
    const { chat } = translate({
      model: "m",
      text: { format: { type: "json_object" } },
      reasoning: { effort: "none" },
      input: [
        { role: "user", content: "go" },
        { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
        { role: "user", content: "never mind" },
      ],
    });
    expect(chat.response_format).toEqual({ type: "json_object" });
    expect(chat.reasoning_effort).toBeUndefined();
    expect(chat.messages).toEqual([
      { role: "user", content: "go" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "c1", content: "aborted" },
      { role: "user", content: "never mind" },
    ]);
  });

  test("Codex 0.171 with gpt-5 (recorded): developer messages, functions, a namespace, web_search", () => {
    const { chat, targets, dropped } = translate(codexGpt5 as ResponsesRequest);
    expect(chat.messages.map((m) => m.role)).toEqual(["system", "system", "user", "user"]);
    expect(chat.messages[3]).toEqual({ role: "user", content: [{ type: "text", text: "say hi" }] });
    expect(chat.tools!.map((t) => t.function!.name)).toEqual([
      "exec_command", "write_stdin", "request_user_input", "view_image",
      "close_agent", "resume_agent", "send_input", "spawn_agent", "wait_agent",
      "get_goal", "create_goal", "update_goal",
    ]);
    expect(targets.get("spawn_agent")).toEqual({ kind: "function", name: "spawn_agent", namespace: "multi_agent_v1" });
    expect(dropped).toEqual(["web_search"]);
    // Gateway-side fields stay here; nothing Responses-only reaches a chat upstream.
    expect(Object.keys(chat).sort()).toEqual(["messages", "model", "parallel_tool_calls", "stream", "stream_options", "tool_choice", "tools"]);
    expect(chat.tool_choice).toBe("auto");
  });

  test("Codex 0.171 with gpt-5.5 (recorded): apply_patch is a custom tool, tool_search is dropped", () => {
    const { chat, targets, dropped } = translate(codexGpt55 as ResponsesRequest);
    const patch = chat.tools!.find((t) => t.function!.name === "apply_patch")!;
    expect(patch.function!.parameters).toMatchObject({ required: ["input"] });
    expect(patch.function!.description).toContain("*** Begin Patch");
    expect(targets.get("apply_patch")).toEqual({ kind: "custom", name: "apply_patch" });
    expect(dropped).toEqual(["tool_search", "web_search"]);
    expect(chat.reasoning_effort).toBe("medium");
  });

  test("tools in an additional_tools item are offered too", () => {
    const { chat } = translate({ model: "m", input: [
      { type: "additional_tools", role: "developer", tools: [{ type: "function", name: "late", parameters: { type: "object" } }] },
      { role: "user", content: "x" },
    ] });
    expect(chat.tools!.map((t) => t.function!.name)).toEqual(["late"]);
    expect(chat.messages).toEqual([{ role: "user", content: "x" }]);
  });

  test("refusals name what is wrong", () => {
    expect(refusal({ model: "m", input: "x", tools: [{ type: "web_search" }], tool_choice: { type: "web_search" } }).message).toContain("web_search");
    expect(refusal({ model: "m", input: [{ type: "item_reference", id: "msg_1" }] }).param).toBe("input[0].type");
    expect(refusal({ model: "m", input: [{ type: "function_call_output", call_id: "nope", output: "x" }] }).message).toContain("nope");
    expect(refusal({ model: "m", input: [{ role: "user", content: [{ type: "input_image", file_id: "file_1" }] }] }).param).toBe("input[0].content[0].image_url");
    expect(refusal({ model: "m", input: [{ type: "mystery" }] }).param).toBe("input[0].type");
    expect(refusal({ model: "m", input: [{ role: "tool", content: "x" }] }).param).toBe("input[0].role");
    expect(refusal({ model: "m", input: "x", tools: [{ type: "web_search" }, { type: "namespace", name: "ns", tools: [{ type: "function" }] }] }).param).toBe("tools[1].tools[0].name");
  });
});
