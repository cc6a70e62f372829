// TypeBox schema of POST /v1/embeddings (protocols.md 1.5).
// Plain TypeBox, not Elysia's `t`: Elysia's Integer coerces numeric strings ("5" -> 5) through a
// transform, which OpenAI's API does not accept and which makes Elysia decode and clone every body.
import { Type as t } from "@sinclair/typebox";
import { MAX_MODEL_LENGTH } from "../doors/chat/schema.ts";

export const embeddingRequestSchema = t.Object({
  model: t.String({ minLength: 1, maxLength: MAX_MODEL_LENGTH, description: "an embedding model id such as text-embedding-3-small" }),
  input: t.Union([
    t.String({ minLength: 1 }),
    t.Array(t.String({ minLength: 1 }), { minItems: 1, maxItems: 2048 }),
    t.Array(t.Integer(), { minItems: 1 }),
    t.Array(t.Array(t.Integer(), { minItems: 1 }), { minItems: 1, maxItems: 2048 }),
  ], { description: "a non-empty string, an array of up to 2048 non-empty strings, or token arrays" }),
  encoding_format: t.Optional(t.Union([t.Literal("float"), t.Literal("base64")], { description: "'float' or 'base64'" })),
  // Embedding models have at most a few thousand dimensions; a million would only make the answer huge.
  dimensions: t.Optional(t.Integer({ minimum: 1, maximum: 16_384, description: "an integer from 1 to 16384" })),
  user: t.Optional(t.String()),
}, { additionalProperties: true, description: "an embeddings request object" });
