// POST /v1/messages and /v1/messages/count_tokens driven by the official Anthropic SDK, with the three
// upstreams behind the gateway speaking their own wire formats: OpenRouter (fake), Gemini (fake), and
// OpenCode (OpenAI-compatible, a second fake OpenRouter).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { startFakeGemini, type FakeGemini } from "../fakes/gemini.ts";
import { freeModel, startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";
import recorded from "./fixtures/claude-code-2.1-request.json";

const ADMIN_TOKEN = "admin-token-for-door-tests-0123456789";

let openrouter: FakeOpenRouter;
let opencode: FakeOpenRouter;
let gemini: FakeGemini;
let gw: Gateway;
let client: Anthropic;

beforeAll(async () => {
  [openrouter, opencode, gemini] = await Promise.all([startFakeOpenRouter(), startFakeOpenRouter(), startFakeGemini()]);
  opencode.models.splice(0, Infinity, freeModel("big-pickle"));
  // OpenRouter's list states an output limit for one model, as its top_provider entries do.
  Object.assign(openrouter.models.find((m) => m.id === "qwen/qwen3-next-80b-a3b-instruct:free")!, { top_provider: { max_completion_tokens: 1000 } });
  gw = await startGateway({
    retryDelayMs: 1,
    auth: { adminToken: ADMIN_TOKEN },
    openrouter: { apiKey: openrouter.apiKey, baseUrl: openrouter.baseUrl },
    opencode: { apiKey: opencode.apiKey, baseUrl: opencode.baseUrl },
    gemini: { apiKey: gemini.apiKey, baseUrl: gemini.baseUrl },
  });
  client = new Anthropic({ apiKey: "sk-test-client", baseURL: gw.url, maxRetries: 0, timeout: 10_000 });
});
afterAll(async () => {
  await gw.stop();
  await Promise.all([openrouter.stop(), opencode.stop(), gemini.stop()]);
});
beforeEach(() => {
  openrouter.reset();
  opencode.reset();
  gemini.reset();
});

const sent = (fake: FakeOpenRouter = openrouter) => fake.requests.at(-1)!.body as Record<string, any>;
const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

/** The error a call failed with (the SDK's promises are lazy: awaited here, once). */
const failure = (call: PromiseLike<unknown>) => Promise.resolve(call).then(() => { throw new Error("the call succeeded"); }, (e: unknown) => e as Error);

/** The raw SSE of a streamed call: event names in order, and each event's data. */
async function rawEvents(body: Record<string, unknown>, path = "/v1/messages") {
  const res = await post(`${gw.url}${path}`, { ...body, stream: true }, { "x-api-key": "sk-test-client", "anthropic-version": "2023-06-01" });
  const text = await res.text();
  const events = text.trim().split("\n\n").map((frame) => {
    const [event, data] = frame.split("\n");
    expect(event).toStartWith("event: ");
    expect(data).toStartWith("data: ");
    const parsed = JSON.parse(data.slice(6));
    expect(parsed.type).toBe(event.slice(7));
    return parsed as Record<string, any>;
  });
  return { res, events, names: events.map((e) => e.type as string) };
}

describe("create", () => {
  test("a claude-* name is answered by the gpt-5 candidates, in Anthropic's shape, naming the requested model", async () => {
    const { data, response } = await client.messages
      .create({ model: "claude-sonnet-5-5", max_tokens: 1024, system: "Be terse.", messages: [{ role: "user", content: "Hello there" }] })
      .withResponse();
    expect(data).toMatchObject({
      type: "message", role: "assistant", model: "claude-sonnet-5-5",
      content: [{ type: "text", text: "Echo: Hello there", citations: null }],
      stop_reason: "end_turn", stop_sequence: null,
      usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(data.id).toMatch(/^msg_\w+$/);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-gateway-upstream-model")).toBe("qwen/qwen3-235b-a22b:free");
    expect(response.headers.get("request-id")).toBe(response.headers.get("x-request-id"));
    expect(response.headers.get("x-session-id")).toBeTruthy();
    expect(sent()).toEqual({
      model: "qwen/qwen3-235b-a22b:free", max_tokens: 1024, stream: false,
      messages: [{ role: "system", content: "Be terse." }, { role: "user", content: "Hello there" }],
    });
  });

  test("haiku names go to the gpt-4o-mini candidates; other gateway names work too", async () => {
    await client.messages.create({ model: "claude-haiku-4-5-20251001", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    expect(sent().model).toBe("qwen/qwen3-next-80b-a3b-instruct:free");
    await client.messages.create({ model: "gpt-4-code", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    expect(sent().model).toBe("qwen/qwen3-coder:free");
  });

  test("an admin's exact mapping of a claude-* name wins over the pattern rule; /v1/models lists the current Claude names", async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const mapped = await post(`${gw.url}/config/models`, { alias: "claude-opus-4-8", provider: "openrouter", model: "meta-llama/llama-3.3-70b-instruct:free" }, admin);
    expect(mapped.status).toBe(200);
    const ask = async (model: string) => {
      await client.messages.create({ model, max_tokens: 10, messages: [{ role: "user", content: "x" }] });
      return sent().model;
    };
    expect(await ask("claude-opus-4-8")).toBe("meta-llama/llama-3.3-70b-instruct:free");
    expect(await ask("claude-opus-4-7")).toBe("qwen/qwen3-235b-a22b:free");
    expect((await fetch(`${gw.url}/config/models/claude-opus-4-8`, { method: "DELETE", headers: admin })).status).toBe(200);
    expect(await ask("claude-opus-4-8")).toBe("qwen/qwen3-235b-a22b:free");
    const models = (await (await fetch(`${gw.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    for (const id of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"]) expect(models.data.map((m) => m.id)).toContain(id);
  });

  test("Claude Code 2.1's recorded request is accepted: max_tokens lowered, its extra fields and billing line dropped", async () => {
    const res = await post(`${gw.url}${recorded.path}`, { ...recorded.body, stream: false }, { ...recorded.headers, authorization: "Bearer sk-test-client" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: string }).model).toBe("claude-opus-5-5");
    const body = sent();
    expect(body.max_tokens).toBe(gw.config.maxTokensLimit);
    for (const field of ["metadata", "thinking", "context_management", "output_config", "user"]) expect(body).not.toHaveProperty(field);
    expect(body.reasoning_effort).toBe("medium");
    expect(JSON.stringify(body)).not.toContain("cache_control");
    expect(JSON.stringify(body)).not.toContain("x-anthropic-billing-header");
    expect(body.messages[0].role).toBe("system");
    expect(body.messages[0].content).toStartWith("You are a Claude agent");
    expect(body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(recorded.body.tools.filter((t) => !("defer_loading" in t)).map((t) => t.name));
  });

  test("max_tokens is also lowered to the chosen model's output limit where the live catalog states one (this door only)", async () => {
    // The catalog is fetched in the background at start-up: wait for OpenRouter's list.
    for (let i = 0; i < 100; i++) {
      const health = (await (await fetch(`${gw.url}/health`)).json()) as { providers: Record<string, { catalog?: { models: number | null } }> };
      if (health.providers.openrouter?.catalog?.models) break;
      await Bun.sleep(20);
    }
    await client.messages.create({ model: "claude-haiku-5-5", max_tokens: 3000, messages: [{ role: "user", content: "x" }] });
    expect(sent()).toMatchObject({ model: "qwen/qwen3-next-80b-a3b-instruct:free", max_tokens: 1000 });
    await client.messages.create({ model: "claude-haiku-5-5", max_tokens: 500, messages: [{ role: "user", content: "x" }] });
    expect(sent().max_tokens).toBe(500);
    // A model without a stated limit keeps the door's.
    await client.messages.create({ model: "claude-sonnet-5-5", max_tokens: 3000, messages: [{ role: "user", content: "x" }] });
    expect(sent()).toMatchObject({ model: "qwen/qwen3-235b-a22b:free", max_tokens: 3000 });
    // OpenAI chat lowers nothing (within MAX_TOKENS_LIMIT the upstream decides).
    await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", max_tokens: 3000, messages: [{ role: "user", content: "x" }] });
    expect(sent()).toMatchObject({ model: "qwen/qwen3-next-80b-a3b-instruct:free", max_tokens: 3000 });
  });

  test("`?beta=true`, anthropic-beta and anthropic-version are accepted", async () => {
    const res = await post(`${gw.url}/v1/messages?beta=true`, { model: "claude-sonnet-5-5", max_tokens: 5, messages: [{ role: "user", content: "q" }] },
      { "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14", "anthropic-version": "2023-06-01" });
    expect(res.status).toBe(200);
  });

  test("stop_sequences, temperature, top_p, top_k and tool_choice settings are translated", async () => {
    await client.messages.create({
      model: "claude-sonnet-5-5", max_tokens: 50, stop_sequences: ["END"], temperature: 0.2, top_p: 0.9, top_k: 5,
      tools: [weather], tool_choice: { type: "any", disable_parallel_tool_use: true },
      messages: [{ role: "user", content: "x" }],
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect(sent()).toMatchObject({
      stop: ["END"], temperature: 0.2, top_p: 0.9, top_k: 5, tool_choice: "required", parallel_tool_calls: false,
      tools: [{ type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: weather.input_schema } }],
    });
  });
});

describe("tools", () => {
  test("a tool round trip: tool_use with a parsed input, then tool_result back as a tool message", async () => {
    openrouter.script("*", { kind: "reply", toolCalls: [{ name: "get_weather", arguments: "{\"city\":\"Paris\"}" }] });
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Weather in Paris?" }];
    const first = await client.messages.create({ model: "claude-sonnet-5-5", max_tokens: 100, tools: [weather], messages });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use")!;
    expect(use).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });

    messages.push({ role: "assistant", content: first.content as Anthropic.ContentBlockParam[] });
    messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "18C and sunny" }, { type: "text", text: "Thanks" }] });
    const second = await client.messages.create({ model: "claude-sonnet-5-5", max_tokens: 100, tools: [weather], messages });
    expect(second.content).toEqual([{ type: "text", text: "Echo: Thanks", citations: null }]);
    expect(sent().messages.slice(1)).toEqual([
      { role: "assistant", content: null, tool_calls: [{ id: use.id, type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } }] },
      { role: "tool", tool_call_id: use.id, content: "18C and sunny" },
      { role: "user", content: [{ type: "text", text: "Thanks" }] },
    ]);
  });

  test("a streamed tool call arrives as a tool_use block with input_json_delta", async () => {
    openrouter.script("*", { kind: "reply", toolCalls: [{ name: "get_weather", arguments: "{\"city\":\"Rome\"}" }] });
    const stream = client.messages.stream({ model: "claude-sonnet-5-5", max_tokens: 100, tools: [weather], messages: [{ role: "user", content: "Rome?" }] });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content.at(-1)).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Rome" } });
  });

  test("an is_error tool_result is marked; images returned by a tool follow in the user turn", async () => {
    await client.messages.create({
      model: "claude-sonnet-5-5", max_tokens: 10, tools: [weather],
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] },
        { role: "user", content: [
          { type: "tool_result", tool_use_id: "toolu_1", is_error: true, content: [{ type: "text", text: "no city" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }] },
        ] },
      ],
    });
    expect(sent().messages.slice(2)).toEqual([
      { role: "tool", tool_call_id: "toolu_1", content: "Error: no city" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] },
    ]);
  });

  test("server tools are dropped and named in x-gateway-dropped-tools; forcing one is a 400", async () => {
    const tools = [weather, { type: "web_search_20250305", name: "web_search", max_uses: 3 }] as Anthropic.ToolUnion[];
    const { response } = await client.messages.create({ model: "claude-sonnet-5-5", max_tokens: 10, tools, messages: [{ role: "user", content: "x" }] }).withResponse();
    expect(response.headers.get("x-gateway-dropped-tools")).toBe("web_search");
    expect(sent().tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(["get_weather"]);

    openrouter.reset();
    const forced = await failure(client.messages.create({ model: "claude-sonnet-5-5", max_tokens: 10, tools, tool_choice: { type: "tool", name: "web_search" }, messages: [{ role: "user", content: "x" }] }));
    expect(forced).toBeInstanceOf(Anthropic.BadRequestError);
    expect(forced.message).toContain("tool_choice forces the server tool 'web_search'");
    const onlyServer = await failure(client.messages.create({ model: "claude-sonnet-5-5", max_tokens: 10, tools: tools.slice(1), tool_choice: { type: "any" }, messages: [{ role: "user", content: "x" }] }));
    expect(onlyServer).toBeInstanceOf(Anthropic.BadRequestError);
    expect(openrouter.requests).toHaveLength(0);
  });
});

describe("images and documents", () => {
  test("base64 and url images become image_url parts; thinking blocks in history are not forwarded", async () => {
    await client.messages.create({
      model: "claude-sonnet-5-5", max_tokens: 10,
      messages: [
        { role: "user", content: "first" },
        { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "sig" }, { type: "redacted_thinking", data: "xx" }, { type: "text", text: "ok" }] },
        { role: "user", content: [
          { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
          { type: "text", text: "What are these?", cache_control: { type: "ephemeral" } },
        ] },
      ],
    });
    expect(sent().messages).toEqual([
      { role: "user", content: "first" },
      { role: "assistant", content: "ok" },
      { role: "user", content: [
        { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
        { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
        { type: "text", text: "What are these?" },
      ] },
    ]);
  });

  test("text documents become text; a base64 PDF becomes a file part; a url document is a clear 400", async () => {
    await client.messages.create({
      model: "claude-sonnet-5-5", max_tokens: 10,
      messages: [{ role: "user", content: [
        { type: "document", title: "notes", source: { type: "text", media_type: "text/plain", data: "line one" } },
        { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0xLjQ=" } },
      ] }],
    });
    expect(sent().messages[0].content).toEqual([
      { type: "text", text: "notes\n\nline one" },
      { type: "file", file: { filename: "document.pdf", file_data: "data:application/pdf;base64,JVBERi0xLjQ=" } },
    ]);
    const url = await failure(client.messages.create({ model: "claude-sonnet-5-5", max_tokens: 10, messages: [{ role: "user", content: [{ type: "document", source: { type: "url", url: "https://example.com/a.pdf" } }] }] }));
    expect(url).toBeInstanceOf(Anthropic.BadRequestError);
    expect(url.message).toContain("messages[0].content[0]: documents must be plain text or a base64 PDF");
  });
});

describe("streaming", () => {
  test("Anthropic's exact event sequence, a ping right after message_start, one text delta per upstream chunk", async () => {
    const { res, names, events } = await rawEvents({ model: "claude-sonnet-5-5", max_tokens: 100, messages: [{ role: "user", content: "Hi there" }] });
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    expect(names).toEqual([
      "message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta",
      "content_block_stop", "message_delta", "message_stop",
    ]);
    expect(events[0].message).toMatchObject({ type: "message", role: "assistant", model: "claude-sonnet-5-5", content: [], stop_reason: null });
    expect(events.filter((e) => e.type === "content_block_delta").map((e) => e.delta.text).join("")).toBe("Echo: Hi there");
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 4 } });
    expect(events.at(-2)!.usage.input_tokens).toBeGreaterThan(0);
  });

  test("with thinking enabled, upstream reasoning streams as a thinking block before the text; without it, it is left out", async () => {
    openrouter.script("*", { kind: "reply", reasoning: "Let me think." });
    const thinking = await rawEvents({ model: "claude-sonnet-5-5", max_tokens: 2000, thinking: { type: "enabled", budget_tokens: 1024 }, messages: [{ role: "user", content: "q" }] });
    expect(thinking.events[2]).toEqual({ type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } });
    expect(thinking.events[3]).toEqual({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Let me think." } });
    expect(thinking.events[5]).toMatchObject({ type: "content_block_start", index: 1, content_block: { type: "text" } });
    expect(sent().reasoning_effort).toBe("low");

    openrouter.script("*", { kind: "reply", reasoning: "Let me think." });
    const plain = await rawEvents({ model: "claude-sonnet-5-5", max_tokens: 2000, messages: [{ role: "user", content: "q" }] });
    expect(plain.events.some((e) => e.content_block?.type === "thinking")).toBe(false);
  });

  test("the SDK's stream helper assembles the message", async () => {
    const stream = client.messages.stream({ model: "claude-sonnet-5-5", max_tokens: 100, messages: [{ role: "user", content: "Stream me" }] });
    const deltas: string[] = [];
    stream.on("text", (t) => deltas.push(t));
    const final = await stream.finalMessage();
    expect(final.content).toMatchObject([{ type: "text", text: "Echo: Stream me" }]);
    expect(deltas.length).toBeGreaterThan(1);
    expect(sent().stream_options).toEqual({ include_usage: true });
  });

  test("a failure before the first byte fails over; after it, the stream ends with event: error, which the SDK raises", async () => {
    openrouter.always("qwen/qwen3-235b-a22b:free", { kind: "error", status: 500 });
    const ok = await rawEvents({ model: "claude-sonnet-5-5", max_tokens: 100, messages: [{ role: "user", content: "x" }] });
    expect(ok.res.headers.get("x-gateway-upstream-model")).toBe("nvidia/nemotron-3-ultra-550b-a55b:free");
    expect(ok.names.at(-1)).toBe("message_stop");
    openrouter.reset();

    openrouter.script("*", { kind: "stream", chunks: 3, gapMs: 5, failWith: "error-event" });
    const failed = await rawEvents({ model: "claude-sonnet-5-5", max_tokens: 100, messages: [{ role: "user", content: "x" }] });
    expect(failed.names[0]).toBe("message_start");
    expect(failed.events.at(-1)).toMatchObject({ type: "error", error: { type: "overloaded_error" } });

    openrouter.script("*", { kind: "stream", chunks: 3, gapMs: 5, failWith: "error-event" });
    const error = await failure(client.messages.stream({ model: "claude-sonnet-5-5", max_tokens: 100, messages: [{ role: "user", content: "x" }] }).finalMessage());
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error.message).toContain("overloaded_error");
  });
});

describe("other upstreams", () => {
  test("Gemini: thoughts become a thinking block when thinking is on; text and usage come back", async () => {
    gemini.script({ thoughts: ["Considering."], text: ["Forty", "-two"] });
    const message = await client.messages.create({
      model: "gemini-2.5-flash", max_tokens: 500, thinking: { type: "enabled", budget_tokens: 20_000 }, messages: [{ role: "user", content: "Answer?" }],
    });
    expect(message.content).toEqual([{ type: "thinking", thinking: "Considering.", signature: "" }, { type: "text", text: "Forty-two", citations: null }]);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    const body = gemini.requests.at(-1)!.body as { generationConfig: { maxOutputTokens: number; thinkingConfig?: unknown } };
    expect(body.generationConfig.maxOutputTokens).toBe(500);
    expect(body.generationConfig.thinkingConfig).toBeDefined();
  });

  test("Gemini: a streamed tool call round trip", async () => {
    gemini.script({ calls: [{ name: "get_weather", args: { city: "Oslo" } }] });
    const first = await client.messages.stream({ model: "gemini-3-flash-preview", max_tokens: 100, tools: [weather], messages: [{ role: "user", content: "Oslo?" }] }).finalMessage();
    const use = first.content.find((b) => b.type === "tool_use")!;
    expect(use).toMatchObject({ name: "get_weather", input: { city: "Oslo" } });
    gemini.script({ text: ["Cold."] });
    const second = await client.messages.create({
      model: "gemini-3-flash-preview", max_tokens: 100, tools: [weather],
      messages: [
        { role: "user", content: "Oslo?" },
        { role: "assistant", content: first.content as Anthropic.ContentBlockParam[] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "-3C" }] },
      ],
    });
    expect(second.content).toEqual([{ type: "text", text: "Cold.", citations: null }]);
  });

  test("OpenCode (OpenAI-compatible) answers opencode-* names", async () => {
    const { data, response } = await client.messages.create({ model: "opencode-big-pickle", max_tokens: 10, messages: [{ role: "user", content: "pickle?" }] }).withResponse();
    expect(data.content).toEqual([{ type: "text", text: "Echo: pickle?", citations: null }]);
    expect(response.headers.get("x-gateway-provider")).toBe("opencode");
    expect(sent(opencode).model).toBe("big-pickle");
  });
});

describe("count_tokens", () => {
  test("counts locally (no upstream call): more text, tools and images count more", async () => {
    const count = (body: Omit<Anthropic.MessageCountTokensParams, "model">) => client.messages.countTokens({ model: "claude-sonnet-5-5", ...body });
    const base = await count({ messages: [{ role: "user", content: "Hello world" }] });
    expect(base.input_tokens).toBeGreaterThan(2);
    const withSystem = await count({ system: "You are a helpful assistant who answers briefly.", messages: [{ role: "user", content: "Hello world" }] });
    expect(withSystem.input_tokens).toBeGreaterThan(base.input_tokens + 5);
    const withTools = await count({ tools: [weather], messages: [{ role: "user", content: "Hello world" }] });
    expect(withTools.input_tokens).toBeGreaterThan(base.input_tokens + 10);
    // A 1000x500 PNG header: 1000 * 500 / 750 = 667 tokens by Anthropic's rule of thumb.
    const png = Buffer.alloc(33);
    png.writeUInt32BE(0x89504e47, 0);
    png.writeUInt32BE(1000, 16);
    png.writeUInt32BE(500, 20);
    const withImage = await count({ messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: png.toString("base64") } }, { type: "text", text: "Hello world" }] }] });
    expect(withImage.input_tokens - base.input_tokens).toBe(667);
    const res = await post(`${gw.url}/v1/messages/count_tokens?beta=true`, { model: "claude-opus-5-5", messages: [{ role: "user", content: "Hello world" }] });
    expect(await res.json()).toEqual({ input_tokens: base.input_tokens });
    expect(openrouter.requests).toHaveLength(0);
  });
});
