import { describe, expect, test } from "bun:test";
import { cacheKey } from "../../src/stores/cache-key.ts";

const base: Record<string, unknown> = {
  model: "gpt-4o-mini",
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: [{ type: "text", text: "Hi" }] },
  ],
  temperature: 0.2,
};
const key = cacheKey("chat", base);

describe("cacheKey", () => {
  test("is the kind and a sha256 hex digest", () => {
    expect(key).toMatch(/^chat:[0-9a-f]{64}$/);
    expect(cacheKey("chat", structuredClone(base))).toBe(key);
    expect(cacheKey("embeddings", base)).toMatch(/^embeddings:[0-9a-f]{64}$/);
  });

  const changes: Record<string, unknown> = {
    model: "other-model",
    messages: [{ role: "user", content: "Hi" }],
    temperature: 0.3,
    top_p: 0.9,
    seed: 42,
    n: 2,
    tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    tool_choice: "required",
    parallel_tool_calls: false,
    response_format: { type: "json_object" },
    stop: ["\n"],
    max_tokens: 10,
    max_completion_tokens: 10,
    presence_penalty: 1,
    frequency_penalty: -1,
    logit_bias: { "50256": -100 },
    logprobs: true,
    top_logprobs: 3,
    reasoning_effort: "low",
    modalities: ["text"],
    verbosity: "low",
    provider: { order: ["x"] }, // vendor fields count by default
  };
  for (const [field, value] of Object.entries(changes)) {
    test(`changes with ${field}`, () => {
      expect(cacheKey("chat", { ...base, [field]: value })).not.toBe(key);
    });
  }

  test("changes with nested content, including array order", () => {
    const messages = base.messages as Array<Record<string, unknown>>;
    expect(cacheKey("chat", { ...base, messages: [messages[0], { role: "user", content: "Hi" }] })).not.toBe(key);
    expect(cacheKey("chat", { ...base, messages: [...messages].reverse() })).not.toBe(key);
    const schema = (required: string[]) => ({ type: "json_schema", json_schema: { name: "a", schema: { required } } });
    expect(cacheKey("chat", { ...base, response_format: schema(["a", "b"]) })).not.toBe(
      cacheKey("chat", { ...base, response_format: schema(["b", "a"]) }),
    );
  });

  test("ignores object key order at every depth", () => {
    const reordered = {
      temperature: 0.2,
      messages: [
        { content: "You are terse.", role: "system" },
        { content: [{ text: "Hi", type: "text" }], role: "user" },
      ],
      model: "gpt-4o-mini",
    };
    expect(cacheKey("chat", reordered)).toBe(key);
  });

  test("ignores fields that do not change the answer", () => {
    const noise = {
      stream: true,
      stream_options: { include_usage: true },
      user: "u-1",
      safety_identifier: "s-1",
      prompt_cache_key: "p-1",
      metadata: { team: "x" },
      store: true,
      service_tier: "flex",
    };
    expect(cacheKey("chat", { ...base, ...noise })).toBe(key);
    expect(cacheKey("chat", { ...base, stream: false, user: "u-2" })).toBe(key);
  });

  test("a top-level null is the same as leaving the field out; a nested null is not", () => {
    expect(cacheKey("chat", { ...base, seed: null, top_p: undefined })).toBe(key);
    const tool = (d: unknown) => [{ type: "function", function: { name: "f", parameters: { default: d } } }];
    expect(cacheKey("chat", { ...base, tools: tool(null) })).not.toBe(cacheKey("chat", { ...base, tools: tool(undefined) }));
  });

  test("embeddings keys cover input, dimensions and encoding_format", () => {
    const emb = { model: "text-embedding-3-small", input: ["a", "b"] };
    const k = cacheKey("embeddings", emb);
    expect(cacheKey("embeddings", { ...emb, input: ["b", "a"] })).not.toBe(k);
    expect(cacheKey("embeddings", { ...emb, dimensions: 256 })).not.toBe(k);
    expect(cacheKey("embeddings", { ...emb, encoding_format: "base64" })).not.toBe(k);
    expect(cacheKey("embeddings", { ...emb, user: "u" })).toBe(k);
  });

  test("strings that differ only in escaping get different keys", () => {
    const a = cacheKey("chat", { ...base, stop: 'a","b' });
    const b = cacheKey("chat", { ...base, stop: ["a", "b"] });
    expect(a).not.toBe(b);
  });
});
