// The usage ledger end to end, on SQLite and on a real Postgres: requests through the gateway become
// rows (never their text), read back through GET /v1/usage and /v1/usage/requests, as JSON and CSV,
// each caller seeing only its own rows.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { errorBody, post, startGateway, type Gateway } from "../helpers.ts";
import { freshPostgresDatabase } from "../support/services.ts";
import { openDatabase } from "../../src/db/database.ts";
import { RevocationStore } from "../../src/db/revocations.ts";
import { TokenService } from "../../src/auth/tokens.ts";

const ADMIN = "admin-token-for-usage-tests-0123456789";
const admin = { authorization: `Bearer ${ADMIN}` };
const CHAT_MODEL = "qwen/qwen3-next-80b-a3b-instruct:free";
// Priced in the fake's catalog for these tests, so the cost estimate has something to multiply.
const PRICE = { prompt: 0.000001, completion: 0.000002 };

interface Row {
  id: string; time: string; key: string | null; user: string | null; endpoint: string; model: string | null; provider: string | null;
  upstream_model: string | null; status: number; error: string | null; prompt_tokens: number; completion_tokens: number;
  latency_ms: number; first_byte_ms: number | null; attempts: number; cache: string | null;
}
interface Group { group: string | null; requests: number; errors: number; prompt_tokens: number; completion_tokens: number; total_tokens: number; cache_hits: number; latency_ms_p50: number; latency_ms_p95: number; cost_usd: number }

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`usage ledger on ${backend}`, () => {
    let fake: FakeOpenRouter;
    let gw: Gateway;
    let keyA: { id: string; key: string };
    let keyB: { id: string; key: string };

    const rows = async (query = "", headers: Record<string, string> = admin) => {
      const res = await fetch(`${gw.url}/v1/usage/requests${query}`, { headers });
      expect(res.status).toBe(200);
      return ((await res.json()) as { object: string; data: Row[] }).data;
    };
    /** Rows are written a flush after the response; wait (bounded) until the ledger holds `n`. */
    const waitForRows = async (n: number) => {
      for (let i = 0; i < 100; i++) {
        const found = await rows("?limit=1000");
        if (found.length >= n) return found;
        await Bun.sleep(20);
      }
      throw new Error(`the ledger never reached ${n} rows`);
    };
    const createKey = async (name: string) => {
      const res = await post(`${gw.url}/config/keys`, { name }, admin);
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; key: string };
    };
    const chat = (headers: Record<string, string>, extra: Record<string, unknown> = {}) =>
      post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "secret prompt text" }], ...extra }, headers);

    beforeAll(async () => {
      fake = await startFakeOpenRouter();
      const listed = fake.models.find((m) => m.id === CHAT_MODEL)!;
      listed.pricing = { prompt: String(PRICE.prompt), completion: String(PRICE.completion) };
      gw = await startGateway({
        openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl },
        auth: { adminToken: ADMIN },
        usage: { enabled: true, retentionDays: 30, databaseUrl: backend === "postgres" ? await freshPostgresDatabase("usage") : undefined },
      }, { ledger: { flushMs: 10 } });
      // The live catalog (and its prices) arrives in the background.
      for (let i = 0; i < 100 && fake.modelListings === 0; i++) await Bun.sleep(10);
      await Bun.sleep(20);
      keyA = await createKey("alice");
      keyB = await createKey("bob");
    });
    afterAll(async () => {
      await gw.stop();
      await fake.stop();
    });

    test("every inference request is a row: chat, stream, embeddings, a refused body; not /v1/models", async () => {
      const a = { authorization: `Bearer ${keyA.key}` };
      const plain = await chat({ ...a, "x-request-id": "req-plain-1" });
      expect(plain.status).toBe(200);
      const streamed = await chat({ ...a, "x-request-id": "req-stream-1" }, { stream: true });
      expect(await streamed.text()).toContain("[DONE]");
      const embedded = await post(`${gw.url}/v1/embeddings`, { model: "text-embedding-3-small", input: "secret input" }, { ...a, "x-request-id": "req-embed-1" });
      expect(embedded.status).toBe(200);
      const refused = await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "wizard", content: "x" }] }, { ...a, "x-request-id": "req-bad-1" });
      expect(refused.status).toBe(400);
      expect((await fetch(`${gw.url}/v1/models`, { headers: a })).status).toBe(200);

      const found = await waitForRows(4);
      await Bun.sleep(50);
      const mine = await rows(`?key=${keyA.id}`);
      expect(mine.map((r) => r.id)).toEqual(["req-bad-1", "req-embed-1", "req-stream-1", "req-plain-1"]);
      expect(found.length).toBe(4);
      const byId = Object.fromEntries(mine.map((r) => [r.id, r]));
      expect(byId["req-plain-1"]).toMatchObject({
        key: keyA.id, user: null, endpoint: "/v1/chat/completions", model: "gpt-4o-mini", provider: "openrouter",
        upstream_model: CHAT_MODEL, status: 200, error: null, attempts: 1, first_byte_ms: null,
      });
      expect(byId["req-plain-1"].prompt_tokens).toBeGreaterThan(0);
      expect(byId["req-plain-1"].completion_tokens).toBeGreaterThan(0);
      expect(Date.parse(byId["req-plain-1"].time)).toBeGreaterThan(Date.now() - 60_000);
      expect(byId["req-stream-1"]).toMatchObject({ status: 200, error: null, upstream_model: CHAT_MODEL });
      expect(byId["req-stream-1"].first_byte_ms).toBeGreaterThan(0);
      expect(byId["req-stream-1"].completion_tokens).toBeGreaterThan(0);
      expect(byId["req-embed-1"]).toMatchObject({ endpoint: "/v1/embeddings", model: "text-embedding-3-small", status: 200 });
      expect(byId["req-embed-1"].prompt_tokens).toBeGreaterThan(0);
      expect(byId["req-bad-1"]).toMatchObject({ status: 400, error: "invalid_value", model: "gpt-4o-mini", provider: null, prompt_tokens: 0 });
      // Never the text of a prompt or an answer.
      const csv = await (await fetch(`${gw.url}/v1/usage/requests?format=csv`, { headers: admin })).text();
      expect(JSON.stringify(found) + csv).not.toContain("secret");
    });

    test("group_by model, provider, key, day and hour; errors; percentiles; cost from the catalog's price", async () => {
      const a = { authorization: `Bearer ${keyA.key}` };
      const res = await fetch(`${gw.url}/v1/usage?group_by=model`, { headers: a });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { object: string; group_by: string; from: string; to: string; data: Group[] };
      expect(body).toMatchObject({ object: "list", group_by: "model" });
      expect(Date.parse(body.to) - Date.parse(body.from)).toBe(86_400_000);
      expect(body.from).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const chatGroup = body.data.find((g) => g.group === "gpt-4o-mini")!;
      expect(chatGroup).toMatchObject({ requests: 3, errors: 1, cache_hits: 0 });
      expect(chatGroup.total_tokens).toBe(chatGroup.prompt_tokens + chatGroup.completion_tokens);
      expect(chatGroup.latency_ms_p95).toBeGreaterThanOrEqual(chatGroup.latency_ms_p50);
      // Two answered chats on a priced model: cost = tokens x price; the refused one cost nothing.
      expect(chatGroup.cost_usd).toBeCloseTo(chatGroup.prompt_tokens * PRICE.prompt + chatGroup.completion_tokens * PRICE.completion, 12);
      expect(chatGroup.cost_usd).toBeGreaterThan(0);
      expect(body.data.find((g) => g.group === "text-embedding-3-small")).toMatchObject({ requests: 1, errors: 0, cost_usd: 0 });

      const group = async (by: string) => ((await (await fetch(`${gw.url}/v1/usage?group_by=${by}`, { headers: a })).json()) as { data: Group[] }).data;
      const providers = await group("provider");
      expect(providers.find((g) => g.group === "openrouter")?.requests).toBe(3);
      expect(providers.find((g) => g.group === null)?.requests).toBe(1);
      expect((await group("key")).map((g) => [g.group, g.requests])).toEqual([[keyA.id, 4]]);
      const today = new Date().toISOString();
      expect((await group("day")).map((g) => g.group)).toEqual([today.slice(0, 10)]);
      expect((await group("hour"))[0].group).toMatch(/^\d{4}-\d\d-\d\dT\d\d$/);
    });

    test("from and to take ISO dates or epoch ms and bound the rows; bad values are 400", async () => {
      const now = Date.now();
      const later = await (await fetch(`${gw.url}/v1/usage?from=${now + 3_600_000}&to=${now + 7_200_000}`, { headers: admin })).json() as { from: string; data: Group[] };
      expect(later.data).toEqual([]);
      expect(later.from).toBe(new Date(now + 3_600_000).toISOString());
      const iso = await (await fetch(`${gw.url}/v1/usage?from=2000-01-01&group_by=key`, { headers: admin })).json() as { data: Group[] };
      expect(iso.data.reduce((n, g) => n + g.requests, 0)).toBeGreaterThanOrEqual(4);
      for (const query of ["from=yesterday", "group_by=color", "from=2030-01-01&to=2029-01-01"]) {
        const res = await fetch(`${gw.url}/v1/usage?${query}`, { headers: admin });
        expect(res.status).toBe(400);
        expect((await errorBody(res)).param).toBe(query.startsWith("group_by") ? "group_by" : "from");
      }
      const limit = await fetch(`${gw.url}/v1/usage/requests?limit=0`, { headers: admin });
      expect(limit.status).toBe(400);
      expect((await errorBody(limit)).param).toBe("limit");
    });

    test("newest first, paginated with before = a row id; filters by model, provider and status", async () => {
      const first = await rows(`?key=${keyA.id}&limit=2`);
      expect(first.map((r) => r.id)).toEqual(["req-bad-1", "req-embed-1"]);
      const next = await rows(`?key=${keyA.id}&limit=2&before=${first[1].id}`);
      expect(next.map((r) => r.id)).toEqual(["req-stream-1", "req-plain-1"]);
      expect(await rows(`?key=${keyA.id}&limit=2&before=${next[1].id}`)).toEqual([]);
      expect((await rows(`?key=${keyA.id}&status=400`)).map((r) => r.id)).toEqual(["req-bad-1"]);
      expect((await rows(`?key=${keyA.id}&model=text-embedding-3-small`)).map((r) => r.id)).toEqual(["req-embed-1"]);
      expect((await rows(`?key=${keyA.id}&provider=openrouter`)).length).toBe(3);
      const unknown = await fetch(`${gw.url}/v1/usage/requests?before=no-such-row`, { headers: admin });
      expect(unknown.status).toBe(400);
      expect((await errorBody(unknown)).param).toBe("before");
    });

    test("format=csv: text/csv with a header row, one line per row or group", async () => {
      const res = await fetch(`${gw.url}/v1/usage/requests?format=csv&key=${keyA.id}`, { headers: admin });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      const lines = (await res.text()).trimEnd().split("\r\n");
      expect(lines[0]).toBe("id,time,key,user,endpoint,model,provider,upstream_model,status,error,prompt_tokens,completion_tokens,latency_ms,first_byte_ms,attempts,cache");
      expect(lines.length).toBe(5);
      expect(lines[1].split(",").slice(0, 1)).toEqual(["req-bad-1"]);
      expect(lines[1]).toContain(`,${keyA.id},,/v1/chat/completions,gpt-4o-mini,,,400,invalid_value,0,0,`);
      const summary = await fetch(`${gw.url}/v1/usage?format=csv&group_by=key`, { headers: { authorization: `Bearer ${keyA.key}` } });
      expect(summary.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      const table = (await summary.text()).trimEnd().split("\r\n");
      expect(table[0]).toBe("group,requests,errors,prompt_tokens,completion_tokens,total_tokens,cache_hits,latency_ms_p50,latency_ms_p95,cost_usd");
      expect(table[1].startsWith(`${keyA.id},4,1,`)).toBe(true);
    });

    test("ownership: a key sees only its rows, anonymous bearers only theirs, no credential is 401, admins see all", async () => {
      const b = { authorization: `Bearer ${keyB.key}` };
      expect((await chat({ ...b, "x-request-id": "req-bob-1" })).status).toBe(200);
      const anon1 = { authorization: "Bearer sk-not-a-gateway-key-1" };
      const anon2 = { authorization: "Bearer sk-not-a-gateway-key-2" };
      expect((await chat({ ...anon1, "x-request-id": "req-anon-1" })).status).toBe(200);
      expect((await chat({ ...anon2, "x-request-id": "req-anon-2" })).status).toBe(200);
      await waitForRows(7);

      expect((await rows("", b)).map((r) => r.id)).toEqual(["req-bob-1"]);
      // Asking for someone else's key or row finds nothing of theirs.
      expect(await rows(`?key=${keyA.id}`, b)).toEqual([]);
      expect((await fetch(`${gw.url}/v1/usage/requests?before=req-plain-1`, { headers: b })).status).toBe(400);
      const bobTotals = (await (await fetch(`${gw.url}/v1/usage?group_by=key`, { headers: b })).json()) as { data: Group[] };
      expect(bobTotals.data.map((g) => [g.group, g.requests])).toEqual([[keyB.id, 1]]);

      const mine1 = await rows("", anon1);
      expect(mine1.map((r) => r.id)).toEqual(["req-anon-1"]);
      expect(mine1[0].key).toMatch(/^anon:[0-9a-f]{12}$/);
      expect((await rows("", anon2)).map((r) => r.id)).toEqual(["req-anon-2"]);

      for (const path of ["/v1/usage", "/v1/usage/requests"]) {
        const res = await fetch(`${gw.url}${path}`);
        expect(res.status).toBe(401);
        expect((await errorBody(res)).type).toBe("authentication_error");
      }
      expect((await rows("?limit=1000")).length).toBe(7);
    });

    test("a stream the client leaves is a 499 row with estimated tokens; one failing after its first byte stays 200 but is an error", async () => {
      const a = { authorization: `Bearer ${keyA.key}` };
      fake.script(CHAT_MODEL, { kind: "stream", chunks: 40, gapMs: 20 });
      const res = await chat({ ...a, "x-request-id": "req-leave-1" }, { stream: true });
      const reader = res.body!.getReader();
      await reader.read();
      await reader.read();
      await reader.cancel();

      fake.script(CHAT_MODEL, { kind: "stream", chunks: 3, gapMs: 5, failWith: "error-event" });
      const failing = await chat({ ...a, "x-request-id": "req-fail-1" }, { stream: true });
      expect(failing.status).toBe(200);
      expect(await failing.text()).toContain("error");

      let left: Row | undefined;
      let failed: Row | undefined;
      for (let i = 0; i < 100 && !(left && failed); i++) {
        const mine = await rows(`?key=${keyA.id}`);
        left = mine.find((r) => r.id === "req-leave-1");
        failed = mine.find((r) => r.id === "req-fail-1");
        await Bun.sleep(20);
      }
      expect(left).toMatchObject({ status: 499, error: "client_closed", provider: "openrouter" });
      expect(left!.prompt_tokens).toBeGreaterThan(0);
      expect(left!.completion_tokens).toBeGreaterThan(0);
      expect(failed!.status).toBe(200);
      expect(failed!.error).not.toBeNull();
      const totals = (await (await fetch(`${gw.url}/v1/usage?group_by=key`, { headers: a })).json()) as { data: Group[] };
      // Before: 4 requests, 1 error. Now the 499 and the failed stream are errors too.
      expect(totals.data[0]).toMatchObject({ requests: 6, errors: 3 });
    });
  });
}

