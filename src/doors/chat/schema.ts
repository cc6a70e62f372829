// TypeBox schema of POST /v1/chat/completions (OpenAI's request, protocols.md 1.1). Objects allow extra
// properties: everything a client sends is forwarded upstream, including fields added after this was
// written. Only what the gateway must guarantee is constrained.
// Plain TypeBox, not Elysia's `t`: Elysia's Integer coerces numeric strings ("5" -> 5) through a
// transform, which OpenAI's API does not accept and which makes Elysia decode and clone every body.
import { Type as t } from "@sinclair/typebox";

const open = { additionalProperties: true } as const;
/** Model ids are short; a longer `model` is refused before it is echoed in errors and logs. */
export const MAX_MODEL_LENGTH = 300;
/** `model` of every OpenAI door's body. */
export const ModelName = t.String({ minLength: 1, maxLength: MAX_MODEL_LENGTH, description: "a model id such as gpt-4o-mini (see GET /v1/models)" });
/** An optional field that may also be null, described for validation errors (shared by the OpenAI doors' schemas). */
export const nullable = <T extends Parameters<typeof t.Union>[0][number]>(schema: T, description: string) =>
  t.Optional(t.Union([schema, t.Null()], { description }));

const ContentPart = t.Object({ type: t.String({ minLength: 1 }) }, { ...open, description: "a content part object with a type" });
const Content = t.Union([t.String(), t.Array(ContentPart)], { description: "a string or an array of content parts" });

const ToolCall = t.Object({
  id: t.String(),
  type: t.String(),
  function: t.Object({ name: t.String(), arguments: t.String() }, open),
}, open);

const Message = t.Object({
  role: t.Union(
    [t.Literal("system"), t.Literal("developer"), t.Literal("user"), t.Literal("assistant"), t.Literal("tool"), t.Literal("function")],
    { description: "one of 'system', 'developer', 'user', 'assistant', 'tool'" },
  ),
  content: t.Optional(t.Union([Content, t.Null()], { description: "a string, an array of content parts, or null" })),
  name: t.Optional(t.String()),
  tool_calls: t.Optional(t.Array(ToolCall)),
  tool_call_id: t.Optional(t.String()),
}, open);

const Tool = t.Object({
  type: t.String(),
  function: t.Optional(t.Object({ name: t.String({ minLength: 1 }), parameters: t.Optional(t.Record(t.String(), t.Unknown())) }, open)),
}, open);

export function chatRequestSchema(maxTokensLimit: number) {
  const tokens = t.Integer({ minimum: 1, maximum: maxTokensLimit });
  const tokensDescription = `an integer from 1 to ${maxTokensLimit} (MAX_TOKENS_LIMIT)`;
  return t.Object({
    model: ModelName,
    messages: t.Array(Message, { minItems: 1, description: "a non-empty array of messages" }),
    temperature: nullable(t.Number({ minimum: 0, maximum: 2 }), "a number from 0 to 2"),
    top_p: nullable(t.Number({ minimum: 0, maximum: 1 }), "a number from 0 to 1"),
    n: nullable(t.Integer({ minimum: 1, maximum: 128 }), "an integer from 1 to 128"),
    max_tokens: nullable(tokens, tokensDescription),
    max_completion_tokens: nullable(tokens, tokensDescription),
    presence_penalty: nullable(t.Number({ minimum: -2, maximum: 2 }), "a number from -2 to 2"),
    frequency_penalty: nullable(t.Number({ minimum: -2, maximum: 2 }), "a number from -2 to 2"),
    stop: nullable(t.Union([t.String(), t.Array(t.String(), { maxItems: 4 })]), "a string or up to 4 strings"),
    seed: nullable(t.Integer(), "an integer"),
    logprobs: nullable(t.Boolean(), "a boolean"),
    top_logprobs: nullable(t.Integer({ minimum: 0, maximum: 20 }), "an integer from 0 to 20"),
    stream: nullable(t.Boolean(), "a boolean"),
    stream_options: nullable(t.Object({ include_usage: t.Optional(t.Boolean()) }, open), "an object such as {\"include_usage\": true}"),
    tools: t.Optional(t.Array(Tool, { description: "an array of tool definitions" })),
    tool_choice: t.Optional(t.Union([t.String(), t.Object({ type: t.String() }, open)], { description: "'none', 'auto', 'required' or a tool object" })),
    response_format: t.Optional(t.Object({
      type: t.Union([t.Literal("text"), t.Literal("json_object"), t.Literal("json_schema")], { description: "'text', 'json_object' or 'json_schema'" }),
    }, open)),
    user: t.Optional(t.String()),
  }, { ...open, description: "a chat completion request object" });
}

