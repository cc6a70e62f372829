// The real servers the suite relies on start here, so a machine without them fails at once and clearly.
import { expect, test } from "bun:test";
import { RedisClient } from "bun";
import { chromiumPath, freshPostgresDatabase, startRedis } from "./services.ts";

test("a throwaway redis-server starts, answers, dies and comes back on its port", async () => {
  const redis = await startRedis();
  try {
    const client = new RedisClient(redis.url);
    expect(await client.send("PING", [])).toBe("PONG");
    client.close();
    await redis.kill();
    await redis.start();
    const again = new RedisClient(redis.url);
    expect(await again.send("PING", [])).toBe("PONG");
    again.close();
  } finally {
    await redis.stop();
  }
});

test("a real Postgres answers in a database of its own", async () => {
  const sql = new Bun.SQL(await freshPostgresDatabase());
  try {
    const [row] = await sql`SELECT 1 + 1 AS two`;
    expect(Number(row.two)).toBe(2);
  } finally {
    await sql.close();
  }
}, 60_000);

test("Debian's Chromium is installed", () => {
  expect(chromiumPath()).toMatch(/chromium$/);
});
