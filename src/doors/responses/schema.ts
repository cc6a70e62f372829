// TypeBox schema of POST /v1/responses: the fields the door relies on, checked before mapping; items
// and tools are checked field by field in request.ts, where errors can name the item.
import { Type as t } from "@sinclair/typebox";
import { ModelName, nullable } from "../chat/schema.ts";

const open = { additionalProperties: true } as const;
const Obj = (description: string) => t.Object({}, { ...open, description });

export const responsesRequestSchema = t.Object({
  model: ModelName,
  input: t.Optional(t.Union([t.String(), t.Array(Obj("an input item object"))], { description: "a string or an array of input items" })),
  instructions: nullable(t.String(), "a string"),
  tools: t.Optional(t.Array(t.Object({ type: t.String({ minLength: 1 }) }, open), { description: "an array of tool objects with a type" })),
  tool_choice: t.Optional(t.Union([t.String(), t.Object({ type: t.String() }, open)], { description: "'none', 'auto', 'required' or a tool choice object" })),
  parallel_tool_calls: nullable(t.Boolean(), "a boolean"),
  temperature: nullable(t.Number({ minimum: 0, maximum: 2 }), "a number from 0 to 2"),
  top_p: nullable(t.Number({ minimum: 0, maximum: 1 }), "a number from 0 to 1"),
  max_output_tokens: nullable(t.Integer({ minimum: 1 }), "a positive integer"),
  text: nullable(t.Object({ format: t.Optional(t.Object({ type: t.String() }, open)) }, open), "an object such as {\"format\": {\"type\": \"json_object\"}}"),
  reasoning: nullable(Obj("an object such as {\"effort\": \"low\"}"), "an object such as {\"effort\": \"low\"}"),
  store: nullable(t.Boolean(), "a boolean"),
  stream: nullable(t.Boolean(), "a boolean"),
  previous_response_id: nullable(t.String({ minLength: 1 }), "a response id (resp_...)"),
  metadata: nullable(Obj("an object of strings"), "an object of strings"),
  background: nullable(t.Literal(false), "false (background responses are not supported)"),
  conversation: t.Optional(t.Null({ description: "absent (conversations are not supported; use previous_response_id)" })),
}, { ...open, description: "a response request object" });
