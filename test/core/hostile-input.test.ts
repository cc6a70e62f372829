// Inputs no SDK sends, each once answered 500: names every JavaScript object has (looked up in a plain
// object, they answered from Object.prototype), and JSON bodies shaped to break whatever walks them.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { OAuthError } from "../../src/auth/github.ts";
import { MAX_JSON_DEPTH, MAX_OBJECT_KEYS } from "../../src/plugins/json-limits.ts";
import { geminiModelId } from "../../src/providers/gemini/models.ts";
import { toGeminiSchema } from "../../src/providers/gemini/schema.ts";
import { toGeminiRequest } from "../../src/providers/gemini/request.ts";
import { GatewayError } from "../../src/errors.ts";
import { ADMIN_TOKEN, bearer, startAuthGateway, startWebLogin } from "../auth/setup.ts";
import { OCTOCAT, startFakeGitHub, type FakeGitHub } from "../fakes/github.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { errorBody, post, type Gateway } from "../helpers.ts";

/** Every property an object literal inherits, plus the spellings that reach the prototype itself. */
const PROTO_NAMES = [...Object.getOwnPropertyNames(Object.prototype), "prototype", "__proto__"];

let upstream: FakeOpenRouter;
let github: FakeGitHub;
let gw: Gateway;
const admin = bearer(ADMIN_TOKEN);

beforeAll(async () => {
  upstream = await startFakeOpenRouter();
  github = await startFakeGitHub();
  ({ gw } = await startAuthGateway(github, { openrouter: { apiKey: upstream.apiKey, baseUrl: upstream.baseUrl } }));
});
afterAll(async () => {
  await gw.stop();
  await github.stop();
  await upstream.stop();
});
beforeEach(() => upstream.reset());

