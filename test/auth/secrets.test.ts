// No secret leaves the gateway: every response body and header, and every log line, of a session that
// touches every auth and admin route is searched for every secret the gateway knows or sees.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../../src/log.ts";
import { HIDDEN_EMAIL, OCTOCAT, startFakeGitHub, type FakeGitHub } from "../fakes/github.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { startGateway, type Gateway } from "../helpers.ts";
import { ADMIN_TOKEN, bearer, JWT_SECRET, startAuthGateway, startWebLogin } from "./setup.ts";

const GEMINI_KEY = "AIzaSy-gemini-key-never-shown-0001";
const OPENCODE_KEY = "sk-opencode-key-never-shown-0002";
const CUSTOM_KEY = "sk-custom-key-never-shown-0003";

let github: FakeGitHub;
let upstream: FakeOpenRouter;
let gw: Gateway;
let logs: string[];
const seen: string[] = [];

/** fetch that keeps what the client saw: status line, headers and body. */
async function rec(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, { redirect: "manual", ...init });
  const text = await res.text();
  seen.push(`${url} ${res.status} ${JSON.stringify(Object.fromEntries(res.headers))} ${text}`);
  return new Response(text, { status: res.status, headers: res.headers });
}

const json = (method: string, body: unknown, token?: string): RequestInit => ({
  method,
  headers: { "content-type": "application/json", ...(token ? bearer(token) : {}) },
  body: JSON.stringify(body),
});

beforeAll(async () => {
  github = await startFakeGitHub();
  upstream = await startFakeOpenRouter();
  ({ gw, logs } = await startAuthGateway(github, {
    openrouter: { apiKey: upstream.apiKey, baseUrl: upstream.baseUrl },
    gemini: { apiKey: GEMINI_KEY },
    opencode: { apiKey: OPENCODE_KEY },
  }));
});

afterAll(async () => {
  await gw.stop();
  await github.stop();
  await upstream.stop();
});

describe("secrets never leave the gateway", () => {
  let apiKey = "";
  /** Gateway JWTs: the client gets them, the log must not. */
  const jwts: string[] = [];

  test("a session over every auth and admin route", async () => {
    const u = gw.url;
    // Web flow, JSON and HTML.
    for (const accept of ["application/json", "text/html"]) {
      const login = await startWebLogin(gw, github, OCTOCAT);
      await rec(login.callback, { headers: { cookie: login.cookie, accept } });
    }
    const denied = await startWebLogin(gw, github, "deny");
    await rec(denied.callback, { headers: { cookie: denied.cookie } });
    // Device flow through its states.
    github.deviceSteps = ["authorization_pending", "slow_down", "token"];
    github.deviceUser = OCTOCAT;
    const code = (await (await rec(`${u}/auth/device/request`, { method: "POST" })).json()) as { device_code: string };
    let token = "";
    for (let i = 0; i < 3; i++) {
      const res = await rec(`${u}/auth/device/poll`, json("POST", { device_code: code.device_code }));
      if (res.status === 200) token = ((await res.json()) as { token: string }).token;
    }
    expect(token).not.toBe("");
    jwts.push(token);
    github.deviceUser = HIDDEN_EMAIL;
    github.deviceSteps = ["token"];
    const other = (await (await rec(`${u}/auth/device/request`, { method: "POST" })).json()) as { device_code: string };
    const userToken = ((await (await rec(`${u}/auth/device/poll`, json("POST", { device_code: other.device_code }))).json()) as { token: string }).token;
    jwts.push(userToken);

    // Admin API, as admin, as a plain user and anonymously.
    for (const who of [token, ADMIN_TOKEN, userToken, undefined]) {
      const h = who ? { headers: bearer(who) } : {};
      await rec(`${u}/auth/me`, h);
      await rec(`${u}/config`, h);
      await rec(`${u}/config/providers`, h);
      await rec(`${u}/config/keys`, h);
      await rec(`${u}/config/providers/custom`, json("POST", { name: "secretive", baseUrl: upstream.baseUrl, apiKey: CUSTOM_KEY, models: ["secretive-model"] }, who));
      await rec(`${u}/config/models`, json("POST", { alias: "s-alias", provider: "secretive", model: "secretive-model" }, who));
      await rec(`${u}/v1/emulate`, json("POST", { profile: "secretive" }, who));
      await rec(`${u}/v1/emulate`, h);
      await rec(`${u}/config/clear-cache`, { method: "POST", ...h });
    }
    const created = await fetch(`${u}/config/keys`, json("POST", { name: "leak-check", rateLimit: 10 }, ADMIN_TOKEN));
    apiKey = ((await created.json()) as { key: string }).key;
    await rec(`${u}/config/keys`, { headers: bearer(ADMIN_TOKEN) });
    await rec(`${u}/config`, { headers: bearer(ADMIN_TOKEN) });
    await rec(`${u}/config/providers`, { headers: bearer(ADMIN_TOKEN) });
    await rec(`${u}/v1/chat/completions`, json("POST", { model: "secretive-model", messages: [{ role: "user", content: "hi" }] }, apiKey));
    await rec(`${u}/v1/chat/completions`, json("POST", { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }, apiKey));
    await rec(`${u}/auth/logout`, { method: "POST", headers: bearer(token) });
    await rec(`${u}/auth/me`, { headers: bearer(token) });
    await rec(`${u}/admin`);
    await rec(`${u}/swagger/json`);
    expect(seen.length).toBeGreaterThan(50);
  });

  test("no response and no log line holds a secret", () => {
    const secrets: Record<string, string> = {
      "GitHub client secret": github.clientSecret,
      "JWT secret": JWT_SECRET,
      "admin token": ADMIN_TOKEN,
      "OpenRouter key": upstream.apiKey,
      "Gemini key": GEMINI_KEY,
      "OpenCode key": OPENCODE_KEY,
      "custom provider key": CUSTOM_KEY,
      "created API key": apiKey,
      ...Object.fromEntries(github.issuedTokens.map((t, i) => [`GitHub access token ${i}`, t])),
    };
    expect(github.issuedTokens.length).toBeGreaterThanOrEqual(4);
    expect(logs.length).toBeGreaterThan(10);
    const everything = [...seen, ...logs].join("\n");
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length).toBeGreaterThan(10);
      // Not even a part: any 12-character slice of the secret.
      for (let i = 0; i + 12 <= secret.length; i += 4) {
        if (everything.includes(secret.slice(i, i + 12))) throw new Error(`part of the ${name} leaked`);
      }
    }
    for (const jwt of jwts) expect(logs.join("\n")).not.toContain(jwt.split(".")[2]);
  });
});

describe("start-up log", () => {
  test("a generated JWT secret is announced without being shown", async () => {
    const lines: string[] = [];
    const dev = await startGateway({ auth: { adminToken: ADMIN_TOKEN } }, { log: createLogger((l) => lines.push(l)) });
    try {
      expect(dev.config.auth.jwtSecretGenerated).toBe(true);
      const event = lines.map((l) => JSON.parse(l)).find((l) => l.event === "jwt_secret_generated");
      expect(event).toBeDefined();
      expect(lines.join("\n")).not.toContain(dev.config.auth.jwtSecret);
    } finally {
      await dev.stop();
    }
  });
});
