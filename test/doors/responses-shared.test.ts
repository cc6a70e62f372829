// The Responses and legacy completions doors go through the shared door infrastructure: sessions, the
// response cache (keyed by the translated request), metrics labelled by door, rate limits.
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { useGatewayOverOpenRouter } from "../helpers.ts";

const ADMIN_TOKEN = "admin-token-for-the-responses-test-0123456789";
const ctx = useGatewayOverOpenRouter({ catalogRefreshMs: 0, cache: { ttlMs: 60_000, maxEntries: 100 }, auth: { adminToken: ADMIN_TOKEN } });
const chatCalls = () => ctx.fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length;

describe("Responses and completions through the shared door path", () => {
  test("a session per request, or the client's", async () => {
    const { response } = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Session?" }).withResponse();
    expect(response.headers.get("x-session-id")).toStartWith("sess_");
    const mine = await ctx.gw.client.completions.create({ model: "gpt-4o-mini", prompt: "Session?" }, { headers: { "x-session-id": "my-session-1" } }).withResponse();
    expect(mine.response.headers.get("x-session-id")).toBe("my-session-1");
  });

  test("the cache answers a repeated request in the door's shape, as a new stored response", async () => {
    const first = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Cache me" }).withResponse();
    const second = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Cache me" }).withResponse();
    expect([first.response.headers.get("x-cache"), second.response.headers.get("x-cache")]).toEqual(["MISS", "HIT"]);
    expect(chatCalls()).toBe(1);
    expect(second.data.output_text).toBe(first.data.output_text);
    expect(second.data.id).not.toBe(first.data.id);
    expect((await ctx.gw.client.responses.retrieve(second.data.id)).output_text).toBe("Echo: Cache me");

    // Legacy completions: a prompt array is cached by its first prompt, the others are always asked.
    await ctx.gw.client.completions.create({ model: "gpt-4o-mini", prompt: "Alpha" });
    const batch = await ctx.gw.client.completions.create({ model: "gpt-4o-mini", prompt: ["Alpha", "Beta"] }).withResponse();
    expect(batch.response.headers.get("x-cache")).toBe("HIT");
    expect(batch.data.choices.map((c) => c.text)).toEqual(["Echo: Alpha", "Echo: Beta"]);
  });

  test("metrics count each door under its own label", async () => {
    await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Count me", store: false });
    await ctx.gw.client.completions.create({ model: "gpt-4o-mini", prompt: "Count me too" });
    const text = await (await fetch(`${ctx.gw.url}/metrics`)).text();
    expect(text).toMatch(/chat_completions_total\{[^}]*door="responses"[^}]*\} [1-9]/);
    expect(text).toMatch(/chat_completions_total\{[^}]*door="completions"[^}]*\} [1-9]/);
  });

  test("an admin may read and delete anyone's stored response", async () => {
    const created = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Mine" });
    const admin = new OpenAI({ apiKey: ADMIN_TOKEN, baseURL: `${ctx.gw.url}/v1`, maxRetries: 0 });
    expect((await admin.responses.retrieve(created.id)).id).toBe(created.id);
    await admin.responses.delete(created.id);
    const gone = await Promise.resolve(ctx.gw.client.responses.retrieve(created.id)).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
  });

  test("errors before routing are OpenAI errors the SDK raises", async () => {
    const error = await Promise.resolve(ctx.gw.client.responses.create({ model: "", input: "x" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("model");
  });
});
