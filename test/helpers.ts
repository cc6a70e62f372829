// Starts the real gateway on a free loopback port, configured like production but from an object.
import { afterAll, beforeAll, beforeEach } from "bun:test";
import OpenAI from "openai";
import { startFakeGemini, type FakeGemini } from "./fakes/gemini.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "./fakes/openrouter.ts";
import { createApp, type Deps } from "../src/app.ts";
import { loadConfig, type Config } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";

export interface Gateway {
  url: string;
  /** The app's routes with their hooks (body and query schemas), as Elysia registered them. */
  routes: ReturnType<typeof createApp>["routes"];
  client: OpenAI;
  config: Config;
  stop(): Promise<void>;
}

type Overrides = { [K in keyof Config]?: Config[K] extends object ? Partial<Config[K]> : Config[K] };

export function testConfig(overrides: Overrides = {}): Config {
  // One client sends every request of a test file, often the same request: the rate limit is lifted
  // and the response cache is off unless a test sets them (test/plugins covers both).
  const base = loadConfig({ NODE_ENV: "test", HOST: "127.0.0.1", PORT: "0", RATE_LIMIT_MAX_REQUESTS: "1000000", CACHE_TTL: "0" });
  const merged = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    const nested = value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object";
    merged[key] = nested ? { ...current, ...value } : value;
  }
  return merged as unknown as Config;
}

export async function startGateway(overrides: Overrides = {}, deps: Partial<Deps> = {}): Promise<Gateway> {
  const config = testConfig(overrides);
  const created = createApp(config, { log: silentLogger, ...deps });
  await created.ready;
  const app = created.listen({ port: 0, hostname: "127.0.0.1" });
  const url = `http://127.0.0.1:${app.server!.port}`;
  return {
    url,
    routes: app.routes,
    config,
    client: new OpenAI({ apiKey: "sk-test-client", baseURL: `${url}/v1`, maxRetries: 0, timeout: 10_000 }),
    stop: async () => {
      await app.stop(true);
      // The last usage rows written, the database closed: a gateway started next on the same file sees them.
      await app.close();
    },
  };
}

export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

/** The value of an unlabelled series in a gateway's /metrics (NaN when it is not there). */
export const metric = async (url: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? NaN);

/** Asserts the OpenAI error shape and returns it. */
export async function errorBody(res: Response): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  const body = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
  if (!body.error || typeof body.error.message !== "string" || !("param" in body.error) || !("code" in body.error) || typeof body.error.type !== "string") {
    throw new Error(`not an OpenAI error body: ${JSON.stringify(body)}`);
  }
  return body.error;
}

/** A fake OpenRouter and a gateway in front of it for one test file; the fake is reset before each test. */
export function useGatewayOverOpenRouter(overrides: Overrides = {}): { fake: FakeOpenRouter; gw: Gateway } {
  const ctx = {} as { fake: FakeOpenRouter; gw: Gateway };
  beforeAll(async () => {
    ctx.fake = await startFakeOpenRouter();
    ctx.gw = await startGateway({ ...overrides, openrouter: { apiKey: ctx.fake.apiKey, baseUrl: ctx.fake.baseUrl, ...overrides.openrouter } });
  });
  afterAll(async () => {
    await ctx.gw.stop();
    await ctx.fake.stop();
  });
  beforeEach(() => ctx.fake.reset());
  return ctx;
}

/**
 * Fakes of all three upstreams (the OpenCode one is a fake OpenRouter under its own key) and a gateway in
 * front of them for one test file; the fakes are reset before each test. The live catalog is off: the
 * fakes' model lists would make direct ids (gemini-3-flash, opencode-big-pickle) fail over while it loads.
 */
export function useGatewayOverEveryProvider(overrides: Overrides = {}): { openrouter: FakeOpenRouter; gemini: FakeGemini; opencode: FakeOpenRouter; gw: Gateway } {
  const ctx = {} as { openrouter: FakeOpenRouter; gemini: FakeGemini; opencode: FakeOpenRouter; gw: Gateway };
  beforeAll(async () => {
    [ctx.openrouter, ctx.opencode, ctx.gemini] = await Promise.all([startFakeOpenRouter(), startFakeOpenRouter("sk-opencode-fake"), startFakeGemini()]);
    ctx.gw = await startGateway({
      catalogRefreshMs: 0,
      ...overrides,
      openrouter: { apiKey: ctx.openrouter.apiKey, baseUrl: ctx.openrouter.baseUrl },
      opencode: { apiKey: ctx.opencode.apiKey, baseUrl: ctx.opencode.baseUrl },
      gemini: { apiKey: ctx.gemini.apiKey, baseUrl: ctx.gemini.baseUrl },
    });
  });
  afterAll(async () => {
    await ctx.gw.stop();
    await Promise.all([ctx.openrouter.stop(), ctx.opencode.stop(), ctx.gemini.stop()]);
  });
  beforeEach(() => {
    ctx.openrouter.reset();
    ctx.opencode.reset();
    ctx.gemini.reset();
  });
  return ctx;
}

/** Where each provider's fake is reached and how it answers "Hello there" (OpenRouter's and OpenCode's fakes echo; Gemini's in lower case). */
export const EVERY_PROVIDER = [
  { model: "gpt-4o-mini", provider: "openrouter", echo: "Echo: " },
  { model: "gemini-3-flash", provider: "gemini", echo: "echo: " },
  { model: "opencode-big-pickle", provider: "opencode", echo: "Echo: " },
] as const;
