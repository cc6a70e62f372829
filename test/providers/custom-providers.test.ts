// Any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio) as a provider: from the
// CUSTOM_PROVIDERS setting at start-up, or through the admin API at run time.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";

const ADMIN = "admin-token-for-custom-provider-tests-0123";
let local: FakeOpenRouter;
let gw: Gateway;

beforeAll(async () => {
  // The fake speaks OpenAI's wire format; here it stands in for a local server such as Ollama.
  local = await startFakeOpenRouter("local-key");
  gw = await startGateway({
    auth: { adminToken: ADMIN },
    customProviders: [{ name: "ollama", baseUrl: local.baseUrl, apiKey: local.apiKey, models: ["llama3.2:3b", "qwen2.5-coder:7b"] }],
  });
});
afterAll(async () => {
  await gw.stop();
  await local.stop();
});

const ids = async () => {
  const list: Array<{ id: string; owned_by: string }> = [];
  for await (const m of gw.client.models.list()) list.push({ id: m.id, owned_by: m.owned_by });
  return list;
};

describe("CUSTOM_PROVIDERS", () => {
  test("is read as JSON and checked like the admin API's body", () => {
    const spec = [{ name: "ollama", baseUrl: "http://127.0.0.1:11434/v1/", models: ["llama3.2:3b"] }];
    expect(loadConfig({ CUSTOM_PROVIDERS: JSON.stringify(spec) }).customProviders).toEqual([{ ...spec[0], baseUrl: "http://127.0.0.1:11434/v1" }]);
    expect(loadConfig({}).customProviders).toEqual([]);
    const bad: Array<[string, unknown]> = [
      ["not JSON", "{oops"],
      ["a bad name", [{ ...spec[0], name: "Ollama!" }]],
      ["a built-in name", [{ ...spec[0], name: "openrouter" }]],
      ["a repeated name", [spec[0], spec[0]]],
      ["a non-http URL", [{ ...spec[0], baseUrl: "file:///etc" }]],
      ["no models", [{ ...spec[0], models: [] }]],
    ];
    for (const [why, value] of bad) {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      expect(() => loadConfig({ CUSTOM_PROVIDERS: text }), why).toThrow(ConfigError);
      expect(() => loadConfig({ CUSTOM_PROVIDERS: text }), why).toThrow("CUSTOM_PROVIDERS");
    }
  });

  test("its models are routable by id through the OpenAI SDK, plain and streamed", async () => {
    const { data, response } = await gw.client.chat.completions
      .create({ model: "llama3.2:3b", messages: [{ role: "user", content: "hi local" }] })
      .withResponse();
    expect(data.choices[0].message.content).toBe("Echo: hi local");
    expect(data.model).toBe("llama3.2:3b");
    expect(response.headers.get("x-gateway-provider")).toBe("ollama");
    expect(local.requests.at(-1)!.body!.model).toBe("llama3.2:3b");
    expect(local.requests.at(-1)!.headers.authorization).toBe("Bearer local-key");
    let text = "";
    for await (const c of await gw.client.chat.completions.create({ model: "qwen2.5-coder:7b", stream: true, messages: [{ role: "user", content: "s" }] })) {
      text += c.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("Echo: s");
  });

  test("its models are listed in /v1/models and /v1/models-by-provider", async () => {
    expect(await ids()).toContainEqual({ id: "llama3.2:3b", owned_by: "ollama" });
    const groups = (await (await fetch(`${gw.url}/v1/models-by-provider`)).json()) as { data: Array<{ provider: string; configured: boolean; models: string[] }> };
    expect(groups.data.find((g) => g.provider === "ollama")).toEqual({ provider: "ollama", configured: true, models: ["llama3.2:3b", "qwen2.5-coder:7b"] });
  });
});

describe("run-time changes show in /v1/models", () => {
  const admin = { authorization: `Bearer ${ADMIN}` };

  test("a provider added through the admin API and an admin mapping are listed at once", async () => {
    const added = await post(`${gw.url}/config/providers/custom`, { name: "vllm", baseUrl: local.baseUrl, apiKey: local.apiKey, models: ["mistral-7b-instruct"] }, admin);
    expect(added.status).toBe(201);
    expect((await post(`${gw.url}/config/models`, { alias: "my-team-model", provider: "vllm", model: "mistral-7b-instruct" }, admin)).status).toBeLessThan(300);
    const list = await ids();
    expect(list).toContainEqual({ id: "mistral-7b-instruct", owned_by: "vllm" });
    expect(list).toContainEqual({ id: "my-team-model", owned_by: "openai-gateway" });
    const res = await gw.client.chat.completions.create({ model: "my-team-model", messages: [{ role: "user", content: "mapped" }] });
    expect(res.choices[0].message.content).toBe("Echo: mapped");
    expect(local.requests.at(-1)!.body!.model).toBe("mistral-7b-instruct");
  });
});
