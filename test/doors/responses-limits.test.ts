// max_output_tokens on /v1/responses is lowered, never refused: to MAX_TOKENS_LIMIT, and to the answering
// model's output limit where the live catalog states one (as on /v1/messages).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/openrouter.ts";
import { type Gateway, startGateway } from "../helpers.ts";

let fake: FakeOpenRouter;
let gw: Gateway;
beforeAll(async () => {
  fake = await startFakeOpenRouter();
  // gpt-4o-mini's first candidate states an output limit in OpenRouter's list, as top_provider entries do.
  Object.assign(fake.models.find((m) => m.id === "qwen/qwen3-next-80b-a3b-instruct:free")!, { top_provider: { max_completion_tokens: 1000 } });
  gw = await startGateway({ maxTokensLimit: 4096, openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl } });
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
});
const sent = () => fake.requests.filter((r) => r.path.endsWith("/chat/completions")).at(-1)!.body!;

test("lowered to the model's stated output limit, or to MAX_TOKENS_LIMIT", async () => {
  // The catalog is fetched in the background at start-up: wait for OpenRouter's list.
  for (let i = 0; i < 100; i++) {
    const health = (await (await fetch(`${gw.url}/health`)).json()) as { providers: Record<string, { catalog?: { models: number | null } }> };
    if (health.providers.openrouter?.catalog?.models) break;
    await Bun.sleep(20);
  }
  await gw.client.responses.create({ model: "gpt-4o-mini", input: "x", max_output_tokens: 3000, store: false });
  expect(sent()).toMatchObject({ model: "qwen/qwen3-next-80b-a3b-instruct:free", max_tokens: 1000 });
  await gw.client.responses.create({ model: "gpt-4o-mini", input: "x", max_output_tokens: 500, store: false });
  expect(sent().max_tokens).toBe(500);
  // A model without a stated limit keeps the door's: MAX_TOKENS_LIMIT at most.
  await gw.client.responses.create({ model: "gpt-5", input: "x", max_output_tokens: 100_000, store: false });
  expect(sent()).toMatchObject({ model: "qwen/qwen3-235b-a22b:free", max_tokens: 4096 });
});
