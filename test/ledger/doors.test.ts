// Every front door's requests are ledger rows with no ledger code of their own: the Anthropic Messages,
// Responses and legacy completions doors, plain and streamed, fill RequestMeta as the chat door does.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";

const ADMIN = "admin-token-for-door-rows-0123456789ab";
let fake: FakeOpenRouter;
let gw: Gateway;

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  gw = await startGateway({ openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl }, auth: { adminToken: ADMIN } }, { ledger: { flushMs: 10 } });
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
});

const calls: Array<[string, string, Record<string, unknown>]> = [
  ["messages", "/v1/messages", { model: "claude-3-5-haiku-latest", max_tokens: 64, messages: [{ role: "user", content: "hi" }] }],
  ["responses", "/v1/responses", { model: "gpt-4o-mini", input: "hi" }],
  ["completions", "/v1/completions", { model: "gpt-4o-mini", prompt: "hi", max_tokens: 16 }],
];

test("each door's plain and streamed requests are rows: endpoint, requested model, provider, tokens, first byte", async () => {
  for (const [name, path, body] of calls) {
    const plain = await post(`${gw.url}${path}`, body, { authorization: "Bearer sk-doors", "x-request-id": `${name}-plain` });
    expect(plain.status).toBe(200);
    const streamed = await post(`${gw.url}${path}`, { ...body, stream: true }, { authorization: "Bearer sk-doors", "x-request-id": `${name}-stream` });
    expect(streamed.status).toBe(200);
    await streamed.text();
  }
  let rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 100 && rows.length < 6; i++) {
    await Bun.sleep(20);
    rows = ((await (await fetch(`${gw.url}/v1/usage/requests`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { data: typeof rows }).data;
  }
  const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
  for (const [name, path, body] of calls) {
    for (const kind of ["plain", "stream"]) {
      const row = byId[`${name}-${kind}`];
      expect(row).toMatchObject({ endpoint: path, model: body.model, provider: "openrouter", status: 200, error: null, attempts: 1 });
      expect(row.prompt_tokens as number).toBeGreaterThan(0);
      expect(row.completion_tokens as number).toBeGreaterThan(0);
      if (kind === "stream") expect(row.first_byte_ms as number).toBeGreaterThan(0);
    }
  }
});
