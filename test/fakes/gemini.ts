// A fake Gemini API (v1beta) on 127.0.0.1 that follows shared/protocols.md section 3 strictly: it
// authenticates, rejects unknown fields and unsupported schema keys the way Google does, enforces
// turn alternation, function-response counts and Gemini 3 thought signatures, and answers in
// Google's shapes (SSE with CRLF framing and no [DONE]). Tests queue replies with `script()`.

export interface FakeModel {
  name: string; // "models/<id>"
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods: string[];
}

export interface RecordedRequest {
  method: string;
  /** Pathname, e.g. /v1beta/models/gemini-2.5-flash:generateContent */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON body (or the raw text when it is not JSON; undefined for GET). */
  body: unknown;
  /** The body exactly as it arrived ("" for GET). */
  raw: string;
  /** Set when the client went away before the response (stream) was complete. */
  aborted: boolean;
}

export interface FakeCall { name: string; args?: Record<string, unknown>; id?: string }

/** One scripted answer to a generateContent / streamGenerateContent call. */
export interface FakeReply {
  /** Answer text, one SSE event per element (joined for non-streaming calls). */
  text?: string[];
  /** Thought-summary parts, sent before the text. */
  thoughts?: string[];
  /** functionCall parts, sent together in one event; the first carries a thoughtSignature. */
  calls?: FakeCall[];
  /** Send each functionCall in an event of its own instead (Gemini does both). */
  splitCalls?: boolean;
  finishReason?: string;
  /** Answer with promptFeedback.blockReason and no candidates. */
  blockReason?: string;
  /** Overrides the computed usage numbers (totalTokenCount defaults to the sum). */
  usage?: { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number; cachedContentTokenCount?: number; totalTokenCount?: number };
  /** Non-2xx answer before any byte of a stream. */
  error?: FakeError;
  /** After the text events, an `{"error":{...}}` event ends the stream (HTTP 200 already sent). */
  midStreamError?: FakeError;
  /** Wait before sending response headers. */
  delayMs?: number;
  /** Wait between stream events. */
  gapMs?: number;
}

export interface FakeError { code: number; message: string; status: string; details?: unknown[] }

