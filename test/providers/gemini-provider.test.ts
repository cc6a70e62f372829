// Golden tests of GeminiProvider against the fake Gemini API over real HTTP on 127.0.0.1.

import { afterAll, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { GatewayError, UpstreamError } from "../../src/errors.ts";
import { geminiModelId } from "../../src/providers/gemini/models.ts";
import { GeminiProvider } from "../../src/providers/gemini/provider.ts";
import { toGeminiSchema } from "../../src/providers/gemini/schema.ts";
import type { GeminiRequest } from "../../src/providers/gemini/wire.ts";
import type { ChatChunk, ChatMessage, ChatRequest, ToolCall } from "../../src/providers/types.ts";
import { DEFAULT_MODELS, geminiErrors, startFakeGemini, type FakeGemini } from "../fakes/gemini.ts";

setDefaultTimeout(10_000);

let fake: FakeGemini;
let provider: GeminiProvider;

beforeAll(async () => {
  fake = await startFakeGemini();
  provider = new GeminiProvider({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const call = (model = "gemini-2.5-flash", signal: AbortSignal = AbortSignal.timeout(8_000)) => ({ model, signal });
const chat = (messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: "gemini", messages, ...extra });
const user = (content: ChatMessage["content"]): ChatMessage => ({ role: "user", content });
const lastRequest = () => fake.requests.at(-1)!;
const lastBody = () => lastRequest().body as GeminiRequest;

/** The provider always ends a stream with a usage chunk (no choices); these tests look at the rest. */
const withoutUsage = (chunks: ChatChunk[]) => chunks.filter((c) => c.choices.length > 0);

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    strict: true,
    parameters: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      additionalProperties: false,
      properties: { city: { type: "string", format: "email" }, unit: { type: ["string", "null"], enum: ["c", "f"] } },
      required: ["city", "unit"],
    },
  },
};

describe("request mapping", () => {
  test("roles, turn merging, generation config, dropped OpenAI-only keys", async () => {
    await provider.chat(chat([
      { role: "system", content: "Be terse." },
      { role: "developer", content: [{ type: "text", text: "Answer in English." }] },
      user("Hello"),
      user([{ type: "text", text: "there" }]),
      { role: "assistant", content: "Hi!" },
      user("Bye"),
    ], {
      temperature: 0.2, top_p: 0.9, max_completion_tokens: 256, max_tokens: 99, stop: "\n\n", n: 1, seed: 42,
      presence_penalty: 0.5, frequency_penalty: -0.5,
      user: "u-1", stream_options: { include_usage: true }, parallel_tool_calls: true, logit_bias: { "1": 2 }, store: true, metadata: { a: "b" },
      service_tier: "auto",
    }), call());
    expect(lastRequest().path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(lastRequest().headers["x-goog-api-key"]).toBe(fake.apiKey);
    expect(lastBody()).toEqual({
      systemInstruction: { parts: [{ text: "Be terse." }, { text: "Answer in English." }] },
      contents: [
        { role: "user", parts: [{ text: "Hello" }, { text: "there" }] },
        { role: "model", parts: [{ text: "Hi!" }] },
        { role: "user", parts: [{ text: "Bye" }] },
      ],
      generationConfig: {
        temperature: 0.2, topP: 0.9, maxOutputTokens: 256, stopSequences: ["\n\n"], candidateCount: 1, seed: 42,
        presencePenalty: 0.5, frequencyPenalty: -0.5,
      },
    });
  });

  test("max_tokens fallback, stop arrays, and more than 5 stops refused before any request", async () => {
    await provider.chat(chat([user("x")], { max_tokens: 12, stop: ["a", "b"] }), call());
    expect(lastBody().generationConfig).toEqual({ maxOutputTokens: 12, stopSequences: ["a", "b"] });

    fake.reset();
    const err = await provider.chat(chat([user("x")], { stop: ["1", "2", "3", "4", "5", "6"] }), call()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(400);
    expect((err as GatewayError).param).toBe("stop");
    expect(fake.requests).toHaveLength(0);
  });

  test("a system-only request becomes one user turn", async () => {
    await provider.chat(chat([{ role: "system", content: "Say hi" }]), call());
    expect(lastBody()).toEqual({ contents: [{ role: "user", parts: [{ text: "Say hi" }] }] });
  });

  test("reasoning_effort -> thinkingLevel (Gemini 3) or thinkingBudget (2.5), nothing for 2.0", async () => {
    await provider.chat(chat([user("x")], { reasoning_effort: "low" }), call("gemini-3-flash-preview"));
    expect(lastBody().generationConfig).toEqual({ thinkingConfig: { thinkingLevel: "low", includeThoughts: true } });
    await provider.chat(chat([user("x")], { reasoning_effort: "minimal" }), call("gemini-3.1-pro-preview"));
    expect(lastBody().generationConfig).toEqual({ thinkingConfig: { thinkingLevel: "low", includeThoughts: true } });
    await provider.chat(chat([user("x")], { reasoning_effort: "medium" }), call("gemini-2.5-flash"));
    expect(lastBody().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 8192, includeThoughts: true } });
    await provider.chat(chat([user("x")], { reasoning_effort: "none" }), call("gemini-2.5-flash"));
    expect(lastBody().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0, includeThoughts: false } });
    await provider.chat(chat([user("x")], { reasoning_effort: "high" }), call("gemini-2.0-flash"));
    expect(lastBody().generationConfig).toBeUndefined();
    const err = await provider.chat(chat([user("x")], { reasoning_effort: "extreme" }), call()).catch((e: unknown) => e);
    expect((err as GatewayError).param).toBe("reasoning_effort");
  });

  test("tools: declarations with cleaned parameters, tool_choice modes", async () => {
    const tools = [WEATHER_TOOL, { type: "function", function: { name: "now", parameters: { type: "object", properties: {} } } }];
    await provider.chat(chat([user("Weather?")], { tools, tool_choice: "auto" }), call());
    expect(lastBody().tools).toEqual([{
      functionDeclarations: [
        {
          name: "get_weather",
          description: "Weather for a city",
          parameters: {
            type: "OBJECT",
            properties: { city: { type: "STRING" }, unit: { type: "STRING", nullable: true, enum: ["c", "f"] } },
            required: ["city", "unit"],
          },
        },
        { name: "now" },
      ],
    }]);
    expect(lastBody().toolConfig).toEqual({ functionCallingConfig: { mode: "AUTO" } });

    const modes: Array<[ChatRequest["tool_choice"], unknown]> = [
      ["none", { mode: "NONE" }],
      ["required", { mode: "ANY" }],
      [{ type: "function", function: { name: "now" } }, { mode: "ANY", allowedFunctionNames: ["now"] }],
    ];
    for (const [choice, expected] of modes) {
      await provider.chat(chat([user("x")], { tools, tool_choice: choice }), call());
      expect(lastBody().toolConfig?.functionCallingConfig).toEqual(expected as never);
    }
    await provider.chat(chat([user("x")], {
      tools, tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "now" } }] } },
    }), call());
    expect(lastBody().tools?.[0].functionDeclarations.map((d) => d.name)).toEqual(["now"]);
    expect(lastBody().toolConfig).toEqual({ functionCallingConfig: { mode: "AUTO" } });
  });

  test("vision: data URLs inline, http(s) URLs by reference (never fetched)", async () => {
    await provider.chat(chat([user([
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
      { type: "image_url", image_url: { url: "https://example.com/cat.JPG?size=2" } },
      { type: "image_url", image_url: { url: "http://example.com/render" } },
      { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
    ])]), call());
    expect(lastBody().contents[0].parts).toEqual([
      { text: "What is this?" },
      { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
      { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/cat.JPG?size=2" } },
      { fileData: { fileUri: "http://example.com/render" } },
      { inlineData: { mimeType: "audio/wav", data: "UklGRg==" } },
    ]);
    // The fake would have seen any fetch of example.com only through us; it saw just this call.
    expect(fake.requests).toHaveLength(1);

    const err = await provider.chat(chat([user([{ type: "image_url", image_url: { url: "ftp://x/y.png" } }])]), call()).catch((e: unknown) => e);
    expect((err as GatewayError).param).toBe("messages.0.content.0.image_url.url");
  });

  test("JSON mode and json_schema (schema converted, strict/additionalProperties gone)", async () => {
    fake.script({ text: ['{"a":', '"x"}'] });
    const res = await provider.chat(chat([user("json please")], { response_format: { type: "json_object" } }), call());
    expect(lastBody().generationConfig).toEqual({ responseMimeType: "application/json" });
    expect(res.choices[0].message.content).toBe('{"a":"x"}');

    await provider.chat(chat([user("json please")], {
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "answer", strict: true,
          schema: {
            type: "object", additionalProperties: false, $defs: { Tag: { type: "string", description: "a tag" } },
            properties: { a: { type: "string" }, tags: { type: "array", items: { $ref: "#/$defs/Tag" } }, n: { anyOf: [{ type: "integer" }, { type: "null" }] } },
            required: ["a", "tags", "n"],
          },
        },
      },
    }), call());
    expect(lastBody().generationConfig).toEqual({
      responseMimeType: "application/json",
      responseSchema: {
        type: "OBJECT",
        properties: { a: { type: "STRING" }, tags: { type: "ARRAY", items: { type: "STRING", description: "a tag" } }, n: { type: "INTEGER", nullable: true } },
        required: ["a", "tags", "n"],
      },
    });
  });

  test("bad tool-call arguments and unknown tool_call_id are 400s naming the param", async () => {
    const bad = await provider.chat(chat([
      user("x"),
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{nope" } }] },
    ]), call()).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(GatewayError);
    expect((bad as GatewayError).param).toBe("messages.1.tool_calls.0.function.arguments");

    const orphan = await provider.chat(chat([user("x"), { role: "tool", tool_call_id: "call_missing", content: "1" }]), call()).catch((e: unknown) => e);
    expect((orphan as GatewayError).param).toBe("messages.1.tool_call_id");
    expect(fake.requests).toHaveLength(0);
  });

  test("friendly model names map to API ids", async () => {
    expect(geminiModelId("gemini-3-flash")).toBe("gemini-3-flash-preview");
    expect(geminiModelId("gemini-1.5-flash")).toBe("gemini-2.5-flash");
    expect(geminiModelId("gemini-1.5-pro")).toBe("gemini-2.5-pro");
    expect(geminiModelId("gemini-2.0-flash")).toBe("gemini-2.0-flash");
    expect(geminiModelId("models/gemini-2.5-flash-lite")).toBe("gemini-2.5-flash-lite");
    await provider.chat(chat([user("x")]), call("gemini-3-flash"));
    expect(lastRequest().path).toBe("/v1beta/models/gemini-3-flash-preview:generateContent");
  });
});

