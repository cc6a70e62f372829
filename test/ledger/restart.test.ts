// The real process (`bun src/index.ts`), with the ledger in SQLite and in Postgres: rows of requests
// answered just before SIGTERM (whose rows are made a timer turn after the response) are in the ledger
// after a restart, and rows past USAGE_RETENTION_DAYS are pruned when it starts.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { PostgresLedger } from "../../src/ledger/postgres.ts";
import { SqliteLedger } from "../../src/ledger/sqlite.ts";
import type { UsageRow } from "../../src/ledger/store.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { freePort, freshPostgresDatabase } from "../support/services.ts";

const ROOT = join(import.meta.dir, "..", "..");
const ADMIN = "admin-token-for-restart-tests-0123456789";
let fake: FakeOpenRouter;
let dir: string;

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  dir = mkdtempSync(join(tmpdir(), "ogw-restart-"));
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startProcess(port: number, databaseUrl: string | undefined) {
  const proc = Bun.spawn(["bun", "src/index.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "", NODE_ENV: "development", HOST: "127.0.0.1", PORT: String(port), DATABASE_PATH: join(dir, "gateway.db"),
      OPENROUTER_API_KEY: fake.apiKey, OPENROUTER_BASE_URL: fake.baseUrl, ADMIN_TOKEN: ADMIN, USAGE_RETENTION_DAYS: "30", CATALOG_REFRESH: "0",
      ...(databaseUrl && { DATABASE_URL: databaseUrl }),
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return { proc, url };
    await Bun.sleep(25);
  }
  proc.kill("SIGKILL");
  throw new Error(`the gateway did not start: ${await new Response(proc.stderr).text()}`);
}

/** Written straight into the store while the gateway is down. */
async function insertOld(databaseUrl: string | undefined, row: UsageRow): Promise<void> {
  if (databaseUrl) {
    const store = new PostgresLedger(databaseUrl);
    await store.insert([row]);
    await store.close();
    return;
  }
  const db = openDatabase(join(dir, "gateway.db"));
  await new SqliteLedger(db).insert([row]);
  db.close();
}

for (const backend of ["sqlite", "postgres"] as const) test(`${backend}: rows of the last requests before SIGTERM survive the restart; old rows are pruned at start-up`, async () => {
  const databaseUrl = backend === "postgres" ? await freshPostgresDatabase("restart") : undefined;
  const port = await freePort();
  const first = await startProcess(port, databaseUrl);
  const ids = Array.from({ length: 5 }, (_, i) => `${backend}-before-sigterm-${i}`);
  await Promise.all(ids.map((id) => fetch(`${first.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-restart", "x-request-id": id },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
  }).then((r) => expect(r.status).toBe(200))));
  // At once: the rows are still queued (the writer flushes every 500 ms), the last ones not even made.
  first.proc.kill("SIGTERM");
  expect(await first.proc.exited).toBe(0);

  // A row older than the retention, written while the gateway is down.
  await insertOld(databaseUrl, {
    id: "ancient", time: Date.now() - 31 * 86_400_000, owner: "key:x", key_id: null, user_login: null, endpoint: "/v1/chat/completions", model: "m", provider: null,
    upstream_model: null, status: 200, error: null, prompt_tokens: 1, completion_tokens: 1, latency_ms: 1, first_byte_ms: null, attempts: 1,
    cache: null, session_id: null, cost_usd: 0,
  });

  const second = await startProcess(port, databaseUrl);
  try {
    let rows: Array<{ id: string; status: number }> = [];
    for (let i = 0; i < 50; i++) {
      rows = ((await (await fetch(`${second.url}/v1/usage/requests`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { data: typeof rows }).data;
      if (!rows.some((r) => r.id === "ancient")) break;
      await Bun.sleep(20);
    }
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(rows.every((r) => r.status === 200)).toBe(true);
  } finally {
    second.proc.kill("SIGTERM");
    await second.proc.exited;
  }
}, 20_000);
