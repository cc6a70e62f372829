// CORS on /v1/*: preflights, headers on answers (errors too), CORS_ORIGINS narrowing or turning it off,
// the admin API and auth routes staying same-origin, and a real Chromium page calling the gateway
// from another origin with the Anthropic SDK's headers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chromium, type Browser } from "playwright-core";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { startGateway, type Gateway } from "../helpers.ts";
import { chromiumArgs, chromiumPath } from "../support/services.ts";

let fake: FakeOpenRouter;
let open: Gateway;
let narrow: Gateway;
let off: Gateway;

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  const openrouter = { apiKey: fake.apiKey, baseUrl: fake.baseUrl };
  [open, narrow, off] = await Promise.all([
    startGateway({ openrouter }),
    startGateway({ openrouter, corsOrigins: ["https://app.example", "http://localhost:5173"] }),
    startGateway({ openrouter, corsOrigins: [] }),
  ]);
});
afterAll(async () => {
  await Promise.all([open.stop(), narrow.stop(), off.stop()]);
  await fake.stop();
});

const preflight = (gw: Gateway, path: string, origin: string, headers = "x-api-key, anthropic-version, x-stainless-os, content-type") =>
  fetch(`${gw.url}${path}`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": headers } });
const message = (gw: Gateway, origin: string | undefined, model = "claude-haiku-5-5") =>
  fetch(`${gw.url}/v1/messages`, {
    method: "POST",
    headers: { ...(origin === undefined ? {} : { origin }), "content-type": "application/json", "x-api-key": "sk-browser" },
    body: JSON.stringify({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
  });

describe("CORS_ORIGINS=* (the default)", () => {
  test("a preflight is answered before auth: any origin, the requested headers echoed, no credentials", async () => {
    const res = await preflight(open, "/v1/messages?beta=true", "https://anywhere.example");
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toBe("x-api-key, anthropic-version, x-stainless-os, content-type");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.has("access-control-allow-credentials")).toBe(false);
    const plain = await fetch(`${open.url}/v1/chat/completions`, { method: "OPTIONS", headers: { origin: "https://x.example", "access-control-request-method": "POST" } });
    expect(plain.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(fake.requests).toHaveLength(0);
  });

  test("answers and errors carry the origin and the exposed headers; clients without Origin get none", async () => {
    const ok = await message(open, "https://anywhere.example");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("*");
    for (const h of ["x-request-id", "x-session-id", "retry-after", "x-ratelimit-remaining-requests", "x-gateway-provider", "x-gateway-dropped-tools"]) {
      expect(ok.headers.get("access-control-expose-headers")).toContain(h);
    }
    const error = await message(open, "https://anywhere.example", "no-such-model");
    expect(error.status).toBe(404);
    expect(error.headers.get("access-control-allow-origin")).toBe("*");
    expect((await message(open, undefined)).headers.has("access-control-allow-origin")).toBe(false);
    expect((await fetch(`${open.url}/v1/models`)).headers.has("access-control-allow-origin")).toBe(false);
  });

  test("the admin API, auth routes, console and emulation stay same-origin", async () => {
    for (const path of ["/config/keys", "/auth/device/code", "/admin", "/v1/emulate", "/health"]) {
      const res = await preflight(open, path, "https://evil.example");
      expect(res.status, path).not.toBe(204);
      expect(res.headers.has("access-control-allow-origin"), path).toBe(false);
    }
  });
});

describe("CORS_ORIGINS narrowed or off", () => {
  test("listed origins are echoed with Vary: Origin; others get no CORS headers", async () => {
    const res = await preflight(narrow, "/v1/messages", "https://app.example");
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(res.headers.get("vary")).toContain("Origin");
    const other = await message(narrow, "https://other.example");
    expect(other.headers.has("access-control-allow-origin")).toBe(false);
    expect(other.headers.get("vary")).toContain("Origin");
    expect((await message(narrow, "http://localhost:5173")).headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });

  test("empty turns CORS off: a preflight is the old 405", async () => {
    const res = await preflight(off, "/v1/messages", "https://app.example");
    expect(res.status).toBe(405);
    expect(res.headers.has("access-control-allow-origin")).toBe(false);
  });

  test("the setting: unset is *, empty is off, a list is trimmed, anything else refused", () => {
    const load = (value?: string) => loadConfig({ NODE_ENV: "test", ...(value === undefined ? {} : { CORS_ORIGINS: value }) }).corsOrigins;
    expect(load()).toEqual(["*"]);
    expect(load("")).toEqual([]);
    expect(load("  ")).toEqual([]);
    expect(load(" https://a.example , http://localhost:5173,")).toEqual(["https://a.example", "http://localhost:5173"]);
    expect(() => load("a.example")).toThrow(ConfigError);
    expect(() => load("https://a.example/path")).toThrow(ConfigError);
  });
});

describe("a real browser", () => {
  let browser: Browser;
  let page: ReturnType<typeof Bun.serve>;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs });
    page = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("<!doctype html><title>app</title>", { headers: { "content-type": "text/html" } }) });
  });
  afterAll(async () => {
    await browser?.close();
    page?.stop(true);
  });

  test("a page on another origin calls /v1/messages with the Anthropic SDK's headers and reads the answer", async () => {
    const tab = await browser.newPage();
    // localhost and 127.0.0.1 are different origins: the gateway is cross-origin to the page.
    await tab.goto(`http://localhost:${page.port}/`);
    const result = await tab.evaluate(async (url) => {
      const res = await fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-browser", "anthropic-version": "2023-06-01", "anthropic-dangerous-direct-browser-access": "true", "x-stainless-lang": "js" },
        body: JSON.stringify({ model: "claude-haiku-5-5", max_tokens: 5, messages: [{ role: "user", content: "from a page" }] }),
      });
      return { status: res.status, body: await res.json(), requestId: res.headers.get("request-id") };
    }, open.url);
    expect(result.status).toBe(200);
    expect(result.body.content[0].text).toBe("Echo: from a page");
    expect(result.requestId).toBeTruthy();
    const blocked = await tab.evaluate(async (url) => fetch(`${url}/v1/models`).then(() => "read", () => "blocked"), off.url);
    expect(blocked).toBe("blocked");
  });
});
