import { describe, expect, test } from "bun:test";
import { errorBody, post, startGateway, useGatewayOverOpenRouter } from "../helpers.ts";

const ctx = useGatewayOverOpenRouter({ maxBodySize: 64 * 1024, maxTokensLimit: 4096, maxRetries: 0 });
const chatUrl = () => `${ctx.gw.url}/v1/chat/completions`;
const ok = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

async function expectError(res: Response, status: number, param?: string | null, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const error = await errorBody(res);
  if (param !== undefined) expect(error.param).toBe(param);
  if (code !== undefined) expect(error.code).toBe(code);
  expect(error.message).not.toContain("    at ");
  return error;
}

describe("request validation: nothing invalid reaches an upstream", () => {
  const cases: Array<[string, unknown, string | null]> = [
    ["temperature above 2", { ...ok, temperature: 2.5 }, "temperature"],
    ["temperature below 0", { ...ok, temperature: -0.1 }, "temperature"],
    ["top_p above 1", { ...ok, top_p: 1.5 }, "top_p"],
    ["max_tokens above MAX_TOKENS_LIMIT", { ...ok, max_tokens: 5000 }, "max_tokens"],
    ["max_tokens of 0", { ...ok, max_tokens: 0 }, "max_tokens"],
    ["max_tokens as a string (OpenAI does not coerce)", { ...ok, max_tokens: "5" }, "max_tokens"],
    ["a fractional n", { ...ok, n: 1.5 }, "n"],
    ["max_completion_tokens above the limit", { ...ok, max_completion_tokens: 100000 }, "max_completion_tokens"],
    ["an unknown role", { ...ok, messages: [{ role: "robot", content: "hi" }] }, "messages[0].role"],
    ["a message without content", { ...ok, messages: [{ role: "user" }] }, "messages[0].content"],
    ["a user message with null content", { ...ok, messages: [{ role: "system", content: "s" }, { role: "user", content: null }] }, "messages[1].content"],
    ["a tool message without tool_call_id", { ...ok, messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id"],
    ["no messages", { model: "gpt-4" }, "messages"],
    ["empty messages", { model: "gpt-4", messages: [] }, "messages"],
    ["no model", { messages: ok.messages }, "model"],
    ["model of the wrong type", { ...ok, model: 42 }, "model"],
    ["content of the wrong type", { ...ok, messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
    ["stream_options without stream", { ...ok, stream_options: { include_usage: true } }, "stream_options"],
    ["n of 0", { ...ok, n: 0 }, "n"],
    ["more than 4 stop sequences", { ...ok, stop: ["a", "b", "c", "d", "e"] }, "stop"],
    ["a bad response_format type", { ...ok, response_format: { type: "xml" } }, "response_format.type"],
  ];
  for (const [name, body, param] of cases) {
    test(`${name} -> 400 naming ${param}`, async () => {
      const error = await expectError(await post(chatUrl(), body), 400, param);
      expect(error.type).toBe("invalid_request_error");
      expect(ctx.fake.requests).toHaveLength(0);
    });
  }

  test("an assistant message with tool_calls and null content is valid", async () => {
    const res = await post(chatUrl(), {
      ...ok,
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "w", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
      ],
    });
    expect(res.status).toBe(200);
  });

  test("an unknown model gets 404 model_not_found", async () => {
    const error = await expectError(await post(chatUrl(), { ...ok, model: "gpt-9" }), 404, "model", "model_not_found");
    expect(error.message).toContain("gpt-9");
    expect(ctx.fake.requests).toHaveLength(0);
  });
});

describe("transport errors are OpenAI-format", () => {
  test("malformed JSON -> 400", async () => {
    await expectError(await post(chatUrl(), "{\"model\": "), 400, null, "invalid_json");
  });

  test("a non-JSON content type -> 415", async () => {
    const res = await fetch(chatUrl(), { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(ok) });
    await expectError(res, 415, null, "unsupported_media_type");
  });

  test("a body over MAX_BODY_SIZE -> 413 from Content-Length", async () => {
    const big = { ...ok, messages: [{ role: "user", content: "x".repeat(100 * 1024) }] };
    await expectError(await post(chatUrl(), big), 413, null, "request_too_large");
    expect(ctx.fake.requests).toHaveLength(0);
  });

  test("a chunked body over MAX_BODY_SIZE -> 413 while reading", async () => {
    const piece = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than the limit, so the gateway must stop reading early.
        if (sent++ > 200) controller.close();
        else controller.enqueue(piece);
      },
    });
    const res = await fetch(chatUrl(), { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
    await expectError(res, 413, null, "request_too_large");
    expect(sent).toBeLessThan(200);
  });

  test("an unknown route -> 404", async () => {
    await expectError(await fetch(`${ctx.gw.url}/v1/nope`), 404, null, "not_found");
  });

  test("a wrong method -> 405 with Allow", async () => {
    const res = await fetch(chatUrl());
    expect(res.headers.get("allow")).toBe("POST");
    await expectError(res, 405, null, "method_not_allowed");
  });
});

describe("upstream failures map to OpenAI errors", () => {
  // A full OpenRouter id has a single candidate, so with retries off the mapping is visible as is
  // (test/routing covers retries and failover).
  const direct = { ...ok, model: "meta-llama/llama-3.3-70b-instruct:free" };

  test("upstream 429 -> 429 with retry-after", async () => {
    ctx.fake.script("*", { kind: "error", status: 429, headers: { "retry-after": "7" }, body: { error: { code: 429, message: "Rate limit exceeded: limit_rpm/qwen/qwen3-coder" } } });
    // Its own model: the gateway skips a model for as long as its Retry-After says, and the tests below share the gateway.
    const res = await post(chatUrl(), { ...direct, model: "qwen/qwen3-coder:free" });
    expect(res.headers.get("retry-after")).toBe("7");
    const error = await expectError(res, 429, null, "rate_limit_exceeded");
    expect(error.type).toBe("rate_limit_error");
  });

  test("upstream 500 -> 502 naming the provider", async () => {
    ctx.fake.script("*", { kind: "error", status: 500 });
    const error = await expectError(await post(chatUrl(), direct), 502);
    expect(error.message).toContain("OpenRouter");
  });

  test("a non-JSON upstream body -> 502 naming the provider", async () => {
    ctx.fake.script("*", { kind: "non-json" });
    const error = await expectError(await post(chatUrl(), direct), 502);
    expect(error.message).toContain("OpenRouter sent a body that is not JSON");
  });

  test("an upstream 400 is the client's error and keeps its status", async () => {
    ctx.fake.script("*", { kind: "error", status: 400, body: { error: { code: 400, message: "tools are not supported" } } });
    const error = await expectError(await post(chatUrl(), direct), 400);
    expect(error.message).toContain("tools are not supported");
  });

  test("an upstream that does not answer in time -> 504", async () => {
    const slow = await startGateway({ openrouter: { apiKey: ctx.fake.apiKey, baseUrl: ctx.fake.baseUrl }, upstreamTimeoutMs: 150, maxRetries: 0 });
    try {
      ctx.fake.script("*", { kind: "hang" });
      const error = await expectError(await post(`${slow.url}/v1/chat/completions`, direct), 504);
      expect(error.message).toContain("openrouter");
    } finally {
      await slow.stop();
    }
  });

  test("an unreachable upstream -> 502 naming the provider", async () => {
    const dead = await startGateway({ openrouter: { apiKey: "k", baseUrl: "http://127.0.0.1:9/api/v1" }, maxRetries: 0 });
    try {
      const error = await expectError(await post(`${dead.url}/v1/chat/completions`, direct), 502);
      expect(error.message).toContain("OpenRouter is unreachable");
    } finally {
      await dead.stop();
    }
  });
});
