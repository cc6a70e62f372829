// Replicas on one host share one SQLite file (docker-compose.yml) and start together: each opens and
// migrates it (the gateway's schema and the usage ledger's) at the same moment. Every one must start,
// and each migration must run once. Several processes per round, a fresh file each round.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "ogw-shared-sqlite-"));
const OPEN = `
import { openDatabase } from "${root}/src/db/database.ts";
import { SqliteLedger } from "${root}/src/ledger/sqlite.ts";
const db = openDatabase(process.argv[1]);
new SqliteLedger(db);
const version = db.query("PRAGMA user_version").get().user_version;
const ledger = db.query("SELECT COUNT(*) AS n FROM ledger_migrations").get().n;
console.log(JSON.stringify({ version, ledger }));
`;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("replicas opening one fresh SQLite file at once all start, and it is migrated once", async () => {
  for (let round = 0; round < 10; round++) {
    const file = join(dir, `gateway-${round}.db`);
    const procs = Array.from({ length: 4 }, () => Bun.spawn(["bun", "-e", OPEN, file], { stdout: "pipe", stderr: "pipe" }));
    const results = await Promise.all(procs.map(async (p) => ({ code: await p.exited, out: await new Response(p.stdout).text(), err: await new Response(p.stderr).text() })));
    for (const r of results) expect({ code: r.code, err: r.err.slice(0, 300) }).toEqual({ code: 0, err: "" });
    const states = new Set(results.map((r) => r.out.trim()));
    // Every process saw the same, fully migrated schema.
    expect(states.size).toBe(1);
  }
});