/** Ready-made Google error bodies for script() and setFault(). */
export const geminiErrors = {
  rateLimit: (retryDelay: string, quotaId = "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"): FakeError => ({
    code: 429,
    message: "You exceeded your current quota, please check your plan and billing details.",
    status: "RESOURCE_EXHAUSTED",
    details: [
      { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", quotaId }] },
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay },
    ],
  }),
  internal: (): FakeError => ({ code: 500, message: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", status: "INTERNAL" }),
  unavailable: (): FakeError => ({ code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" }),
};

export interface FakeGemini {
  /** e.g. http://127.0.0.1:PORT/v1beta */
  baseUrl: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Queues replies for the next chat calls, in order; unscripted calls echo the last user text. */
  script(...replies: FakeReply[]): void;
  /** A failure or delay applied to every request (any endpoint) until cleared with null. */
  setFault(fault: { error?: FakeError; delayMs?: number } | null): void;
  /** Thought signatures handed out since the last reset (the fake accepts only these, or the skip value). */
  issuedSignatures: Set<string>;
  reset(): void;
  stop(): Promise<void>;
}

const SKIP_SIGNATURE = "skip_thought_signature_validator";

export const DEFAULT_MODELS: FakeModel[] = [
  ...["gemini-2.0-flash", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.5-pro", "gemini-3-flash-preview", "gemini-3.1-pro-preview"].map((id) => ({
    name: `models/${id}`, inputTokenLimit: 1_048_576, supportedGenerationMethods: ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"],
  })),
  { name: "models/gemini-embedding-001", inputTokenLimit: 2048, supportedGenerationMethods: ["embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent"] },
  { name: "models/imagen-4.0-generate-001", inputTokenLimit: 480, supportedGenerationMethods: ["predict"] },
];

// ---- request validation -------------------------------------------------------------------

/** A 400/404 the fake answers with instead of a reply. */
class Reject extends Error {
  constructor(readonly error: FakeError) {
    super(error.message);
  }
}

const invalid = (message: string, details?: unknown[]) => new Reject({ code: 400, message, status: "INVALID_ARGUMENT", ...(details ? { details } : {}) });

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads a field by its camelCase or snake_case name (proto3 JSON accepts both). */
const field = (o: Obj, camel: string): unknown => o[camel] ?? o[snake(camel)];

/** Google's answer to a field its proto does not have. */
function checkKeys(o: Obj, allowed: readonly string[], at: string): void {
  const names = new Set(allowed.flatMap((k) => [k, snake(k)]));
  for (const key of Object.keys(o)) {
    if (!names.has(key)) throw invalid(`Invalid JSON payload received. Unknown name ${JSON.stringify(key)}${at ? ` at '${at}'` : ""}: Cannot find field.`);
  }
}

const REQUEST_KEYS = ["contents", "systemInstruction", "tools", "toolConfig", "safetySettings", "cachedContent", "generationConfig", "labels", "serviceTier"];
const GENERATION_KEYS = [
  "temperature", "topP", "topK", "candidateCount", "maxOutputTokens", "stopSequences", "presencePenalty", "frequencyPenalty", "seed",
  "responseMimeType", "responseSchema", "responseJsonSchema", "responseLogprobs", "logprobs", "responseModalities", "thinkingConfig",
  "mediaResolution", "speechConfig", "imageConfig", "enableEnhancedCivicAnswers",
];
const CONTENT_KEYS = ["role", "parts"];
const PART_DATA_KEYS = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult"];
const PART_KEYS = [...PART_DATA_KEYS, "thought", "thoughtSignature", "videoMetadata", "partMetadata"];
const SCHEMA_KEYS = [
  "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required", "minProperties",
  "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering", "default", "items", "minimum", "maximum",
];
const SCHEMA_TYPES = ["TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"];

/** Gemini's Schema message: anything else ($schema, additionalProperties, $ref ...) is an unknown field. */
function checkSchema(schema: unknown, at: string): void {
  if (!isObj(schema)) throw invalid(`Invalid value at '${at}': expected a Schema object.`);
  checkKeys(schema, SCHEMA_KEYS, at);
  const type = schema.type;
  if (type !== undefined && !(typeof type === "string" && SCHEMA_TYPES.includes(type.toUpperCase()))) {
    throw invalid(`Invalid value at '${at}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ${JSON.stringify(type)}`);
  }
  if (isObj(schema.properties)) for (const [name, sub] of Object.entries(schema.properties)) checkSchema(sub, `${at}.properties[${name}]`);
  if (schema.items !== undefined) checkSchema(schema.items, `${at}.items`);
  if (Array.isArray(schema.anyOf)) schema.anyOf.forEach((s, i) => checkSchema(s, `${at}.any_of[${i}]`));
}

function checkGenerateRequest(body: unknown, model: string, issued: Set<string>): void {
  if (!isObj(body)) throw invalid("Invalid JSON payload received. Expected an object.");
  checkKeys(body, REQUEST_KEYS, "");

  const config = field(body, "generationConfig");
  if (config !== undefined) {
    if (!isObj(config)) throw invalid("Invalid value at 'generation_config'.");
    checkKeys(config, GENERATION_KEYS, "generation_config");
    const thinking = field(config, "thinkingConfig");
    if (isObj(thinking)) checkKeys(thinking, ["thinkingBudget", "includeThoughts", "thinkingLevel"], "generation_config.thinking_config");
    const stops = field(config, "stopSequences");
    if (Array.isArray(stops) && stops.length > 5) throw invalid("* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed.");
    const schema = field(config, "responseSchema");
    if (schema !== undefined) checkSchema(schema, "generation_config.response_schema");
  }

  const tools = body.tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw invalid("Invalid value at 'tools'.");
    tools.forEach((tool, i) => {
      if (!isObj(tool)) throw invalid(`Invalid value at 'tools[${i}]'.`);
      checkKeys(tool, ["functionDeclarations", "googleSearch", "codeExecution", "urlContext", "googleSearchRetrieval"], `tools[${i}]`);
      const declarations = field(tool, "functionDeclarations");
      (Array.isArray(declarations) ? declarations : []).forEach((d, j) => {
        const at = `tools[${i}].function_declarations[${j}]`;
        if (!isObj(d)) throw invalid(`Invalid value at '${at}'.`);
        checkKeys(d, ["name", "description", "parameters", "parametersJsonSchema", "response", "behavior"], at);
        if (typeof d.name !== "string" || !/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/.test(d.name)) throw invalid(`* GenerateContentRequest.${at}.name: Invalid function name.`);
        if (d.parameters !== undefined) checkSchema(d.parameters, `${at}.parameters`);
      });
    });
  }

  const toolConfig = field(body, "toolConfig");
  if (isObj(toolConfig)) {
    checkKeys(toolConfig, ["functionCallingConfig", "retrievalConfig"], "tool_config");
    const fcc = field(toolConfig, "functionCallingConfig");
    if (isObj(fcc)) {
      checkKeys(fcc, ["mode", "allowedFunctionNames"], "tool_config.function_calling_config");
      if (!["AUTO", "ANY", "NONE", "VALIDATED", undefined].includes(fcc.mode as string)) throw invalid(`Invalid value at 'tool_config.function_calling_config.mode', ${JSON.stringify(fcc.mode)}`);
      if (field(fcc, "allowedFunctionNames") !== undefined && fcc.mode !== "ANY" && fcc.mode !== "VALIDATED") {
        throw invalid("* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: only allowed when mode is ANY.");
      }
    }
  }

  const system = field(body, "systemInstruction");
  if (system !== undefined) checkContent(system, "system_instruction");

  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) throw invalid("* GenerateContentRequest.contents: contents is not specified");
  contents.forEach((c, i) => checkContent(c, `contents[${i}]`));
  const turns = contents as Array<{ role?: string; parts: Obj[] }>;

  turns.forEach((turn, i) => {
    if (turn.role === undefined && turns.length > 1) throw invalid(`* GenerateContentRequest.contents[${i}].role: role must be set in multi-turn requests.`);
    if (turn.role !== undefined && turn.role !== "user" && turn.role !== "model") {
      throw invalid(`* GenerateContentRequest.contents[${i}].role: Please use a valid role: user, model.`);
    }
    if (i > 0 && (turn.role ?? "user") === (turns[i - 1].role ?? "user")) throw invalid("Please ensure that multiturn requests alternate between user and model.");

    const calls = turn.parts.filter((p) => field(p, "functionCall") !== undefined);
    const responses = turn.parts.filter((p) => field(p, "functionResponse") !== undefined);
    const previousCalls = i > 0 ? turns[i - 1].parts.filter((p) => field(p, "functionCall") !== undefined).length : 0;
    if ((responses.length > 0 || previousCalls > 0) && turn.role !== "model" && responses.length !== previousCalls) {
      throw invalid("Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.");
    }
    if (calls.length > 0 && model.startsWith("gemini-3")) {
      // Gemini validates the first functionCall of each model step.
      const signature = field(calls[0], "thoughtSignature");
      const name = (field(calls[0], "functionCall") as Obj).name;
      if (signature === undefined) {
        throw invalid(`Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${name}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`);
      }
      if (signature !== SKIP_SIGNATURE && !issued.has(String(signature))) throw invalid("Corrupted thought signature.");
    }
  });
}

