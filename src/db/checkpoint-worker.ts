// The checkpointer's thread (see checkpointer.ts): a connection of its own copies the WAL back into the
// database file every `everyMs`. PASSIVE neither waits for nor blocks the event loop's connection; while
// another replica checkpoints the same file it answers busy = 1, and the next tick tries again.
import { Database, type Statement } from "bun:sqlite";
import type { CheckpointReport, CheckpointStart, WalCheckpoint } from "./checkpointer.ts";

declare const self: Worker;

const report = (message: CheckpointReport) => self.postMessage(message);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

let db: Database | undefined;
let checkpoint: Statement<WalCheckpoint, []> | undefined;
let timer: ReturnType<typeof setInterval> | undefined;

function start({ path, everyMs }: CheckpointStart): void {
  db = new Database(path, { readwrite: true, create: false, strict: true });
  checkpoint = db.prepare<WalCheckpoint, []>("PRAGMA wal_checkpoint(PASSIVE)");
  timer = setInterval(() => {
    try {
      report({ checkpoint: checkpoint!.get()! });
    } catch (error) {
      clearInterval(timer);
      report({ error: message(error) });
    }
  }, everyMs);
}

self.onmessage = (event: MessageEvent<CheckpointStart | "stop">) => {
  if (event.data === "stop") {
    clearInterval(timer);
    // Finalized first: a connection with a live statement would stay open after close().
    checkpoint?.finalize();
    db?.close();
    report({ stopped: true });
    return;
  }
  try {
    start(event.data);
  } catch (error) {
    report({ error: message(error) });
  }
};