const chat = (model: unknown, extra: Record<string, unknown> = {}) =>
  post(`${gw.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "hi" }], ...extra });
const call = (method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: { ...admin, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("Object.prototype names are plain unknown names", () => {
  test("as `model` on chat (plain and streamed) and embeddings: 404 model_not_found, nothing sent upstream", async () => {
    for (const name of PROTO_NAMES) {
      for (const res of [await chat(name), await chat(name, { stream: true }), await post(`${gw.url}/v1/embeddings`, { model: name, input: "x" })]) {
        expect({ name, status: res.status }).toEqual({ name, status: 404 });
        expect((await errorBody(res)).code).toBe("model_not_found");
      }
    }
    expect(upstream.requests).toHaveLength(0);
  });

  test("under every emulation profile (their tables are looked up too)", async () => {
    for (const profile of ["opencode", "openrouter"]) {
      expect((await call("POST", "/v1/emulate", { profile })).status).toBe(200);
      for (const name of PROTO_NAMES) expect((await chat(name)).status).toBe(404);
    }
  });

  test("as admin API names: profiles, mappings, custom providers, keys, sessions", async () => {
    for (const name of PROTO_NAMES) {
      const profile = await call("POST", "/v1/emulate", { profile: name });
      expect(profile.status).toBe(400);
      expect((await errorBody(profile)).param).toBe("profile");
      expect((await call("POST", "/config/models", { alias: "x", provider: name, model: "m" })).status).toBe(400);
      for (const path of [`/config/models/${name}`, `/config/providers/custom/${name}`, `/config/keys/${name}`, `/session/${name}`]) {
        const res = await call("DELETE", path);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        await errorBody(res);
      }
      expect((await call("GET", `/session/${name}`)).status).toBe(404);
      expect((await call("GET", `/v1/models/${name}`)).status).toBe(404);
    }
  });

  test("an admin mapping may use such a name as its alias, and then it routes", async () => {
    expect((await call("POST", "/config/models", { alias: "constructor", provider: "openrouter", model: "vendor/mapped:free" })).status).toBe(200);
    const res = await chat("constructor");
    expect(res.status).toBe(200);
    expect(upstream.requests.at(-1)?.body?.model).toBe("vendor/mapped:free");
    expect((await call("DELETE", "/config/models/constructor")).status).toBe(200);
    expect((await chat("constructor")).status).toBe(404);
  });

  test("as x-session-id (a well-formed id nobody owns yet): a new session, not a lookup hit", async () => {
    for (const name of PROTO_NAMES.filter((n) => /^[\w-]{8,128}$/.test(n))) {
      const own = await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }, { "x-session-id": name });
      expect({ name, status: own.status }).toEqual({ name, status: 200 });
      expect(own.headers.get("x-session-id")).toBe(name);
    }
  });

  test("as a GitHub OAuth error code: a 502 upstream error, from the callback and from the client class", async () => {
    for (const name of PROTO_NAMES) expect(new OAuthError(name, undefined).status).toBe(502);
    const { callback, cookie } = await startWebLogin(gw, github, OCTOCAT);
    const url = new URL(callback);
    url.searchParams.set("error", "constructor");
    const res = await fetch(url, { headers: { cookie, accept: "application/json" } });
    expect(res.status).toBe(502);
    expect((await errorBody(res)).code).toBe("constructor");
  });

  test("as a Gemini model name: passed through, not mapped", () => {
    for (const name of PROTO_NAMES) expect(geminiModelId(name)).toBe(name);
  });

  test("as JSON schema property names, $refs and formats in a tool: kept as data, never resolved from the prototype", () => {
    const schema = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"},"a":{"$ref":"#/$defs/__proto__"},"b":{"type":"string","format":"constructor"}},"required":["__proto__","toString","constructor"]}');
    const out = toGeminiSchema(schema);
    expect(Object.keys(out.properties!)).toEqual(["__proto__", "a", "b"]);
    expect((out.properties as Record<string, unknown>).a).toEqual({});
    expect(out.required).toEqual(["__proto__"]);
    expect(JSON.parse(JSON.stringify(out)).properties.__proto__).toEqual({ type: "STRING" });
  });

  test("as the own keys of a value where a string belongs: 400 naming the field (Elysia's message builder threw)", async () => {
    for (const key of ["toString", "valueOf"]) {
      const res = await chat(JSON.parse(`{"${key}":"x"}`));
      expect(res.status).toBe(400);
      expect((await errorBody(res)).param).toBe("model");
      const poll = await post(`${gw.url}/auth/device/poll`, { device_code: { [key]: 1 } });
      expect((await errorBody(poll)).param).toBe("device_code");
    }
  });

  test("own toString keys deeper down, where providers and doors read text: 400 or counted, never a TypeError", async () => {
    expect(() => toGeminiSchema({ type: JSON.parse('{"toString":"x"}'), properties: {} })).not.toThrow();
    const part = JSON.parse('{"type":"text","text":{"toString":1}}');
    expect(() => toGeminiRequest({ model: "m", messages: [{ role: "user", content: [part] }] }, "gemini-2.5-flash")).toThrow(GatewayError);
    const counted = await post(`${gw.url}/v1/messages/count_tokens`, {
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: [{ type: "text", text: ["not", "a", "string"] }, { type: "thinking", thinking: { toString: 1 } }, { type: "tool_result", content: 5 }] }],
    });
    expect(counted.status).toBe(200);
  });

  test("an Anthropic conversation whose messages are all empty: 400 in Anthropic's shape, nothing sent upstream", async () => {
    const res = await post(`${gw.url}/v1/messages`, { model: "claude-sonnet-4-5", max_tokens: 10, system: "", messages: [{ role: "user", content: [] }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { type: string }).type).toBe("error");
    expect(upstream.requests).toHaveLength(0);
  });

  test("a client's tool type in the x-gateway-dropped-tools header: made a valid header value, not a 500", async () => {
    const res = await post(`${gw.url}/v1/responses`, { model: "gpt-4o", input: "hi", tools: [{ type: "wéb_search_\u0001" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-dropped-tools")).toBe("w?b_search_?");
  });

  test("a malformed %-escape in a path id or a data: URL: 400, not a URIError", async () => {
    for (const path of ["/v1/models/%", "/v1/models/%zz"]) expect((await fetch(`${gw.url}${path}`)).status).toBe(400);
    expect((await call("DELETE", "/config/models/%")).status).toBe(400);
  });
});

const raw = (body: string | Uint8Array<ArrayBuffer>, type = "application/json") =>
  fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": type }, body });
const nested = (depth: number, open = "[", close = "]", inner = "") => open.repeat(depth) + inner + close.repeat(depth);
const chatWith = (extra: string) => `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"extra":${extra}}`;

describe("JSON bodies past the limits are refused before parsing", () => {
  test("100 000 levels of arrays or objects: 400 json_too_deep that says so", async () => {
    for (const body of [nested(100_000), nested(100_000, '{"a":', "}", "1")]) {
      const res = await raw(body);
      expect(res.status).toBe(400);
      const error = await errorBody(res);
      expect(error.code).toBe("json_too_deep");
      expect(error.message).toContain("too deeply nested");
    }
  });

  test(`the limit is ${MAX_JSON_DEPTH} levels in all, counted inside a valid request`, async () => {
    // The request object and `extra` itself are two levels.
    expect((await raw(chatWith(nested(MAX_JSON_DEPTH - 1)))).status).toBe(200);
    const over = await raw(chatWith(nested(MAX_JSON_DEPTH)));
    expect(over.status).toBe(400);
    expect((await errorBody(over)).code).toBe("json_too_deep");
    expect(upstream.requests).toHaveLength(1);
  });

  test("the same for a chunked body (no Content-Length) and for embeddings", async () => {
    const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(nested(50_000))); c.close(); } });
    const chunked = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(chunked.status).toBe(400);
    const embeddings = await fetch(`${gw.url}/v1/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: nested(100_000) });
    expect((await errorBody(embeddings)).code).toBe("json_too_deep");
  });

  test(`an object with more than ${MAX_OBJECT_KEYS} keys: 400 json_too_many_keys`, async () => {
    const keys = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":0`).join(",")}}`;
    expect((await raw(chatWith(keys(MAX_OBJECT_KEYS)))).status).toBe(200);
    const res = await raw(chatWith(keys(MAX_OBJECT_KEYS + 1)));
    expect(res.status).toBe(400);
    expect((await errorBody(res)).code).toBe("json_too_many_keys");
  });

  test("an unpaired surrogate escape: 400 invalid_unicode; a real pair reaches the upstream intact", async () => {
    for (const bad of ['"\\ud800"', '"\\udc00x"', '"a\\ud83d"', '"\\ud83d\\u0041"']) {
      const res = await raw(`{"model":"gpt-4o","messages":[{"role":"user","content":${bad}}]}`);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect((await errorBody(res)).code).toBe("invalid_unicode");
    }
    const ok = await raw('{"model":"gpt-4o","messages":[{"role":"user","content":"\\ud83d\\ude00 \\\\ud800"}]}');
    expect(ok.status).toBe(200);
    expect((upstream.requests.at(-1)?.body?.messages as Array<{ content: string }>)[0].content).toBe("😀 \\ud800");
  });

  test("bytes that are not UTF-8: 400, never U+FFFD sent upstream", async () => {
    const bytes = new TextEncoder().encode('{"model":"gpt-4o","messages":[{"role":"user","content":"XX"}]}');
    const at = bytes.indexOf(88);
    bytes[at] = 0xff;
    bytes[at + 1] = 0xc3;
    const res = await raw(bytes);
    expect(res.status).toBe(400);
    expect((await errorBody(res)).message).toContain("UTF-8");
    expect(upstream.requests).toHaveLength(0);
  });

  test("a charset other than UTF-8: 415; utf-8 in any spelling is fine", async () => {
    const body = chatWith("1");
    expect((await raw(body, "application/json; charset=iso-8859-1")).status).toBe(415);
    expect((await raw(body, 'application/json; charset="UTF-8"')).status).toBe(200);
    expect((await raw(body, "application/json;charset=utf8")).status).toBe(200);
  });

  test("duplicate keys: the last one wins, for validation and upstream alike", async () => {
    const model = await raw('{"model":"gpt-4o","model":"constructor","messages":[{"role":"user","content":"hi"}]}');
    expect(model.status).toBe(404);
    const tokens = await raw('{"model":"gpt-4o","max_tokens":5,"max_tokens":0,"messages":[{"role":"user","content":"hi"}]}');
    expect((await errorBody(tokens)).param).toBe("max_tokens");
    expect((await raw('{"model":"constructor","model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}')).status).toBe(200);
    expect(upstream.requests.map((r) => r.body?.max_tokens)).toEqual([undefined]);
  });

  test("an enormous `model` is refused by length, not echoed back", async () => {
    const res = await chat("m".repeat(1_000_000));
    expect(res.status).toBe(400);
    const error = await errorBody(res);
    expect(error.param).toBe("model");
    expect(error.message.length).toBeLessThan(500);
  });

  test("a `__proto__` key is just a key: forwarded as data, it changes no defaults", async () => {
    const res = await raw('{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"__proto__":{"stream":true,"max_tokens":0}}');
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
  });
});