function checkContent(content: unknown, at: string): void {
  if (!isObj(content)) throw invalid(`Invalid value at '${at}'.`);
  checkKeys(content, CONTENT_KEYS, at);
  const parts = content.parts;
  if (!Array.isArray(parts) || parts.length === 0) throw invalid(`* GenerateContentRequest.${at}.parts: contents.parts must not be empty.`);
  parts.forEach((p, j) => {
    if (!isObj(p)) throw invalid(`Invalid value at '${at}.parts[${j}]'.`);
    checkKeys(p, PART_KEYS, `${at}.parts[${j}]`);
    const data = PART_DATA_KEYS.filter((k) => field(p, k) !== undefined);
    if (data.length !== 1) throw invalid(`* GenerateContentRequest.${at}.parts[${j}].data: required oneof field 'data' must have one initialized field`);
    const inline = field(p, "inlineData");
    if (inline !== undefined && !(isObj(inline) && typeof field(inline, "mimeType") === "string" && typeof inline.data === "string")) {
      throw invalid(`* GenerateContentRequest.${at}.parts[${j}].inline_data: mime_type and data are required.`);
    }
    const file = field(p, "fileData");
    if (file !== undefined && !(isObj(file) && typeof field(file, "fileUri") === "string")) {
      throw invalid(`* GenerateContentRequest.${at}.parts[${j}].file_data.file_uri: file_uri is required.`);
    }
    const fr = field(p, "functionResponse");
    if (fr !== undefined && !(isObj(fr) && typeof fr.name === "string" && isObj(fr.response))) {
      throw invalid(`* GenerateContentRequest.${at}.parts[${j}].function_response: name and response (an object) are required.`);
    }
    const fc = field(p, "functionCall");
    if (fc !== undefined && !(isObj(fc) && typeof fc.name === "string" && (fc.args === undefined || isObj(fc.args)))) {
      throw invalid(`* GenerateContentRequest.${at}.parts[${j}].function_call: name is required and args must be an object.`);
    }
  });
}

