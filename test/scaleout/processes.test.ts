// Two real gateway processes (`bun src/index.ts`) configured only through the environment (REDIS_URL,
// REDIS_PREFIX, one DATABASE_PATH), as docker-compose.yml runs them: their anonymous clients share one
// bucket, and the `healthcheck` subcommand still passes while Redis is down (degraded, not dead).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post } from "../helpers.ts";
import { freePort, startRedis, type RedisServer } from "../support/services.ts";

const root = join(import.meta.dir, "../..");
let redis: RedisServer;
let fake: FakeOpenRouter;
let dir: string;
const procs: Array<ReturnType<typeof Bun.spawn>> = [];
let env: Record<string, string>;
let urls: string[];

const health = async (url: string) => (await (await fetch(`${url}/health`)).json()) as { status: string; redis?: { status: string } };

beforeAll(async () => {
  redis = await startRedis();
  fake = await startFakeOpenRouter();
  dir = mkdtempSync(join(tmpdir(), "ogw-processes-"));
  env = {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    OPENROUTER_API_KEY: fake.apiKey,
    OPENROUTER_BASE_URL: fake.baseUrl,
    REDIS_URL: redis.url,
    REDIS_PREFIX: "processes:",
    DATABASE_PATH: join(dir, "gateway.db"),
    RATE_LIMIT_MAX_REQUESTS: "6",
    RATE_LIMIT_WINDOW: "600000",
    CATALOG_REFRESH: "0",
  };
  const ports = await Promise.all([freePort(), freePort()]);
  urls = ports.map((port) => `http://127.0.0.1:${port}`);
  for (const port of ports) {
    procs.push(Bun.spawn(["bun", "src/index.ts"], { cwd: root, env: { ...env, PORT: String(port) }, stdout: "ignore", stderr: "pipe" }));
  }
  for (const url of urls) {
    const deadline = Date.now() + 10_000;
    while ((await health(url).catch(() => undefined))?.redis?.status !== "up") {
      if (Date.now() > deadline) {
        const proc = procs[urls.indexOf(url)];
        proc.kill();
        throw new Error(`${url} did not come up on Redis within 10 s: ${(await new Response(proc.stderr as ReadableStream).text()).slice(0, 2000)}`);
      }
      await Bun.sleep(50);
    }
  }
}, 30_000);

afterAll(async () => {
  for (const proc of procs) proc.kill();
  await Promise.all(procs.map((p) => p.exited));
  await Promise.all([fake?.stop(), redis?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("two processes share one bucket: 8 anonymous requests over both against 6, exactly 2 refused", async () => {
  const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
  const statuses = (await Promise.all(Array.from({ length: 8 }, (_, i) => post(`${urls[i % 2]}/v1/chat/completions`, body)))).map((r) => r.status);
  expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  expect(statuses.filter((s) => s === 200)).toHaveLength(6);
});

test("with Redis down, /health says degraded and the healthcheck subcommand still passes", async () => {
  await redis.kill();
  for (const url of urls) {
    for (let i = 0; i < 100 && (await health(url)).status !== "degraded"; i++) await Bun.sleep(10);
    expect(await health(url)).toMatchObject({ status: "degraded", redis: { status: "down" } });
  }
  const check = Bun.spawnSync(["bun", "src/index.ts", "healthcheck", "--port", new URL(urls[0]).port], { cwd: root, env });
  expect(check.exitCode).toBe(0);
  await redis.start();
  for (const url of urls) {
    for (let i = 0; i < 500 && (await health(url)).status !== "ok"; i++) await Bun.sleep(10);
    expect((await health(url)).status).toBe("ok");
  }
}, 15_000);

test("a REDIS_URL that is not a redis:// URL stops start-up with a message that does not echo it", () => {
  const bad = Bun.spawnSync(["bun", "src/index.ts"], { cwd: root, env: { ...env, REDIS_URL: "http://user:s3cret@host:6379" } });
  expect(bad.exitCode).toBe(1);
  const message = bad.stderr.toString();
  expect(message).toContain("REDIS_URL");
  expect(message).not.toContain("s3cret");
});