describe("response mapping", () => {
  test("text, thoughts -> reasoning_content, usage incl. reasoning and cached tokens, id", async () => {
    fake.script({
      thoughts: ["Thinking about it."], text: ["Hello", " world"],
      usage: { promptTokenCount: 11, candidatesTokenCount: 7, thoughtsTokenCount: 5, cachedContentTokenCount: 3 },
    });
    const before = Math.floor(Date.now() / 1000);
    const res = await provider.chat(chat([user("hi")]), call());
    expect(res.id).toMatch(/^chatcmpl-fake-response-\d+$/);
    expect(res.object).toBe("chat.completion");
    expect(res.created).toBeGreaterThanOrEqual(before);
    expect(res.model).toBe("gemini-2.5-flash");
    expect(res.choices).toEqual([{
      index: 0, finish_reason: "stop", logprobs: null,
      message: { role: "assistant", content: "Hello world", reasoning_content: "Thinking about it." },
    }]);
    expect(res.usage).toEqual({
      prompt_tokens: 11, completion_tokens: 12, total_tokens: 23,
      prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 5 },
    });
  });

  test("default echo reply goes through", async () => {
    const res = await provider.chat(chat([user("ping pong")]), call());
    expect(res.choices[0].message.content).toBe("echo: ping pong");
  });

  test("finish reasons: MAX_TOKENS -> length, SAFETY -> content_filter", async () => {
    fake.script({ text: ["cut"], finishReason: "MAX_TOKENS" }, { finishReason: "SAFETY" }, { text: ["x"], finishReason: "MALFORMED_FUNCTION_CALL" });
    expect((await provider.chat(chat([user("x")]), call())).choices[0].finish_reason).toBe("length");
    const safety = await provider.chat(chat([user("x")]), call());
    expect(safety.choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: null } });
    expect((await provider.chat(chat([user("x")]), call())).choices[0].finish_reason).toBe("stop");
  });

  test("blocked prompt -> one choice, content null, content_filter", async () => {
    fake.script({ blockReason: "PROHIBITED_CONTENT" });
    const res = await provider.chat(chat([user("bad")]), call());
    expect(res.choices).toEqual([{ index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter", logprobs: null }]);
  });

  test("tool calls: single with signature, parallel, empty args, Gemini's own id", async () => {
    fake.script(
      { calls: [{ name: "get_weather", args: { city: "Paris" } }] },
      { calls: [{ name: "a", args: { x: 1 } }, { name: "b", args: {} }, { name: "c" }] },
      { calls: [{ name: "a", id: "gem-id-7" }] },
    );
    const single = await provider.chat(chat([user("x")], { tools: [WEATHER_TOOL] }), call());
    const [tc] = single.choices[0].message.tool_calls!;
    expect(single.choices[0].finish_reason).toBe("tool_calls");
    expect(single.choices[0].message.content).toBeNull();
    expect(tc.id).toMatch(/^call_[0-9a-f]{24}\.sig\.[A-Za-z0-9_-]+$/);
    expect(tc).toMatchObject({ type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
    const [signature] = fake.issuedSignatures;
    expect(tc.extra_content).toEqual({ google: { thought_signature: signature } });

    const parallel = (await provider.chat(chat([user("x")]), call())).choices[0].message.tool_calls!;
    expect(parallel.map((t) => [t.function.name, t.function.arguments])).toEqual([["a", '{"x":1}'], ["b", "{}"], ["c", "{}"]]);
    expect(parallel[1].id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(new Set(parallel.map((t) => t.id)).size).toBe(3);

    const own = (await provider.chat(chat([user("x")]), call())).choices[0].message.tool_calls!;
    expect(own[0].id.startsWith("gem-id-7.sig.")).toBe(true);
  });

  test("n -> candidateCount, several candidates -> several choices", async () => {
    fake.script({ text: ["one"] });
    const res = await provider.chat(chat([user("x")], { n: 2 }), call());
    expect(lastBody().generationConfig?.candidateCount).toBe(2);
    expect(res.choices.map((c) => [c.index, c.message.content])).toEqual([[0, "one"], [1, "one#1"]]);
  });

  test("logprobs -> responseLogprobs/logprobs, mapped back to OpenAI logprobs", async () => {
    fake.script({ text: ["a b"] });
    const res = await provider.chat(chat([user("x")], { logprobs: true, top_logprobs: 2 }), call());
    expect(lastBody().generationConfig).toEqual({ responseLogprobs: true, logprobs: 2 });
    expect(res.choices[0].logprobs).toEqual({
      content: [
        { token: "a ", logprob: -0.25, bytes: null, top_logprobs: [{ token: "a ", logprob: -0.25, bytes: null }, { token: "~", logprob: -9, bytes: null }] },
        { token: "b", logprob: -0.5, bytes: null, top_logprobs: [{ token: "b", logprob: -0.5, bytes: null }, { token: "~", logprob: -9, bytes: null }] },
      ],
    });
  });
});

describe("multi-turn tool use", () => {
  test("gemini-3: call -> result -> answer, the thought signature comes back and passes the check", async () => {
    const model = "gemini-3-flash-preview";
    const messages: ChatMessage[] = [user("Weather in Paris?")];
    fake.script({ thoughts: ["Need the tool."], calls: [{ name: "get_weather", args: { city: "Paris" } }] }, { text: ["It is 18C."] });

    const first = await provider.chat(chat(messages, { tools: [WEATHER_TOOL] }), call(model));
    const assistant = first.choices[0].message;
    // The client echoes the assistant message as OpenAI clients do: id, type, function only.
    const echoed: ToolCall[] = assistant.tool_calls!.map((t) => ({ id: t.id, type: "function", function: { name: t.function.name, arguments: t.function.arguments } }));
    messages.push({ role: "assistant", content: assistant.content, tool_calls: echoed });
    messages.push({ role: "tool", tool_call_id: echoed[0].id, content: "18C sunny" });

    const second = await provider.chat(chat(messages, { tools: [WEATHER_TOOL] }), call(model));
    expect(second.choices[0].message.content).toBe("It is 18C.");
    const [signature] = fake.issuedSignatures;
    expect(signature).toMatch(/[+/=]/); // exercises the base64 <-> base64url round trip
    expect(lastBody().contents).toEqual([
      { role: "user", parts: [{ text: "Weather in Paris?" }] },
      { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: signature }] },
      { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { content: "18C sunny" } } }] },
    ]);
  });

  test("streamed tool calls round-trip their signature too", async () => {
    const model = "gemini-3-flash-preview";
    fake.script({ calls: [{ name: "get_weather", args: { city: "Oslo" } }] }, { text: ["Cold."] });
    const deltas = (await collect(await provider.chatStream(chat([user("Oslo?")], { tools: [WEATHER_TOOL] }), call(model))))
      .flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    const calls: ToolCall[] = deltas.map((d) => ({ id: d.id!, type: "function", function: { name: d.function!.name!, arguments: d.function!.arguments! } }));
    const chunks = await collect(await provider.chatStream(chat([
      user("Oslo?"), { role: "assistant", content: null, tool_calls: calls }, { role: "tool", tool_call_id: calls[0].id, content: "-5C" },
    ], { tools: [WEATHER_TOOL] }), call(model)));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Cold.");
    expect(lastBody().contents[1].parts[0].thoughtSignature).toBe([...fake.issuedSignatures][0]);
  });

  test("parallel calls: all results in one user turn; JSON-object results passed as objects", async () => {
    const model = "gemini-3.1-pro-preview";
    fake.script({ calls: [{ name: "a", args: { q: 1 } }, { name: "b", args: { q: 2 } }] }, { text: ["done"] });
    const first = await provider.chat(chat([user("go")]), call(model));
    const calls = first.choices[0].message.tool_calls!;
    const res = await provider.chat(chat([
      user("go"),
      { role: "assistant", content: null, tool_calls: calls },
      { role: "tool", tool_call_id: calls[1].id, content: '{"temp": 3}' },
      { role: "tool", tool_call_id: calls[0].id, content: [{ type: "text", text: "[1,2]" }] },
      user("thanks"),
    ]), call(model));
    expect(res.choices[0].message.content).toBe("done");
    expect(lastBody().contents[2]).toEqual({
      role: "user",
      parts: [
        { functionResponse: { name: "b", response: { temp: 3 } } },
        { functionResponse: { name: "a", response: { content: "[1,2]" } } },
        { text: "thanks" },
      ],
    });
  });

  test("signature via extra_content, and the skip value for unsigned history", async () => {
    const model = "gemini-3-flash-preview";
    fake.script({ calls: [{ name: "a" }] });
    const signed = (await provider.chat(chat([user("go")]), call(model))).choices[0].message.tool_calls![0];
    const viaExtra: ToolCall = { id: "call_plain", type: "function", function: { name: "a", arguments: "" }, extra_content: signed.extra_content };
    await provider.chat(chat([user("go"), { role: "assistant", tool_calls: [viaExtra] }, { role: "tool", tool_call_id: "call_plain", content: "ok" }]), call(model));
    expect(lastBody().contents[1].parts[0].thoughtSignature).toBe([...fake.issuedSignatures][0]);

    const foreign: ToolCall = { id: "toolu_123", type: "function", function: { name: "a", arguments: "{}" } };
    await provider.chat(chat([user("go"), { role: "assistant", tool_calls: [foreign] }, { role: "tool", tool_call_id: "toolu_123", content: "ok" }]), call(model));
    expect(lastBody().contents[1].parts[0].thoughtSignature).toBe("skip_thought_signature_validator");

    // On 2.5 unsigned history is sent as is (no dummy).
    await provider.chat(chat([user("go"), { role: "assistant", tool_calls: [foreign] }, { role: "tool", tool_call_id: "toolu_123", content: "ok" }]), call());
    expect(lastBody().contents[1].parts[0].thoughtSignature).toBeUndefined();
  });
});