// ---- replies --------------------------------------------------------------------------------

/** The default reply: echo the last user text, split into three stream events. */
function echoReply(body: Obj): FakeReply {
  const contents = body.contents as Array<{ role?: string; parts: Obj[] }>;
  const lastUser = [...contents].reverse().find((c) => (c.role ?? "user") === "user");
  const text = lastUser?.parts.map((p) => (typeof p.text === "string" ? p.text : "")).join("") ?? "";
  const words = `echo: ${text}`.split(/(?<= )/);
  const third = Math.ceil(words.length / 3);
  return { text: [0, 1, 2].map((k) => words.slice(k * third, (k + 1) * third).join("")).filter(Boolean) };
}

const countWords = (texts: string[] = []) => texts.join(" ").split(/\s+/).filter(Boolean).length;

interface Rendered { events: Obj[]; merged: Obj }

function render(reply: FakeReply, body: Obj, model: string, responseId: string, sign: () => string): Rendered {
  const promptTokenCount = reply.usage?.promptTokenCount ?? Math.ceil(JSON.stringify(body.contents).length / 4);
  const thoughts = reply.usage?.thoughtsTokenCount ?? countWords(reply.thoughts);
  const candidatesTokenCount = reply.usage?.candidatesTokenCount ?? countWords(reply.text) + 5 * (reply.calls?.length ?? 0);
  const usageMetadata: Obj = {
    promptTokenCount,
    candidatesTokenCount,
    totalTokenCount: reply.usage?.totalTokenCount ?? promptTokenCount + candidatesTokenCount + thoughts,
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
    ...(reply.usage?.cachedContentTokenCount ? { cachedContentTokenCount: reply.usage.cachedContentTokenCount } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: promptTokenCount }],
  };
  const partial = { promptTokenCount, totalTokenCount: promptTokenCount };
  const envelope = { modelVersion: model, responseId };

  if (reply.blockReason) {
    const blocked = { promptFeedback: { blockReason: reply.blockReason, safetyRatings: [] }, usageMetadata: partial, ...envelope };
    return { events: [blocked], merged: blocked };
  }

  const config = (field(body, "generationConfig") ?? {}) as Obj;
  const candidateCount = Number(field(config, "candidateCount") ?? 1);
  const withLogprobs = field(config, "responseLogprobs") === true;
  const steps: Obj[][] = [
    ...(reply.thoughts ?? []).map((t) => [{ text: t, thought: true }]),
    ...(reply.text ?? []).map((t) => [{ text: t }]),
  ];
  if (reply.calls?.length) {
    const signature = sign();
    const parts = reply.calls.map((c, k) => ({
      functionCall: { name: c.name, ...(c.args !== undefined ? { args: c.args } : {}), ...(c.id ? { id: c.id } : {}) },
      ...(k === 0 ? { thoughtSignature: signature } : {}),
    }));
    if (reply.splitCalls) steps.push(...parts.map((p) => [p]));
    else steps.push(parts);
  }
  const finishReason = reply.finishReason ?? "STOP";
  const candidate = (parts: Obj[], index: number, last: boolean): Obj => ({
    content: { role: "model", parts: index === 0 ? parts : parts.map((p) => (typeof p.text === "string" && !p.thought ? { text: `${p.text}#${index}` } : p)) },
    index,
    ...(withLogprobs ? { logprobsResult: logprobsFor(parts), avgLogprobs: -0.25 } : {}),
    ...(last ? { finishReason } : {}),
  });
  const event = (parts: Obj[], last: boolean): Obj => ({
    candidates: Array.from({ length: candidateCount }, (_, i) => candidate(parts, i, last)),
    usageMetadata: last ? usageMetadata : partial,
    ...envelope,
  });
  const events = steps.length > 0 ? steps.map((parts, i) => event(parts, i === steps.length - 1 && !reply.midStreamError)) : [event([], true)];
  const merged = event(mergeParts(steps.flat()), true);
  return { events, merged };
}

