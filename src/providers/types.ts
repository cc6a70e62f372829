// The OpenAI wire shapes the gateway speaks downstream, and the interface every upstream adapter
// implements. Only the fields the gateway itself reads are typed; everything else rides along in
// the index signatures so that vendor and future fields are forwarded untouched.
import type { RateLimitReport } from "./rate-limit-headers.ts";

export type Role = "system" | "developer" | "user" | "assistant" | "tool" | "function";

export interface TextPart { type: "text"; text: string }
export interface ImagePart { type: "image_url"; image_url: { url: string; detail?: "auto" | "low" | "high" } }
export type ContentPart = TextPart | ImagePart | { type: string; [k: string]: unknown };

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ChatMessage {
  role: Role;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  [k: string]: unknown;
}

export interface ToolDefinition {
  type: "function" | string;
  function?: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
  [k: string]: unknown;
}

export type ToolChoice =
  | "none" | "auto" | "required"
  | { type: "function"; function: { name: string } }
  | { type: string; [k: string]: unknown };

export interface ResponseFormat {
  type: "text" | "json_object" | "json_schema";
  json_schema?: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null; [k: string]: unknown } | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  seed?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  response_format?: ResponseFormat;
  user?: string;
  [k: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [k: string]: unknown;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call" | null;

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: "assistant"; content: string | null; tool_calls?: ToolCall[]; [k: string]: unknown };
    finish_reason: FinishReason | string;
    logprobs?: unknown;
    [k: string]: unknown;
  }>;
  usage?: Usage;
  [k: string]: unknown;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: "assistant"; content?: string | null; tool_calls?: ToolCallDelta[]; [k: string]: unknown };
    finish_reason: FinishReason | string | null;
    [k: string]: unknown;
  }>;
  usage?: Usage | null;
  [k: string]: unknown;
}

export interface EmbeddingRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: "float" | "base64";
  dimensions?: number;
  user?: string;
  [k: string]: unknown;
}

export interface EmbeddingResponse {
  object: "list";
  data: Array<{ object: "embedding"; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** What a model can do, as its provider's list says; a field it does not say is absent. */
export interface ModelCapabilities {
  /** Tool (function) calls. */
  tools?: boolean;
  /** Image input. */
  vision?: boolean;
  /** JSON output (response_format). */
  json?: boolean;
  /** Most tokens one answer may have (OpenRouter's top_provider.max_completion_tokens, Gemini's outputTokenLimit). */
  maxOutputTokens?: number;
}

/** A model an upstream offers, as its own catalog lists it. */
export interface UpstreamModel {
  id: string;
  /** True when using it costs nothing (OpenRouter pricing all "0"). */
  free: boolean;
  /** USD per token, when the catalog lists a price (OpenRouter); the usage ledger's cost estimate. */
  pricing?: { prompt: number; completion: number };
  kind: "chat" | "embedding";
  created?: number;
  contextLength?: number;
  capabilities?: ModelCapabilities;
}

/** What a provider call needs besides the request: the upstream model id and the abort signal. */
export interface CallOptions {
  /** Upstream model id, already resolved from the client's alias. */
  model: string;
  /** Aborted when the client leaves or the attempt times out; must cancel the upstream request. */
  signal: AbortSignal;
  /** Told what the upstream's rate-limit headers say is left, when an answer (or an error) carries them. */
  onRateLimit?: (report: RateLimitReport) => void;
}

/**
 * One upstream. Adapters translate to and from the OpenAI shapes; they throw `UpstreamError`
 * (src/providers/errors.ts) for every failure so the router can decide on retry and failover.
 */
export interface Provider {
  readonly name: string;
  /** False when its key is missing: the router skips it and /health says so. */
  readonly configured: boolean;
  /** Env vars a user sets to configure it, named in errors and /health. */
  readonly envHint: string[];
  chat(req: ChatRequest, opts: CallOptions): Promise<ChatCompletion>;
  /**
   * Resolves once the upstream accepted the request (status 2xx); the iterator then yields
   * OpenAI chunks as they arrive. Failures before resolving are failover-safe.
   */
  chatStream(req: ChatRequest, opts: CallOptions): Promise<AsyncIterable<ChatChunk>>;
  embeddings(req: EmbeddingRequest, opts: CallOptions): Promise<EmbeddingResponse>;
  listModels(signal: AbortSignal): Promise<UpstreamModel[]>;
  /**
   * The shared quota a model draws from, when the upstream counts several models together (OpenRouter's
   * free models share one daily cap per account). A failure that names the pool cools all its models.
   */
  quotaPool?(model: string): string | undefined;
  /** The id its own model list names a model by, when the provider renames it (Gemini's friendly names). */
  listedId?(model: string): string;
}

/** A catalog's count (token limits), when it is one: a positive safe integer. */
export const positiveInteger = (n: unknown): number | undefined => (Number.isSafeInteger(n) && (n as number) > 0 ? n as number : undefined);
