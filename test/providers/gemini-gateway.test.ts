// Gemini behind the gateway, driven by the official OpenAI SDK: what a user of the gateway sees.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { geminiErrors, startFakeGemini, type FakeGemini } from "../fakes/gemini.ts";
import { errorBody, post, startGateway, type Gateway } from "../helpers.ts";

let fake: FakeGemini;
let gw: Gateway;
beforeAll(async () => {
  fake = await startFakeGemini();
  gw = await startGateway({ gemini: { apiKey: fake.apiKey, baseUrl: fake.baseUrl } });
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
});
beforeEach(() => fake.reset());

type Body = { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }>; systemInstruction?: unknown; generationConfig?: Record<string, unknown>; toolConfig?: unknown };
const chatBodies = () => fake.requests.filter((r) => r.path.includes(":generateContent") || r.path.includes(":streamGenerateContent")).map((r) => r.body as Body);
const weather: OpenAI.ChatCompletionTool = {
  type: "function",
  function: { name: "get_weather", parameters: { $schema: "http://json-schema.org/draft-07/schema#", type: "object", additionalProperties: false, properties: { city: { type: "string" } }, required: ["city"] } },
};

describe("Gemini through the gateway", () => {
  test("system + user -> systemInstruction and contents; the answer comes back in OpenAI shape", async () => {
    const { data, response } = await gw.client.chat.completions
      .create({ model: "gemini-3-flash", messages: [{ role: "system", content: "Be terse." }, { role: "user", content: "Hello Gemini" }], temperature: 0.3, max_tokens: 50 })
      .withResponse();
    expect(data.choices[0].message.content).toBe("echo: Hello Gemini");
    expect(data.model).toBe("gemini-3-flash");
    expect(response.headers.get("x-gateway-provider")).toBe("gemini");
    expect(fake.requests.at(-1)!.path).toBe("/v1beta/models/gemini-3-flash-preview:generateContent");
    expect(fake.requests.at(-1)!.headers["x-goog-api-key"]).toBe(fake.apiKey);
    const body = chatBodies().at(-1)!;
    expect(body.systemInstruction).toEqual({ parts: [{ text: "Be terse." }] });
    expect(body.generationConfig).toMatchObject({ temperature: 0.3, maxOutputTokens: 50 });
  });

  test("multi-turn tool use on Gemini 3: call, result, answer (thought signature round trip)", async () => {
    fake.script({ calls: [{ name: "get_weather", args: { city: "Paris" } }] });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Paris?" }];
    const first = await gw.client.chat.completions.create({ model: "gemini-3-flash", messages, tools: [weather], tool_choice: "auto" });
    const choice = first.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.id).toStartWith("call_");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    // The schema keys Gemini rejects were cleaned before sending (the fake refuses them with 400).
    messages.push(choice.message, { role: "tool", tool_call_id: call.id, content: "18C and sunny" });
    fake.script({ text: ["It is 18C and sunny."] });
    const second = await gw.client.chat.completions.create({ model: "gemini-3-flash", messages, tools: [weather] });
    expect(second.choices[0].message.content).toBe("It is 18C and sunny.");
    const sent = chatBodies().at(-1)!;
    const model = sent.contents[1];
    expect(model.role).toBe("model");
    expect(fake.issuedSignatures.has(model.parts[0].thoughtSignature as string)).toBe(true);
    expect(sent.contents[2].parts[0]).toMatchObject({ functionResponse: { name: "get_weather" } });
  });

  test("parallel and empty-args tool calls", async () => {
    fake.script({ calls: [{ name: "get_weather", args: { city: "Paris" } }, { name: "now" }] });
    const res = await gw.client.chat.completions.create({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "two" }], tools: [weather, { type: "function", function: { name: "now" } }] });
    const calls = res.choices[0].message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
    expect(calls.map((c) => [c.function.name, c.function.arguments])).toEqual([["get_weather", "{\"city\":\"Paris\"}"], ["now", "{}"]]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  test("streamed tool calls carry index, and the stream ends with finish_reason tool_calls", async () => {
    fake.script({ text: ["Let me check."], calls: [{ name: "get_weather", args: { city: "Oslo" } }, { name: "now" }] });
    const stream = await gw.client.chat.completions.create({ model: "gemini-2.5-flash", stream: true, messages: [{ role: "user", content: "x" }], tools: [weather] });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls.map((c) => [c.index, c.function?.name])).toEqual([[0, "get_weather"], [1, "now"]]);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe("tool_calls");
    expect(chunks.filter((c) => c.choices[0]?.delta.role === "assistant")).toHaveLength(1);
    expect(chunks.every((c) => c.model === "gemini-2.5-flash" && c.usage === undefined)).toBe(true);
  });

  test("streamed text with include_usage ends with a usage chunk", async () => {
    const stream = await gw.client.chat.completions.create({ model: "gemini-2.5-flash", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "count" }] });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? "";
      usage = c.usage ?? usage;
    }
    expect(text).toBe("echo: count");
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  test("vision: a data URL becomes inlineData, an https URL fileData", async () => {
    await gw.client.chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
      ] }],
    });
    const parts = chatBodies().at(-1)!.contents[0].parts;
    expect(parts[1]).toEqual({ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } });
    expect(parts[2]).toMatchObject({ fileData: { fileUri: "https://example.com/cat.jpg", mimeType: "image/jpeg" } });
  });

  test("JSON mode and json_schema map to responseMimeType and a cleaned responseSchema", async () => {
    await gw.client.chat.completions.create({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "json" }], response_format: { type: "json_object" } });
    expect(chatBodies().at(-1)!.generationConfig).toMatchObject({ responseMimeType: "application/json" });
    await gw.client.chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "schema" }],
      response_format: { type: "json_schema", json_schema: { name: "a", strict: true, schema: { type: "object", additionalProperties: false, properties: { a: { type: "string" } }, required: ["a"] } } },
    });
    const config = chatBodies().at(-1)!.generationConfig!;
    expect(config.responseMimeType).toBe("application/json");
    expect(JSON.stringify(config.responseSchema)).not.toContain("additionalProperties");
  });

  test("a blocked prompt is a content_filter finish, MAX_TOKENS is length", async () => {
    fake.script({ blockReason: "SAFETY" }, { text: ["cut"], finishReason: "MAX_TOKENS" });
    const blocked = await gw.client.chat.completions.create({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "bad" }] });
    expect(blocked.choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: null } });
    const cut = await gw.client.chat.completions.create({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "long" }] });
    expect(cut.choices[0].finish_reason).toBe("length");
  });

  test("429 RESOURCE_EXHAUSTED -> 429 with retry-after from RetryInfo", async () => {
    fake.script({ error: geminiErrors.rateLimit("37s") });
    const res = await post(`${gw.url}/v1/chat/completions`, { model: "gemini-2.5-flash", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("37");
    expect((await errorBody(res)).type).toBe("rate_limit_error");
  });

  test("embeddings: several inputs in order, base64 by default in the SDK", async () => {
    const inputs = ["one", "two", "three"];
    const b64 = await gw.client.embeddings.create({ model: "text-embedding-3-small", input: inputs });
    const floats = await gw.client.embeddings.create({ model: "gemini-embedding-001", input: inputs, encoding_format: "float" });
    expect(b64.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(b64.data.map((d) => d.embedding)).toEqual(floats.data.map((d) => d.embedding.map(Math.fround)));
    expect(fake.requests.at(-1)!.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(b64.usage.prompt_tokens).toBeGreaterThan(0);
  });

  test("Google's embedding names without the gemini- prefix resolve to the current Gemini embedding model", async () => {
    for (const model of ["text-embedding-004", "embedding-001"]) {
      const { data, response } = await gw.client.embeddings.create({ model, input: ["one", "two"], encoding_format: "float" }).withResponse();
      expect(data.model).toBe(model);
      expect(data.data).toHaveLength(2);
      expect(response.headers.get("x-gateway-upstream-model")).toBe(model);
      expect(fake.requests.at(-1)!.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    }
    // They are embedding models: as chat models they stay unknown.
    const chat = await post(`${gw.url}/v1/chat/completions`, { model: "text-embedding-004", messages: [{ role: "user", content: "x" }] });
    expect((await errorBody(chat)).code).toBe("model_not_found");
  });

  test("/v1/models lists Gemini models", async () => {
    const ids: string[] = [];
    for await (const m of gw.client.models.list()) ids.push(m.id);
    expect(ids).toContain("gemini-3-flash-preview");
    expect(ids).toContain("gemini-embedding-001");
  });
});
