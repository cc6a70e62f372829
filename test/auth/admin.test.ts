import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { createRegistry } from "../../src/providers/registry.ts";
import { CHAT_ALIASES } from "../../src/routing/aliases.ts";
import { MemoryCacheStore } from "../../src/stores/cache.ts";
import { BUILTIN_PROFILES } from "../../src/routing/emulation.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openai-compatible/provider.ts";
import { testConfig } from "../helpers.ts";
import { HIDDEN_EMAIL, OCTOCAT, startFakeGitHub, type FakeGitHub } from "../fakes/github.ts";
import { freeModel, startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { errorBody, post, type Gateway } from "../helpers.ts";
import { ADMIN_TOKEN, bearer, loginDevice, startAuthGateway } from "./setup.ts";

let github: FakeGitHub;
let upstream: FakeOpenRouter;
let gw: Gateway;
let logs: string[];
let admin: string;
let user: string;
const cache = new MemoryCacheStore({ maxEntries: 10 });

beforeAll(async () => {
  github = await startFakeGitHub();
  upstream = await startFakeOpenRouter();
  // The one upstream stands in for OpenCode and Gemini too: its list has their models (the live catalog skips unlisted ones).
  upstream.models.push(...["big-pickle", "gemini-3-flash-preview", "gemini-2.5-flash", "gemini-2.5-flash-lite"].map(freeModel));
  const providers = { openrouter: { apiKey: upstream.apiKey, baseUrl: upstream.baseUrl }, opencode: { apiKey: upstream.apiKey, baseUrl: upstream.baseUrl } };
  // The Gemini provider arrives in another branch; an OpenAI-compatible stand-in named "gemini" lets the profile be routed.
  const registry = createRegistry(testConfig(providers));
  registry.add(new OpenAICompatibleProvider({ name: "gemini", label: "Gemini", baseUrl: upstream.baseUrl, apiKey: upstream.apiKey, requiresKey: true, envHint: ["GEMINI_API_KEY"] }));
  ({ gw, logs } = await startAuthGateway(github, providers, { registry, cacheStore: cache }));
  admin = await loginDevice(gw, github, OCTOCAT);
  user = await loginDevice(gw, github, HIDDEN_EMAIL);
});

afterAll(async () => {
  await gw.stop();
  await github.stop();
  await upstream.stop();
});

beforeEach(() => upstream.reset());

const call = (method: string, path: string, token?: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: { ...(token ? bearer(token) : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

const chatModel = async (model: string) => {
  const res = await post(`${gw.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "hi" }] });
  return { status: res.status, sent: upstream.requests.at(-1)?.body?.model, provider: res.headers.get("x-gateway-provider") };
};

const ADMIN_ROUTES: Array<[string, string, unknown?]> = [
  ["GET", "/config"],
  ["POST", "/config/models", { alias: "guard-test", provider: "openrouter", model: "x/y:free" }],
  ["DELETE", "/config/models/guard-test"],
  ["POST", "/config/clear-cache"],
  ["GET", "/config/providers"],
  ["POST", "/config/providers/custom", { name: "guard-test", baseUrl: "http://127.0.0.1:9", models: ["guard-model"] }],
  ["DELETE", "/config/providers/custom/guard-test"],
  ["GET", "/config/keys"],
  ["POST", "/config/keys", { name: "guard-test" }],
  ["DELETE", "/config/keys/key_missing"],
  ["POST", "/v1/emulate", { profile: "openrouter" }],
];

describe("who may use the admin API", () => {
  for (const [method, path, body] of ADMIN_ROUTES) {
    test(`${method} ${path}: 401 anonymous or bad token, 403 non-admin, allowed for ADMIN_TOKEN and ADMIN_USERS`, async () => {
      for (const token of [undefined, "gwk_not-a-key", `${admin.slice(0, -4)}AAAA`]) {
        const res = await call(method, path, token, body);
        expect(res.status).toBe(401);
        expect((await errorBody(res)).type).toBe("authentication_error");
      }
      const forbidden = await call(method, path, user, body);
      expect(forbidden.status).toBe(403);
      expect(await errorBody(forbidden)).toMatchObject({ type: "permission_error", code: "not_admin" });
      for (const token of [ADMIN_TOKEN, admin]) {
        const res = await call(method, path, token, body);
        expect([200, 201, 404]).toContain(res.status);
      }
    });
  }

  test("a missing credential wins over a bad body (401 before parsing and validation)", async () => {
    expect((await call("POST", "/config/models", undefined, "{not json")).status).toBe(401);
    expect((await call("POST", "/config/keys", undefined, { rateLimit: "lots" })).status).toBe(401);
    expect((await call("POST", "/config/models", user, "{not json")).status).toBe(403);
    expect((await call("POST", "/config/models", ADMIN_TOKEN, "{not json")).status).toBe(400);
  });

  test("other spellings of admin paths are refused too", async () => {
    for (const path of ["/config/", "//config", "/CONFIG/keys", "/v1/../config", "/%63onfig/keys"]) {
      expect((await call("GET", path)).status).toBe(401);
    }
  });

  test("ADMIN_USERS matches logins case-insensitively", async () => {
    const loud = await loginDevice(gw, github, { ...OCTOCAT, login: "OctoCat" });
    expect((await call("GET", "/config", loud)).status).toBe(200);
  });

  test("admin changes are logged with who made them", async () => {
    await call("POST", "/config/keys", admin, { name: "audited" });
    const line = logs.map((l) => JSON.parse(l)).findLast((l) => l.event === "admin_change");
    expect(line).toMatchObject({ actor: "github:octocat", action: "create_api_key", name: "audited" });
  });
});

describe("GET /config", () => {
  test("shows the effective configuration with secrets as booleans", async () => {
    const body = (await (await call("GET", "/config", ADMIN_TOKEN)).json()) as Record<string, Record<string, unknown>>;
    expect(body.providers.openrouter).toMatchObject({ baseUrl: upstream.baseUrl, keySet: true });
    expect(body.providers.gemini).toMatchObject({ keySet: false });
    expect(body.auth).toMatchObject({ adminUsers: ["octocat"], adminTokenSet: true, jwtSecret: "set", requireAuth: false });
    expect(body.github).toMatchObject({ configured: true, clientId: github.clientId, clientSecretSet: true });
    expect(body.routing).toMatchObject({ maxRetries: 2, requestTimeoutMs: 120_000 });
    expect(body.rateLimit).toMatchObject({ windowMs: 60_000 });
    expect(body.cache).toMatchObject({ ttlMs: 0 });
    expect(body.sessions).toMatchObject({ ttlMs: 3_600_000, max: 10_000 });
  });
});

describe("model mappings", () => {
  test("a new alias routes to the mapped provider and model; replacing and deleting it work", async () => {
    expect((await chatModel("house-model")).status).toBe(404);
    let res = await call("POST", "/config/models", admin, { alias: "house-model", provider: "openrouter", model: "meta-llama/llama-3.3-70b-instruct:free" });
    expect(res.status).toBe(200);
    expect(await chatModel("house-model")).toMatchObject({ status: 200, sent: "meta-llama/llama-3.3-70b-instruct:free" });
    res = await call("POST", "/config/models", admin, { alias: "house-model", provider: "openrouter", model: "qwen/qwen3-coder:free" });
    expect(await chatModel("house-model")).toMatchObject({ status: 200, sent: "qwen/qwen3-coder:free" });
    const config = (await (await call("GET", "/config", admin)).json()) as { models: { mappings: unknown[] } };
    expect(config.models.mappings).toContainEqual({ alias: "house-model", provider: "openrouter", model: "qwen/qwen3-coder:free" });
    expect((await call("DELETE", "/config/models/house-model", admin)).status).toBe(200);
    expect((await chatModel("house-model")).status).toBe(404);
    expect((await call("DELETE", "/config/models/house-model", admin)).status).toBe(404);
  });

  test("a mapping overrides a built-in alias until deleted; aliases may contain slashes", async () => {
    await call("POST", "/config/models", admin, { alias: "gpt-4o-mini", provider: "openrouter", model: "qwen/qwen3-coder:free" });
    expect((await chatModel("gpt-4o-mini")).sent).toBe("qwen/qwen3-coder:free");
    await call("DELETE", "/config/models/gpt-4o-mini", admin);
    expect((await chatModel("gpt-4o-mini")).sent).toBe("qwen/qwen3-next-80b-a3b-instruct:free");
    await call("POST", "/config/models", admin, { alias: "team/fast", provider: "openrouter", model: "qwen/qwen3-coder:free" });
    expect((await chatModel("team/fast")).sent).toBe("qwen/qwen3-coder:free");
    expect((await call("DELETE", `/config/models/${encodeURIComponent("team/fast")}`, admin)).status).toBe(200);
  });

  test("bad input -> 400 naming the field", async () => {
    const cases: Array<[unknown, string]> = [
      [{ alias: "a", provider: "nowhere", model: "m" }, "provider"],
      [{ provider: "openrouter", model: "m" }, "alias"],
      [{ alias: "two words", provider: "openrouter", model: "m" }, "alias"],
      [{ alias: "a", provider: "openrouter", model: "" }, "model"],
    ];
    for (const [body, param] of cases) {
      const res = await call("POST", "/config/models", admin, body);
      expect(res.status).toBe(400);
      expect((await errorBody(res)).param).toBe(param);
    }
  });
});

describe("custom providers", () => {
  let custom: FakeOpenRouter;
  beforeAll(async () => {
    custom = await startFakeOpenRouter("sk-custom-provider-secret-4242");
  });
  afterAll(() => custom.stop());

  test("add: its models route to it by id with its key; it is listed without the key; delete removes it", async () => {
    const res = await call("POST", "/config/providers/custom", admin, { name: "local-llm", baseUrl: `${custom.baseUrl}/`, apiKey: custom.apiKey, models: ["llama3-local", "qwen-local"] });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ provider: { name: "local-llm", baseUrl: custom.baseUrl, keySet: true, models: ["llama3-local", "qwen-local"] }, replaced: false });

    const chat = await post(`${gw.url}/v1/chat/completions`, { model: "qwen-local", messages: [{ role: "user", content: "hi" }] });
    expect(chat.status).toBe(200);
    expect(chat.headers.get("x-gateway-provider")).toBe("local-llm");
    expect(custom.requests.at(-1)!.body!.model).toBe("qwen-local");

    const providers = (await (await call("GET", "/config/providers", admin)).json()) as { data: Array<Record<string, unknown>> };
    expect(providers.data.find((p) => p.name === "local-llm")).toEqual({ name: "local-llm", builtin: false, configured: true, keySet: true, models: 2, baseUrl: custom.baseUrl });
    expect(providers.data.find((p) => p.name === "openrouter")).toMatchObject({ builtin: true, configured: true, keySet: true });
    expect((providers.data.find((p) => p.name === "openrouter")!.models as number)).toBeGreaterThan(10);

    const replaced = await call("POST", "/config/providers/custom", admin, { name: "local-llm", baseUrl: custom.baseUrl, apiKey: custom.apiKey, models: ["llama3-local"] });
    expect(replaced.status).toBe(200);
    expect((await replaced.json()) as unknown).toMatchObject({ replaced: true });
    expect((await chatModel("qwen-local")).status).toBe(404);

    expect((await call("DELETE", "/config/providers/custom/local-llm", admin)).status).toBe(200);
    expect((await chatModel("llama3-local")).status).toBe(404);
    expect((await call("DELETE", "/config/providers/custom/local-llm", admin)).status).toBe(404);
  });

  test("a provider in use by a mapping or the profile cannot be deleted (409)", async () => {
    await call("POST", "/config/providers/custom", admin, { name: "busy", baseUrl: custom.baseUrl, models: ["busy-model"] });
    await call("POST", "/config/models", admin, { alias: "uses-busy", provider: "busy", model: "busy-model" });
    const res = await call("DELETE", "/config/providers/custom/busy", admin);
    expect(res.status).toBe(409);
    expect((await errorBody(res)).message).toContain("uses-busy");
    await call("DELETE", "/config/models/uses-busy", admin);
    expect((await call("DELETE", "/config/providers/custom/busy", admin)).status).toBe(200);
  });

  test("bad input -> 400/409 naming the field; built-in names and other providers' models are taken", async () => {
    const ok = { name: "ok-name", baseUrl: custom.baseUrl, models: ["m1"] };
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ ...ok, name: "Bad_Name" }, 400, "name"],
      [{ ...ok, name: "openrouter" }, 409, "name"],
      [{ ...ok, name: "gemini" }, 409, "name"],
      [{ ...ok, baseUrl: "ftp://example.com" }, 400, "baseUrl"],
      [{ ...ok, baseUrl: "file:///etc/passwd" }, 400, "baseUrl"],
      [{ ...ok, baseUrl: "http://user:pass@example.com/v1" }, 400, "baseUrl"],
      [{ ...ok, baseUrl: "http://exa mple.com" }, 400, "baseUrl"],
      [{ ...ok, models: [] }, 400, "models"],
      [{ ...ok, models: ["a", "a"] }, 400, "models"],
      [{ ...ok, models: "m1" }, 400, "models"],
    ];
    for (const [body, status, param] of cases) {
      const res = await call("POST", "/config/providers/custom", admin, body);
      expect(res.status).toBe(status);
      expect((await errorBody(res)).param).toBe(param);
    }
    await call("POST", "/config/providers/custom", admin, { name: "first", baseUrl: custom.baseUrl, models: ["shared-id"] });
    const clash = await call("POST", "/config/providers/custom", admin, { name: "second", baseUrl: custom.baseUrl, models: ["shared-id"] });
    expect(clash.status).toBe(409);
    await call("DELETE", "/config/providers/custom/first", admin);
  });
});

describe("emulation profiles", () => {
  test("GET /v1/emulate is open; switching needs an admin and moves the gpt-* names", async () => {
    const initial = (await (await fetch(`${gw.url}/v1/emulate`)).json()) as { profile: string; available: string[] };
    expect(initial.profile).toBe("openrouter");
    expect(initial.available).toEqual(expect.arrayContaining(["openrouter", "gemini", "opencode"]));

    expect(await (await call("POST", "/v1/emulate", admin, { profile: "gemini" })).json()).toMatchObject({ profile: "gemini" });
    expect(await chatModel("gpt-4o")).toMatchObject({ status: 200, provider: "gemini", sent: "gemini-3-flash-preview" });
    // Only the OpenAI names move: the other aliases keep their table.
    expect((await chatModel("qwen3-coder")).provider).toBe("openrouter");

    await call("POST", "/v1/emulate", admin, { profile: "opencode" });
    expect(await chatModel("gpt-4o-mini")).toMatchObject({ provider: "opencode", sent: "big-pickle" });

    await call("POST", "/v1/emulate", admin, { profile: "openrouter" });
    expect(await chatModel("gpt-4o")).toMatchObject({ provider: "openrouter", sent: "qwen/qwen3-235b-a22b:free" });
  });

  test("a custom provider as profile: every gpt-* name goes to its first model", async () => {
    await call("POST", "/config/providers/custom", admin, { name: "house", baseUrl: upstream.baseUrl, apiKey: upstream.apiKey, models: ["house-large", "house-small"] });
    await call("POST", "/v1/emulate", admin, { profile: "house" });
    expect(await chatModel("gpt-5")).toMatchObject({ provider: "house", sent: "house-large" });
    expect(((await (await fetch(`${gw.url}/v1/emulate`)).json()) as { profile: string }).profile).toBe("house");
    expect((await call("DELETE", "/config/providers/custom/house", admin)).status).toBe(409);
    await call("POST", "/v1/emulate", admin, { profile: "openrouter" });
    await call("DELETE", "/config/providers/custom/house", admin);
  });

  test("every built-in profile covers every gpt-* alias of the table", () => {
    const names = [...CHAT_ALIASES.keys()].filter((n) => n.startsWith("gpt-")).sort();
    for (const profile of ["gemini", "opencode"]) expect([...BUILTIN_PROFILES.get(profile)!.table.keys()].sort()).toEqual(names);
  });

  test("an unknown profile -> 400 naming the available ones", async () => {
    const res = await call("POST", "/v1/emulate", admin, { profile: "nope" });
    expect(res.status).toBe(400);
    const error = await errorBody(res);
    expect(error.param).toBe("profile");
    expect(error.message).toContain("openrouter");
  });
});

describe("cache and keys", () => {
  test("clear-cache empties the response cache", async () => {
    cache.set("k", "v", 60_000);
    expect(await (await call("POST", "/config/clear-cache", admin)).json()).toEqual({ cleared: true });
    expect(cache.size()).toBe(0);
  });

  test("keys: created (shown once, 201), listed without the key, revoked", async () => {
    const res = await call("POST", "/config/keys", admin, { name: "ci", rateLimit: 30 });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const created = (await res.json()) as { id: string; key: string; name: string; rateLimit: number; createdBy: string };
    expect(created).toMatchObject({ name: "ci", rateLimit: 30, createdBy: "github:octocat" });
    expect(created.key).toMatch(/^gwk_[\w-]{43}$/);
    const listed = await (await call("GET", "/config/keys", ADMIN_TOKEN)).text();
    expect(listed).toContain(created.id);
    expect(listed).not.toContain(created.key);
    expect((await call("DELETE", `/config/keys/${created.id}`, ADMIN_TOKEN)).status).toBe(200);
    expect(await (await call("GET", "/config/keys", ADMIN_TOKEN)).text()).not.toContain(created.id);
    expect((await call("DELETE", `/config/keys/${created.id}`, ADMIN_TOKEN)).status).toBe(404);
  });

  test("bad key input -> 400 naming the field", async () => {
    for (const [body, param] of [[{}, "name"], [{ name: "x", rateLimit: 0 }, "rateLimit"], [{ name: "x", rateLimit: 1.5 }, "rateLimit"]] as const) {
      const res = await call("POST", "/config/keys", admin, body);
      expect(res.status).toBe(400);
      expect((await errorBody(res)).param).toBe(param);
    }
  });
});
