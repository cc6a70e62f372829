// How many usage rows per second one SQLite file takes: `bun bench/ledger-sqlite.ts`. Writes rows shaped
// like the gateway's through the ledger's own SQLite store, in the writer's batches (1000 rows, one
// transaction each), into a fresh WAL file in bench/.scratch; bounded to BENCH_LEDGER_ROWS rows
// (default 200000) and 20 s. Prints rows/s for the whole run and for the last batches (a fuller table).
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../src/db/database.ts";
import { SqliteLedger } from "../src/ledger/sqlite.ts";
import type { UsageRow } from "../src/ledger/store.ts";
import { SCRATCH } from "./proc.ts";

const total = Number(process.env.BENCH_LEDGER_ROWS ?? 200_000);
const BATCH = 1000;
const DEADLINE_MS = 20_000;

const file = join(SCRATCH, "ledger-rows.db");
mkdirSync(SCRATCH, { recursive: true });
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
const db = openDatabase(file);
const ledger = new SqliteLedger(db);

const start = Date.now();
const row = (i: number): UsageRow => ({
  id: Bun.randomUUIDv7(), time: start + i, owner: `key:${(i % 50).toString(16).padStart(64, "0")}`, key_id: `key_${i % 50}`, user_login: null,
  endpoint: "/v1/chat/completions", model: "gpt-4o-mini", provider: "openrouter", upstream_model: "qwen/qwen3-next-80b-a3b-instruct:free",
  status: i % 20 === 0 ? 429 : 200, error: i % 20 === 0 ? "rate_limit_exceeded" : null, prompt_tokens: 120 + (i % 300), completion_tokens: 40 + (i % 700),
  latency_ms: 300 + (i % 1000) / 3, first_byte_ms: i % 2 ? 120.5 : null, attempts: 1, cache: "MISS", session_id: `sess_${i % 1000}`, cost_usd: 0,
});

let written = 0;
let tailStart = 0;
let tailRows = 0;
const t0 = performance.now();
while (written < total && performance.now() - t0 < DEADLINE_MS) {
  const batch = Array.from({ length: Math.min(BATCH, total - written) }, (_, k) => row(written + k));
  if (written >= total * 0.8 && tailStart === 0) tailStart = performance.now();
  await ledger.insert(batch);
  written += batch.length;
  if (tailStart) tailRows += batch.length;
}
const seconds = (performance.now() - t0) / 1000;
const tail = tailStart ? tailRows / ((performance.now() - tailStart) / 1000) : NaN;
db.close();
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
console.log(`${written} rows in ${seconds.toFixed(2)} s: ${Math.round(written / seconds)} rows/s overall, ${Math.round(tail)} rows/s over the last 20% (batches of ${BATCH}, WAL, synchronous=NORMAL, the (time, owner) index and the partial index of client-chosen ids)`);
