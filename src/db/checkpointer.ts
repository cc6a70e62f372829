// WAL checkpoints off the event loop. SQLite copies its write-ahead log back into the database file (and
// fsyncs it) inside whichever commit crosses `wal_autocheckpoint`, 1000 pages: with the usage ledger
// writing a batch on the event loop every 500 ms, that commit stalled every request in flight for 17 to
// 22 ms, against ~7 for the longest batch without it, and cost the event loop 0.5 to 1 µs a row
// (docs/benchmarks.md). A worker thread with a connection of its own
// checkpoints instead, every 250 ms, and the event loop's connection stops; if the worker fails, the
// connection takes checkpointing back.
import type { Database } from "bun:sqlite";
import type { Logger } from "../log.ts";

/** What `PRAGMA wal_checkpoint` answers: frames in the WAL, and how many of them are in the database file. */
export interface WalCheckpoint {
  busy: number;
  log: number;
  checkpointed: number;
}
export interface CheckpointStart {
  path: string;
  everyMs: number;
}
export type CheckpointReport = { checkpoint: WalCheckpoint } | { error: string } | { stopped: true };

export interface CheckpointMetrics {
  checkpoints: { inc(): void };
  walFrames: { set(value: number): void };
}

/** SQLite's default, restored when the worker fails. */
const AUTOCHECKPOINT_PAGES = 1000;
/** The longest `stop()` waits for the worker to close its connection. */
const STOP_MS = 1_000;

export class Checkpointer {
  readonly #worker: Worker;
  /** Set once the connection has checkpointing back, or the app is about to close it: reports are ignored. */
  #done = false;
  #stopping: Promise<void> | undefined;
  #stopped: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    path: string,
    /** checkpoint-worker.ts, resolved by app.ts (see there). */
    workerUrl: URL,
    metrics: CheckpointMetrics,
    private readonly log: Logger,
    everyMs = 250,
  ) {
    db.exec("PRAGMA wal_autocheckpoint = 0");
    // ref: false, so a process that stops without closing the app still exits; smol: a small heap.
    this.#worker = new Worker(workerUrl, { ref: false, smol: true });
    this.#worker.onmessage = ({ data }: MessageEvent<CheckpointReport>) => {
      if (this.#done) return;
      if ("checkpoint" in data) {
        metrics.checkpoints.inc();
        metrics.walFrames.set(data.checkpoint.log);
      } else if ("error" in data) this.#fail(data.error);
      else this.#stopped?.();
    };
    // A worker that fails to load (ModuleNotFound) or throws reports here.
    this.#worker.onerror = (event) => this.#fail(event.message);
    this.#worker.postMessage({ path, everyMs } satisfies CheckpointStart);
  }

  /** Stops the worker once it has closed its connection, which must happen before the app closes its own. */
  stop(): Promise<void> {
    return (this.#stopping ??= this.#stop());
  }

  async #stop(): Promise<void> {
    if (!this.#done) {
      const stopped = new Promise<void>((resolve) => (this.#stopped = resolve));
      this.#worker.postMessage("stop");
      await Promise.race([stopped, Bun.sleep(STOP_MS)]);
    }
    this.#done = true;
    this.#worker.terminate();
  }

  #fail(error: string): void {
    if (this.#done) return;
    this.#done = true;
    this.db.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    this.log("sqlite_checkpointer_failed", { error });
    this.#worker.terminate();
    // A stop() under way need not wait for a report that will not come.
    this.#stopped?.();
  }
}
