// The shared SSE pump (src/doors/stream.ts): keep-alive frames only once the stream started and only
// while the upstream is silent, none for a door without a ping frame.
import { describe, expect, test } from "bun:test";
import type { ChatChunk } from "../providers/types.ts";
import { sseStream, type StreamEncoder } from "./stream.ts";

const chunk = (content: string): ChatChunk => ({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] });

/** An upstream that sends its chunks `gapMs` apart. */
async function* slow(contents: string[], gapMs: number): AsyncGenerator<ChatChunk> {
  for (const c of contents) {
    await Bun.sleep(gapMs);
    yield chunk(c);
  }
}

const frames = (ping?: string): StreamEncoder => ({ chunk: (c) => `[${c.choices[0].delta.content}]`, end: () => "[end]", fail: () => "[fail]", ping });

async function read(ping: string | undefined, keepAliveMs: number) {
  const rest = slow(["b", "c"], 200);
  const body = sseStream({ first: chunk("a"), rest }, frames(ping), { onFirstByte: () => undefined, onEnd: () => undefined }, keepAliveMs);
  return new Response(body).text();
}

describe("keep-alive", () => {
  test("pings fill the upstream's silences once the stream started", async () => {
    const text = await read("[ping]", 20);
    expect(text.startsWith("[a]")).toBe(true);
    expect(text.endsWith("[c][end]")).toBe(true);
    const between = text.slice("[a]".length, text.indexOf("[b]"));
    expect(between).toMatch(/^(\[ping\])+$/);
  });

  test("a door without a ping frame sends none", async () => {
    expect(await read(undefined, 20)).toBe("[a][b][c][end]");
  });
});