/** Non-streaming answers join adjacent text parts of the same kind, as Gemini does. */
function mergeParts(parts: Obj[]): Obj[] {
  const out: Obj[] = [];
  for (const p of parts) {
    const last = out.at(-1);
    if (last && typeof last.text === "string" && typeof p.text === "string" && !!last.thought === !!p.thought) last.text += p.text;
    else out.push({ ...p });
  }
  return out;
}

function logprobsFor(parts: Obj[]): Obj {
  const tokens = parts.flatMap((p) => (typeof p.text === "string" && !p.thought ? p.text.split(/(?<= )/) : []));
  return {
    chosenCandidates: tokens.map((token, i) => ({ token, logProbability: -0.25 * (i + 1) })),
    topCandidates: tokens.map((token, i) => ({ candidates: [{ token, logProbability: -0.25 * (i + 1) }, { token: "~", logProbability: -9 }] })),
  };
}

/** Deterministic vector: multiples of 1/1024 so float32 holds them exactly. */
function vectorFor(text: string, dims: number): number[] {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return Array.from({ length: dims }, (_, i) => (((h >>> (i % 24)) + i * 97) % 2048) / 1024 - 1);
}

// ---- server ---------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorResponse = (e: FakeError) => Response.json({ error: e }, { status: e.code });

