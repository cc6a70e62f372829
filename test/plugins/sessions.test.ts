import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MemorySessionStore } from "../../src/stores/sessions.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { errorBody, post, startGateway, type Gateway } from "../helpers.ts";

let now = 9_000_000;
const clock = () => now;
let fake: FakeOpenRouter;
let gw: Gateway;
const ADMIN = "admin-token-0123456789abcdef-0123456789";
const alice = { authorization: "Bearer sk-alice", "cache-control": "no-store" };
const bob = { authorization: "Bearer sk-bob", "cache-control": "no-store" };
const chat = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "user", content }] });
const chatUrl = () => `${gw.url}/v1/chat/completions`;
// Sessions are written once a request completes, just after its response went out.
const settle = () => Bun.sleep(20);

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  gw = await startGateway(
    { openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl }, auth: { adminToken: ADMIN }, sessions: { ttlMs: 60_000, max: 3 } },
    { clock, sessionStore: new MemorySessionStore({ ttlMs: 60_000, max: 3, clock }) },
  );
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
});

describe("sessions", () => {
  test("a new session per request without x-session-id, in the body and the header", async () => {
    const res = await post(chatUrl(), chat("one"), alice);
    const body = (await res.json()) as { sessionId: string };
    expect(body.sessionId).toMatch(/^sess_[\w-]{24}$/);
    expect(res.headers.get("x-session-id")).toBe(body.sessionId);
    const again = (await (await post(chatUrl(), chat("two"), alice)).json()) as { sessionId: string };
    expect(again.sessionId).not.toBe(body.sessionId);
  });

  test("x-session-id groups requests: counts, tokens, models, providers; no content", async () => {
    const id = "conversation-0001";
    for (const text of ["first", "second"]) await post(chatUrl(), chat(text), { ...alice, "x-session-id": id });
    await settle();
    const res = await fetch(`${gw.url}/session/${id}`, { headers: alice });
    expect(res.status).toBe(200);
    const session = (await res.json()) as Record<string, unknown>;
    expect(session).toMatchObject({ id, object: "session", requests: 2, models: ["qwen/qwen3-next-80b-a3b-instruct:free"], providers: ["openrouter"] });
    expect(session.prompt_tokens as number).toBeGreaterThan(0);
    expect(session.completion_tokens as number).toBeGreaterThan(0);
    expect(JSON.stringify(session)).not.toContain("first");
  });

  test("streams carry the session in the header only, and count their tokens", async () => {
    const id = "stream-session-1";
    const res = await post(chatUrl(), { ...chat("s"), stream: true }, { ...alice, "x-session-id": id });
    expect(res.headers.get("x-session-id")).toBe(id);
    expect(await res.text()).not.toContain("sessionId");
    await settle();
    const session = (await (await fetch(`${gw.url}/session/${id}`, { headers: alice })).json()) as { requests: number; completion_tokens: number };
    expect(session.requests).toBe(1);
    expect(session.completion_tokens).toBeGreaterThan(0);
  });

  test("only the owner or an admin may read or delete a session; others get 403, unknown ids 404", async () => {
    const id = "owned-by-alice-1";
    await post(chatUrl(), chat("mine"), { ...alice, "x-session-id": id });
    await settle();
    expect((await fetch(`${gw.url}/session/${id}`, { headers: bob })).status).toBe(403);
    expect((await fetch(`${gw.url}/session/${id}`, { method: "DELETE", headers: bob })).status).toBe(403);
    // Bob cannot write into Alice's session either.
    const hijack = await post(chatUrl(), chat("x"), { ...bob, "x-session-id": id });
    expect(hijack.status).toBe(403);
    expect((await errorBody(hijack)).code).toBe("session_forbidden");
    expect((await fetch(`${gw.url}/session/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
    const deleted = await fetch(`${gw.url}/session/${id}`, { method: "DELETE", headers: alice });
    expect(await deleted.json()).toEqual({ id, object: "session", deleted: true });
    const gone = await fetch(`${gw.url}/session/${id}`, { headers: alice });
    expect(gone.status).toBe(404);
    expect((await errorBody(gone)).code).toBe("session_not_found");
  });

  test("an invalid x-session-id is a 400", async () => {
    const res = await post(chatUrl(), chat("x"), { ...alice, "x-session-id": "bad id!" });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).code).toBe("invalid_session_id");
  });

  test("sessions expire after SESSION_TTL of inactivity and the store stays within SESSION_MAX", async () => {
    const id = "expiring-session";
    await post(chatUrl(), chat("x"), { ...alice, "x-session-id": id });
    await settle();
    now += 59_000;
    expect((await fetch(`${gw.url}/session/${id}`, { headers: alice })).status).toBe(200);
    now += 2_000;
    expect((await fetch(`${gw.url}/session/${id}`, { headers: alice })).status).toBe(404);
    for (let i = 0; i < 10; i++) await post(chatUrl(), chat(`n${i}`), alice);
    await settle();
    const status = (await (await fetch(`${gw.url}/session/status`)).json()) as { active: number; evicted: number; expired: number };
    expect(status.active).toBeLessThanOrEqual(3);
    expect(status.evicted).toBeGreaterThan(0);
    const health = (await (await fetch(`${gw.url}/health`)).json()) as { sessions: { active: number } };
    expect(health.sessions.active).toBe(status.active);
  });
});
