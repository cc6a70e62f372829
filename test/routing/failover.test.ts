import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { errorBody } from "../helpers.ts";
import { callsTo, chat, FAST, routedTo, useRoutingGateway } from "./fixture.ts";

const fx = useRoutingGateway({ maxRetries: 1, retryDelayMs: 10, requestTimeoutMs: 600, upstreamTimeoutMs: 200 });
const [SEED] = FAST;

describe("failover across providers", () => {
  test("persistent 5xx on OpenRouter: Gemini answers an alias, after every OpenRouter candidate", async () => {
    fx.openrouter.always("*", { kind: "error", status: 502 });
    const res = await chat(fx.gw, { model: "gpt-4o-mini", messages: [{ role: "user", content: "via gemini" }] });
    expect(res.status).toBe(200);
    // Four OpenRouter candidates, each tried and retried once, then Gemini.
    expect(routedTo(res)).toEqual({ provider: "gemini", model: "gemini-3-flash-preview", attempts: 9 });
    expect(((await res.json()) as OpenAI.ChatCompletion).choices[0].message.content).toBe("Echo: via gemini");
    expect(fx.failovers.map((f) => `${f.from.provider}>${f.to.provider}`)).toEqual([
      "openrouter>openrouter", "openrouter>openrouter", "openrouter>openrouter", "openrouter>gemini",
    ]);
  });

  test("a direct gemini-* id with Gemini down: OpenRouter's free router answers", async () => {
    fx.gemini.always("*", { kind: "error", status: 503 });
    const res = await chat(fx.gw, { model: "gemini-2.5-flash" });
    expect(routedTo(res)).toEqual({ provider: "openrouter", model: "openrouter/free", attempts: 3 });
    expect(callsTo(fx.gemini, "gemini-2.5-flash")).toBe(2);
  });

  test("a direct opencode-* id with OpenCode unreachable-like 500s: OpenRouter answers", async () => {
    fx.opencode.always("*", { kind: "error", status: 500 });
    const res = await chat(fx.gw, { model: "opencode-big-pickle" });
    expect(routedTo(res)).toMatchObject({ provider: "openrouter", model: "openrouter/free" });
  });

  test("a direct OpenRouter id with OpenRouter down: Gemini answers", async () => {
    fx.openrouter.always("*", { kind: "error", status: 500 });
    const res = await chat(fx.gw, { model: "meta-llama/llama-3.3-70b-instruct:free" });
    expect(routedTo(res)).toMatchObject({ provider: "gemini", model: "gemini-3-flash-preview" });
  });

  test("embedding ids named directly do not fail over to another model's vectors", async () => {
    fx.gemini.always("*", { kind: "error", status: 503 });
    const res = await fetch(`${fx.gw.url}/v1/embeddings`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "gemini-embedding-001", input: "x" }),
    });
    expect(res.status).toBe(502);
    expect(fx.openrouter.requests).toHaveLength(0);
  });
});

describe("when nothing answers", () => {
  test("every upstream failing -> one clean 502 in OpenAI's shape, well within the deadline", async () => {
    for (const fake of [fx.openrouter, fx.gemini, fx.opencode]) fake.always("*", { kind: "error", status: 500 });
    const started = performance.now();
    const res = await chat(fx.gw, { model: "gpt-4o" });
    expect(performance.now() - started).toBeLessThan(600);
    expect(res.status).toBe(502);
    const error = await errorBody(res);
    expect(error.message).toMatch(/^All upstream candidates for `gpt-4o` failed after 12 attempts; last: OpenCode returned 500/);
  });

  test("every upstream hanging -> 504 at REQUEST_TIMEOUT, with every attempt cancelled", async () => {
    for (const fake of [fx.openrouter, fx.gemini, fx.opencode]) fake.always("*", { kind: "hang" });
    const started = performance.now();
    const res = await chat(fx.gw, { model: "gpt-4o" });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(504);
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(1500);
    expect((await errorBody(res)).message).toContain("within REQUEST_TIMEOUT (600 ms)");
    await Bun.sleep(50);
    const sent = fx.openrouter.requests.length + fx.gemini.requests.length + fx.opencode.requests.length;
    expect(fx.openrouter.aborted.length + fx.gemini.aborted.length + fx.opencode.aborted.length).toBe(sent);
  });
});

describe("streams", () => {
  test("a stream fails over before its first byte: the client sees only Gemini's answer", async () => {
    fx.openrouter.always("*", { kind: "error", status: 503 });
    const res = await chat(fx.gw, { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "streamed" }] });
    expect(routedTo(res)).toMatchObject({ provider: "gemini", model: "gemini-3-flash-preview" });
    const text = await res.text();
    const content = text.trim().split("\n\n").filter((e) => e !== "data: [DONE]")
      .map((e) => (JSON.parse(e.slice(6)) as OpenAI.ChatCompletionChunk).choices[0]?.delta.content ?? "").join("");
    expect(content).toBe("Echo: streamed");
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  test("a stream whose upstream errs before any chunk retries, then answers", async () => {
    fx.openrouter.script(SEED, { kind: "error", status: 500 });
    const res = await chat(fx.gw, { model: "gpt-4o-mini", stream: true });
    expect(routedTo(res)).toEqual({ provider: "openrouter", model: SEED, attempts: 2 });
    expect(await res.text()).toContain("data: [DONE]");
  });

  test("a failure after the first byte ends the stream with an error event, no failover", async () => {
    fx.openrouter.script(SEED, { kind: "stream", chunks: 3, gapMs: 5, failWith: "error-event" });
    const res = await chat(fx.gw, { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "boom" }] });
    expect(res.status).toBe(200);
    const events = (await res.text()).trim().split("\n\n");
    expect(events[0]).toContain("\"content\":\"Echo\"");
    const last = JSON.parse(events.at(-1)!.slice(6)) as { error: { message: string; type: string } };
    expect(last.error.message).toContain("Provider disconnected unexpectedly");
    expect(fx.gemini.requests).toHaveLength(0);
    expect(callsTo(fx.openrouter, SEED)).toBe(1);
  });
});
