import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Authenticator } from "../../src/auth/authenticator.ts";
import { sha256 } from "../../src/auth/secrets.ts";
import { TokenService } from "../../src/auth/tokens.ts";
import { ApiKeyStore } from "../../src/db/api-keys.ts";
import { openDatabase } from "../../src/db/database.ts";
import { RevocationStore } from "../../src/db/revocations.ts";
import { HIDDEN_EMAIL, startFakeGitHub, type FakeGitHub } from "../fakes/github.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { errorBody, post, type Gateway } from "../helpers.ts";
import { ADMIN_TOKEN, bearer, JWT_SECRET, loginDevice, startAuthGateway } from "./setup.ts";

let github: FakeGitHub;
let upstream: FakeOpenRouter;
let gw: Gateway;

beforeAll(async () => {
  github = await startFakeGitHub();
  upstream = await startFakeOpenRouter();
  // A bucket that barely refills during the test, so counts are exact.
  const rateLimit = { maxRequests: 100, windowMs: 86_400_000 };
  ({ gw } = await startAuthGateway(github, { auth: { requireAuth: true }, rateLimit, openrouter: { apiKey: upstream.apiKey, baseUrl: upstream.baseUrl } }));
});

afterAll(async () => {
  await gw.stop();
  await github.stop();
  await upstream.stop();
});

const chat = (headers: Record<string, string> = {}, body: unknown = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }) =>
  post(`${gw.url}/v1/chat/completions`, body, headers);

async function createKey(name: string, rateLimit?: number) {
  const res = await post(`${gw.url}/config/keys`, { name, rateLimit }, bearer(ADMIN_TOKEN));
  return (await res.json()) as { id: string; key: string };
}

describe("REQUIRE_AUTH=true", () => {
  test("/v1/* without credentials or with an unknown key -> 401, before the body is read", async () => {
    let res = await chat();
    expect(res.status).toBe(401);
    expect(await errorBody(res)).toMatchObject({ type: "authentication_error", code: "missing_credentials" });
    res = await chat(bearer("sk-anything"));
    expect(res.status).toBe(401);
    expect((await errorBody(res)).code).toBe("invalid_api_key");
    expect((await chat({}, "{broken")).status).toBe(401);
    expect((await fetch(`${gw.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${gw.url}/v1/emulate`)).status).toBe(401);
    expect(upstream.requests).toHaveLength(0);
  });

  test("a key's own rate limit (requests per minute) replaces the default bucket", async () => {
    const { key } = await createKey("tight", 2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await chat(bearer(key))).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await chat(bearer(key));
    expect(limited.headers.get("x-ratelimit-limit-requests")).toBe("2");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Another key keeps the default bucket.
    const { key: other } = await createKey("roomy");
    expect((await chat(bearer(other))).headers.get("x-ratelimit-limit-requests")).not.toBe("2");
  });

  test("a user's tokens share one bucket (the JWT subject), whichever token is sent", async () => {
    const first = await loginDevice(gw, github, HIDDEN_EMAIL);
    const second = await loginDevice(gw, github, HIDDEN_EMAIL);
    expect(second).not.toBe(first);
    const remaining = async (token: string) => Number((await chat(bearer(token))).headers.get("x-ratelimit-remaining-requests"));
    const a = await remaining(first);
    expect(await remaining(second)).toBe(a - 1);
    expect(await remaining(first)).toBe(a - 2);
  });

  test("ADMIN_TOKEN is for the admin API only", async () => {
    const res = await chat(bearer(ADMIN_TOKEN));
    expect(res.status).toBe(401);
    expect((await errorBody(res)).message).toContain("ADMIN_TOKEN");
  });

  test("a key created by an admin works (also through the OpenAI SDK) until it is revoked", async () => {
    const { id, key } = await createKey("sdk");
    expect((await chat(bearer(key))).status).toBe(200);
    const { default: OpenAI } = await import("openai");
    const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const reply = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(reply.choices[0].message.content).toBeString();
    expect((await fetch(`${gw.url}/config/keys/${id}`, { method: "DELETE", headers: bearer(ADMIN_TOKEN) })).status).toBe(200);
    const res = await chat(bearer(key));
    expect(res.status).toBe(401);
    expect((await errorBody(res)).code).toBe("invalid_api_key");
  });

  test("a gateway JWT works (any GitHub user); after logout it does not", async () => {
    const token = await loginDevice(gw, github, HIDDEN_EMAIL);
    expect((await chat(bearer(token))).status).toBe(200);
    await fetch(`${gw.url}/auth/logout`, { method: "POST", headers: bearer(token) });
    const res = await chat(bearer(token));
    expect(res.status).toBe(401);
    expect((await errorBody(res)).code).toBe("invalid_token");
  });

  test("a valid key with a bad body gets the usual 400", async () => {
    const { key } = await createKey("validation");
    expect((await chat(bearer(key), { model: "gpt-4o-mini", messages: [] })).status).toBe(400);
  });

  test("everything outside /v1 stays open", async () => {
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    expect((await fetch(`${gw.url}/admin`)).status).toBe(200);
    expect((await fetch(`${gw.url}/auth/device/request`, { method: "POST" })).status).toBe(200);
  });
});

describe("client identity and per-key rate limits (for the rate limiter)", () => {
  const db = openDatabase(":memory:");
  const keys = new ApiKeyStore(db);
  const tokens = new TokenService(JWT_SECRET, 3600, new RevocationStore(db), Date.now);
  const auth = new Authenticator({ adminUsers: [], adminToken: ADMIN_TOKEN }, tokens, keys);
  const request = (token?: string) => new Request("http://gw/v1/chat/completions", { headers: token ? bearer(token) : {} });

  test("a bearer key is identified by its SHA-256, never the key itself", async () => {
    const identity = await auth.identify(request("sk-some-client-key"), () => "10.0.0.1");
    expect(identity).toEqual({ kind: "key", id: sha256("sk-some-client-key") });
    expect(identity.id).toHaveLength(64);
  });

  test("a valid JWT is its user; an invalid one counts as a key; nothing is the IP", async () => {
    const { token } = await tokens.issue({ id: "42", login: "hubot" });
    expect(await auth.identify(request(token), () => "10.0.0.1")).toEqual({ kind: "user", id: "42", login: "hubot" });
    expect(await auth.identify(request(`${token}x`), () => "10.0.0.1")).toEqual({ kind: "key", id: sha256(`${token}x`) });
    expect(await auth.identify(request(), () => "10.0.0.1")).toEqual({ kind: "ip", id: "10.0.0.1" });
  });

  test("keyRateLimit: the admin-set limit of a created key, nothing for other keys", async () => {
    const limited = keys.create({ name: "limited", rateLimit: 30, createdBy: "test" }, Date.now());
    const plain = keys.create({ name: "plain", rateLimit: null, createdBy: "test" }, Date.now());
    expect(await auth.keyRateLimit(request(limited.key))).toBe(30);
    expect(await auth.keyRateLimit(request(plain.key))).toBeUndefined();
    expect(await auth.keyRateLimit(request("sk-unknown"))).toBeUndefined();
  });
});
