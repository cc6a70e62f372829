// A Postgres ledger that goes away mid-run (connections refused and cut, for real): requests are still
// answered, failures are counted in /metrics and logged once, the queue stays bounded by dropping the
// oldest rows, the usage API answers 503, and the queued rows land once the database is back.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createLogger } from "../../src/log.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";
import { freshPostgresDatabase, postgres } from "../support/services.ts";

const ADMIN = "admin-token-for-outage-tests-0123456789";
let fake: FakeOpenRouter;
let gw: Gateway;
let name: string;
const logs: string[] = [];

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  const url = await freshPostgresDatabase("outage");
  name = new URL(url).pathname.slice(1);
  gw = await startGateway(
    { openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl }, auth: { adminToken: ADMIN }, usage: { enabled: true, retentionDays: 30, databaseUrl: url } },
    { ledger: { flushMs: 10, maxQueue: 5 }, log: createLogger((line) => logs.push(line)) },
  );
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
});

/** Runs SQL on the server's maintenance database (the gateway's own database is the one going away). */
async function onServer(statement: string): Promise<void> {
  const sql = new Bun.SQL(await postgres());
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.close();
  }
}
const chat = (id: string) => post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }, { "x-request-id": id });
const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1] ?? NaN);
const rows = async () => fetch(`${gw.url}/v1/usage/requests`, { headers: { authorization: `Bearer ${ADMIN}` } });
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (await check()) return;
    await Bun.sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("the database goes away and comes back", async () => {
  for (const id of ["up-1", "up-2"]) expect((await chat(id)).status).toBe(200);
  await until(async () => (await metric("usage_ledger_rows_written_total")) === 2, "the first rows");

  await onServer(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  await onServer(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
  try {
    for (let i = 1; i <= 8; i++) expect((await chat(`down-${i}`)).status).toBe(200);
    await until(async () => (await metric("usage_ledger_write_failures_total")) >= 2, "failed writes");
    expect(await metric("usage_ledger_rows_dropped_total")).toBe(3);
    expect(await metric("usage_ledger_queue_rows")).toBe(5);
    expect(logs.filter((l) => l.includes('"usage_ledger_write_failed"'))).toHaveLength(1);
    const unavailable = await rows();
    expect(unavailable.status).toBe(503);
    expect(JSON.stringify(await unavailable.json())).not.toContain("127.0.0.1");
  } finally {
    await onServer(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
  }

  // The five newest rows were kept and are written once the database is back.
  await until(async () => (await metric("usage_ledger_queue_rows")) === 0, "the queue to drain");
  expect(await metric("usage_ledger_rows_written_total")).toBe(7);
  const ids = ((await (await rows()).json()) as { data: Array<{ id: string }> }).data.map((r) => r.id);
  expect(ids.sort()).toEqual(["down-4", "down-5", "down-6", "down-7", "down-8", "up-1", "up-2"]);
}, 20_000);
