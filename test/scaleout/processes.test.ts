// Two real gateway processes (`bun src/index.ts`) configured only through the environment (REDIS_URL,
// REDIS_PREFIX, one DATABASE_PATH), as docker-compose.yml runs them: their anonymous clients share one
// bucket, and the `healthcheck` subcommand still passes while Redis is down (degraded, not dead). Each
// process listens on a port it picks itself (PORT=0, read back from its "started" line), so no other
// program can take the port between choosing and binding it; every wait is on a condition, with a
// deadline that allows for a loaded machine.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post } from "../helpers.ts";
import { MAX_BACKOFF_MS } from "../../src/redis/client.ts";
import { startRedis, type RedisServer } from "../support/services.ts";

const root = join(import.meta.dir, "../..");
let redis: RedisServer;
let fake: FakeOpenRouter;
let dir: string;
const procs: Array<ReturnType<typeof Bun.spawn>> = [];
let env: Record<string, string>;
let urls: string[];

type Health = { status: string; redis?: { status: string } };
const health = async (url: string) => (await (await fetch(`${url}/health`)).json()) as Health;

/** Polls /health until `ok`, or fails with the last answer after `ms`. */
async function healthUntil(url: string, ok: (h: Health) => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  let last: Health | string | undefined;
  for (;;) {
    last = await health(url).catch((error: unknown) => String(error));
    if (typeof last !== "string" && ok(last)) return;
    if (performance.now() > deadline) throw new Error(`${url}/health after ${ms} ms: ${JSON.stringify(last)}`);
    await Bun.sleep(20);
  }
}

/** A gateway process on a port of its choosing; resolves with its URL once it listens. */
async function startProcess(): Promise<string> {
  const proc = Bun.spawn(["bun", "src/index.ts"], { cwd: root, env: { ...env, PORT: "0" }, stdout: "pipe", stderr: "pipe" });
  procs.push(proc);
  const lines = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const started = (async () => {
    let text = "";
    for (;;) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`the gateway exited before it listened: ${(await new Response(proc.stderr).text()).slice(0, 2000)}`);
      text += value;
      const line = text.split("\n").find((l) => l.includes('"event":"started"'));
      if (line) return (JSON.parse(line) as { url: string }).url;
    }
  })();
  const url = await Promise.race([started, Bun.sleep(20_000).then(() => undefined)]);
  if (!url) throw new Error("the gateway did not listen within 20 s");
  // Its log is read on to the end, so that a full pipe never holds it up.
  void (async () => {
    while (!(await lines.read()).done);
  })();
  return url;
}

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
  urls = await Promise.all([startProcess(), startProcess()]);
  await Promise.all(urls.map((url) => healthUntil(url, (h) => h.redis?.status === "up", 20_000)));
}, 60_000);

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
  // The link sees its connection close at once.
  await Promise.all(urls.map((url) => healthUntil(url, (h) => h.status === "degraded" && h.redis?.status === "down", 10_000)));
  const check = Bun.spawnSync(["bun", "src/index.ts", "healthcheck", "--port", new URL(urls[0]).port], { cwd: root, env });
  expect(check.exitCode).toBe(0);
  await redis.start();
  // Each link tries again after its backoff, which grew while Redis was down: at most MAX_BACKOFF_MS.
  await Promise.all(urls.map((url) => healthUntil(url, (h) => h.status === "ok", MAX_BACKOFF_MS + 10_000)));
}, 60_000);

test("a REDIS_URL that is not a redis:// URL stops start-up with a message that does not echo it", () => {
  const bad = Bun.spawnSync(["bun", "src/index.ts"], { cwd: root, env: { ...env, REDIS_URL: "http://user:s3cret@host:6379" } });
  expect(bad.exitCode).toBe(1);
  const message = bad.stderr.toString();
  expect(message).toContain("REDIS_URL");
  expect(message).not.toContain("s3cret");
});
