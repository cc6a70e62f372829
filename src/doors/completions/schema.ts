// TypeBox schema of POST /v1/completions; request.ts refuses what chat cannot answer, naming the field.
import { Type as t } from "@sinclair/typebox";
import { ModelName, nullable } from "../chat/schema.ts";


export function completionsRequestSchema(maxTokensLimit: number) {
  return t.Object({
    model: ModelName,
    prompt: t.Union([t.String(), t.Array(t.Unknown(), { minItems: 1 })], { description: "a string or a non-empty array of strings" }),
    max_tokens: nullable(t.Integer({ minimum: 1, maximum: maxTokensLimit }), `an integer from 1 to ${maxTokensLimit} (MAX_TOKENS_LIMIT)`),
    n: nullable(t.Integer({ minimum: 1, maximum: 128 }), "an integer from 1 to 128"),
    stop: nullable(t.Union([t.String(), t.Array(t.String(), { maxItems: 4 })]), "a string or up to 4 strings"),
    echo: nullable(t.Boolean(), "a boolean"),
    stream: nullable(t.Boolean(), "a boolean"),
    suffix: nullable(t.String(), "a string"),
    temperature: nullable(t.Number({ minimum: 0, maximum: 2 }), "a number from 0 to 2"),
    top_p: nullable(t.Number({ minimum: 0, maximum: 1 }), "a number from 0 to 1"),
  }, { additionalProperties: true, description: "a completion request object" });
}
