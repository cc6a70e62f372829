// The Responses API shapes this door reads and writes (openai 7.59 resources/responses/responses.d.ts,
// protocols-doors.md section 2). Only what the door touches is typed; the rest rides in index signatures.

/** A content part of an input message or of an echoed assistant message. */
export interface InputPart {
  type: string;
  text?: string;
  image_url?: string;
  file_id?: string;
  file_data?: string;
  file_url?: string;
  filename?: string;
  detail?: string;
  [k: string]: unknown;
}

/** One item of `input` (messages have an optional `type`), and of a stored response's output. */
export interface Item {
  type?: string;
  id?: string;
  role?: string;
  content?: string | InputPart[];
  call_id?: string;
  name?: string;
  namespace?: string;
  arguments?: string;
  input?: string;
  output?: string | InputPart[];
  tools?: Tool[];
  [k: string]: unknown;
}

export interface Tool {
  type: string;
  name?: string;
  description?: string | null;
  parameters?: unknown;
  strict?: boolean | null;
  format?: { type?: string; syntax?: string; definition?: string; [k: string]: unknown };
  tools?: Tool[];
  [k: string]: unknown;
}

export type ToolChoice = string | { type: string; name?: string; mode?: string; [k: string]: unknown };

export interface ResponsesRequest {
  model: string;
  input?: string | Item[];
  instructions?: string | null;
  tools?: Tool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean | null;
  temperature?: number | null;
  top_p?: number | null;
  max_output_tokens?: number | null;
  text?: { format?: { type: string; name?: string; schema?: Record<string, unknown>; strict?: boolean | null; description?: string }; [k: string]: unknown } | null;
  reasoning?: { effort?: string | null; summary?: string | null; [k: string]: unknown } | null;
  store?: boolean | null;
  stream?: boolean | null;
  previous_response_id?: string | null;
  metadata?: Record<string, string> | null;
  user?: string;
  [k: string]: unknown;
}

/** A Response object as GET /v1/responses/{id} and `response.completed` carry it. */
export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  status: "in_progress" | "completed" | "incomplete" | "failed";
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
  model: string;
  output: Item[];
  output_text: string;
  usage: ResponseUsage | null;
  [k: string]: unknown;
}

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** What an upstream function name answers as: a function or custom tool call, by its own name and namespace. */
export interface ToolTarget {
  kind: "function" | "custom";
  name: string;
  namespace?: string;
}

/** Upstream function name -> the Responses tool behind it. */
export type ToolTargets = Map<string, ToolTarget>;

/** Random ids in OpenAI's style: `resp_`, `msg_`, `fc_`, `ctc_`, `rs_` + 32 hex digits. */
export const newId = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "")}`;
