// TypeBox schemas of POST /v1/messages and /v1/messages/count_tokens (protocols-doors.md 1.2). Objects
// allow extra properties: Claude Code sends fields no upstream understands (context_management,
// output_config, cache_control ...), which are accepted here and left out by the translation
// (request.ts), never forwarded. Plain TypeBox, as the chat door's schema explains.
import { Type as t, type Static } from "@sinclair/typebox";
import { MAX_MODEL_LENGTH } from "../chat/schema.ts";

const open = { additionalProperties: true } as const;

const Block = t.Object({ type: t.String({ minLength: 1 }) }, { ...open, description: "a content block object with a type" });
const Message = t.Object({
  role: t.Union([t.Literal("user"), t.Literal("assistant"), t.Literal("system")], { description: "'user' or 'assistant'" }),
  content: t.Union([t.String(), t.Array(Block)], { description: "a string or an array of content blocks" }),
}, open);
const SystemBlock = t.Object({ type: t.Literal("text"), text: t.String() }, open);
const Tool = t.Object({
  name: t.String({ minLength: 1, description: "a tool name" }),
  type: t.Optional(t.String()),
  description: t.Optional(t.String()),
  input_schema: t.Optional(t.Record(t.String(), t.Unknown())),
  defer_loading: t.Optional(t.Boolean()),
}, open);
const ToolChoice = t.Object({
  type: t.Union([t.Literal("auto"), t.Literal("any"), t.Literal("tool"), t.Literal("none")], { description: "'auto', 'any', 'tool' or 'none'" }),
  name: t.Optional(t.String()),
  disable_parallel_tool_use: t.Optional(t.Boolean()),
}, open);
const Thinking = t.Object({
  type: t.String({ description: "'enabled', 'adaptive' or 'disabled'" }),
  budget_tokens: t.Optional(t.Integer({ minimum: 0 })),
}, open);
const OutputConfig = t.Object({
  effort: t.Optional(t.Union([t.String(), t.Null()])),
  format: t.Optional(t.Union([t.Object({ type: t.String(), schema: t.Optional(t.Record(t.String(), t.Unknown())) }, open), t.Null()])),
}, open);

/** What both endpoints read: the conversation and the tools. */
const conversation = {
  model: t.String({ minLength: 1, maxLength: MAX_MODEL_LENGTH, description: "a model id such as claude-sonnet-4-5 (see GET /v1/models)" }),
  messages: t.Array(Message, { minItems: 1, description: "a non-empty array of messages" }),
  system: t.Optional(t.Union([t.String(), t.Array(SystemBlock)], { description: "a string or an array of text blocks" })),
  tools: t.Optional(t.Array(Tool, { description: "an array of tool definitions" })),
  tool_choice: t.Optional(ToolChoice),
  thinking: t.Optional(Thinking),
};

export const messagesRequestSchema = t.Object({
  ...conversation,
  max_tokens: t.Integer({ minimum: 1, description: "a positive integer (above MAX_TOKENS_LIMIT it is lowered to it)" }),
  stream: t.Optional(t.Boolean({ description: "a boolean" })),
  stop_sequences: t.Optional(t.Array(t.String(), { description: "an array of strings" })),
  temperature: t.Optional(t.Number({ minimum: 0, maximum: 1, description: "a number from 0 to 1" })),
  top_p: t.Optional(t.Number({ minimum: 0, maximum: 1, description: "a number from 0 to 1" })),
  top_k: t.Optional(t.Integer({ minimum: 0, description: "a non-negative integer" })),
  output_config: t.Optional(OutputConfig),
}, { ...open, description: "a Messages request object" });

export const countTokensRequestSchema = t.Object(conversation, { ...open, description: "a count_tokens request object" });

export type MessagesRequest = Static<typeof messagesRequestSchema>;
export type CountTokensRequest = Static<typeof countTokensRequestSchema>;

/** Content blocks as the translation reads them (the schema only guarantees `type`). */
export interface AnthropicBlock {
  type: string;
  text?: string;
  source?: { type: string; media_type?: string; data?: unknown; url?: string; content?: unknown };
  title?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: string | AnthropicBlock[];
  is_error?: boolean;
  [k: string]: unknown;
}
