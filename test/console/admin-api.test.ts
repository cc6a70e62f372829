// The admin API routes the console added: the alias table with live candidate states, a provider's
// connection test, and the session list.
import { describe, expect, test } from "bun:test";
import { CHAT_ALIASES, EMBEDDING_ALIASES } from "../../src/routing/aliases.ts";
import { ADMIN_TOKEN } from "../auth/setup.ts";
import { errorBody, useGatewayOverOpenRouter } from "../helpers.ts";

const ctx = useGatewayOverOpenRouter({ auth: { adminToken: ADMIN_TOKEN } });
const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${ctx.gw.url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.body ? { "content-type": "application/json" } : {}) } });

interface AliasRow {
  alias: string;
  endpoint: string;
  mapped: boolean;
  candidates: Array<{ provider: string; model: string; configured: boolean; state: string; until?: string; reason?: string }>;
}
const table = async () => ((await (await admin("/config/models")).json()) as { data: AliasRow[] }).data;

describe("GET /config/models", () => {
  test("every alias with the candidates the router would try, in order, and whether their provider is configured", async () => {
    const rows = await table();
    expect(rows.map((r) => r.alias)).toEqual([...CHAT_ALIASES.keys(), ...EMBEDDING_ALIASES.keys()]);
    const mini = rows.find((r) => r.alias === "gpt-4o-mini")!;
    expect(mini).toMatchObject({ endpoint: "chat", mapped: false });
    expect(mini.candidates.map((c) => `${c.provider}/${c.model}`)).toEqual(CHAT_ALIASES.get("gpt-4o-mini")!.map((t) => `${t.provider}/${t.model}`));
    expect(mini.candidates[0]).toMatchObject({ configured: true, state: "ok" });
    expect(mini.candidates.find((c) => c.provider === "gemini")).toMatchObject({ configured: false });
    expect(rows.find((r) => r.alias === "text-embedding-3-small")!.endpoint).toBe("embeddings");
  });

  test("a mapping comes first and replaces the alias's candidates; a candidate at its daily cap shows until when", async () => {
    const mapped = await admin("/config/models", { method: "POST", body: JSON.stringify({ alias: "gpt-4o-mini", provider: "openrouter", model: "qwen/qwen3-coder:free" }) });
    expect(mapped.status).toBe(200);
    let rows = await table();
    expect(rows[0]).toMatchObject({ alias: "gpt-4o-mini", mapped: true, candidates: [{ provider: "openrouter", model: "qwen/qwen3-coder:free", state: "ok" }] });
    expect(rows.filter((r) => r.alias === "gpt-4o-mini")).toHaveLength(1);
    expect((await admin("/config/models/gpt-4o-mini", { method: "DELETE" })).status).toBe(200);

    const resetAt = Date.now() + 3_600_000;
    const first = CHAT_ALIASES.get("gpt-4o")![0];
    ctx.fake.always(first.model, { kind: "daily-cap", resetAt });
    // The cap is the free pool's: every free OpenRouter model cools down, so the request itself fails.
    await ctx.gw.client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }).catch(() => {});
    rows = await table();
    const capped = rows.find((r) => r.alias === "gpt-4o")!.candidates[0];
    expect(capped).toMatchObject({ model: first.model, state: "cooling_down", reason: "quota" });
    expect(Date.parse(capped.until!)).toBeGreaterThan(Date.now());
  });

  test("admins only", async () => {
    expect((await fetch(`${ctx.gw.url}/config/models`)).status).toBe(401);
  });
});

describe("POST /config/providers/{name}/test", () => {
  test("lists the provider's models with the time it took", async () => {
    const res = await admin("/config/providers/openrouter/test", { method: "POST" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { name: string; ok: boolean; latency_ms: number; models: string[] };
    expect(body).toMatchObject({ name: "openrouter", ok: true });
    expect(body.models).toContain("qwen/qwen3-coder:free");
    expect(body.latency_ms).toBeGreaterThanOrEqual(0);
  });

  test("an upstream failure is a 502 naming the provider; unknown and unconfigured providers are the caller's 404 and 400", async () => {
    ctx.fake.failModels(500);
    try {
      const res = await admin("/config/providers/openrouter/test", { method: "POST" });
      expect(res.status).toBe(502);
      const error = await errorBody(res);
      expect(error.code).toBe("provider_test_failed");
      expect(error.message).toContain("openrouter");
    } finally {
      ctx.fake.failModels(undefined);
    }
    expect((await admin("/config/providers/nope/test", { method: "POST" })).status).toBe(404);
    const unconfigured = await admin("/config/providers/gemini/test", { method: "POST" });
    expect(unconfigured.status).toBe(400);
    expect((await errorBody(unconfigured)).code).toBe("provider_not_configured");
  });
});

describe("GET /config/sessions", () => {
  test("the most recently active sessions first, bounded by limit; admins only", async () => {
    const ids: string[] = [];
    // A model outside OpenRouter's free pool: the daily cap of the test above keeps the pool closed for an hour.
    for (let i = 0; i < 3; i++) {
      const res = await ctx.gw.client.chat.completions.create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: `s${i}` }] }).withResponse();
      ids.push(res.response.headers.get("x-session-id")!);
    }
    const res = await admin("/config/sessions?limit=2");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: Array<{ id: string; requests: number }> };
    expect(body.object).toBe("list");
    expect(body.data.map((s) => s.id)).toEqual([ids[2], ids[1]]);
    expect((await admin("/config/sessions?limit=0")).status).toBe(400);
    expect((await fetch(`${ctx.gw.url}/config/sessions`)).status).toBe(401);
  });
});

test("the OpenAPI document describes the new routes", async () => {
  const doc = (await (await fetch(`${ctx.gw.url}/swagger/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  expect(Object.keys(doc.paths["/config/models"])).toContain("get");
  expect(Object.keys(doc.paths["/config/providers/{name}/test"])).toEqual(["post"]);
  expect(Object.keys(doc.paths["/config/sessions"])).toEqual(["get"]);
});