describe("streaming", () => {
  test("text stream: stable id, role once, deltas, finish chunk, then the usage chunk the route filters", async () => {
    fake.script({ text: ["Hel", "lo", " there"] });
    const all = await collect(await provider.chatStream(chat([user("x")], { stream: true }), call()));
    // The provider always ends with usage (for metrics); the SSE route drops it unless the client asked.
    const usage = all.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toBeDefined();
    const chunks = all.slice(0, -1);
    expect(lastRequest().path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    expect(lastRequest().query).toEqual({ alt: "sse" });
    expect(new Set(all.map((c) => c.id)).size).toBe(1);
    expect(chunks[0].id).toMatch(/^chatcmpl-/);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && !("usage" in c))).toBe(true);
    expect(chunks.filter((c) => c.choices[0]?.delta.role === "assistant")).toHaveLength(1);
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks.map((c) => c.choices[0].delta.content ?? "").join("")).toBe("Hello there");
    expect(chunks.at(-1)!.choices).toEqual([{ index: 0, delta: {}, finish_reason: "stop" }]);
    expect(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true);
  });

  test("include_usage: usage null on chunks, then a usage chunk with no choices", async () => {
    fake.script({ thoughts: ["hmm"], text: ["a", "b"], usage: { promptTokenCount: 4, candidatesTokenCount: 2, thoughtsTokenCount: 1 } });
    const chunks = await collect(await provider.chatStream(chat([user("x")], { stream: true, stream_options: { include_usage: true } }), call()));
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7, completion_tokens_details: { reasoning_tokens: 1 } });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", reasoning_content: "hmm" });
  });

  test("tool calls: one delta per call, index counted across the stream, finish tool_calls", async () => {
    fake.script({ text: ["Checking."], calls: [{ name: "a", args: { x: 1 } }, { name: "b" }, { name: "c", args: { y: "z" } }], splitCalls: true });
    const chunks = withoutUsage(await collect(await provider.chatStream(chat([user("x")]), call("gemini-3-flash-preview"))));
    const deltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(deltas.map((d) => [d.index, d.type, d.function?.name, d.function?.arguments])).toEqual([
      [0, "function", "a", '{"x":1}'], [1, "function", "b", "{}"], [2, "function", "c", '{"y":"z"}'],
    ]);
    expect(deltas.every((d) => typeof d.id === "string" && d.id.startsWith("call_"))).toBe(true);
    expect(deltas[0].id).toContain(".sig.");
    expect(chunks.at(-1)!.choices).toEqual([{ index: 0, delta: {}, finish_reason: "tool_calls" }]);
  });

  test("MAX_TOKENS -> length, blocked prompt -> content_filter", async () => {
    fake.script({ text: ["a", "b"], finishReason: "MAX_TOKENS" }, { blockReason: "SAFETY" });
    const cut = withoutUsage(await collect(await provider.chatStream(chat([user("x")]), call())));
    expect(cut.at(-1)!.choices[0].finish_reason).toBe("length");
    const blocked = withoutUsage(await collect(await provider.chatStream(chat([user("x")]), call())));
    expect(blocked.map((c) => c.choices[0])).toEqual([
      { index: 0, delta: { role: "assistant", content: null }, finish_reason: null },
      { index: 0, delta: {}, finish_reason: "content_filter" },
    ]);
  });

  test("an error event mid-stream throws an UpstreamError after the chunks before it", async () => {
    fake.script({ text: ["partial"], midStreamError: geminiErrors.unavailable() });
    const seen: ChatChunk[] = [];
    const err = await (async () => {
      for await (const c of await provider.chatStream(chat([user("x")]), call())) seen.push(c);
    })().then(() => null, (e: unknown) => e);
    expect(seen[0].choices[0].delta.content).toBe("partial");
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe("server");
    expect((err as UpstreamError).upstreamStatus).toBe(503);
  });

  test("non-2xx before the stream: chatStream itself rejects", async () => {
    fake.script({ error: geminiErrors.rateLimit("3s") });
    const err = await rejection(provider.chatStream(chat([user("x")]), call()));
    expect(err.kind).toBe("rate_limit");
    expect(err.retryAfterMs).toBe(3000);
  });

  test("chunks are yielded as events arrive, not buffered", async () => {
    fake.script({ text: ["a", "b", "c"], gapMs: 300 });
    const stream = await provider.chatStream(chat([user("x")]), call());
    const started = Date.now();
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    expect(Date.now() - started).toBeLessThan(250);
    await it.return?.();
  });

  test("aborting the signal mid-stream cancels the upstream request", async () => {
    fake.script({ text: Array.from({ length: 50 }, (_, i) => `w${i} `), gapMs: 100 });
    const controller = new AbortController();
    const stream = await provider.chatStream(chat([user("x")]), call("gemini-2.5-flash", controller.signal));
    const seen: ChatChunk[] = [];
    const err = await (async () => {
      for await (const c of stream) {
        seen.push(c);
        if (seen.length === 2) controller.abort();
      }
    })().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(seen.length).toBeLessThan(5);
    const record = lastRequest();
    for (let i = 0; i < 40 && !record.aborted; i++) await Bun.sleep(25);
    expect(record.aborted).toBe(true);
  });

  test("leaving the loop early also cancels the upstream request", async () => {
    fake.script({ text: Array.from({ length: 50 }, (_, i) => `w${i} `), gapMs: 100 });
    for await (const _ of await provider.chatStream(chat([user("x")]), call())) break;
    const record = lastRequest();
    for (let i = 0; i < 40 && !record.aborted; i++) await Bun.sleep(25);
    expect(record.aborted).toBe(true);
  });
});

