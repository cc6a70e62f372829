// Every refusal on /v1/messages in Anthropic's shape with its status, so the official SDK raises the
// matching error class: validation, auth (x-api-key or Bearer), sessions, unknown models and routes,
// body size, the gateway's rate limit, upstream rate limits, unconfigured models, failing upstreams.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { freeModel, startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";

const ADMIN_TOKEN = "admin-token-for-door-tests-0123456789";
let opencode: FakeOpenRouter;
let gw: Gateway;
let key: string;
/** Added to the gateway's clock: a test moves past the cooldowns an earlier test's upstream named. */
let skewMs = 0;

beforeAll(async () => {
  opencode = await startFakeOpenRouter();
  opencode.models.splice(0, Infinity, freeModel("big-pickle"));
  // Only OpenCode is configured: claude-* names reach its big-pickle fallback, gemini-* names nothing.
  gw = await startGateway({
    retryDelayMs: 1,
    maxBodySize: 4096,
    auth: { requireAuth: true, adminToken: ADMIN_TOKEN },
    opencode: { apiKey: opencode.apiKey, baseUrl: opencode.baseUrl },
  }, { clock: () => Date.now() + skewMs });
  key = await createKey("door-tests");
});
afterAll(async () => {
  await gw.stop();
  await opencode.stop();
});
beforeEach(() => opencode.reset());

async function createKey(name: string, rateLimit?: number): Promise<string> {
  const res = await post(`${gw.url}/config/keys`, { name, rateLimit }, { authorization: `Bearer ${ADMIN_TOKEN}` });
  return ((await res.json()) as { key: string }).key;
}

const client = (apiKey = key, extra: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) =>
  new Anthropic({ apiKey, baseURL: gw.url, maxRetries: 0, timeout: 10_000, ...extra });
const hello = { model: "claude-sonnet-5-5", max_tokens: 10, messages: [{ role: "user" as const, content: "hello" }] };

async function failure(call: PromiseLike<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  return Promise.resolve(call).then(() => { throw new Error("the call succeeded"); }, (e: unknown) => e as InstanceType<typeof Anthropic.APIError>);
}

/** Asserts Anthropic's error body and headers; returns the error. */
function expectAnthropicError(error: InstanceType<typeof Anthropic.APIError>, status: number, type: string) {
  expect(error.status).toBe(status);
  expect(error.error).toMatchObject({ type: "error", error: { type } });
  expect(error.requestID).toBeTruthy();
  expect((error.error as { request_id: string }).request_id).toBe(error.requestID!);
  return error;
}

describe("credentials", () => {
  test("x-api-key and Authorization: Bearer both carry a gateway key", async () => {
    expect((await client().messages.create(hello)).content[0]).toMatchObject({ type: "text" });
    expect((await client(undefined, { apiKey: null, authToken: key }).messages.create(hello)).type).toBe("message");
    expect(opencode.requests).toHaveLength(2);
  });

  test("a missing or unknown key is an AuthenticationError, before the body is read", async () => {
    const unknown = await failure(client("sk-not-a-gateway-key").messages.create(hello));
    expect(unknown).toBeInstanceOf(Anthropic.AuthenticationError);
    expectAnthropicError(unknown, 401, "authentication_error");
    const res = await post(`${gw.url}/v1/messages`, "{not json");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "authentication_error", message: expect.stringContaining("x-api-key") } });
    expect(res.headers.get("request-id")).toBe(res.headers.get("x-request-id"));
    expect(opencode.requests).toHaveLength(0);
  });

  test("count_tokens needs a credential too", async () => {
    expect(await failure(client("sk-nope").messages.countTokens({ model: "claude-sonnet-5-5", messages: hello.messages }))).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((await client().messages.countTokens({ model: "claude-sonnet-5-5", messages: hello.messages })).input_tokens).toBeGreaterThan(0);
  });
});

describe("request errors", () => {
  test("a schema violation is a BadRequestError naming the field", async () => {
    const missing = await failure(client().messages.create({ model: "claude-sonnet-5-5", messages: hello.messages } as Anthropic.MessageCreateParamsNonStreaming));
    expect(missing).toBeInstanceOf(Anthropic.BadRequestError);
    expectAnthropicError(missing, 400, "invalid_request_error");
    expect(missing.message).toContain("max_tokens");
    const role = await failure(client().messages.create({ ...hello, messages: [{ role: "tool", content: "x" }] } as unknown as Anthropic.MessageCreateParamsNonStreaming));
    expect(role.message).toContain("messages[0].role");
    const json = await post(`${gw.url}/v1/messages`, "{broken", { "x-api-key": key });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  test("an unknown model or route is a NotFoundError", async () => {
    const model = await failure(client().messages.create({ ...hello, model: "no-such-model" }));
    expect(model).toBeInstanceOf(Anthropic.NotFoundError);
    expectAnthropicError(model, 404, "not_found_error");
    const res = await fetch(`${gw.url}/v1/messages/batches`, { headers: { "x-api-key": key } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });

  test("a body over MAX_BODY_SIZE is a ContentTooLargeError (413 request_too_large)", async () => {
    const big = await failure(client().messages.create({ ...hello, messages: [{ role: "user", content: "x".repeat(5000) }] }));
    expect(big).toBeInstanceOf(Anthropic.ContentTooLargeError);
    expectAnthropicError(big, 413, "request_too_large");
  });

  test("a session of another client is a PermissionDeniedError", async () => {
    const other = await createKey("door-tests-other");
    const headers = { "x-session-id": "door-session-0001" };
    await client(key, { defaultHeaders: headers }).messages.create(hello);
    const denied = await failure(client(other, { defaultHeaders: headers }).messages.create(hello));
    expect(denied).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expectAnthropicError(denied, 403, "permission_error");
  });
});

describe("limits and upstream failures", () => {
  test("the gateway's rate limit is a RateLimitError with retry-after", async () => {
    const tight = await createKey("door-tests-tight", 1);
    await client(tight).messages.create(hello);
    const limited = await failure(client(tight).messages.create(hello));
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expectAnthropicError(limited, 429, "rate_limit_error");
    expect(Number(limited.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  test("every candidate rate-limited upstream is a RateLimitError with retry-after", async () => {
    opencode.always("*", { kind: "error", status: 429, headers: { "retry-after": "30" } });
    const limited = await failure(client().messages.create(hello));
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expectAnthropicError(limited, 429, "rate_limit_error");
    expect(limited.headers?.get("retry-after")).toBe("30");
  });

  test("every candidate failing with server errors is an OverloadedError (529)", async () => {
    // Past the 30 s Retry-After of the test above, which the gateway honours without calling again.
    skewMs += 31_000;
    opencode.always("*", { kind: "error", status: 500 });
    const overloaded = await failure(client().messages.create({ ...hello, model: "opencode-big-pickle" }));
    expect(overloaded).toBeInstanceOf(Anthropic.OverloadedError);
    expectAnthropicError(overloaded, 529, "overloaded_error");
  });

  test("a model no configured upstream serves is an InternalServerError (500 api_error) naming the setting", async () => {
    const unconfigured = await failure(client().messages.create({ ...hello, model: "gemini-2.5-flash" }));
    expect(unconfigured).toBeInstanceOf(Anthropic.InternalServerError);
    expectAnthropicError(unconfigured, 500, "api_error");
    expect(unconfigured.message).toContain("GEMINI_API_KEY");
  });
});
