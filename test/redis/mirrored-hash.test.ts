// The mirrored hash under the Redis stores (cooldowns, quotas) on a real redis-server, for what their own
// tests leave out: the outage. While Redis is down a write is skipped and the mirror goes on alone; on
// reconnection every mirror is replaced by the hash, also dropping keys deleted meanwhile.
import { RedisClient } from "bun";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { silentLogger } from "../../src/log.ts";
import { Redis } from "../../src/redis/client.ts";
import { MirroredHash, type Mirror } from "../../src/redis/mirrored-hash.ts";
import { startRedis, type RedisServer } from "../support/services.ts";

class MapMirror extends Map<string, number> implements Mirror<number> {
  put(key: string, value: number | undefined): void {
    if (value === undefined) this.delete(key);
    else this.set(key, value);
  }

  replace(entries: Iterable<[string, number]>): void {
    this.clear();
    for (const [key, value] of entries) this.set(key, value);
  }
}

async function until(what: string, ok: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await Bun.sleep(10);
  }
}

let server: RedisServer;
const links: Redis[] = [];

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  for (const link of links) link.close();
  await server?.stop();
});

test("writes and deletions reach every mirror; while down a write is skipped; a reconnection reloads the hash", async () => {
  const [one, two] = [0, 1].map(() => new Redis(server.url, "mh:", silentLogger));
  links.push(one, two);
  const [m1, m2] = [new MapMirror(), new MapMirror()];
  const [h1] = [new MirroredHash(one, "counts", m1), new MirroredHash(two, "counts", m2)];
  for (const link of [one, two]) link.start();
  await Promise.all([one.ready(), two.ready()]);

  await h1.set("a", 1);
  await h1.set("b", 2);
  await until("both keys reach the other mirror", () => m2.get("a") === 1 && m2.get("b") === 2);
  await h1.delete("b");
  await until("the deletion reaches the other mirror", () => !m2.has("b"));

  // Down: a write is skipped, without an error; the mirrors keep what they had.
  await server.kill();
  await until("the links see the outage", () => !one.up && !two.up);
  expect(await h1.set("c", 3)).toBeUndefined();
  expect([...m2]).toEqual([["a", 1]]);
  await server.start();
  await Promise.all([one.ready(), two.ready()]);

  // Changes nobody announced (as while a link was down), then the links drop: each mirror becomes the hash.
  const admin = new RedisClient(server.url);
  try {
    await admin.send("HSET", ["mh:counts", "d", "4"]);
    await admin.send("HDEL", ["mh:counts", "a"]);
    await admin.send("CLIENT", ["KILL", "TYPE", "pubsub"]);
  } finally {
    admin.close();
  }
  await until("both mirrors reloaded", () => m1.get("d") === 4 && m2.get("d") === 4);
  expect([...m1]).toEqual([["d", 4]]);
  expect([...m2]).toEqual([["d", 4]]);
}, 20_000);
