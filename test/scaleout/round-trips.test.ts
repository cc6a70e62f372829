// What a request waits for on Redis before its upstream call: one round trip, whatever it needs (the rate
// limit's script, a named session's owner, a cache lookup), because they travel together
// (plugins/deferred-checks.ts). Redis is reached through a proxy that holds every chunk ROUND_TRIP_MS / 2
// each way and reads the traffic: each command, when it came, and when its answer was handed back. A
// command sent before the gateway had any answer waited for none, so "one round trip" is checked as
// an order of events, which no load on the machine can change, rather than as a time, which it can.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Socket } from "bun";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";
import { startRedis, type RedisServer } from "../support/services.ts";

const ROUND_TRIP_MS = 200;

/** A command as the proxy saw it, with performance.now() times. */
interface Command {
  args: string[];
  sentAt: number;
  /** When its answer was handed to the gateway. */
  answeredAt?: number;
  failed?: boolean;
}

/** One RESP value at `at` of `buf` (RESP2 or RESP3): its type, its strings in order, and where it ends; undefined if incomplete. */
function readValue(buf: Buffer, at: number): { type: string; words: string[]; end: number } | undefined {
  const eol = buf.indexOf("\r\n", at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[at]);
  const head = buf.toString("latin1", at + 1, eol);
  let end = eol + 2;
  if ("$!=".includes(type)) {
    const length = Number(head);
    if (length < 0) return { type, words: [], end };
    if (end + length + 2 > buf.length) return undefined;
    return { type, words: [buf.toString("latin1", end, end + length)], end: end + length + 2 };
  }
  if ("*~>%|".includes(type)) {
    const words: string[] = [];
    const items = Math.max(0, Number(head)) * ("%|".includes(type) ? 2 : 1);
    for (let i = 0; i < items; i++) {
      const item = readValue(buf, end);
      if (!item) return undefined;
      words.push(...item.words);
      end = item.end;
    }
    // An attribute comes before the value it describes: together they are one answer.
    if (type === "|") {
      const value = readValue(buf, end);
      return value && { ...value, words: [...words, ...value.words] };
    }
    return { type, words, end };
  }
  return { type, words: [head], end };
}

/** The whole values at the start of `buf`, and what is left of it (a value split across chunks waits for the rest). */
function readAll(buf: Buffer): { values: Array<{ type: string; words: string[] }>; rest: Buffer } {
  const values = [];
  let at = 0;
  for (let value = readValue(buf, at); value; value = readValue(buf, at)) {
    values.push(value);
    at = value.end;
  }
  return { values, rest: Buffer.from(buf.subarray(at)) };
}

interface Link {
  upstream?: Socket<undefined>;
  pending: Uint8Array[];
  commands: Command[];
  answered: number;
  fromGateway: Buffer;
  fromRedis: Buffer;
}

/** A TCP proxy to 127.0.0.1:`port` that holds every chunk `oneWayMs` in each direction (order kept) and logs the commands. */
function slowProxy(port: number, oneWayMs: number) {
  /** Every link's commands, in the order they came. */
  const commands: Command[] = [];
  const later = (fn: () => void) => setTimeout(fn, oneWayMs);
  const server = Bun.listen<Link>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        const link: Link = (client.data = { pending: [], commands: [], answered: 0, fromGateway: Buffer.alloc(0), fromRedis: Buffer.alloc(0) });
        void Bun.connect({
          hostname: "127.0.0.1",
          port,
          socket: {
            data: (_, chunk) => {
              const copy = Buffer.from(chunk);
              later(() => {
                client.write(copy);
                const { values, rest } = readAll(Buffer.concat([link.fromRedis, copy]));
                link.fromRedis = rest;
                // Pushes (pub/sub messages) answer no command.
                for (const value of values.filter((v) => v.type !== ">")) {
                  const command = link.commands[link.answered++];
                  if (!command) continue;
                  command.answeredAt = performance.now();
                  command.failed = value.type === "-" || value.type === "!";
                }
              });
            },
            close: () => void client.end(),
          },
        }).then((upstream) => {
          link.upstream = upstream;
          for (const chunk of link.pending.splice(0)) upstream.write(chunk);
        });
      },
      data(client, chunk) {
        const link = client.data;
        const sentAt = performance.now();
        const copy = Buffer.from(chunk);
        const { values, rest } = readAll(Buffer.concat([link.fromGateway, copy]));
        link.fromGateway = rest;
        for (const value of values) {
          const command = { args: value.words, sentAt };
          link.commands.push(command);
          commands.push(command);
        }
        later(() => (link.upstream ? link.upstream.write(copy) : link.pending.push(copy)));
      },
      close(client) {
        client.data.upstream?.end();
      },
    },
  });
  return {
    port: server.port,
    commands,
    stop: () => server.stop(true),
  };
}