describe("errors", () => {
  test("429 with a short RetryInfo delay -> rate_limit with retryAfterMs", async () => {
    fake.script({ error: geminiErrors.rateLimit("37s") });
    const err = await rejection(provider.chat(chat([user("x")]), call()));
    expect([err.kind, err.status, err.retryAfterMs, err.retryable]).toEqual(["rate_limit", 429, 37_000, true]);
    expect(err.headers["retry-after"]).toBe("37");
  });

  test("429 per-day quota or long delay -> quota with resetAt", async () => {
    fake.script({ error: geminiErrors.rateLimit("20s", "GenerateRequestsPerDayPerProjectPerModel-FreeTier") }, { error: geminiErrors.rateLimit("120.5s") });
    const daily = await rejection(provider.chat(chat([user("x")]), call()));
    expect([daily.kind, daily.retryAfterMs]).toEqual(["quota", 20_000]);
    const long = await rejection(provider.chat(chat([user("x")]), call()));
    expect([long.kind, long.retryAfterMs]).toEqual(["quota", 120_500]);
    expect(long.resetAt).toBeGreaterThan(Date.now() + 100_000);
  });

  test("bad key -> client error (400 API_KEY_INVALID), not retryable", async () => {
    const bad = new GeminiProvider({ apiKey: "wrong", baseUrl: fake.baseUrl });
    const err = await rejection(bad.chat(chat([user("x")]), call()));
    expect([err.kind, err.status, err.code, err.retryable]).toEqual(["client", 400, "API_KEY_INVALID", false]);
    expect(err.message).toContain("API key not valid");
    expect(new GeminiProvider({ baseUrl: fake.baseUrl }).configured).toBe(false);
    expect(bad.configured).toBe(true);
  });

  test("unknown model -> 404 client; 500 and 503 -> server", async () => {
    const missing = await rejection(provider.chat(chat([user("x")]), call("gemini-9-ultra")));
    expect([missing.kind, missing.status, missing.code]).toEqual(["client", 404, "NOT_FOUND"]);
    fake.script({ error: geminiErrors.internal() }, { error: geminiErrors.unavailable() });
    expect((await rejection(provider.chat(chat([user("x")]), call()))).kind).toBe("server");
    const unavailable = await rejection(provider.chat(chat([user("x")]), call()));
    expect([unavailable.kind, unavailable.status, unavailable.upstreamStatus]).toEqual(["server", 502, 503]);
  });

  test("no answer in time -> timeout; nothing listening -> connection", async () => {
    fake.script({ delayMs: 1_000 });
    const late = provider.chat(chat([user("x")]), { model: "gemini-2.5-flash", signal: AbortSignal.timeout(100) });
    expect((await rejection(late)).kind).toBe("timeout");

    const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const url = `http://127.0.0.1:${closed.port}/v1beta`;
    await closed.stop(true);
    const down = new GeminiProvider({ apiKey: "k", baseUrl: url });
    expect((await rejection(down.chat(chat([user("x")]), call()))).kind).toBe("connection");
  });
});

