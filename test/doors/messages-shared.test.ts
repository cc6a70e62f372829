// The Messages door goes through the shared door infrastructure: the response cache keyed by the
// translated request (a hit answered in Anthropic's shape, shared with OpenAI chat when the
// translations match), sessions, metrics labelled by door, the request log.
import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { useGatewayOverOpenRouter } from "../helpers.ts";

const ctx = useGatewayOverOpenRouter({ catalogRefreshMs: 0, cache: { ttlMs: 60_000, maxEntries: 100 } });
const client = () => new Anthropic({ apiKey: "sk-shared-test", baseURL: ctx.gw.url, maxRetries: 0 });
const chatCalls = () => ctx.fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length;

describe("Messages through the shared door path", () => {
  test("the cache answers a repeated request in Anthropic's shape; a chat request with the same translation shares the entry", async () => {
    const ask = { model: "gpt-4o-mini", max_tokens: 50, messages: [{ role: "user" as const, content: "Cache me" }] };
    const first = await client().messages.create(ask).withResponse();
    const second = await client().messages.create(ask).withResponse();
    expect([first.response.headers.get("x-cache"), second.response.headers.get("x-cache")]).toEqual(["MISS", "HIT"]);
    expect(chatCalls()).toBe(1);
    expect(second.data).toMatchObject({ type: "message", model: "gpt-4o-mini", content: [{ type: "text", text: "Echo: Cache me" }], stop_reason: "end_turn" });
    expect(second.data.id).not.toBe(first.data.id);
    expect(second.response.headers.get("x-gateway-provider")).toBe("openrouter");

    const chat = await ctx.gw.client.chat.completions.create({ model: "gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: "Cache me" }] }).withResponse();
    expect(chat.response.headers.get("x-cache")).toBe("HIT");
    expect(chat.data.choices[0].message.content).toBe("Echo: Cache me");
    expect(chatCalls()).toBe(1);
  });

  test("a session per request, or the client's; its tokens are counted", async () => {
    const { response } = await client().messages.create({ model: "gpt-4o-mini", max_tokens: 10, messages: [{ role: "user", content: "Session?" }] }).withResponse();
    expect(response.headers.get("x-session-id")).toStartWith("sess_");
    const mine = await client().messages.create({ model: "gpt-4o-mini", max_tokens: 10, stream: true, messages: [{ role: "user", content: "Mine" }] }, { headers: { "x-session-id": "messages-session-1" } }).withResponse();
    expect(mine.response.headers.get("x-session-id")).toBe("messages-session-1");
    for await (const _ of mine.data) void _;
    const session = await (await fetch(`${ctx.gw.url}/session/messages-session-1`, { headers: { authorization: "Bearer sk-shared-test" } })).json() as { requests: number; completion_tokens: number };
    expect(session.requests).toBe(1);
    expect(session.completion_tokens).toBeGreaterThan(0);
  });

  test("metrics count the door under its own label", async () => {
    await client().messages.create({ model: "gpt-4o-mini", max_tokens: 10, messages: [{ role: "user", content: "Count me" }] }, { headers: { "cache-control": "no-store" } });
    const text = await (await fetch(`${ctx.gw.url}/metrics`)).text();
    expect(text).toMatch(/chat_completions_total\{[^}]*door="messages"[^}]*\} [1-9]/);
    expect(text).toMatch(/chat_completion_tokens_used\{type="completion",door="messages"\} [1-9]/);
    expect(text).toMatch(/http_requests_total\{endpoint="\/v1\/messages",method="POST",status="200"\} [1-9]/);
  });
});
