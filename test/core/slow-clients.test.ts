// Hundreds of idle connections and slowloris clients (headers or a body sent a byte at a time) must not
// starve anyone else, and IDLE_TIMEOUT closes connections that fall silent. Bun (uWebSockets) closes
// timed-out connections in sweeps 4 s apart, so when one goes is known only to within a sweep: the
// starvation test runs on a gateway whose timeouts cannot fire while it runs, and the closing test waits
// for each close with a deadline that allows for the sweeps, whenever they fall and however loaded the
// machine is. Bounded: about 12 s on a quiet machine.
import { afterAll, beforeAll, expect, test } from "bun:test";
import net from "node:net";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";

/** uWebSockets' timeout sweep. */
const SWEEP_MS = 4_000;
/** Bun's time for a request's headers, whatever IDLE_TIMEOUT says (measured: closed at the third sweep). */
const HEADERS_MS = 10_000;

let fake: FakeOpenRouter;
/** IDLE_TIMEOUT as by default (30 s): nothing times out during the starvation test. */
let patient: Gateway;
/** IDLE_TIMEOUT=1. */
let strict: Gateway;
const sockets: net.Socket[] = [];
beforeAll(async () => {
  fake = await startFakeOpenRouter();
  const openrouter = { apiKey: fake.apiKey, baseUrl: fake.baseUrl };
  patient = await startGateway({ openrouter });
  strict = await startGateway({ idleTimeoutSeconds: 1, openrouter });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([patient.stop(), strict.stop()]);
  await fake.stop();
});

type Client = net.Socket & { closedAt?: number };

/** A raw connection to the gateway; resolves once connected, records when the gateway closed it. */
function connect(gw: Gateway): Promise<Client> {
  const { port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => resolve(socket)) as Client;
    socket.on("close", () => (socket.closedAt = performance.now()));
    socket.on("error", () => {});
    socket.once("error", reject);
    sockets.push(socket);
  });
}

const connections = (gw: Gateway, n: number) => Promise.all(Array.from({ length: n }, () => connect(gw)));

/** Writes `text` one byte every `gapMs` until done or the socket closes. */
function trickle(socket: net.Socket, text: string, gapMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at >= text.length) return clearInterval(timer);
    socket.write(text[at++]);
  }, gapMs);
}

/** The hostile kinds of client: keep-alives that made one request and fell silent, connections that never send a byte, headers that never finish, a body promised at 1 MB but sent a byte at a time. */
async function hostile(gw: Gateway, counts: { idle: number; silent: number; slowHeaders: number; slowBodies: number }) {
  const idle = await connections(gw, counts.idle);
  for (const s of idle) {
    s.on("data", () => {});
    s.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  const silent = await connections(gw, counts.silent);
  const slowHeaders = await connections(gw, counts.slowHeaders);
  const slowBodies = await connections(gw, counts.slowBodies);
  for (const s of slowHeaders) trickle(s, `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n${"X-Slow: ".padEnd(4000, "a")}`, 100);
  for (const s of slowBodies) {
    s.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n");
    trickle(s, `{"model":"gpt-4o","messages":[${"{},".repeat(100_000)}`, 100);
  }
  return { idle, silent, slowHeaders, slowBodies, connectedAt: performance.now() };
}

/** Waits until every socket is closed or the deadline (performance.now()) passed; returns those still open. */
async function closedBy(list: Client[], deadline: number) {
  while (performance.now() < deadline && list.some((s) => s.closedAt === undefined)) await Bun.sleep(100);
  return list.filter((s) => s.closedAt === undefined);
}

const chat = (gw: Gateway, content: string) => post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o", messages: [{ role: "user", content }] });

test("300 idle connections and 50 slowloris clients do not starve others: every request is answered while all of them hold on", async () => {
  const { idle, silent, slowHeaders, slowBodies } = await hostile(patient, { idle: 250, silent: 50, slowHeaders: 25, slowBodies: 25 });
  const all = [...idle, ...silent, ...slowHeaders, ...slowBodies];
  // Every ordinary request is answered, one after another, while all of them are connected.
  for (let i = 0; i < 20; i++) {
    const res = await chat(patient, `n${i}`);
    expect(res.status).toBe(200);
    await res.text();
  }
  // Not one was let go to make room (the first timeout, of the unfinished headers, is two sweeps away at least).
  expect(all.filter((s) => s.closedAt !== undefined)).toHaveLength(0);
  for (const s of all) s.destroy();
}, 30_000);

test("IDLE_TIMEOUT closes idle keep-alives and bodies that take too long; unfinished headers are closed after about 10 s", async () => {
  const { idle, silent, slowHeaders, slowBodies, connectedAt } = await hostile(strict, { idle: 20, silent: 5, slowHeaders: 5, slowBodies: 5 });
  // IDLE_TIMEOUT (1 s) takes effect at the first sweep after it: at most a sweep and a second, plus a sweep of slack.
  expect(await closedBy([...idle, ...slowBodies], connectedAt + 1_000 + 2 * SWEEP_MS + 2_000)).toHaveLength(0);
  // The headers' time, counted in sweeps too.
  expect(await closedBy([...silent, ...slowHeaders], connectedAt + HEADERS_MS + 2 * SWEEP_MS + 2_000)).toHaveLength(0);
  const res = await chat(strict, "after");
  expect(res.status).toBe(200);
}, 40_000);