describe("the fake is strict (so passing tests mean something)", () => {
  const post = (path: string, body: unknown, key = fake.apiKey) =>
    fetch(`${fake.baseUrl}${path}`, { method: "POST", headers: { "x-goog-api-key": key, "content-type": "application/json" }, body: JSON.stringify(body) });
  const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

  test("unknown fields, schema keys, roles, response counts, missing signatures", async () => {
    const contents = [{ role: "user", parts: [{ text: "x" }] }];
    let res = await post("/models/gemini-2.5-flash:generateContent", { contents, user: "u" });
    expect([res.status, await message(res)]).toEqual([400, 'Invalid JSON payload received. Unknown name "user": Cannot find field.']);
    res = await post("/models/gemini-2.5-flash:generateContent", { contents, generation_config: { max_output_tokens: 5 } });
    expect(res.status).toBe(200);
    res = await post("/models/gemini-2.5-flash:generateContent", { contents, generationConfig: { responseSchema: { type: "object", additionalProperties: false } } });
    expect(await message(res)).toContain('Unknown name "additionalProperties"');
    res = await post("/models/gemini-2.5-flash:generateContent", { contents: [...contents, ...contents] });
    expect(await message(res)).toContain("alternate between user and model");
    const modelCall = { role: "model", parts: [{ functionCall: { name: "a", args: {} } }, { functionCall: { name: "b", args: {} } }] };
    res = await post("/models/gemini-2.5-flash:generateContent", { contents: [...contents, modelCall, { role: "user", parts: [{ functionResponse: { name: "a", response: {} } }] }] });
    expect(await message(res)).toContain("number of function response parts is equal");
    res = await post("/models/gemini-3-flash-preview:generateContent", { contents: [...contents, modelCall, { role: "user", parts: [{ functionResponse: { name: "a", response: {} } }, { functionResponse: { name: "b", response: {} } }] }] });
    expect(await message(res)).toStartWith("Function call is missing a thought_signature in functionCall parts.");
    res = await post("/models/gemini-2.5-flash:generateContent", { contents }, "wrong-key");
    expect([res.status, await message(res)]).toEqual([400, "API key not valid. Please pass a valid API key."]);
  });

  test("SSE framing is CRLF with no [DONE]; the last event carries finishReason and full usage", async () => {
    fake.script({ text: ["a", "b"] });
    const raw = await (await post("/models/gemini-2.5-flash:streamGenerateContent?alt=sse", { contents: [{ role: "user", parts: [{ text: "x" }] }] })).text();
    const events = raw.split("\r\n\r\n").filter(Boolean);
    expect(events).toHaveLength(2);
    expect(raw).not.toContain("[DONE]");
    const [first, last] = events.map((e) => JSON.parse(e.replace(/^data: /, "")));
    expect(first.candidates[0].finishReason).toBeUndefined();
    expect(first.usageMetadata.candidatesTokenCount).toBeUndefined();
    expect(last.candidates[0].finishReason).toBe("STOP");
    expect(last.usageMetadata.candidatesTokenCount).toBe(2);
  });

  test("embedContent works; batchEmbedContents checks each request's model against the URL", async () => {
    let res = await post("/models/gemini-embedding-001:embedContent", { content: { parts: [{ text: "hi" }] }, outputDimensionality: 3 });
    expect(((await res.json()) as { embedding: { values: number[] } }).embedding.values).toHaveLength(3);
    res = await post("/models/gemini-embedding-001:batchEmbedContents", { requests: [{ model: "models/other", content: { parts: [{ text: "hi" }] } }] });
    expect([res.status, await message(res)]).toEqual([400, '* BatchEmbedContentsRequest.requests[0].model: model must be "models/gemini-embedding-001", as in the URL.']);
  });
});

