// POST /v1/responses, GET and DELETE /v1/responses/{id}, driven by the official OpenAI SDK against the
// gateway with fake OpenRouter, Gemini and OpenCode upstreams behind it.
import { beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { FakeOpenRouter } from "../fakes/openrouter.ts";
import { EVERY_PROVIDER, post, useGatewayOverEveryProvider } from "../helpers.ts";

const ctx = useGatewayOverEveryProvider();
let other: OpenAI;
beforeAll(() => {
  other = new OpenAI({ apiKey: "sk-someone-else", baseURL: `${ctx.gw.url}/v1`, maxRetries: 0 });
});

const weather: OpenAI.Responses.FunctionTool = {
  type: "function", name: "get_weather", strict: false,
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
/** The error a call fails with (the SDK's lazy APIPromise is not a promise `expect().rejects` can watch). */
const failure = (call: PromiseLike<unknown>) => Promise.resolve(call).then(() => undefined, (error: unknown) => error);
const chatBody = (fake: FakeOpenRouter) => fake.requests.filter((r) => r.path.endsWith("/chat/completions")).at(-1)!.body as { messages: Array<Record<string, unknown>> };

describe("POST /v1/responses", () => {
  for (const { model, provider, echo } of EVERY_PROVIDER) {
    const answer = `${echo}Hello there`;
    test(`create and stream through ${provider}`, async () => {
      const { data, response } = await ctx.gw.client.responses.create({ model, input: "Hello there", instructions: "Be terse." }).withResponse();
      expect(data.id).toStartWith("resp_");
      expect(data.object).toBe("response");
      expect(data.status).toBe("completed");
      expect(data.output_text).toBe(answer);
      expect(data.model).toBe(model);
      expect(data.usage!.total_tokens).toBe(data.usage!.input_tokens + data.usage!.output_tokens);
      expect(response.headers.get("x-gateway-provider")).toBe(provider);

      const stream = ctx.gw.client.responses.stream({ model, input: "Hello there" });
      const types: string[] = [];
      const seqs: number[] = [];
      let deltas = "";
      for await (const event of stream) {
        types.push(event.type);
        seqs.push(event.sequence_number);
        if (event.type === "response.output_text.delta") deltas += event.delta;
      }
      const final = await stream.finalResponse();
      expect(final.output_text).toBe(answer);
      expect(deltas).toBe(answer);
      expect(seqs).toEqual(seqs.map((_, i) => i));
      expect(types[0]).toBe("response.created");
      expect(types.at(-1)).toBe("response.completed");
      expect(types).toContain("response.output_item.done");
      // Stored after the stream ended, like a plain create.
      expect((await ctx.gw.client.responses.retrieve(final.id)).output_text).toBe(answer);
    });
  }

  test("function call round trip with previous_response_id (OpenRouter)", async () => {
    ctx.openrouter.script("*", { kind: "reply", toolCalls: [{ name: "get_weather", arguments: "{\"city\":\"Paris\"}" }] });
    const first = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Weather in Paris?", tools: [weather] });
    const call = first.output.find((o) => o.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ name: "get_weather", arguments: "{\"city\":\"Paris\"}", status: "completed" });
    expect(chatBody(ctx.openrouter)).toMatchObject({ tools: [{ type: "function", function: { name: "get_weather" } }] });

    const second = await ctx.gw.client.responses.create({
      model: "gpt-4o-mini",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "18C and sunny" }],
      tools: [weather],
    });
    expect(second.output_text).toBe("Echo: Weather in Paris?");
    expect(second.previous_response_id).toBe(first.id);
    expect(chatBody(ctx.openrouter).messages).toEqual([
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: null, tool_calls: [{ id: call.call_id, type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } }] },
      { role: "tool", tool_call_id: call.call_id, content: "18C and sunny" },
    ]);
    // A third turn replays both earlier turns.
    await ctx.gw.client.responses.create({ model: "gpt-4o-mini", previous_response_id: second.id, input: "Thanks!" });
    expect(chatBody(ctx.openrouter).messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant", "user"]);
  });

  test("streamed function call round trip through Gemini (its thought signature survives the replay)", async () => {
    ctx.gemini.script({ calls: [{ name: "get_weather", args: { city: "Paris" } }] });
    const stream = ctx.gw.client.responses.stream({ model: "gemini-3-flash", input: "Weather in Paris?", tools: [weather] });
    const done: OpenAI.Responses.ResponseOutputItem[] = [];
    for await (const event of stream) if (event.type === "response.output_item.done") done.push(event.item);
    const first = await stream.finalResponse();
    const call = first.output.find((o) => o.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;
    expect(first.output).toMatchObject(done);
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });

    ctx.gemini.script({ text: ["It is 18C and sunny."] });
    const second = await ctx.gw.client.responses.create({
      model: "gemini-3-flash", previous_response_id: first.id, tools: [weather],
      input: [{ type: "function_call_output", call_id: call.call_id, output: "18C and sunny" }],
    });
    expect(second.output_text).toBe("It is 18C and sunny.");
  });

  test("retrieve and delete; deleted or unstored responses are 404", async () => {
    const created = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Keep me" });
    const got = await ctx.gw.client.responses.retrieve(created.id);
    expect(got).toEqual(created);
    const deleted = await fetch(`${ctx.gw.url}/v1/responses/${created.id}`, { method: "DELETE", headers: { authorization: "Bearer sk-test-client" } });
    expect(await deleted.json()).toEqual({ id: created.id, object: "response", deleted: true });
    expect(await failure(ctx.gw.client.responses.retrieve(created.id))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await failure(ctx.gw.client.responses.delete(created.id))).toBeInstanceOf(OpenAI.NotFoundError);

    const unstored = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Forget me", store: false });
    expect(unstored).toMatchObject({ store: false });
    expect(await failure(ctx.gw.client.responses.retrieve(unstored.id))).toBeInstanceOf(OpenAI.NotFoundError);
  });

  test("a response belongs to the key that created it: any other key gets 404, and cannot continue it", async () => {
    const mine = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Private" });
    expect(await failure(other.responses.retrieve(mine.id))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await failure(other.responses.delete(mine.id))).toBeInstanceOf(OpenAI.NotFoundError);
    const continued = other.responses.create({ model: "gpt-4o-mini", previous_response_id: mine.id, input: "More" });
    expect(await failure(continued)).toBeInstanceOf(OpenAI.BadRequestError);
    // Still there for its owner.
    expect((await ctx.gw.client.responses.retrieve(mine.id)).id).toBe(mine.id);
  });

  test("an unknown previous_response_id is a 400 naming it", async () => {
    const error = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", previous_response_id: "resp_nope", input: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.error).toEqual({
      message: "Previous response with id 'resp_nope' not found.", type: "invalid_request_error",
      param: "previous_response_id", code: "previous_response_not_found",
    });
  });

  test("built-in tools are dropped and named; forcing one is a 400", async () => {
    const { data, response } = await ctx.gw.client.responses
      .create({ model: "gpt-4o-mini", input: "Search", tools: [{ type: "web_search" }, weather] }).withResponse();
    expect(response.headers.get("x-gateway-dropped-tools")).toBe("web_search");
    expect(data.output_text).toBe("Echo: Search");
    expect(chatBody(ctx.openrouter)).toMatchObject({ tools: [{ function: { name: "get_weather" } }] });
    const forced = await failure(ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Search", tools: [{ type: "web_search_preview" }], tool_choice: { type: "web_search_preview" } }));
    expect(forced).toBeInstanceOf(OpenAI.BadRequestError);
    expect((forced as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("web_search_preview");
  });

  test("bad input gets OpenAI errors naming the field", async () => {
    const noModel = await post(`${ctx.gw.url}/v1/responses`, { input: "x" });
    expect(noModel.status).toBe(400);
    expect((await noModel.json()).error).toMatchObject({ type: "invalid_request_error", param: "model" });
    const badItem = await post(`${ctx.gw.url}/v1/responses`, { model: "gpt-4o-mini", input: [{ role: "user", content: "x" }, { type: "nonsense" }] });
    expect(badItem.status).toBe(400);
    expect((await badItem.json()).error).toMatchObject({ param: "input[1].type" });
    const noInput = await post(`${ctx.gw.url}/v1/responses`, { model: "gpt-4o-mini" });
    expect((await noInput.json()).error).toMatchObject({ param: "input", code: "missing_required_parameter" });
    // Wrong types are refused before any mapping, naming the field.
    for (const [body, param] of [
      [{ input: [{ role: "user", content: "ok" }, { role: "user", content: 5 }] }, "input[1].content"],
      [{ input: [{ type: "function_call", call_id: 5, name: "f" }] }, "input[0].call_id"],
      [{ input: [{ type: "custom_tool_call", call_id: "c", name: "f", input: 5 }] }, "input[0].input"],
      [{ input: "x", tools: [{ type: "function", name: "f", parameters: 5 }] }, "tools[0].parameters"],
      [{ input: "x", tools: [{ type: "namespace", name: "n", tools: 5 }] }, "tools[0].tools"],
      [{ input: "x", metadata: { a: 5 } }, "metadata"],
    ] as const) {
      const res = await post(`${ctx.gw.url}/v1/responses`, { model: "gpt-4o-mini", ...body });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", param });
    }
    for (const [field, value] of [["background", true], ["conversation", { id: "conv_1" }]] as const) {
      const refused = await post(`${ctx.gw.url}/v1/responses`, { model: "gpt-4o-mini", input: "x", [field]: value });
      expect(refused.status).toBe(400);
      expect((await refused.json()).error).toMatchObject({ param: field });
    }
  });

  test("upstream failures: before the first byte an OpenAI error, after it response.failed", async () => {
    ctx.openrouter.always("*", { kind: "error", status: 400, body: { error: { code: 400, message: "Bad things" } } });
    expect(await failure(ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "x" }))).toBeInstanceOf(OpenAI.BadRequestError);
    ctx.openrouter.reset();
    ctx.openrouter.always("*", { kind: "stream", chunks: 3, gapMs: 0, failWith: "error-event" });
    const stream = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "x", stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe("response.failed");
    expect(types).not.toContain("response.completed");
  });

  test("length-cut answers are incomplete with the reason", async () => {
    ctx.openrouter.script("*", { kind: "reply", content: "Cut sh", finishReason: "length" });
    const r = await ctx.gw.client.responses.create({ model: "gpt-4o-mini", input: "Long story", max_output_tokens: 2 });
    expect(r.status).toBe("incomplete");
    expect(r.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(chatBody(ctx.openrouter)).toMatchObject({ max_tokens: 2 });
  });
});
