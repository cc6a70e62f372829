// Every route that takes input, for the fuzzer. One entry per route: its method and path (":param" and
// "*" segments are fuzzed too); the valid body and query come from the route's own schema unless the
// entry gives a better generator (one whose requests get past routing to an upstream).
import fc from "fast-check";
import type { TSchema } from "@sinclair/typebox";
import { CHAT_ALIASES, EMBEDDING_ALIASES } from "../../src/routing/aliases.ts";
import { fromSchema, PROTO_NAMES } from "./arbitraries.ts";

export interface FuzzRoute {
  method: string;
  path: string;
  /** Send the admin token (the fuzzer's odd headers may still replace it). */
  admin?: boolean;
  /** Valid bodies; by default generated from the route's body schema. */
  body?: (schema: TSchema) => fc.Arbitrary<unknown>;
  /** Share of the run count (1 = the base number of cases). */
  weight?: number;
  /** Valid requests go to an upstream: `make test` checks that a good share of the cases got that far. */
  upstream?: boolean;
}

/** Models that reach an upstream (aliases, direct ids of each provider), and ones that must not. */
const chatModel = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...CHAT_ALIASES.keys(), "vendor/fuzz:free", "gemini-2.5-flash", "gemini-3-flash", "opencode-big-pickle") },
  fc.constantFrom(...PROTO_NAMES, "", "gemini-", "opencode-", "/", "unknown-model"),
);
const embeddingModel = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...EMBEDDING_ALIASES.keys(), "gemini-embedding-001", "text-embedding-004", "embedding-001", "vendor/embed:free") },
  fc.constantFrom(...PROTO_NAMES, "gpt-4o", ""),
);

const text = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom("hi", "Hello there", "😀", "a\u0000b"));
/** Parts a provider has to translate: data: URLs (one with a malformed escape), remote images, odd extensions. */
const imagePart = fc.constantFrom(
  "data:image/png;base64,iVBORw0KGgo=", "data:text/plain,%", "data:text/plain,%41%42", "data:,", "https://img.test/a.png", "https://img.test/a.constructor",
  "https://img.test/__proto__", "ftp://img.test/a.png", "",
).map((url) => ({ type: "image_url", image_url: { url } }));
/** Tool schemas whose property names and $refs are Object.prototype's. */
const hostileTool = fc.constantFrom<Record<string, unknown>>(
  { type: "object", properties: { ["__proto__"]: { type: "string" }, constructor: { type: "number" } }, required: ["__proto__", "toString", "constructor"] },
  { type: "object", properties: { a: { $ref: "#/$defs/__proto__" }, b: { $ref: "#/$defs/constructor" } }, $defs: {} },
  { type: "object", properties: { a: { type: "string", format: "constructor" } } },
).map((parameters) => ({ type: "function", function: { name: "f", parameters } }));

const message = fc.oneof(
  fc.record({ role: fc.constant("user"), content: fc.array(imagePart, { minLength: 1, maxLength: 2 }) }),
  fc.record({ role: fc.constantFrom("system", "developer", "user"), content: text }),
  fc.record({ role: fc.constant("user"), content: fc.array(fc.record({ type: fc.constant("text"), text }), { minLength: 1, maxLength: 2 }) }),
  fc.record({ role: fc.constant("assistant"), content: text }),
  fc.record({
    role: fc.constant("assistant"), content: fc.constant(null),
    tool_calls: fc.array(fc.record({ id: fc.constant("call_1"), type: fc.constant("function"), function: fc.record({ name: fc.constant("f"), arguments: fc.constant("{}") }) }), { minLength: 1, maxLength: 1 }),
  }),
  fc.record({ role: fc.constant("tool"), tool_call_id: fc.constant("call_1"), content: text }),
);
/** Anthropic conversations: alternating user and assistant turns with text or blocks. */
const anthropicMessages = fc.array(fc.oneof(
  fc.record({ role: fc.constant("user"), content: text }),
  fc.record({ role: fc.constant("user"), content: fc.array(fc.record({ type: fc.constant("text"), text }), { minLength: 1, maxLength: 2 }) }),
  fc.record({ role: fc.constant("assistant"), content: text }),
), { minLength: 1, maxLength: 3 });