describe("embeddings", () => {
  test("several inputs in order via batchEmbedContents, dimensions, estimated usage", async () => {
    const res = await provider.embeddings({ model: "gemini-embedding-001", input: ["alpha", "beta", "gamma delta"], dimensions: 4 }, call("gemini-embedding-001"));
    const req = lastRequest();
    expect(req.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(req.body).toEqual({
      requests: ["alpha", "beta", "gamma delta"].map((text) => ({ model: "models/gemini-embedding-001", content: { parts: [{ text }] }, outputDimensionality: 4 })),
    });
    expect(res.object).toBe("list");
    expect(res.model).toBe("gemini-embedding-001");
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(res.data.every((d) => Array.isArray(d.embedding) && d.embedding.length === 4)).toBe(true);
    // Each vector belongs to its own input: embedding one input alone gives the same numbers.
    const beta = await provider.embeddings({ model: "gemini-embedding-001", input: "beta", dimensions: 4 }, call("gemini-embedding-001"));
    expect(beta.data[0].embedding).toEqual(res.data[1].embedding);
    expect(res.usage).toEqual({ prompt_tokens: 2 + 1 + 3, total_tokens: 6 });
  });

  test("more than 100 inputs are sent in batches; token arrays are refused", async () => {
    const inputs = Array.from({ length: 150 }, (_, i) => `t${i}`);
    const res = await provider.embeddings({ model: "gemini-embedding-001", input: inputs }, call("gemini-embedding-001"));
    expect(res.data).toHaveLength(150);
    expect(fake.requests.map((r) => (r.body as { requests: unknown[] }).requests.length)).toEqual([100, 50]);

    const err = await provider.embeddings({ model: "gemini-embedding-001", input: [[1, 2, 3]] }, call("gemini-embedding-001")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).param).toBe("input");
  });
});

