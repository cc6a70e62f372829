// What a request waits for on Redis before its upstream call: about one round trip, whatever it needs
// (the rate limit's script, a named session's owner, a cache lookup), because they travel together
// (plugins/deferred-checks.ts). Redis is reached through a proxy that delays every byte by half of
// ROUND_TRIP_MS each way, so one round trip dominates the request's time and three in a row could not
// hide: the bound sits well between one and two round trips.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Socket } from "bun";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";
import { startRedis, type RedisServer } from "../support/services.ts";

const ROUND_TRIP_MS = 200;

interface Link {
  upstream?: Socket<undefined>;
  pending: Uint8Array[];
}

/** A TCP proxy to 127.0.0.1:`port` that holds every chunk `oneWayMs` in each direction (order kept). */
function slowProxy(port: number, oneWayMs: number) {
  const later = (fn: () => void) => setTimeout(fn, oneWayMs);
  return Bun.listen<Link>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        client.data = { pending: [] };
        void Bun.connect({
          hostname: "127.0.0.1",
          port,
          socket: {
            data: (_, chunk) => {
              const copy = Buffer.from(chunk);
              later(() => client.write(copy));
            },
            close: () => void client.end(),
          },
        }).then((upstream) => {
          client.data.upstream = upstream;
          for (const chunk of client.data.pending.splice(0)) upstream.write(chunk);
        });
      },
      data(client, chunk) {
        const copy = Buffer.from(chunk);
        later(() => (client.data.upstream ? client.data.upstream.write(copy) : client.data.pending.push(copy)));
      },
      close(client) {
        client.data.upstream?.end();
      },
    },
  });
}

let redis: RedisServer;
let proxy: ReturnType<typeof slowProxy>;
let fake: FakeOpenRouter;
let gw: Gateway;

beforeAll(async () => {
  redis = await startRedis();
  proxy = slowProxy(redis.port, ROUND_TRIP_MS / 2);
  fake = await startFakeOpenRouter();
  gw = await startGateway({
    openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl },
    redis: { url: `redis://127.0.0.1:${proxy.port}`, prefix: "rt:" },
    cache: { ttlMs: 60_000, maxEntries: 100 },
    catalogRefreshMs: 0,
  });
  for (let i = 0; i < 100; i++) {
    const health = (await (await fetch(`${gw.url}/health`)).json()) as { redis?: { status: string } };
    if (health.redis?.status === "up") break;
    await Bun.sleep(50);
  }
});
afterAll(async () => {
  await gw?.stop();
  proxy?.stop(true);
  await Promise.all([fake?.stop(), redis?.stop()]);
});

test("a cacheable chat in a named session waits about one Redis round trip, not three", async () => {
  const headers = { authorization: "Bearer sk-round-trips", "x-session-id": "sess-round-trips" };
  const chat = (content: string) => post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content }] }, headers);
  // Creates the session (its owner is checked on the next request) and warms every path up.
  expect((await chat("first")).status).toBe(200);
  await Bun.sleep(ROUND_TRIP_MS * 2);
  const started = performance.now();
  const res = await chat(`a cache miss ${crypto.randomUUID()}`);
  const elapsed = performance.now() - started;
  expect(res.status).toBe(200);
  expect(res.headers.get("x-cache")).toBe("MISS");
  expect(res.headers.get("x-ratelimit-remaining-requests")).not.toBeNull();
  // The rate-limit script, the session read and the cache GET all went through Redis...
  expect(elapsed).toBeGreaterThanOrEqual(ROUND_TRIP_MS);
  // ...together: in sequence they would take three round trips (600 ms).
  expect(elapsed).toBeLessThan(ROUND_TRIP_MS * 1.7);
});
