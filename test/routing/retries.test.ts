import { describe, expect, test } from "bun:test";
import { errorBody } from "../helpers.ts";
import { callsTo, chat, FAST, routedTo, useRoutingGateway } from "./fixture.ts";

const fx = useRoutingGateway({ maxRetries: 2, retryDelayMs: 100, debug: true });
const [SEED, SECOND] = FAST;

describe("retries of one candidate", () => {
  test("a transient 500 is retried once on the same candidate: 2 attempts", async () => {
    fx.openrouter.script(SEED, { kind: "error", status: 500 });
    const res = await chat(fx.gw, { model: "gpt-4o-mini" });
    expect(res.status).toBe(200);
    expect(routedTo(res)).toEqual({ provider: "openrouter", model: SEED, attempts: 2 });
    expect(callsTo(fx.openrouter, SEED)).toBe(2);
    // Full jitter: a random share (0.5 here) of RETRY_DELAY.
    expect(fx.sleeps).toEqual([50]);
    expect(fx.attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual([[1, 500, "server"], [2, 200, "success"]]);
  });

  test("backoff doubles per retry within full jitter, then the next candidate answers", async () => {
    fx.openrouter.always(SEED, { kind: "error", status: 503 });
    const res = await chat(fx.gw, { model: "gpt-4o-mini" });
    expect(routedTo(res)).toEqual({ provider: "openrouter", model: SECOND, attempts: 4 });
    expect(fx.sleeps).toEqual([50, 100]);
    fx.jitter = 0.999;
    fx.openrouter.always(SECOND, { kind: "error", status: 503 });
    await chat(fx.gw, { model: "gpt-4o-mini" });
    expect(fx.sleeps.slice(2)).toEqual([99, 199]);
  });

  test("408, 409 and an invalid body are retried too", async () => {
    fx.openrouter.script(SEED, { kind: "error", status: 408 }, { kind: "error", status: 409 });
    expect(routedTo(await chat(fx.gw, { model: "gpt-4o-mini" }))).toEqual({ provider: "openrouter", model: SEED, attempts: 3 });
    fx.openrouter.script(SEED, { kind: "non-json" });
    expect(routedTo(await chat(fx.gw, { model: "gpt-4o-mini" })).attempts).toBe(2);
  });

  test("a per-minute 429 with a short Retry-After waits that long and retries", async () => {
    fx.openrouter.script(SEED, {
      kind: "error", status: 429, headers: { "retry-after-ms": "300" },
      body: { error: { code: 429, message: "Rate limit exceeded: free-models-per-min. " } },
    });
    const res = await chat(fx.gw, { model: "gpt-4o-mini" });
    expect(routedTo(res)).toEqual({ provider: "openrouter", model: SEED, attempts: 2 });
    expect(fx.sleeps).toEqual([300]);
  });

  test("'temporarily rate-limited upstream' without Retry-After is retried after a backoff", async () => {
    fx.openrouter.script(SEED, {
      kind: "error", status: 429,
      body: { error: { code: 429, message: "Provider returned error", metadata: { raw: `${SEED} is temporarily rate-limited upstream. Please retry shortly` } } },
    });
    expect(routedTo(await chat(fx.gw, { model: "gpt-4o-mini" })).attempts).toBe(2);
    expect(fx.sleeps).toHaveLength(1);
  });

  test("a long Retry-After fails over at once without waiting, and the candidate cools down", async () => {
    fx.openrouter.always(SEED, {
      kind: "error", status: 429, headers: { "retry-after": "30" },
      body: { error: { code: 429, message: "Rate limit exceeded: limit_rpm/qwen/qwen3-next-80b-a3b-instruct" } },
    });
    const started = performance.now();
    const res = await chat(fx.gw, { model: "gpt-4o-mini" });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(routedTo(res)).toEqual({ provider: "openrouter", model: SECOND, attempts: 2 });
    expect(fx.sleeps).toEqual([]);
    expect(fx.failovers.map((f) => [f.from.model, f.to.model, f.reason])).toEqual([[SEED, SECOND, "rate_limit"]]);
    // Within the 30 s it named, the candidate is skipped.
    expect(routedTo(await chat(fx.gw, { model: "gpt-4o-mini" }))).toEqual({ provider: "openrouter", model: SECOND, attempts: 1 });
    expect(callsTo(fx.openrouter, SEED)).toBe(1);
  });
});

describe("failures that are never retried", () => {
  test("400 is the request's fault: no retry, no failover, the status kept", async () => {
    fx.openrouter.always("*", { kind: "error", status: 400, body: { error: { code: 400, message: "tools are not supported" } } });
    const res = await chat(fx.gw, { model: "gpt-4o-mini" });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).message).toContain("tools are not supported");
    expect(fx.openrouter.requests).toHaveLength(1);
    expect(fx.gemini.requests).toHaveLength(0);
    expect(fx.sleeps).toEqual([]);
  });

  for (const status of [401, 403, 404]) {
    test(`${status} is not retried, but the next candidate answers`, async () => {
      fx.openrouter.always(SEED, { kind: "error", status });
      const res = await chat(fx.gw, { model: "gpt-4o-mini" });
      expect(routedTo(res)).toEqual({ provider: "openrouter", model: SECOND, attempts: 2 });
      expect(callsTo(fx.openrouter, SEED)).toBe(1);
      expect(fx.sleeps).toEqual([]);
    });
  }
});

describe("client aborts", () => {
  test("a client that leaves during a backoff wait cancels the pending retry", async () => {
    fx.realSleep = true;
    fx.openrouter.always(SEED, {
      kind: "error", status: 429, headers: { "retry-after": "1.5" },
      body: { error: { code: 429, message: "Rate limit exceeded: free-models-per-min. " } },
    });
    const controller = new AbortController();
    const pending = chat(fx.gw, { model: "gpt-4o-mini" }, { signal: controller.signal }).catch((e: unknown) => e);
    // Wait for the first failure; the router then sleeps before retrying.
    const until = Date.now() + 2000;
    while (fx.sleeps.length === 0 && Date.now() < until) await Bun.sleep(5);
    expect(fx.sleeps).toEqual([1500]);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    await Bun.sleep(250);
    expect(fx.openrouter.requests).toHaveLength(1);
    expect(fx.gemini.requests).toHaveLength(0);
    expect(fx.attempts).toHaveLength(1);
  });
});

describe("observability", () => {
  test("failovers are logged with from, to and reason", async () => {
    fx.openrouter.always(SEED, { kind: "error", status: 404 });
    await chat(fx.gw, { model: "gpt-4o-mini" });
    const entry = fx.logs.find((l) => l.event === "failover");
    expect(entry?.data).toMatchObject({ requested: "gpt-4o-mini", from: `openrouter:${SEED}`, to: `openrouter:${SECOND}`, reason: "rejected", status: 404 });
  });

  test("with DEBUG, routing decisions are logged too", async () => {
    fx.openrouter.script(SEED, { kind: "error", status: 500 });
    await chat(fx.gw, { model: "gpt-4o-mini" });
    const routing = fx.logs.filter((l) => l.event.startsWith("route_"));
    expect(routing.map((l) => l.event)).toEqual(["route_attempt", "route_retry", "route_attempt"]);
    expect(routing[1].data).toMatchObject({ candidate: `openrouter:${SEED}`, wait_ms: 50, reason: "server" });
  });
});
