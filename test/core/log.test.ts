import { describe, expect, test } from "bun:test";
import { batchedLines } from "../../src/log.ts";

describe("request log batching", () => {
  test("lines written close together leave in one write, whole and in order", async () => {
    const writes: string[] = [];
    const lines = batchedLines((text) => writes.push(text), 10);
    for (let i = 0; i < 5; i++) lines.write(`{"n":${i}}\n`);
    expect(writes).toEqual([]);
    await Bun.sleep(40);
    expect(writes).toEqual(['{"n":0}\n{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n']);
    lines.write('{"n":5}\n');
    await Bun.sleep(40);
    expect(writes).toEqual(['{"n":0}\n{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n', '{"n":5}\n']);
  });

  test("a full buffer is written at once, and flush sends what is left without waiting", () => {
    const writes: string[] = [];
    const lines = batchedLines((text) => writes.push(text), 60_000, 20);
    lines.write("0123456789\n");
    expect(writes).toEqual([]);
    lines.write("abcdefghij\n");
    expect(writes).toEqual(["0123456789\nabcdefghij\n"]);
    lines.write("tail\n");
    lines.flush();
    lines.flush();
    expect(writes).toEqual(["0123456789\nabcdefghij\n", "tail\n"]);
  });
});