let redis: RedisServer;
let proxy: ReturnType<typeof slowProxy>;
let fake: FakeOpenRouter;
let gw: Gateway;

/** Waits for `ok()` with a deadline. */
async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await Bun.sleep(10);
  }
}

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
  let status: string | undefined;
  const up = async () => (status = ((await (await fetch(`${gw.url}/health`)).json()) as { redis?: { status: string } }).redis?.status) === "up";
  const deadline = performance.now() + 10_000;
  while (!(await up())) {
    if (performance.now() > deadline) throw new Error(`the gateway's Redis link through the proxy is ${status} after 10 s`);
    await Bun.sleep(50);
  }
}, 20_000);
afterAll(async () => {
  await gw?.stop();
  proxy?.stop();
  await Promise.all([fake?.stop(), redis?.stop()]);
});

const named = (name: string, args: string[]) => args[0]?.toUpperCase() === name;
const script = (keyPrefix: string) => (args: string[]) => (named("EVALSHA", args) || named("EVAL", args)) && args[3]?.startsWith(keyPrefix) === true;

test("a cacheable chat in a named session waits one Redis round trip, not three", async () => {
  const headers = { authorization: "Bearer sk-round-trips", "x-session-id": "sess-round-trips" };
  const chat = (content: string) => post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content }] }, headers);
  // Creates the session and warms every path up (each script loaded), then lets its writes finish:
  // the session's update answered, and every command sent answered.
  const warm = await chat("first");
  expect(warm.status).toBe(200);
  await warm.text();
  await until("the first request's writes are done", () => {
    const all = proxy.commands;
    // (A subscription is confirmed by a push, not an answer.)
    return all.some((c) => script("rt:session:")(c.args) && c.answeredAt !== undefined && !c.failed) && all.every((c) => c.answeredAt !== undefined || named("SUBSCRIBE", c.args));
  });

  const from = proxy.commands.length;
  const started = performance.now();
  const res = await chat(`a cache miss ${crypto.randomUUID()}`);
  const elapsed = performance.now() - started;
  expect(res.status).toBe(200);
  expect(res.headers.get("x-cache")).toBe("MISS");
  expect(res.headers.get("x-ratelimit-remaining-requests")).not.toBeNull();
  const upstreamAt = fake.requests.at(-1)!.at;

  // What the gateway sent to Redis for this request before it called the upstream.
  const before = proxy.commands.slice(from).filter((c) => c.sentAt < upstreamAt);
  const find = (what: string, test: (args: string[]) => boolean) => {
    const found = before.find((c) => test(c.args));
    if (!found) throw new Error(`no ${what} before the upstream call, only ${JSON.stringify(before.map((c) => c.args.slice(0, 4)))}`);
    return found;
  };
  const lookups = [
    find("rate-limit script", script("rt:rl:")),
    find("session read", (args) => named("HGETALL", args) && args[1] === "rt:session:sess-round-trips"),
    find("cache lookup", (args) => named("GET", args) && args[1]?.startsWith("rt:cache:") === true),
  ];
  // All three went through Redis, and waited for its answers...
  for (const c of lookups) expect(c.answeredAt).toBeLessThan(upstreamAt);
  expect(elapsed).toBeGreaterThanOrEqual(ROUND_TRIP_MS);
  // ...together: every command before the upstream call was sent before the gateway had any answer to
  // them (in sequence, each would have waited for the one before).
  const firstAnswer = Math.min(...before.map((c) => c.answeredAt ?? Infinity));
  expect(before.filter((c) => c.sentAt >= firstAnswer).map((c) => c.args.slice(0, 2))).toEqual([]);
});
