// Hundreds of idle connections and slowloris clients (headers or a body sent a byte at a time) must not
// starve anyone else, and IDLE_TIMEOUT closes connections that fall silent. Bounded: a few seconds.
import { afterAll, beforeAll, expect, test } from "bun:test";
import net from "node:net";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";

let fake: FakeOpenRouter;
let gw: Gateway;
const sockets: net.Socket[] = [];
beforeAll(async () => {
  fake = await startFakeOpenRouter();
  gw = await startGateway({ idleTimeoutSeconds: 1, openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl } });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await gw.stop();
  await fake.stop();
});

/** A raw connection to the gateway; resolves once connected, records when the gateway closed it. */
function connect(): Promise<net.Socket & { closedAt?: number }> {
  const { port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => resolve(socket)) as net.Socket & { closedAt?: number };
    socket.on("close", () => (socket.closedAt = performance.now()));
    socket.on("error", () => {});
    socket.once("error", reject);
    sockets.push(socket);
  });
}

/** Writes `text` one byte every `gapMs` until done or the socket closes. */
function trickle(socket: net.Socket, text: string, gapMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at >= text.length) return clearInterval(timer);
    socket.write(text[at++]);
  }, gapMs);
}

/** Waits until every socket is closed or `ms` passed; returns those still open. */
async function closedWithin(list: Array<net.Socket & { closedAt?: number }>, ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until && list.some((s) => s.closedAt === undefined)) await Bun.sleep(100);
  return list.filter((s) => s.closedAt === undefined);
}

test("300 idle connections and 50 slowloris clients do not starve others; silent connections are closed", async () => {
  // Keep-alive connections that made one request, then fell silent.
  const idle = await Promise.all(Array.from({ length: 250 }, connect));
  for (const s of idle) {
    s.on("data", () => {});
    s.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  // Connections that never send a byte.
  const silent = await Promise.all(Array.from({ length: 50 }, connect));
  const slowHeaders = await Promise.all(Array.from({ length: 25 }, connect));
  const slowBodies = await Promise.all(Array.from({ length: 25 }, connect));
  const start = performance.now();
  // Headers that never finish, and a body promised at 1 MB but sent a byte at a time.
  for (const s of slowHeaders) trickle(s, `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n${"X-Slow: ".padEnd(4000, "a")}`, 100);
  for (const s of slowBodies) {
    s.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n");
    trickle(s, `{"model":"gpt-4o","messages":[${"{},".repeat(100_000)}`, 100);
  }

  // Meanwhile every ordinary request is answered, one after another, while all of them are connected.
  for (let i = 0; i < 20; i++) {
    const res = await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o", messages: [{ role: "user", content: `n${i}` }] });
    expect(res.status).toBe(200);
    await res.text();
  }
  expect([...idle, ...silent, ...slowHeaders, ...slowBodies].filter((s) => s.closedAt !== undefined).length).toBeLessThan(10);
  expect(performance.now() - start).toBeLessThan(1_000);

  // IDLE_TIMEOUT (1 s here; Bun checks every 4 s) ends idle keep-alives and bodies that take too long in all.
  expect(await closedWithin([...idle, ...slowBodies], 7_000)).toHaveLength(0);
  // Bun (uWebSockets) gives a request's headers about 10 s, whatever IDLE_TIMEOUT says, trickle or not.
  expect(await closedWithin([...silent, ...slowHeaders], 8_000)).toHaveLength(0);
  const res = await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o", messages: [{ role: "user", content: "after" }] });
  expect(res.status).toBe(200);
}, 25_000);
