// WAL checkpoints on a worker thread (src/db/checkpointer.ts): real files, the real worker, the real gateway.
import { afterAll, describe, expect, test } from "bun:test";
import type { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Checkpointer } from "../../src/db/checkpointer.ts";
import { openDatabase } from "../../src/db/database.ts";
import { metric, startGateway } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "gateway-checkpointer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKER = new URL("../../src/db/checkpoint-worker.ts", import.meta.url);
const MB = 1024 * 1024;
let files = 0;

/** A fresh database file with a table to fill, and a checkpointer on it unless `worker` is null. */
function setUp(worker: { path?: string; url?: URL } | null = {}) {
  const path = join(dir, `db-${++files}.db`);
  const db = openDatabase(path);
  db.exec("CREATE TABLE rows (body BLOB NOT NULL)");
  const counted = { checkpoints: 0, walFrames: -1 };
  const events: Array<{ event: string; data?: Record<string, unknown> }> = [];
  const metrics = { checkpoints: { inc: () => counted.checkpoints++ }, walFrames: { set: (v: number) => (counted.walFrames = v) } };
  const checkpointer = worker && new Checkpointer(db, worker.path ?? path, worker.url ?? WORKER, metrics, (event, data) => events.push({ event, data }));
  // Without a worker: what the checkpointer does to the connection, and nothing else.
  if (!worker) db.exec("PRAGMA wal_autocheckpoint = 0");
  return { path, db, checkpointer, counted, events, wal: () => statSync(`${path}-wal`).size };
}

const autocheckpoint = (db: Database) => (db.query("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number }).wal_autocheckpoint;

const ROW = new Uint8Array(4_000);

/** One batch of 1 MB in a transaction. */
function write(db: Database): void {
  const insert = db.prepare("INSERT INTO rows (body) VALUES (?)");
  db.transaction(() => {
    for (let i = 0; i < 250; i++) insert.run(ROW);
  })();
}

async function until(condition: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await Bun.sleep(20);
  }
}

describe("the checkpointer", () => {
  test("keeps the WAL at a few MB under ~20 MB of continuous writes, while the connection's own autocheckpoint is off", async () => {
    const watched = setUp();
    const alone = setUp(null);
    expect(autocheckpoint(watched.db)).toBe(0);
    // The worker is up (its start-up is not what is measured).
    await until(() => watched.counted.checkpoints > 0);
    const before = watched.counted.checkpoints;
    // 20 batches of 1 MB, one every 100 ms (the ledger writes a batch every 500 ms), and the same into the other file.
    for (let batch = 0; batch < 20; batch++) {
      write(watched.db);
      await Bun.sleep(100);
    }
    for (let batch = 0; batch < 20; batch++) write(alone.db);
    // Without the worker nothing copies the log back: it holds every page written.
    expect(alone.wal()).toBeGreaterThan(18 * MB);
    expect(watched.wal()).toBeLessThan(8 * MB);
    expect(watched.counted.checkpoints).toBeGreaterThan(before + 3);
    expect(watched.counted.walFrames).toBeGreaterThan(0);
    expect(watched.events).toEqual([]);
    await watched.checkpointer!.stop();
    for (const { db } of [watched, alone]) db.close();
  });

  test.each([
    ["cannot open the database", { path: join(dir, "missing", "gateway.db") }],
    ["fails to load", { url: new URL("./no-such-worker.ts", import.meta.url) }],
  ])("a worker that %s hands checkpointing back to the connection and logs it once", async (_, worker) => {
    const { db, checkpointer, events } = setUp(worker);
    await until(() => events.length > 0);
    expect(autocheckpoint(db)).toBe(1000);
    expect(events.map((e) => e.event)).toEqual(["sqlite_checkpointer_failed"]);
    expect(events[0].data?.error).toBeString();
    // Past a few of the worker's ticks: still one line, and the connection still writes.
    await Bun.sleep(400);
    expect(events).toHaveLength(1);
    db.exec("INSERT INTO rows (body) VALUES (x'00')");
    await checkpointer!.stop();
    db.close();
  });

  test("stop() resolves once the worker has closed its connection, twice is harmless, and the connection then closes last", async () => {
    const { path, db, checkpointer, counted } = setUp();
    db.exec("INSERT INTO rows (body) VALUES (x'00')");
    await until(() => counted.checkpoints > 0);
    const started = Date.now();
    // Two at once, then one more: each well under the 1 s stop() waits at most, so the worker answered.
    await Promise.all([checkpointer!.stop(), checkpointer!.stop()]);
    expect(Date.now() - started).toBeLessThan(500);
    const again = Date.now();
    await checkpointer!.stop();
    expect(Date.now() - again).toBeLessThan(100);
    db.close();
    // The last connection to close checkpoints and deletes the WAL: the worker's was closed before.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  test("stop() right after the start still closes the worker's connection", async () => {
    const { path, db, checkpointer, events } = setUp();
    const started = Date.now();
    await checkpointer!.stop();
    expect(Date.now() - started).toBeLessThan(500);
    db.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(events).toEqual([]);
  });
});

describe("the gateway", () => {
  const checkpoints = (url: string) => metric(url, "sqlite_wal_checkpoints_total");

  test("checkpoints a file database on its worker, and starts none for :memory:", async () => {
    const events: string[] = [];
    const log = (event: string) => void events.push(event);
    const inMemory = await startGateway({ databasePath: ":memory:" }, { log });
    const onFile = await startGateway({ databasePath: join(dir, "gateway", "gateway.db") }, { log });
    try {
      const deadline = Date.now() + 3_000;
      while ((await checkpoints(onFile.url)) < 2 && Date.now() < deadline) await Bun.sleep(50);
      expect(await checkpoints(onFile.url)).toBeGreaterThanOrEqual(2);
      // Started first: by now a worker of the in-memory gateway would have counted too, or failed.
      expect(await checkpoints(inMemory.url)).toBe(0);
      expect(events).not.toContain("sqlite_checkpointer_failed");
    } finally {
      await Promise.all([onFile.stop(), inMemory.stop()]);
    }
  });
});
