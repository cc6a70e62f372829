// TypeBox schema of POST /v1/responses: every field the door reads has its type checked, so a wrong type
// is a 400 naming the field before any mapping runs; which items, parts and tools exist, and what each
// needs, request.ts and tools.ts check with the same kind of error. Objects stay open: fields the door
// does not read are accepted and ignored. `input` items are checked by checkInputItems, not in the body
// schema: behind the string-or-array union, TypeBox would name only `input`, never the failing item.
import { Type as t } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { validationError } from "../../plugins/errors.ts";
import { ModelName, nullable } from "../chat/schema.ts";

const open = { additionalProperties: true } as const;
const Str = (description = "a string") => t.Optional(t.String({ description }));
const Obj = (description: string) => t.Record(t.String(), t.Unknown(), { description });

const Part = t.Object({
  type: t.String({ description: "a content part type such as input_text" }),
  text: Str(),
  image_url: Str("an image URL or data: URL"),
  file_id: Str(),
  file_data: Str("a data: URL"),
  file_url: Str("a URL"),
  filename: Str(),
  detail: Str("low, high, auto or original"),
}, { ...open, description: "a content part object with a type" });
const Content = t.Union([t.String(), t.Array(Part)], { description: "a string or an array of content parts" });

const InnerTool = t.Object({
  type: t.String({ minLength: 1, description: "a tool type such as function" }),
  name: Str(),
  description: nullable(t.String(), "a string"),
  parameters: nullable(Obj("a JSON Schema object"), "a JSON Schema object"),
  strict: nullable(t.Boolean(), "a boolean"),
  format: t.Optional(t.Object({ type: Str(), syntax: Str(), definition: Str() }, { ...open, description: "a format object" })),
}, { ...open, description: "a tool object with a type" });
const Tool = t.Object({ ...InnerTool.properties, tools: t.Optional(t.Array(InnerTool, { description: "a namespace's tools" })) }, {
  ...open, description: "a tool object with a type",
});

const Item = t.Object({
  type: Str("an item type such as message or function_call"),
  role: Str("user, assistant, system or developer"),
  content: t.Optional(Content),
  call_id: Str(),
  name: Str(),
  namespace: Str(),
  arguments: Str("a JSON string"),
  input: Str(),
  output: t.Optional(Content),
  tools: t.Optional(t.Array(Tool, { description: "an array of tool objects" })),
}, { ...open, description: "an input item object" });

export const responsesRequestSchema = t.Object({
  model: ModelName,
  input: t.Optional(t.Union([t.String(), t.Array(t.Object({}, open))], { description: "a string or an array of input item objects" })),
  instructions: nullable(t.String(), "a string"),
  tools: t.Optional(t.Array(Tool, { description: "an array of tool objects" })),
  tool_choice: t.Optional(t.Union([t.String(), t.Object({ type: t.String(), name: Str(), mode: Str() }, open)], {
    description: "'none', 'auto', 'required' or a tool choice object",
  })),
  parallel_tool_calls: nullable(t.Boolean(), "a boolean"),
  temperature: nullable(t.Number({ minimum: 0, maximum: 2 }), "a number from 0 to 2"),
  top_p: nullable(t.Number({ minimum: 0, maximum: 1 }), "a number from 0 to 1"),
  max_output_tokens: nullable(t.Integer({ minimum: 1 }), "a positive integer"),
  text: nullable(t.Object({
    format: t.Optional(t.Object({ type: t.String(), name: Str(), schema: t.Optional(Obj("a JSON Schema object")), strict: nullable(t.Boolean(), "a boolean") }, open)),
  }, open), "an object such as {\"format\": {\"type\": \"json_object\"}}"),
  reasoning: nullable(t.Object({ effort: nullable(t.String(), "a string such as low"), summary: nullable(t.String(), "a string such as auto") }, open),
    "an object such as {\"effort\": \"low\"}"),
  store: nullable(t.Boolean(), "a boolean"),
  stream: nullable(t.Boolean(), "a boolean"),
  previous_response_id: nullable(t.String({ minLength: 1 }), "a response id (resp_...)"),
  metadata: nullable(t.Record(t.String(), t.String(), { description: "an object of strings" }), "an object of strings"),
  user: Str(),
  background: nullable(t.Literal(false), "false (background responses are not supported)"),
  conversation: t.Optional(t.Null({ description: "absent (conversations are not supported; use previous_response_id)" })),
}, { ...open, description: "a response request object" });

const InputItems = TypeCompiler.Compile(t.Object({ input: t.Array(Item) }));

/** A 400 naming the first wrong field of `input` items (input[2].content[0].text). */
export function checkInputItems(input: unknown[]): void {
  if (!InputItems.Check({ input })) throw validationError(InputItems.Errors({ input }));
}
