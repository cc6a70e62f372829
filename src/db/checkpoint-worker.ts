// The checkpointer's thread (see checkpointer.ts): a connection of its own copies the WAL back into the
// database file every `everyMs`. PASSIVE neither waits for nor blocks the event loop's connection; while
// another replica checkpoints the same file it answers busy = 1, and the next tick tries again.
import { Database, type Statement } from "bun:sqlite";
import type { CheckpointReport, CheckpointStart, WalCheckpoint } from "./checkpointer.ts";

declare const self: Worker;

const report = (message: CheckpointReport) => self.postMessage(message);

let db: Database | undefined;
let checkpoint: Statement<WalCheckpoint, []> | undefined;
let timer: ReturnType<typeof setInterval> | undefined;

function start({ path, everyMs }: CheckpointStart): void {
  db = new Database(path, { readwrite: true, create: false, strict: true });
  checkpoint = db.prepare<WalCheckpoint, []>("PRAGMA wal_checkpoint(PASSIVE)");
  timer = setInterval(() => attempt(() => report({ checkpoint: checkpoint!.get()! })), everyMs);
}

/** Closes the connection: the main thread terminates this worker next, which would leave it open. */
function close(): void {
  clearInterval(timer);
  // Finalized first: a connection with a live statement would stay open after close().
  checkpoint?.finalize();
  db?.close();
  checkpoint = db = undefined;
}

/** Runs `step`; if it throws, closes the connection and reports the error (the event loop's connection takes over). */
function attempt(step: () => void): void {
  try {
    step();
  } catch (error) {
    close();
    report({ error: error instanceof Error ? error.message : String(error) });
  }
}

self.onmessage = ({ data }: MessageEvent<CheckpointStart | "stop">) => {
  if (data !== "stop") return attempt(() => start(data));
  close();
  report({ stopped: true });
};
