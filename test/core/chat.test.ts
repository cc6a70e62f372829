import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { useGatewayOverOpenRouter } from "../helpers.ts";


const ctx = useGatewayOverOpenRouter();

const lastBody = () => ctx.fake.requests.at(-1)!.body!;

describe("chat completions through the OpenAI SDK", () => {
  test("an alias is answered by its first free upstream and reports the alias as model", async () => {
    const { data, response } = await ctx.gw.client.chat.completions
      .create({ model: "gpt-4", messages: [{ role: "user", content: "Hello there" }] })
      .withResponse();
    expect(data.choices[0].message.content).toBe("Echo: Hello there");
    expect(data.model).toBe("gpt-4");
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-gateway-provider")).toBe("openrouter");
    expect(response.headers.get("x-gateway-upstream-model")).toBe("deepseek/deepseek-r1-0528:free");
    expect(response.headers.get("x-gateway-attempts")).toBe("1");
    expect(lastBody().model).toBe("deepseek/deepseek-r1-0528:free");
    expect(ctx.fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${ctx.fake.apiKey}`);
  });

  test("every seed alias maps to its seed target", async () => {
    const seed: Record<string, string> = {
      "gpt-3.5-turbo": "deepseek/deepseek-r1-0528:free",
      "gpt-4o": "qwen/qwen3-235b-a22b:free",
      "gpt-5": "qwen/qwen3-235b-a22b:free",
      "gpt-4o-mini": "qwen/qwen3-next-80b-a3b-instruct:free",
      "gpt-5-turbo": "qwen/qwen3-next-80b-a3b-instruct:free",
      "gpt-4-vision": "qwen/qwen3-vl-235b-a22b-instruct:free",
      "gpt-4-code": "qwen/qwen3-coder:free",
      "deepseek-r1-0528": "deepseek/deepseek-r1-0528:free",
      "qwen3-235b": "qwen/qwen3-235b-a22b:free",
      "qwen3-next-80b": "qwen/qwen3-next-80b-a3b-instruct:free",
      "qwen3-coder": "qwen/qwen3-coder:free",
      "mistral-small-3.1-24b": "mistralai/mistral-small-3.1-24b-instruct:free",
      "llama-3.3-70b": "meta-llama/llama-3.3-70b-instruct:free",
      "gemma-2-9b": "google/gemma-2-9b-it:free",
    };
    for (const [alias, upstream] of Object.entries(seed)) {
      const res = await ctx.gw.client.chat.completions.create({ model: alias, messages: [{ role: "user", content: "x" }] });
      expect(res.model).toBe(alias);
      expect(lastBody().model).toBe(upstream);
    }
  });

  test("an OpenRouter id with a slash is passed through unchanged", async () => {
    const res = await ctx.gw.client.chat.completions.create({
      model: "meta-llama/llama-3.3-70b-instruct:free",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.model).toBe("meta-llama/llama-3.3-70b-instruct:free");
    expect(lastBody().model).toBe("meta-llama/llama-3.3-70b-instruct:free");
  });

  test("every standard parameter and unknown vendor fields are forwarded unchanged", async () => {
    const request = {
      model: "gpt-4o-mini",
      messages: [
        { role: "developer" as const, content: "Be terse." },
        { role: "system" as const, content: [{ type: "text" as const, text: "Sys" }], name: "setup" },
        {
          role: "user" as const,
          content: [
            { type: "text" as const, text: "What is this?" },
            { type: "image_url" as const, image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" as const } },
          ],
        },
        {
          role: "assistant" as const,
          content: null,
          tool_calls: [{ id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } }],
        },
        { role: "tool" as const, tool_call_id: "call_1", content: "18C" },
      ],
      tools: [{ type: "function" as const, function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true } }],
      tool_choice: { type: "function" as const, function: { name: "get_weather" } },
      response_format: { type: "json_schema" as const, json_schema: { name: "a", schema: { type: "object" }, strict: true } },
      seed: 42, stop: ["\n\n", "END"], n: 2, presence_penalty: 0.5, frequency_penalty: -0.5, logprobs: true, top_logprobs: 3,
      max_completion_tokens: 256, temperature: 0.2, top_p: 0.9, user: "u-123", parallel_tool_calls: false,
      logit_bias: { "50256": -100 }, reasoning_effort: "low" as const, metadata: { a: "b" },
    };
    const res = await ctx.gw.client.chat.completions.create({ ...request, provider: { sort: "throughput" } } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(res.choices).toHaveLength(2);
    const sent = lastBody();
    const { model: _alias, ...rest } = request;
    expect(sent).toMatchObject({ ...rest, provider: { sort: "throughput" }, model: "qwen/qwen3-next-80b-a3b-instruct:free" });
  });

  test("tool calls come back in OpenAI shape", async () => {
    ctx.fake.script("*", { kind: "reply", toolCalls: [{ name: "get_weather", arguments: "{\"city\":\"Paris\"}" }] });
    const res = await ctx.gw.client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "weather?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
    });
    expect(res.choices[0].finish_reason).toBe("tool_calls");
    const call = res.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function).toEqual({ name: "get_weather", arguments: "{\"city\":\"Paris\"}" });
  });
});

describe("streaming", () => {
  test("the SDK receives chunks, the alias as model, and no usage chunk unless asked", async () => {
    const stream = await ctx.gw.client.chat.completions.create({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "stream me" }] });
    let text = "";
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("Echo: stream me");
    expect(chunks.every((c) => c.model === "gpt-4o-mini")).toBe(true);
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe("stop");
    expect(lastBody().stream).toBe(true);
  });

  test("the raw stream drops OpenRouter keep-alive comments and ends with [DONE]", async () => {
    const res = await fetch(`${ctx.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4", stream: true, messages: [{ role: "user", content: "raw" }] }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("x-gateway-upstream-model")).toBe("deepseek/deepseek-r1-0528:free");
    const text = await res.text();
    expect(text).not.toContain("OPENROUTER PROCESSING");
    expect(text).not.toContain("\"usage\"");
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    for (const event of text.trim().split("\n\n")) expect(event.startsWith("data: ")).toBe(true);
  });

  test("stream_options.include_usage delivers the usage chunk", async () => {
    const stream = await ctx.gw.client.chat.completions.create({
      model: "gpt-4o-mini", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "count" }],
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBeGreaterThan(0);
  });

  test("an upstream error mid-stream becomes an error the SDK raises, and the stream ends", async () => {
    ctx.fake.script("*", { kind: "stream", chunks: 3, gapMs: 5, failWith: "error-event" });
    const stream = await ctx.gw.client.chat.completions.create({ model: "meta-llama/llama-3.3-70b-instruct:free", stream: true, messages: [{ role: "user", content: "boom" }] });
    let received = "";
    const failure = await (async () => {
      try {
        for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? "";
      } catch (error) {
        return error;
      }
    })();
    expect(received.length).toBeGreaterThan(0);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(String((failure as Error).message)).toContain("Provider disconnected unexpectedly");
  });

  test("a connection cut mid-stream ends the client stream with an error event, no hang", async () => {
    ctx.fake.script("*", { kind: "stream", chunks: 3, gapMs: 5, failWith: "cut" });
    const res = await fetch(`${ctx.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "meta-llama/llama-3.3-70b-instruct:free", stream: true, messages: [{ role: "user", content: "cut" }] }),
      signal: AbortSignal.timeout(5000),
    });
    const events = (await res.text()).trim().split("\n\n");
    const last = JSON.parse(events.at(-1)!.slice("data: ".length));
    expect(events[0]).toContain("\"content\":\"Ech\"");
    expect(last.error.message).toContain("OpenRouter stream ended unexpectedly");
    expect(last.error.type).toBeString();
  });

  test("a client that disconnects aborts the upstream request within a second", async () => {
    ctx.fake.script("*", { kind: "stream", chunks: 200, gapMs: 50 });
    const controller = new AbortController();
    const res = await fetch(`${ctx.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4", stream: true, messages: [{ role: "user", content: "long" }] }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    const leftAt = Date.now();
    controller.abort();
    const deadline = Date.now() + 2000;
    while (ctx.fake.aborted.length === 0 && Date.now() < deadline) await Bun.sleep(10);
    expect(ctx.fake.aborted.length).toBeGreaterThan(0);
    expect(ctx.fake.aborted[0].at - leftAt).toBeLessThan(1000);
  });

  test("a client that leaves before the upstream answers cancels the upstream request", async () => {
    ctx.fake.script("*", { kind: "hang" });
    const controller = new AbortController();
    const pending = fetch(`${ctx.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4", messages: [{ role: "user", content: "wait" }] }),
      signal: controller.signal,
    }).catch(() => undefined);
    while (ctx.fake.requests.length === 0) await Bun.sleep(5);
    const leftAt = Date.now();
    controller.abort();
    await pending;
    const deadline = Date.now() + 2000;
    while (ctx.fake.aborted.length === 0 && Date.now() < deadline) await Bun.sleep(10);
    expect(ctx.fake.aborted.length).toBeGreaterThan(0);
    expect(ctx.fake.aborted[0].at - leftAt).toBeLessThan(1000);
  });
});