describe("listModels", () => {
  test("follows nextPageToken, strips models/, classifies, marks free", async () => {
    const many = Array.from({ length: 1003 }, (_, i) => ({ name: `models/gemini-test-${i}`, supportedGenerationMethods: ["generateContent"] }));
    const limited = { name: "models/gemini-limited", inputTokenLimit: 1000, outputTokenLimit: 65_536, supportedGenerationMethods: ["generateContent"] };
    const big = await startFakeGemini({ models: [...DEFAULT_MODELS, limited, ...many] });
    try {
      const models = await new GeminiProvider({ apiKey: big.apiKey, baseUrl: big.baseUrl }).listModels(AbortSignal.timeout(8_000));
      expect(big.requests.map((r) => r.query.pageSize)).toEqual(["1000", "1000"]);
      expect(big.requests[1].query.pageToken).toBeTruthy();
      expect(models).toHaveLength(DEFAULT_MODELS.length + many.length); // imagen neither chats nor embeds
      expect(models.find((m) => m.id === "gemini-2.5-flash")).toEqual({ id: "gemini-2.5-flash", free: true, kind: "chat", contextLength: 1_048_576 });
      expect(models.find((m) => m.id === "gemini-embedding-001")?.kind).toBe("embedding");
      // Its output limit, which /v1/messages lowers max_tokens to.
      expect(models.find((m) => m.id === "gemini-limited")).toEqual({ id: "gemini-limited", free: true, kind: "chat", contextLength: 1000, capabilities: { maxOutputTokens: 65_536 } });
      expect(models.some((m) => m.id.startsWith("imagen"))).toBe(false);
    } finally {
      await big.stop();
    }
  });
});

describe("schema conversion", () => {
  test("recursive $ref stops, type unions become anyOf, unsupported keys vanish", () => {
    expect(toGeminiSchema({
      $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } },
      type: "object",
      properties: { node: { $ref: "#/$defs/Node" }, v: { type: ["string", "integer"] }, c: { const: "k" }, e: { type: "integer", enum: [1, 2] } },
      patternProperties: { x: {} },
    })).toEqual({
      type: "OBJECT",
      properties: {
        node: { type: "OBJECT", properties: { next: {} } },
        v: { anyOf: [{ type: "STRING" }, { type: "INTEGER" }] },
        c: { enum: ["k"] },
        e: { type: "INTEGER" },
      },
    });
  });
});
