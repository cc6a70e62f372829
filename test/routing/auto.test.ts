// `auto`: two preset fakes (Groq and Cerebras) answering at different speeds; the router measures them
// and sends requests to the fastest healthy one, keeps measuring the others, and leaves the fastest when
// it slows down or fails. Capability data from the live catalog narrows requests that need tools.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { DAY, startCappedUpstream, type CappedModel, type CappedUpstream } from "../fakes/capped.ts";
import { startGateway, testConfig, type Gateway } from "../helpers.ts";
import { ADMIN_TOKEN } from "../auth/setup.ts";
import { silentLogger } from "../../src/log.ts";
import { createRegistry } from "../../src/providers/registry.ts";
import { LiveCatalog } from "../../src/routing/live-catalog.ts";
import { chat, routedTo } from "./fixture.ts";

const FASTEST = "cerebras:llama3.1-8b";
const SLOW_MS = 40;
const roomy = (id: string, listing: Record<string, unknown> = {}): CappedModel => ({ id, caps: [{ requests: 100_000, windowMs: DAY, reported: true }], listing });
let groq: CappedUpstream;
let cerebras: CappedUpstream;
let gw: Gateway;

beforeAll(async () => {
  // What each model's list entry says it supports: only Groq's gpt-oss-120b lists tools.
  const noTools = { supported_parameters: ["temperature", "response_format"] };
  groq = await startCappedUpstream({
    style: "groq", clock: Date.now, models: [
      roomy("llama-3.1-8b-instant", noTools), roomy("openai/gpt-oss-20b", noTools), roomy("llama-3.3-70b-versatile", noTools),
      roomy("openai/gpt-oss-120b", { supported_parameters: ["tools", "tool_choice", "response_format"] }),
    ],
  });
  cerebras = await startCappedUpstream({
    style: "cerebras", clock: Date.now,
    models: ["llama3.1-8b", "qwen-3-32b", "gpt-oss-120b", "qwen-3-235b-a22b-instruct-2507", "llama-3.3-70b"].map((id) => roomy(id, noTools)),
  });
});
afterAll(async () => {
  await Promise.all([groq.stop(), cerebras.stop()]);
});
beforeEach(async () => {
  for (const fake of [groq, cerebras]) {
    fake.reset();
    fake.delays.set("*", SLOW_MS);
  }
  cerebras.delays.set("llama3.1-8b", 0);
  const config = {
    presets: { groq: { apiKey: groq.apiKey, baseUrl: groq.baseUrl }, cerebras: { apiKey: cerebras.apiKey, baseUrl: cerebras.baseUrl } },
    auth: { adminToken: ADMIN_TOKEN },
    catalogRefreshMs: 0,
    retryDelayMs: 1,
  };
  const registry = createRegistry(testConfig(config));
  const catalog = new LiveCatalog(registry, { refreshMs: 0, timeoutMs: 2000, log: silentLogger });
  await catalog.refresh();
  gw = await startGateway(config, { registry, routing: { catalog } });
});
afterEach(async () => {
  await gw.stop();
});

/** Sends `n` requests one after another; where each went, as provider:model. */
async function send(n: number, body: Record<string, unknown> = { model: "auto" }): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await chat(gw, body);
    expect(res.status).toBe(200);
    const { provider, model } = routedTo(res);
    out.push(`${provider}:${model}`);
    await res.arrayBuffer();
  }
  return out;
}
const count = (list: string[], key: string) => list.filter((k) => k === key).length;

describe("auto", () => {
  test("tries every never-measured candidate once, then converges on the fastest, still measuring the others now and then", async () => {
    const first = await send(9);
    // Nine candidates are keyed (Groq's and Cerebras's fast and large models): each is measured once, in table order.
    expect(new Set(first).size).toBe(9);
    const next = await send(30);
    expect(count(next, FASTEST)).toBeGreaterThanOrEqual(26);
    // About one request in ten went to another candidate first, to keep its average fresh.
    expect(count(next, FASTEST)).toBeLessThan(30);
    // /health shows the averages it goes by.
    const health = (await (await fetch(`${gw.url}/health`)).json()) as { providers: Record<string, { candidates: Array<{ model: string; latency_ms?: number }> }> };
    const latency = (provider: string, model: string) => health.providers[provider].candidates.find((c) => c.model === model)?.latency_ms;
    expect(latency("cerebras", "llama3.1-8b")).toBeLessThan(latency("groq", "llama-3.1-8b-instant")!);
  });

  test("leaves the fastest when it slows down", async () => {
    await send(20);
    cerebras.delays.set("llama3.1-8b", 4 * SLOW_MS);
    const after = await send(6);
    expect(count(after.slice(-4), FASTEST)).toBeLessThanOrEqual(1);
  });

  test("leaves the fastest when it fails, and failing over costs the client nothing", async () => {
    await send(20);
    cerebras.failing.set("llama3.1-8b", 500);
    const before = cerebras.calls.length;
    const after = await send(10);
    expect(count(after, FASTEST)).toBe(0);
    // The first request after the failure tried it (with retries); its circuit then opened.
    expect(cerebras.calls.slice(before).filter((c) => c.model === "llama3.1-8b").length).toBeLessThanOrEqual(3);
  });

  test("streams are ordered too (by time to first byte)", async () => {
    await send(9, { model: "auto", stream: true });
    const next = await send(8, { model: "auto", stream: true });
    expect(count(next, FASTEST)).toBeGreaterThanOrEqual(7);
  });

  test("a request with tools goes only to candidates whose list entry says they take tools", async () => {
    await send(20);
    const tools = [{ type: "function", function: { name: "now", parameters: { type: "object", properties: {} } } }];
    expect(await send(3, { model: "auto", tools })).toEqual(Array(3).fill("groq:openai/gpt-oss-120b"));
  });
});

describe("latency ordering of other aliases", () => {
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  test("the seed's aliases keep their fixed order; an admin opts one into latency ordering and back", async () => {
    await send(20);
    // gpt-4o-mini lists Groq's llama-3.1-8b-instant first among the keyed candidates: it keeps answering, though slower.
    expect(await send(2, { model: "gpt-4o-mini" })).toEqual(["groq:llama-3.1-8b-instant", "groq:llama-3.1-8b-instant"]);

    expect((await admin("POST", "/config/routing", { alias: "gpt-4o-mini", order: "latency" })).status).toBe(200);
    expect(await (await admin("GET", "/config/routing")).json()).toEqual({ data: { "gpt-4o-mini": "latency" } });
    const rows = (await (await admin("GET", "/config/models")).json()) as { data: Array<{ alias: string; order: string }> };
    expect(rows.data.find((r) => r.alias === "gpt-4o-mini")?.order).toBe("latency");
    expect(rows.data.find((r) => r.alias === "gpt-4o")?.order).toBe("fixed");
    expect(rows.data.find((r) => r.alias === "auto")?.order).toBe("latency");
    expect(count(await send(5, { model: "gpt-4o-mini" }), FASTEST)).toBeGreaterThanOrEqual(4);

    expect((await admin("DELETE", "/config/routing/gpt-4o-mini")).status).toBe(200);
    expect(await send(1, { model: "gpt-4o-mini" })).toEqual(["groq:llama-3.1-8b-instant"]);
    expect((await admin("DELETE", "/config/routing/gpt-4o-mini")).status).toBe(404);
    expect((await admin("POST", "/config/routing", { alias: "gpt-4o-mini", order: "fastest" })).status).toBe(400);
  });
});