/** Chat requests whose optional fields come from the schema and whose model and messages can be answered. */
const chatBody = (schema: TSchema) =>
  fc.tuple(fromSchema(schema as never), chatModel, fc.array(message, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.option(hostileTool))
    .map(([body, model, messages, stream, tool]) => {
      const out: Record<string, unknown> = { ...(body as Record<string, unknown>), model, messages, stream, ...(tool ? { tools: [tool] } : {}) };
      if (!stream) delete out.stream_options;
      return out;
    });

export const FUZZ_ROUTES: FuzzRoute[] = [
  { method: "POST", path: "/v1/chat/completions", body: chatBody, weight: 5, upstream: true },
  {
    method: "POST", path: "/v1/embeddings", weight: 2, upstream: true,
    body: (schema) => fc.tuple(fromSchema(schema as never), embeddingModel).map(([body, model]) => ({ ...(body as object), model })),
  },
  // The Anthropic door: its errors have Anthropic's shape, and 529 stands for an upstream's failure.
  {
    method: "POST", path: "/v1/messages", weight: 3, upstream: true,
    body: (schema) => fc.tuple(fromSchema(schema as never), fc.oneof(chatModel, fc.constantFrom("claude-sonnet-4-5", "claude-3-5-haiku-latest", "claude-")), anthropicMessages, fc.boolean())
      .map(([body, model, messages, stream]) => ({ ...(body as object), model, messages, stream })),
  },
  {
    method: "POST", path: "/v1/messages/count_tokens",
    body: (schema) => fc.tuple(fromSchema(schema as never), anthropicMessages).map(([body, messages]) => ({ ...(body as object), model: "claude-sonnet-4-5", messages })),
  },
  // The other doors (each translates to the internal chat request: what reaches the upstream is checked
  // against the chat schema like everything else).
  {
    method: "POST", path: "/v1/completions", weight: 2, upstream: true,
    body: (schema) => fc.tuple(fromSchema(schema as never), chatModel, text, fc.boolean())
      .map(([body, model, prompt, stream]) => ({ ...(body as object), model, prompt, stream })),
  },
  {
    method: "POST", path: "/v1/responses", weight: 2, upstream: true,
    body: (schema) => fc.tuple(fromSchema(schema as never), chatModel, text, fc.boolean())
      .map(([body, model, input, stream]) => {
        const out: Record<string, unknown> = { ...(body as object), model, input, stream };
        // A previous_response_id the store does not hold is a plain 404; most cases should get further.
        delete out.previous_response_id;
        return out;
      }),
  },
  { method: "GET", path: "/v1/responses/:id" },
  { method: "GET", path: "/v1/responses/:id/input_items" },
  { method: "DELETE", path: "/v1/responses/:id" },
  // The usage API.
  { method: "GET", path: "/v1/usage" },
  { method: "GET", path: "/v1/usage/requests" },
  { method: "GET", path: "/v1/usage", admin: true },
  { method: "GET", path: "/v1/usage/requests", admin: true },
  // Admin API (with the admin token, so requests get past the guard to validation and the handlers).
  { method: "GET", path: "/config", admin: true },
  {
    method: "POST", path: "/config/models", admin: true,
    body: (schema) => fc.tuple(fromSchema(schema as never), fc.constantFrom("openrouter", "gemini", "opencode", "nope")).map(([b, provider]) => ({ ...(b as object), provider })),
  },
  { method: "DELETE", path: "/config/models/*", admin: true },
  { method: "POST", path: "/config/clear-cache", admin: true },
  { method: "POST", path: "/config/routing", admin: true },
  { method: "DELETE", path: "/config/routing/*", admin: true },
  { method: "POST", path: "/config/providers/:name/test", admin: true },
  { method: "PATCH", path: "/config/keys/:id", admin: true },
  { method: "GET", path: "/config/sessions", admin: true },
  { method: "GET", path: "/config/providers", admin: true },
  {
    method: "POST", path: "/config/providers/custom", admin: true,
    // Loopback only: a provider the fuzzer adds must never make the gateway call out.
    body: (schema) => fromSchema(schema as never).map((b) => ({ ...(b as object), baseUrl: "http://127.0.0.1:9/v1" })),
  },
  { method: "DELETE", path: "/config/providers/custom/:name", admin: true },
  { method: "GET", path: "/config/keys", admin: true },
  { method: "POST", path: "/config/keys", admin: true },
  { method: "DELETE", path: "/config/keys/:id", admin: true },
  { method: "POST", path: "/v1/emulate", admin: true },
  { method: "GET", path: "/v1/emulate" },
  // Auth routes (GitHub is a fake).
  { method: "GET", path: "/auth/github" },
  { method: "GET", path: "/auth/github/callback" },
  { method: "POST", path: "/auth/device/request" },
  { method: "POST", path: "/auth/device/poll" },
  { method: "GET", path: "/auth/me" },
  { method: "POST", path: "/auth/logout" },
  // Sessions.
  { method: "GET", path: "/session/status" },
  { method: "GET", path: "/session/:id" },
  { method: "DELETE", path: "/session/:id", admin: true },
  // Models.
  { method: "GET", path: "/v1/models/*" },
];
