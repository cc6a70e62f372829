// Starts the real gateway on a free loopback port, configured like production but from an object.
import { afterAll, beforeAll, beforeEach } from "bun:test";
import OpenAI from "openai";
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
  const app = createApp(config, { log: silentLogger, ...deps }).listen({ port: 0, hostname: "127.0.0.1" });
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
