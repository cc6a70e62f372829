// GET /v1/responses/{id}/input_items through the official SDK (client.responses.inputItems.list and its
// auto-pagination) against the gateway over a fake OpenRouter: a previous_response_id chain listed in
// both orders, ids stable across calls and along the chain, ownership, bad parameters; on the memory
// store and on a real redis-server.
import { RedisClient } from "bun";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startGateway, useGatewayOverOpenRouter, type Gateway } from "../helpers.ts";
import { startRedis, type RedisServer } from "../support/services.ts";

const ADMIN_TOKEN = "admin-token-for-the-input-items-test-0123456789";
const ctx = useGatewayOverOpenRouter({ auth: { adminToken: ADMIN_TOKEN } });
type Item = OpenAI.Responses.ResponseItem;

const weather: OpenAI.Responses.FunctionTool = {
  type: "function", name: "get_weather", strict: false,
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

/** Four turns chained by previous_response_id; the last response's input is eight items. */
async function chain(client: OpenAI) {
  const r1 = await client.responses.create({ model: "gpt-4o-mini", input: [{ role: "developer", content: "Be terse." }, { role: "user", content: "one" }] });
  const r2 = await client.responses.create({ model: "gpt-4o-mini", previous_response_id: r1.id, input: "two" });
  ctx.fake.script("*", { kind: "reply", toolCalls: [{ name: "get_weather", arguments: "{\"city\":\"Paris\"}" }] });
  const r3 = await client.responses.create({ model: "gpt-4o-mini", previous_response_id: r2.id, input: "Weather in Paris?", tools: [weather] });
  const call = r3.output.find((o) => o.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;
  const r4 = await client.responses.create({
    model: "gpt-4o-mini", previous_response_id: r3.id, tools: [weather],
    input: [{ type: "function_call_output", call_id: call.call_id, output: "18C and sunny" }],
  });
  return { r1, r2, r3, r4, call };
}

/** Every item, page by page, through the SDK's auto-pagination; also how many pages it took. */
async function listAll(client: OpenAI, id: string, query: OpenAI.Responses.InputItemListParams) {
  const items: Item[] = [];
  let pages = 0;
  for await (const page of (await client.responses.inputItems.list(id, query)).iterPages()) {
    pages++;
    items.push(...page.data);
  }
  const viaItems: Item[] = [];
  for await (const item of client.responses.inputItems.list(id, query)) viaItems.push(item);
  expect(viaItems).toEqual(items);
  return { items, pages };
}

const failure = (call: PromiseLike<unknown>) => Promise.resolve(call).then(() => undefined, (error: unknown) => error);
const text = (item: Item) => (item.type === "message" ? (item.content[0] as { text: string }).text : item.type);

/** The checks both stores must pass, on `gw`. */
function listsTheChain(gw: () => Gateway) {
  test("a chain's items in both orders, paged by the SDK, with ids stable across calls and along the chain", async () => {
    const { r1, r2, r4, call } = await chain(gw().client);
    const asc = await listAll(gw().client, r4.id, { limit: 3, order: "asc" });
    expect(asc.pages).toBe(3);
    expect(asc.items.map(text)).toEqual(["Be terse.", "one", "Echo: one", "two", "Echo: two", "Weather in Paris?", "function_call", "function_call_output"]);
    expect(asc.items.map((i) => ("role" in i ? i.role : i.type))).toEqual(["developer", "user", "assistant", "user", "assistant", "user", "function_call", "function_call_output"]);
    // OpenAI's ResponseItem shapes: every item has an id and a status, message text is in parts.
    expect(asc.items[1]).toEqual({ id: expect.stringMatching(/^msg_[0-9a-f]{32}$/), type: "message", role: "user", status: "completed", content: [{ type: "input_text", text: "one" }] });
    expect(asc.items[2]).toEqual(r1.output[0] as Item);
    expect(asc.items[6]).toMatchObject({ type: "function_call", id: call.id, call_id: call.call_id, name: "get_weather", status: "completed" });
    expect(asc.items[7]).toMatchObject({ type: "function_call_output", call_id: call.call_id, output: "18C and sunny", status: "completed" });
    const ids = asc.items.map((i) => i.id);
    expect(ids.every((id) => typeof id === "string" && id.length > 4)).toBe(true);
    expect(new Set(ids).size).toBe(8);

    // Default order is desc (newest first); the same items and ids, reversed, on every call.
    const desc = await listAll(gw().client, r4.id, { limit: 3 });
    expect(desc.pages).toBe(3);
    expect(desc.items.map((i) => i.id)).toEqual(ids.toReversed());
    expect((await listAll(gw().client, r4.id, { limit: 5, order: "asc" })).items.map((i) => i.id)).toEqual(ids);
    // An item keeps its id along the chain: r2's input is the first four of r4's.
    expect((await listAll(gw().client, r2.id, { order: "asc" })).items.map((i) => i.id)).toEqual(ids.slice(0, 4));
  });

  test("the list object: first_id, last_id and has_more; `after` continues in the chosen order", async () => {
    const { r2 } = await chain(gw().client);
    const url = `${gw().url}/v1/responses/${r2.id}/input_items`;
    const get = async (query: string) => {
      const res = await fetch(`${url}?${query}`, { headers: { authorization: "Bearer sk-test-client" } });
      const body = await res.json();
      expect([res.status, body]).toEqual([200, expect.objectContaining({ object: "list" })]);
      return body as { object: string; data: Item[]; first_id: string | null; last_id: string | null; has_more: boolean };
    };
    const all = await get("");
    expect(all).toMatchObject({ object: "list", has_more: false });
    expect(all.data.map(text)).toEqual(["two", "Echo: one", "one", "Be terse."]);
    const [d0, d1, d2, d3] = all.data.map((i) => i.id);
    expect(all).toMatchObject({ first_id: d0, last_id: d3 });
    expect(await get("limit=2")).toEqual({ object: "list", data: all.data.slice(0, 2), first_id: d0, last_id: d1, has_more: true });
    expect(await get(`limit=2&after=${d1}`)).toEqual({ object: "list", data: all.data.slice(2), first_id: d2, last_id: d3, has_more: false });
    expect(await get(`order=asc&after=${d2}`)).toMatchObject({ data: all.data.slice(0, 2).toReversed(), first_id: d1, last_id: d0, has_more: false });
    expect(await get(`after=${d3}`)).toEqual({ object: "list", data: [], first_id: null, last_id: null, has_more: false });
    // `include` (the SDK's include[] and a plain one) is accepted and changes nothing.
    expect(await get("include[]=message.input_image.image_url&include[]=reasoning.encrypted_content")).toEqual(all);
    expect(await get("include=file_search_call.results")).toEqual(all);
    const page = await gw().client.responses.inputItems.list(r2.id, { include: ["message.input_image.image_url"], limit: 1, order: "asc" });
    expect(page.data.map(text)).toEqual(["Be terse."]);
  });
}

describe("GET /v1/responses/{id}/input_items (memory store)", () => {
  listsTheChain(() => ctx.gw);

  test("only its creator or an admin: any other key, and unknown, deleted or unstored ids, get OpenAI's 404", async () => {
    const mine = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Private" });
    const other = new OpenAI({ apiKey: "sk-someone-else", baseURL: `${ctx.gw.url}/v1`, maxRetries: 0 });
    const admin = new OpenAI({ apiKey: ADMIN_TOKEN, baseURL: `${ctx.gw.url}/v1`, maxRetries: 0 });
    const refused = await failure(other.responses.inputItems.list(mine.id));
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
    expect((refused as InstanceType<typeof OpenAI.NotFoundError>).error).toEqual({
      message: `Response with id '${mine.id}' not found.`, type: "not_found_error", param: null, code: "response_not_found",
    });
    const missing = await fetch(`${ctx.gw.url}/v1/responses/resp_nope/input_items`, { headers: { authorization: "Bearer sk-test-client" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { message: "Response with id 'resp_nope' not found.", type: "not_found_error", param: null, code: "response_not_found" } });
    expect((await admin.responses.inputItems.list(mine.id)).data.map(text)).toEqual(["Private"]);
    expect((await ctx.gw.client.responses.inputItems.list(mine.id)).data.map(text)).toEqual(["Private"]);

    await ctx.gw.client.responses.delete(mine.id);
    expect(await failure(ctx.gw.client.responses.inputItems.list(mine.id))).toBeInstanceOf(OpenAI.NotFoundError);
    const unstored = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Forget me", store: false });
    expect(await failure(ctx.gw.client.responses.inputItems.list(unstored.id))).toBeInstanceOf(OpenAI.NotFoundError);
  });

  test("items keep the ids the client gave them; a repeated id is replaced, so paging ends", async () => {
    const created = await ctx.gw.client.responses.create({
      model: "gpt-4o-mini",
      // Replayed history: the same assistant message twice.
      input: ["a", "b"].map((text) => ({
        type: "message" as const, role: "assistant" as const, id: "msg_mine", status: "completed" as const,
        content: [{ type: "output_text" as const, text, annotations: [] }],
      })),
    });
    const { items, pages } = await listAll(ctx.gw.client, created.id, { limit: 1, order: "asc" });
    expect(pages).toBe(2);
    expect(items.map(text)).toEqual(["a", "b"]);
    expect(items[0].id).toBe("msg_mine");
    expect(items[1].id).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  test("bad limit, order or after: a 400 naming the parameter", async () => {
    const created = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Page me" });
    const limit = await failure(ctx.gw.client.responses.inputItems.list(created.id, { limit: 0 }));
    expect(limit).toBeInstanceOf(OpenAI.BadRequestError);
    expect((limit as InstanceType<typeof OpenAI.BadRequestError>).error).toEqual({
      message: "Invalid value for 'limit': an integer from 1 to 100.", type: "invalid_request_error", param: "limit", code: "invalid_value",
    });
    for (const [query, param] of [
      ["limit=101", "limit"], ["limit=abc", "limit"], ["limit=1.5", "limit"], ["limit=", "limit"], ["limit=-1", "limit"],
      ["order=up", "order"], ["order=", "order"], ["order=ASC", "order"], ["after=msg_nope", "after"], ["after=", "after"],
    ] as const) {
      const res = await fetch(`${ctx.gw.url}/v1/responses/${created.id}/input_items?${query}`, { headers: { authorization: "Bearer sk-test-client" } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: unknown }).error).toMatchObject({ type: "invalid_request_error", param });
    }
    for (const limit of [1, 100]) expect((await ctx.gw.client.responses.inputItems.list(created.id, { limit })).data).toHaveLength(1);
  });
});

describe("GET /v1/responses/{id}/input_items (Redis store)", () => {
  let redis: RedisServer;
  let gw: Gateway;
  let raw: RedisClient;
  beforeAll(async () => {
    redis = await startRedis();
    gw = await startGateway({ catalogRefreshMs: 0, openrouter: { apiKey: ctx.fake.apiKey, baseUrl: ctx.fake.baseUrl }, redis: { url: redis.url, prefix: "items:" } });
    for (let i = 0; i < 250; i++) {
      const health = (await (await fetch(`${gw.url}/health`)).json()) as { redis?: { status: string } };
      if (health.redis?.status === "up") break;
      await Bun.sleep(20);
    }
    raw = new RedisClient(redis.url);
  });
  afterAll(async () => {
    raw?.close();
    await gw?.stop();
    await redis?.stop();
  });

  listsTheChain(() => gw);

  test("the response is in Redis, and an entry stored without item ids gets stable derived ones", async () => {
    const { r2 } = await chain(gw.client);
    const key = `items:response:${r2.id}`;
    const stored = JSON.parse((await raw.get(key))!) as { input: string };
    const before = (await listAll(gw.client, r2.id, { order: "asc" })).items;
    expect(before.map((i) => i.id)).toEqual((JSON.parse(stored.input) as Item[]).map((i) => i.id));

    // As a gateway before input_items stored it: no ids on the client's items.
    const bare = (JSON.parse(stored.input) as Array<Record<string, unknown>>).map(({ id, ...rest }) => (rest.role === "assistant" ? { id, ...rest } : rest));
    await raw.set(key, JSON.stringify({ ...stored, input: JSON.stringify(bare) }));
    const first = await listAll(gw.client, r2.id, { limit: 1, order: "asc" });
    expect(first.pages).toBe(4);
    expect(first.items.map(text)).toEqual(["Be terse.", "one", "Echo: one", "two"]);
    expect(first.items[2].id).toBe(before[2].id);
    expect(first.items.every((i) => /^msg_[0-9a-f]{32}$/.test(i.id))).toBe(true);
    expect(new Set(first.items.map((i) => i.id)).size).toBe(4);
    expect((await listAll(gw.client, r2.id, { limit: 3 })).items.map((i) => i.id)).toEqual(first.items.map((i) => i.id).toReversed());
  });
});
