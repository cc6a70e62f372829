import { describe, expect, test } from "bun:test";
import { vectorFor } from "../fakes/openrouter.ts";
import { errorBody, post, startGateway, useGatewayOverOpenRouter } from "../helpers.ts";


const ctx = useGatewayOverOpenRouter();

describe("embeddings", () => {
  test("the SDK's default (base64) decodes to the upstream's vectors, in input order", async () => {
    const inputs = ["alpha", "beta", "gamma"];
    const res = await ctx.gw.client.embeddings.create({ model: "text-embedding-3-small", input: inputs });
    expect(res.model).toBe("text-embedding-3-small");
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    res.data.forEach((d, i) => expect(d.embedding).toEqual(vectorFor(inputs[i])));
    // The upstream is always asked for floats; base64 is the gateway's job.
    expect(ctx.fake.requests.at(-1)!.body!.encoding_format).toBe("float");
    expect(ctx.fake.requests.at(-1)!.body!.model).toBe("nvidia/llama-nemotron-embed-vl-1b-v2:free");
  });

  test("encoding_format float and a single string input", async () => {
    const res = await post(`${ctx.gw.url}/v1/embeddings`, { model: "text-embedding-3-small", input: "one", encoding_format: "float" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<{ embedding: number[] }> };
    expect(body.data).toHaveLength(1);
    expect(body.data[0].embedding).toEqual(vectorFor("one"));
  });

  test("raw base64 is little-endian float32", async () => {
    const res = await post(`${ctx.gw.url}/v1/embeddings`, { model: "text-embedding-3-small", input: "raw", encoding_format: "base64" });
    const body = (await res.json()) as { data: Array<{ embedding: string }> };
    const bytes = Buffer.from(body.data[0].embedding, "base64");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(Array.from({ length: 8 }, (_, i) => view.getFloat32(i * 4, true))).toEqual(vectorFor("raw"));
  });

  test("an empty input or a bad encoding_format -> 400 naming the field", async () => {
    let res = await post(`${ctx.gw.url}/v1/embeddings`, { model: "text-embedding-3-small", input: "" });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).param).toBe("input");
    res = await post(`${ctx.gw.url}/v1/embeddings`, { model: "text-embedding-3-small", input: "x", encoding_format: "hex" });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).param).toBe("encoding_format");
    expect(ctx.fake.requests).toHaveLength(0);
  });
});

describe("models", () => {
  test("the SDK lists every alias and routable upstream model", async () => {
    const ids: string[] = [];
    for await (const model of ctx.gw.client.models.list()) ids.push(model.id);
    for (const alias of ["gpt-4", "gpt-4o", "gpt-4o-mini", "gpt-5", "gpt-5-turbo", "gpt-3.5-turbo", "gpt-4-vision", "gpt-4-code", "qwen3-coder", "text-embedding-3-small"]) {
      expect(ids).toContain(alias);
    }
    expect(ids).toContain("deepseek/deepseek-r1-0528:free");
    expect(ids).toContain("opencode-big-pickle");
  });

  test("retrieve by id, also ids with slashes, and 404 for unknown ones", async () => {
    const model = await ctx.gw.client.models.retrieve("gpt-4o");
    expect(model).toMatchObject({ id: "gpt-4o", object: "model", owned_by: "openai-gateway" });
    expect(typeof model.created).toBe("number");
    const upstream = await ctx.gw.client.models.retrieve("qwen/qwen3-coder:free");
    expect(upstream.owned_by).toBe("openrouter");
    const res = await fetch(`${ctx.gw.url}/v1/models/gpt-9`);
    expect(res.status).toBe(404);
    expect((await errorBody(res)).code).toBe("model_not_found");
  });

  test("models-by-provider groups them and says which providers are configured", async () => {
    const body = (await (await fetch(`${ctx.gw.url}/v1/models-by-provider`)).json()) as {
      data: Array<{ provider: string; configured: boolean; models: string[] }>;
    };
    const openrouter = body.data.find((p) => p.provider === "openrouter")!;
    expect(openrouter.configured).toBe(true);
    expect(openrouter.models).toContain("qwen/qwen3-235b-a22b:free");
    expect(body.data.find((p) => p.provider === "opencode")).toMatchObject({ configured: false, models: ["opencode-big-pickle"] });
  });
});

describe("root and health", () => {
  test("GET / names the gateway and links the docs", async () => {
    const body = (await (await fetch(`${ctx.gw.url}/`)).json()) as { name: string; version: string; links: Record<string, string> };
    expect(body.name).toBe("openai-gateway");
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.links.docs).toBe("/swagger");
    expect(body.links.admin).toBe("/admin");
    const html = await fetch(`${ctx.gw.url}/`, { headers: { accept: "text/html" } });
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(await html.text()).toContain("/swagger");
  });

  test("/health reports provider state after traffic", async () => {
    await ctx.gw.client.chat.completions.create({ model: "gpt-4", messages: [{ role: "user", content: "x" }] });
    const body = (await (await fetch(`${ctx.gw.url}/health`)).json()) as { status: string; uptime_seconds: number; timestamp: string; providers: Record<string, { configured: boolean; state: string }> };
    expect(body.status).toBe("ok");
    expect(body.providers.openrouter).toMatchObject({ configured: true, state: "ok" });
    expect(body.providers.opencode).toMatchObject({ configured: false, state: "unconfigured" });
    expect(Date.parse(body.timestamp)).toBeGreaterThan(0);
  });
});

describe("without any provider key", () => {
  test("the gateway starts, /health says what is unconfigured, chat gets a 503 naming the env vars", async () => {
    const bare = await startGateway();
    try {
      const health = (await (await fetch(`${bare.url}/health`)).json()) as { status: string; providers: Record<string, { state: string; set: string[] }> };
      expect(health.status).toBe("unconfigured");
      expect(health.providers.openrouter).toMatchObject({ state: "unconfigured", set: ["OPENROUTER_API_KEY"] });
      const res = await post(`${bare.url}/v1/chat/completions`, { model: "gpt-4", messages: [{ role: "user", content: "hi" }] });
      expect(res.status).toBe(503);
      const error = await errorBody(res);
      expect(error.code).toBe("provider_not_configured");
      expect(error.message).toContain("OPENROUTER_API_KEY");
    } finally {
      await bare.stop();
    }
  });
});

describe("OpenAPI docs", () => {
  test("/swagger serves a UI whose assets are local, /swagger/json documents the routes", async () => {
    const page = await (await fetch(`${ctx.gw.url}/swagger`)).text();
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset.startsWith("/")).toBe(true);
      const res = await fetch(`${ctx.gw.url}${asset}`);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    const spec = (await (await fetch(`${ctx.gw.url}/swagger/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of ["/v1/chat/completions", "/v1/embeddings", "/v1/models", "/v1/responses/{id}/input_items", "/v1/usage", "/v1/usage/requests", "/health"]) expect(spec.paths[path]).toBeDefined();
  });
});
