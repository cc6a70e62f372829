// Upstreams that break the protocol: a body larger than any sane answer, a stream trickling a byte at a
// time, one that stalls or only sends keep-alives, garbage mid-stream, a Content-Length that lies. Each
// must end in a clean error within UPSTREAM_TIMEOUT, with the upstream connection released.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MAX_UPSTREAM_BODY } from "../../src/providers/body.ts";
import { startMisbehavingUpstream, type MisbehavingUpstream } from "../fakes/misbehaving.ts";
import { errorBody, post, startGateway, type Gateway } from "../helpers.ts";

const TIMEOUT_MS = 600;
let upstream: MisbehavingUpstream;
let gw: Gateway;

/** A gateway whose one provider is the misbehaving upstream. */
const gatewayOnUpstream = (upstreamTimeoutMs: number, requestTimeoutMs: number) =>
  startGateway({ upstreamTimeoutMs, requestTimeoutMs, maxRetries: 0, customProviders: [{ name: "bad", baseUrl: upstream.baseUrl, models: ["bad-model"] }] });

beforeAll(async () => {
  upstream = await startMisbehavingUpstream();
  gw = await gatewayOnUpstream(TIMEOUT_MS, 5_000);
});
afterAll(async () => {
  await gw.stop();
  await upstream.stop();
});

const chat = (stream = false, on = gw) => post(`${on.url}/v1/chat/completions`, { model: "bad-model", messages: [{ role: "user", content: "hi" }], stream });

/** Reads an SSE answer to its end and returns the error event, if one came. */
async function streamError(res: Response): Promise<{ message: string; type: string } | undefined> {
  const text = await res.text();
  const event = text.split("\n\n").map((e) => e.replace(/^data: /, "")).find((e) => e.startsWith('{"error"'));
  return event ? JSON.parse(event).error : undefined;
}

const released = async () => {
  for (let i = 0; i < 50 && upstream.openConnections() > 0; i++) await Bun.sleep(20);
  return upstream.openConnections();
};

describe("a misbehaving upstream ends in a clean error", () => {
  test("a well-behaved answer passes (the fake itself works)", async () => {
    upstream.fault = { kind: "ok" };
    expect((await chat()).status).toBe(200);
    const res = await chat(true);
    expect(await streamError(res)).toBeUndefined();
  });

  test("a body larger than MAX_UPSTREAM_BODY: 502 without reading it all; the connection is closed", async () => {
    upstream.fault = { kind: "huge", bytes: MAX_UPSTREAM_BODY + 1024 * 1024 };
    const before = process.memoryUsage().rss;
    const res = await chat();
    expect(res.status).toBe(502);
    expect((await errorBody(res)).message).toContain("larger than");
    // Refused from the declared length: nothing close to the body was held in memory.
    expect(process.memoryUsage().rss - before).toBeLessThan(MAX_UPSTREAM_BODY / 2);
    expect(await released()).toBe(0);
  });

  test("the same body without a length (chunked): cut off once it passes the ceiling, 502, connection closed", async () => {
    upstream.fault = { kind: "huge", bytes: MAX_UPSTREAM_BODY * 2, chunked: true };
    const res = await chat();
    expect(res.status).toBe(502);
    expect((await errorBody(res)).message).toContain("larger than");
    expect(await released()).toBe(0);
  });

  test("a small Content-Length beside Transfer-Encoding: chunked is not trusted: cut off at the ceiling, 502", async () => {
    upstream.fault = { kind: "huge", bytes: MAX_UPSTREAM_BODY * 2, chunked: true, declared: 10 };
    const res = await chat();
    expect(res.status).toBe(502);
    expect((await errorBody(res)).message).toContain("larger than");
    expect(await released()).toBe(0);
  });

  test("a small gzipped body that inflates past the ceiling: cut off as it inflates, 502, connection closed", async () => {
    upstream.fault = { kind: "huge", bytes: MAX_UPSTREAM_BODY + 1024 * 1024, gzip: true };
    // Inflating 64 MB takes longer than this file's short upstream timeout on a loaded machine (then 504):
    // a gateway with time enough, so only the ceiling can end the read.
    const patient = await gatewayOnUpstream(20_000, 30_000);
    try {
      const res = await chat(false, patient);
      expect(res.status).toBe(502);
      expect((await errorBody(res)).message).toContain("larger than");
      expect(await released()).toBe(0);
    } finally {
      await patient.stop();
    }
  });

  test("a stream trickling one byte at a time still completes, since bytes keep coming", async () => {
    upstream.fault = { kind: "trickle", gapMs: 1 };
    const res = await chat(true);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("slow");
    expect(text).toContain("[DONE]");
  });

  test("a stream that stalls after its first chunk: an error event after UPSTREAM_TIMEOUT, upstream released", async () => {
    upstream.fault = { kind: "stall" };
    const started = performance.now();
    const res = await chat(true);
    expect(res.status).toBe(200);
    const error = await streamError(res);
    expect(error?.message).toContain("sent nothing");
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS * 4);
    expect(await released()).toBe(0);
  });

  test("a stream that never ends, only keep-alives: 504 before the first chunk (nothing was sent yet)", async () => {
    upstream.fault = { kind: "endless", gapMs: 50 };
    const res = await chat(true);
    expect(res.status).toBe(504);
    await errorBody(res);
    expect(await released()).toBe(0);
  });

  test("garbage mid-stream without blank lines: an error event (no event completes in UPSTREAM_TIMEOUT; none may pass 1 MB), upstream released", async () => {
    upstream.fault = { kind: "garbage" };
    const res = await chat(true);
    expect(res.status).toBe(200);
    const error = await streamError(res);
    expect(error).toBeDefined();
    expect(await released()).toBe(0);
  });

  test("a Content-Length that lies: 502 when the connection closes early, 504 when it is held open", async () => {
    upstream.fault = { kind: "lying-length", then: "close" };
    const closed = await chat();
    expect(closed.status).toBe(502);
    await errorBody(closed);
    upstream.fault = { kind: "lying-length", then: "hold" };
    const held = await chat();
    expect(held.status).toBe(504);
    await errorBody(held);
    expect(await released()).toBe(0);
  });

  test("embeddings: a huge body and a lying length end cleanly too", async () => {
    for (const fault of [{ kind: "huge", bytes: MAX_UPSTREAM_BODY + 1 }, { kind: "lying-length", then: "hold" }] as const) {
      upstream.fault = fault;
      const res = await post(`${gw.url}/v1/embeddings`, { model: "bad-model", input: "x" });
      expect([502, 504]).toContain(res.status);
      await errorBody(res);
    }
  });
});
