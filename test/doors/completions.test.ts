// POST /v1/completions (legacy), driven by the official OpenAI SDK against the gateway and the fakes.
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { EVERY_PROVIDER, post, useGatewayOverEveryProvider } from "../helpers.ts";

const ctx = useGatewayOverEveryProvider();
const failure = (call: PromiseLike<unknown>) => Promise.resolve(call).then(() => undefined, (error: unknown) => error);
const lastChat = () => ctx.openrouter.requests.filter((r) => r.path.endsWith("/chat/completions")).at(-1)!.body!;

describe("POST /v1/completions", () => {
  for (const { model, provider, echo } of EVERY_PROVIDER) {
    test(`plain and streamed through ${provider}`, async () => {
      const { data, response } = await ctx.gw.client.completions.create({ model, prompt: "Hello there", max_tokens: 50 }).withResponse();
      expect(data.choices[0]).toMatchObject({ text: `${echo}Hello there`, finish_reason: "stop" });
      expect(response.headers.get("x-gateway-provider")).toBe(provider);
      let text = "";
      for await (const chunk of await ctx.gw.client.completions.create({ model, prompt: "Hello there", max_tokens: 50, stream: true })) {
        text += chunk.choices.map((c) => c.text).join("");
      }
      expect(text).toBe(`${echo}Hello there`);
    });
  }

  test("a prompt becomes one user message; the answer is a text_completion", async () => {
    const { data, response } = await ctx.gw.client.completions
      .create({ model: "gpt-4o-mini", prompt: "Once upon a time", max_tokens: 20, stop: ["\n"], temperature: 0.5 }).withResponse();
    expect(data).toMatchObject({
      object: "text_completion", model: "gpt-4o-mini",
      choices: [{ text: "Echo: Once upon a time", index: 0, logprobs: null, finish_reason: "stop" }],
    });
    expect(data.id).toStartWith("cmpl-");
    expect(data.usage!.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-gateway-provider")).toBe("openrouter");
    expect(lastChat()).toMatchObject({ messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 20, stop: ["\n"], temperature: 0.5 });
  });

  test("max_tokens defaults to 16, as OpenAI documents", async () => {
    await ctx.gw.client.completions.create({ model: "gpt-4o-mini", prompt: "x" });
    expect(lastChat().max_tokens).toBe(16);
  });

  test("several prompts and echo: one choice per prompt, numbered in order", async () => {
    const data = await ctx.gw.client.completions.create({ model: "gpt-4o-mini", prompt: ["One", "Two"], echo: true });
    expect(data.choices.map((c) => [c.index, c.text])).toEqual([[0, "OneEcho: One"], [1, "TwoEcho: Two"]]);
  });

  test("stream: text_completion chunks, then [DONE]; usage only when asked", async () => {
    const stream = await ctx.gw.client.completions.create({ model: "gpt-4o-mini", prompt: "Streamed", stream: true, stream_options: { include_usage: true } });
    let text = "";
    const finishes: Array<string | null> = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("text_completion");
      for (const c of chunk.choices) {
        text += c.text;
        finishes.push(c.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Echo: Streamed");
    expect(finishes.at(-1)).toBe("stop");
    expect(usage!.total_tokens).toBeGreaterThan(0);
    const raw = await (await post(`${ctx.gw.url}/v1/completions`, { model: "gpt-4o-mini", prompt: "Raw", stream: true })).text();
    expect(raw.trim().endsWith("data: [DONE]")).toBe(true);
    expect(raw).not.toContain("\"usage\"");
  });

  test("what chat cannot do is refused with a 400 naming the field", async () => {
    for (const [body, param] of [
      [{ prompt: "def f(", suffix: "return 1" }, "suffix"],
      [{ prompt: [[1, 2, 3]] }, "prompt"],
      [{ prompt: "x", logprobs: 2 }, "logprobs"],
      [{ prompt: "x", best_of: 3 }, "best_of"],
      [{ prompt: ["a", "b"], stream: true }, "prompt"],
    ] as const) {
      const error = await failure(ctx.gw.client.completions.create({ model: "gpt-4o-mini", ...body } as OpenAI.CompletionCreateParamsNonStreaming));
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    }
  });
});