describe("usage API with REQUIRE_AUTH on", () => {
  const SECRET = "jwt-secret-for-usage-tests-0123456789abcdef";
  let fake: FakeOpenRouter;
  let gw: Gateway;
  beforeAll(async () => {
    fake = await startFakeOpenRouter();
    gw = await startGateway({
      openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl },
      auth: { adminToken: ADMIN, requireAuth: true, jwtSecret: SECRET, jwtSecretGenerated: false },
    }, { ledger: { flushMs: 10 } });
  });
  afterAll(async () => {
    await gw.stop();
    await fake.stop();
  });

  test("a GitHub user's rows carry the login and are theirs; ADMIN_TOKEN reads them all; strangers get 401", async () => {
    const tokens = new TokenService(SECRET, 3600, new RevocationStore(openDatabase(":memory:")), Date.now);
    const { token } = await tokens.issue({ id: "4242", login: "hubot" });
    const user = { authorization: `Bearer ${token}` };
    expect((await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }, { ...user, "x-request-id": "req-user-1" })).status).toBe(200);
    let seen: Row[] = [];
    for (let i = 0; i < 100 && seen.length === 0; i++) {
      await Bun.sleep(20);
      seen = ((await (await fetch(`${gw.url}/v1/usage/requests`, { headers: admin })).json()) as { data: Row[] }).data;
    }
    expect(seen.map((r) => [r.id, r.user, r.key])).toEqual([["req-user-1", "hubot", null]]);
    const mine = (await (await fetch(`${gw.url}/v1/usage?group_by=user`, { headers: user })).json()) as { data: Group[] };
    expect(mine.data.map((g) => [g.group, g.requests])).toEqual([["hubot", 1]]);
    expect((await fetch(`${gw.url}/v1/usage`, { headers: { authorization: "Bearer sk-stranger" } })).status).toBe(401);
    expect((await fetch(`${gw.url}/v1/usage`)).status).toBe(401);
  });
});
