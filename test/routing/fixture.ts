// Three fake upstreams (fake OpenRouter instances standing in for OpenRouter, Gemini and OpenCode) and
// a fresh gateway per test in front of them, with the routing internals tests need to see or steer:
// a clock they can move, recorded backoff waits (instant unless `realSleep`), router events and logs,
// and the live catalog (refreshed only when a test asks).
import { afterAll, afterEach, beforeAll, beforeEach } from "bun:test";
import { freeModel, startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { startGateway, type Gateway } from "../helpers.ts";
import { silentLogger } from "../../src/log.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openai-compatible/provider.ts";
import { ProviderRegistry } from "../../src/providers/registry.ts";
import { LiveCatalog } from "../../src/routing/live-catalog.ts";
import type { AttemptEvent, FailoverEvent } from "../../src/routing/observer.ts";
import { abortableSleep } from "../../src/routing/router.ts";

type Overrides = Parameters<typeof startGateway>[0];

export interface RoutingFixture {
  openrouter: FakeOpenRouter;
  gemini: FakeOpenRouter;
  opencode: FakeOpenRouter;
  gw: Gateway;
  catalog: LiveCatalog;
  /** Added to the real time the gateway's routing clock reads. */
  skewMs: number;
  /** Backoff waits the router asked for, in ms. */
  sleeps: number[];
  /** Wait for real instead of recording and resolving at once. */
  realSleep: boolean;
  /** What the router's jitter source returns (0.5 unless a test sets it). */
  jitter: number;
  attempts: AttemptEvent[];
  failovers: FailoverEvent[];
  logs: Array<{ event: string; data?: Record<string, unknown> }>;
  now(): number;
}

export function useRoutingGateway(overrides: Overrides = {}): RoutingFixture {
  const fx = { skewMs: 0, sleeps: [], realSleep: false, jitter: 0.5, attempts: [], failovers: [], logs: [] } as unknown as RoutingFixture;
  fx.now = () => Date.now() + fx.skewMs;

  beforeAll(async () => {
    [fx.openrouter, fx.gemini, fx.opencode] = await Promise.all([startFakeOpenRouter(), startFakeOpenRouter(), startFakeOpenRouter()]);
    fx.gemini.models.splice(0, Infinity, ...["gemini-3-flash-preview", "gemini-2.5-flash", "gemini-embedding-001"].map(freeModel));
    fx.opencode.models.splice(0, Infinity, freeModel("big-pickle"));
  });
  afterAll(async () => {
    await Promise.all([fx.openrouter.stop(), fx.gemini.stop(), fx.opencode.stop()]);
  });

  beforeEach(async () => {
    for (const fake of [fx.openrouter, fx.gemini, fx.opencode]) fake.reset();
    Object.assign(fx, { skewMs: 0, realSleep: false, jitter: 0.5 });
    for (const list of [fx.sleeps, fx.attempts, fx.failovers, fx.logs]) list.length = 0;
    const registry = new ProviderRegistry([
      provider("openrouter", "OpenRouter", fx.openrouter),
      provider("gemini", "Gemini", fx.gemini),
      provider("opencode", "OpenCode", fx.opencode),
    ]);
    const log = (event: string, data?: Record<string, unknown>) => void fx.logs.push({ event, data });
    fx.catalog = new LiveCatalog(registry, { refreshMs: 0, timeoutMs: 2000, log, clock: fx.now });
    fx.gw = await startGateway({ requestTimeoutMs: 5000, upstreamTimeoutMs: 2000, ...overrides }, {
      registry,
      log,
      clock: fx.now,
      routing: {
        random: () => fx.jitter,
        catalog: fx.catalog,
        sleep: (ms, signal) => {
          fx.sleeps.push(ms);
          return abortableSleep(fx.realSleep ? ms : 0, signal);
        },
        observer: { onAttempt: (e) => fx.attempts.push(e), onFailover: (e) => fx.failovers.push(e) },
      },
    });
  });
  afterEach(async () => {
    await fx.gw.stop();
  });
  return fx;
}

function provider(name: string, label: string, fake: FakeOpenRouter) {
  // As in production, OpenRouter's free models share one daily cap.
  return new OpenAICompatibleProvider({ name, label, baseUrl: fake.baseUrl, apiKey: fake.apiKey, requiresKey: true, envHint: [], freeModelPool: name === "openrouter" });
}

/** POSTs a chat request; `timeout` bounds the whole exchange. */
export function chat(gw: Gateway, body: Record<string, unknown>, init: { signal?: AbortSignal } = {}) {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
    signal: init.signal ?? AbortSignal.timeout(5000),
  });
}

export const routedTo = (res: Response) => ({
  provider: res.headers.get("x-gateway-provider"),
  model: res.headers.get("x-gateway-upstream-model"),
  attempts: Number(res.headers.get("x-gateway-attempts")),
});

/** Chat requests a fake received for one upstream model. */
export const callsTo = (fake: FakeOpenRouter, upstreamModel: string) =>
  fake.requests.filter((r) => r.path.endsWith("/chat/completions") && r.body?.model === upstreamModel).length;

/** The seed and the next candidates of gpt-4o-mini (FAST), as the model table lists them. */
export const FAST = ["qwen/qwen3-next-80b-a3b-instruct:free", "openai/gpt-oss-20b:free", "nvidia/nemotron-3-nano-30b-a3b:free", "openrouter/free"];
