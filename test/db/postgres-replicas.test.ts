// Replicas on several hosts: two gateways (real apps on their own ports), each with its own SQLite path
// and so no shared file, on one real Postgres (DATABASE_URL) and one real redis-server. Keys, logouts and
// admin changes made on one are honoured by the other, and a replica restarted without Redis still has
// them: they live in Postgres.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TokenService } from "../../src/auth/tokens.ts";
import { freeModel, startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";
import { freshPostgresDatabase, startRedis, type RedisServer } from "../support/services.ts";

const ADMIN = "admin-token-for-the-postgres-replica-tests-0123";
const JWT_SECRET = "jwt-secret-shared-by-the-postgres-replicas-0123456789";
let redis: RedisServer;
let openrouter: FakeOpenRouter;
let opencode: FakeOpenRouter;
let databaseUrl: string;
let dir: string;
let a: Gateway;
let b: Gateway;
/** Signs tokens as the replicas do (same JWT_SECRET), as a GitHub login would have. */
const issuer = new TokenService(JWT_SECRET, 3600, { revoke() {}, isRevoked: () => false }, Date.now);

/** Polls until `check` holds; fails after `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 1000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await Bun.sleep(10);
  }
}

const admin = (gw: Gateway, path: string, body?: unknown, method = body === undefined ? "GET" : "POST") =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const chat = (gw: Gateway, key: string, model = "gpt-4o-mini") =>
  post(`${gw.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "hi" }] }, { authorization: `Bearer ${key}` });

/** A replica of its own host: its own SQLite path (which must stay unused), the shared Postgres, Redis or not. */
function replica(name: string, withRedis = true): Promise<Gateway> {
  return startGateway({
    openrouter: { apiKey: openrouter.apiKey, baseUrl: openrouter.baseUrl },
    opencode: { apiKey: opencode.apiKey, baseUrl: opencode.baseUrl },
    ...(withRedis && { redis: { url: redis.url, prefix: "pg-replicas:" } }),
    databasePath: join(dir, name, "gateway.db"),
    usage: { databaseUrl },
    auth: { adminToken: ADMIN, requireAuth: true, jwtSecret: JWT_SECRET },
    catalogRefreshMs: 0,
    maxRetries: 0,
  });
}

beforeAll(async () => {
  [redis, openrouter, opencode, databaseUrl] = await Promise.all([startRedis(), startFakeOpenRouter(), startFakeOpenRouter(), freshPostgresDatabase("replicas")]);
  opencode.models.splice(0, Infinity, freeModel("big-pickle"));
  dir = mkdtempSync(join(tmpdir(), "ogw-pg-replicas-"));
  // Started together: the migrations run once under Postgres' advisory lock.
  [a, b] = await Promise.all([replica("a"), replica("b")]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([openrouter?.stop(), opencode?.stop(), redis?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("replicas on several hosts share one Postgres", () => {
  let key: string;
  let alias: string;
  let token: string;

  test("no replica writes a SQLite file", () => {
    expect(existsSync(join(dir, "a", "gateway.db"))).toBe(false);
    expect(existsSync(join(dir, "b", "gateway.db"))).toBe(false);
  });

  test("a key created on A authenticates on B; its revocation is refused on B within a second", async () => {
    const created = await admin(a, "/config/keys", { name: "kept", rateLimit: 100 });
    expect(created.status).toBe(201);
    key = ((await created.json()) as { key: string }).key;
    expect((await chat(b, key)).status).toBe(200);
    expect(((await (await admin(b, "/config/keys")).json()) as { data: Array<{ name: string; rateLimit: number }> }).data)
      .toContainEqual(expect.objectContaining({ name: "kept", rateLimit: 100 }));

    const revoked = (await (await admin(a, "/config/keys", { name: "revoked" })).json()) as { key: string; id: string };
    expect((await chat(b, revoked.key)).status).toBe(200);
    expect((await admin(a, `/config/keys/${revoked.id}`, undefined, "DELETE")).status).toBe(200);
    await eventually(async () => (await chat(b, revoked.key)).status === 401);
  });

  test("an admin mapping added on A routes on B", async () => {
    alias = `team-model-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin(a, "/config/models", { alias, provider: "opencode", model: "big-pickle" })).status).toBe(200);
    await eventually(async () => (await chat(b, key, alias)).headers.get("x-gateway-upstream-model") === "big-pickle");
  });

  test("a logout on A is refused on B", async () => {
    token = (await issuer.issue({ id: "4242", login: "octo" })).token;
    const me = (gw: Gateway) => fetch(`${gw.url}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me(b)).status).toBe(200);
    expect((await fetch(`${a.url}/auth/logout`, { method: "POST", headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await eventually(async () => (await me(b)).status === 401);
  });

  test("a replica restarted without Redis keeps keys, mappings and logouts: they are in Postgres", async () => {
    await b.stop();
    b = await replica("b-restarted", false);
    expect((await chat(b, key)).status).toBe(200);
    expect((await chat(b, key, alias)).headers.get("x-gateway-upstream-model")).toBe("big-pickle");
    expect((await fetch(`${b.url}/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    // Without Redis nothing announces a change: B's lookup of a key lasts at most a second.
    const removed = ((await (await admin(a, "/config/keys")).json()) as { data: Array<{ id: string; name: string }> }).data.find((k) => k.name === "kept")!;
    expect((await admin(a, `/config/keys/${removed.id}`, undefined, "DELETE")).status).toBe(200);
    await eventually(async () => (await chat(b, key)).status === 401, 2000);
    // Nor a logout: B rereads the revocations in the background at most a second apart.
    const other = (await issuer.issue({ id: "4243", login: "cat" })).token;
    const me = () => fetch(`${b.url}/auth/me`, { headers: { authorization: `Bearer ${other}` } });
    expect((await me()).status).toBe(200);
    expect((await fetch(`${a.url}/auth/logout`, { method: "POST", headers: { authorization: `Bearer ${other}` } })).status).toBe(200);
    await eventually(async () => (await me()).status === 401, 2000);
  });
});