export async function startFakeGemini(opts: { apiKey?: string; models?: FakeModel[] } = {}): Promise<FakeGemini> {
  const apiKey = opts.apiKey ?? "test-gemini-key";
  const models = opts.models ?? DEFAULT_MODELS;
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  const issuedSignatures = new Set<string>();
  let fault: { error?: FakeError; delayMs?: number } | null = null;
  let responses = 0;

  const findModel = (id: string) => models.find((m) => m.name === `models/${id}`);
  const notFound = (id: string, method: string) =>
    new Reject({ code: 404, message: `models/${id} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`, status: "NOT_FOUND" });
  const sign = () => {
    // Bytes chosen so the base64 holds "+", "/" and "=" padding, like real signatures can.
    const signature = Buffer.concat([Buffer.from([0xfb, 0xff, 0xbf]), Buffer.from(`fake-signature-${issuedSignatures.size + 1}`)]).toString("base64");
    issuedSignatures.add(signature);
    return signature;
  };

  async function handle(req: Request, record: RecordedRequest): Promise<Response> {
    const url = new URL(req.url);
    const key = req.headers.get("x-goog-api-key") ?? url.searchParams.get("key");
    if (key === null) {
      return errorResponse({ code: 403, message: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", status: "PERMISSION_DENIED" });
    }
    if (key !== apiKey) {
      return errorResponse({
        code: 400, message: "API key not valid. Please pass a valid API key.", status: "INVALID_ARGUMENT",
        details: [
          { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
          { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message: "API key not valid. Please pass a valid API key." },
        ],
      });
    }
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.error) return errorResponse(fault.error);

    if (req.method === "GET" && url.pathname === "/v1beta/models") {
      const pageSize = Math.min(Number(url.searchParams.get("pageSize") ?? 50) || 50, 1000);
      const token = url.searchParams.get("pageToken");
      const start = token ? Number(Buffer.from(token, "base64").toString().replace("offset:", "")) : 0;
      const page = models.slice(start, start + pageSize);
      const next = start + pageSize < models.length ? Buffer.from(`offset:${start + pageSize}`).toString("base64") : undefined;
      return Response.json({ models: page.map((m) => ({ ...m, version: "001", displayName: m.name })), ...(next ? { nextPageToken: next } : {}) });
    }
    const match = /^\/v1beta\/models\/([^/:]+)(?::(\w+))?$/.exec(url.pathname);
    if (!match) return errorResponse({ code: 404, message: `Path ${url.pathname} not found.`, status: "NOT_FOUND" });
    const [, id, method] = match;
    if (req.method === "GET" && !method) {
      const model = findModel(id);
      return model ? Response.json(model) : errorResponse(notFound(id, "get").error);
    }
    if (req.method !== "POST" || !method) return errorResponse({ code: 405, message: "Method not allowed.", status: "UNIMPLEMENTED" });
    if (typeof record.body === "string") return errorResponse(invalid(`Invalid JSON payload received. Unexpected token.`).error);
    const body = record.body as Obj;

    try {
      switch (method) {
        case "generateContent":
        case "streamGenerateContent": {
          if (!findModel(id)?.supportedGenerationMethods.includes("generateContent")) throw notFound(id, "generateContent");
          checkGenerateRequest(body, id, issuedSignatures);
          const reply = queue.shift() ?? echoReply(body);
          if (reply.delayMs) await sleep(reply.delayMs);
          if (reply.error) return errorResponse(reply.error);
          const rendered = render(reply, body, id, `fake-response-${++responses}`, sign);
          if (method === "generateContent") return Response.json(rendered.merged);
          if (url.searchParams.get("alt") !== "sse") return Response.json(rendered.events); // one JSON array, as Google does
          return sseResponse(rendered.events, reply, record);
        }
        case "embedContent": {
          if (!findModel(id)?.supportedGenerationMethods.includes("embedContent")) throw notFound(id, "embedContent");
          return Response.json({ embedding: { values: embedOne(body, id, "") } });
        }
        case "batchEmbedContents": {
          if (!findModel(id)?.supportedGenerationMethods.includes("embedContent")) throw notFound(id, "batchEmbedContents");
          checkKeys(body, ["requests"], "");
          if (!Array.isArray(body.requests) || body.requests.length === 0) throw invalid("* BatchEmbedContentsRequest.requests: requests must not be empty.");
          if (body.requests.length > 100) throw invalid("* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch.");
          const embeddings = body.requests.map((r: unknown, i: number) => {
            if (!isObj(r) || r.model !== `models/${id}`) {
              throw invalid(`* BatchEmbedContentsRequest.requests[${i}].model: model must be "models/${id}", as in the URL.`);
            }
            return { values: embedOne(r, id, `requests[${i}]`) };
          });
          return Response.json({ embeddings });
        }
        default:
          return errorResponse({ code: 404, message: `Method ${method} not found.`, status: "NOT_FOUND" });
      }
    } catch (err) {
      if (err instanceof Reject) return errorResponse(err.error);
      throw err;
    }
  }

  function embedOne(r: Obj, id: string, at: string): number[] {
    checkKeys(r, ["model", "content", "taskType", "title", "outputDimensionality"], at);
    if (r.model !== undefined && r.model !== `models/${id}`) throw invalid(`* ${at || "EmbedContentRequest"}.model: must match the model in the URL.`);
    const content = r.content;
    if (!isObj(content)) throw invalid(`* ${at || "EmbedContentRequest"}.content: content is required.`);
    checkContent(content, `${at ? `${at}.` : ""}content`);
    const text = (content.parts as Obj[]).map((p) => String(p.text ?? "")).join("");
    const dims = Number(field(r, "outputDimensionality") ?? 8);
    return vectorFor(text, dims);
  }

  function sseResponse(events: Obj[], reply: FakeReply, record: RecordedRequest): Response {
    let cancelled = false;
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (o: unknown) => controller.enqueue(encoder.encode(`data: ${JSON.stringify(o)}\r\n\r\n`));
        try {
          for (const [i, e] of events.entries()) {
            if (i > 0 && reply.gapMs) await sleep(reply.gapMs);
            if (cancelled) return;
            send(e);
          }
          if (reply.midStreamError) send({ error: reply.midStreamError });
          controller.close();
        } catch {
          // the client went away while we were writing
          record.aborted = true;
        }
      },
      cancel() {
        cancelled = true;
        record.aborted = true;
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  }

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 30,
    async fetch(req) {
      const url = new URL(req.url);
      const text = req.method === "GET" ? "" : await req.text();
      let body: unknown = undefined;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const record: RecordedRequest = {
        method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(req.headers), body, raw: text, aborted: false,
      };
      requests.push(record);
      req.signal.addEventListener("abort", () => { record.aborted = true; }, { once: true });
      return handle(req, record);
    },
  });

  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1beta`,
    apiKey,
    requests,
    issuedSignatures,
    script: (...replies) => void queue.push(...replies),
    setFault: (f) => void (fault = f),
    reset: () => {
      requests.length = 0;
      queue.length = 0;
      issuedSignatures.clear();
      fault = null;
    },
    stop: () => server.stop(true),
  };
}
