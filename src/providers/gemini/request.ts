// OpenAI ChatRequest -> Gemini generateContent body. The body is built from an allowlist: Gemini
// rejects unknown fields with 400, so OpenAI-only keys (user, stream_options, parallel_tool_calls,
// logit_bias, store, metadata ...) are dropped simply by never being copied.

import { badRequest, decodePercent } from "../../errors.ts";
import type { ChatMessage, ChatRequest, ContentPart, ToolChoice } from "../types.ts";
import { geminiGeneration, requiresThoughtSignatures } from "./models.ts";
import { isEmptyObjectSchema, isObject, toGeminiSchema } from "./schema.ts";
import { SKIP_SIGNATURE_VALIDATOR, signatureOf } from "./signatures.ts";
import type { GeminiContent, GeminiFunctionDeclaration, GeminiGenerationConfig, GeminiPart, GeminiRequest } from "./wire.ts";

const MAX_STOP_SEQUENCES = 5;

export function toGeminiRequest(req: ChatRequest, model: string): GeminiRequest {
  const body: GeminiRequest = { ...toContents(req.messages, model), ...toTools(req) };
  const generationConfig = toGenerationConfig(req, model);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

function toContents(messages: ChatMessage[], model: string): Pick<GeminiRequest, "contents" | "systemInstruction"> {
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  // Gemini wants alternating user/model turns: consecutive same-role messages (several tool
  // results, a tool result followed by a user note ...) share one turn.
  const append = (role: "user" | "model", parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((m, i) => {
    const param = `messages.${i}`;
    switch (m.role) {
      case "system":
      case "developer": {
        const text = plainText(m.content, param);
        if (text) system.push({ text });
        break;
      }
      case "user":
        append("user", userParts(m.content, param));
        break;
      case "assistant": {
        const text = plainText(m.content, param);
        const parts: GeminiPart[] = text ? [{ text }] : [];
        // Tool-call ids are not sent back as functionCall.id: Gemini pairs results with calls by
        // order and name, and ids minted here or by other providers mean nothing to it.
        m.tool_calls?.forEach((call, j) => {
          toolNames.set(call.id, call.function.name);
          const part: GeminiPart = { functionCall: { name: call.function.name, args: parseArguments(call.function.arguments, `${param}.tool_calls.${j}.function.arguments`) } };
          const signature = signatureOf(call);
          if (signature) part.thoughtSignature = signature;
          parts.push(part);
        });
        append("model", parts);
        break;
      }
      case "tool":
      case "function": {
        // OpenAI tool messages carry no name; Gemini needs it, so it comes from the assistant call.
        const name = (m.tool_call_id !== undefined ? toolNames.get(m.tool_call_id) : undefined) ?? m.name;
        if (!name) throw badRequest(`No earlier assistant tool call has id ${JSON.stringify(m.tool_call_id)}`, `${param}.tool_call_id`);
        append("user", [{ functionResponse: { name, response: toolResponse(plainText(m.content, param)) } }]);
        break;
      }
      default:
        throw badRequest(`Unsupported message role ${JSON.stringify(m.role)}`, `${param}.role`);
    }
  });

  if (requiresThoughtSignatures(model)) {
    // Gemini validates the first functionCall of each model turn; history it did not sign (another
    // model, a client that dropped the id) gets the documented skip value.
    for (const turn of contents) {
      const first = turn.role === "model" ? turn.parts.find((p) => p.functionCall) : undefined;
      if (first && !first.thoughtSignature) first.thoughtSignature = SKIP_SIGNATURE_VALIDATOR;
    }
  }

  const systemInstruction = system.length > 0 ? { parts: system } : undefined;
  // A request with only system messages is valid in OpenAI; Gemini requires contents.
  if (contents.length === 0 && systemInstruction) return { contents: [{ role: "user", parts: system }] };
  return systemInstruction ? { systemInstruction, contents } : { contents };
}

/** Text of string or text-part content (system, assistant, tool messages). */
function plainText(content: ChatMessage["content"], param: string): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  return content.map((p, j) => {
    const part = p as { type: string; text?: unknown; refusal?: unknown };
    if (part.type === "text" || part.type === "refusal") return stringField(part.text ?? part.refusal, `${param}.content.${j}.${part.type}`);
    throw badRequest(`Content part type ${JSON.stringify(p.type)} is only supported in user messages`, `${param}.content.${j}`);
  }).join("");
}

function userParts(content: ChatMessage["content"], param: string): GeminiPart[] {
  if (content == null || content === "") return [];
  if (typeof content === "string") return [{ text: content }];
  return content.flatMap((p, j) => {
    const part = userPart(p, `${param}.content.${j}`);
    return part ? [part] : [];
  });
}

function userPart(p: ContentPart, param: string): GeminiPart | null {
  switch (p.type) {
    case "text": {
      const text = stringField(p.text, `${param}.text`);
      return text ? { text } : null;
    }
    case "image_url": {
      const url = stringField((p.image_url as { url?: unknown } | undefined)?.url, `${param}.image_url.url`);
      if (url.startsWith("data:")) return { inlineData: parseDataUrl(url, param) };
      if (/^https?:\/\//i.test(url)) {
        // Passed to Gemini by reference, never fetched here: fetching client-supplied URLs from the
        // gateway would let any caller make it request internal addresses (SSRF). Gemini fetches
        // what it supports itself and rejects the rest with a 400 the client can read.
        const mimeType = imageMimeFromPath(new URL(url).pathname);
        return { fileData: mimeType ? { mimeType, fileUri: url } : { fileUri: url } };
      }
      throw badRequest("image_url.url must be a data: URL or an http(s) URL", `${param}.image_url.url`);
    }
    case "input_audio": {
      const audio = p.input_audio as { data?: unknown; format?: unknown } | undefined;
      if (typeof audio?.data !== "string" || typeof audio.format !== "string") throw badRequest("input_audio needs data and format", param);
      return { inlineData: { mimeType: `audio/${audio.format}`, data: audio.data } };
    }
    case "file": {
      const data = (p.file as { file_data?: unknown } | undefined)?.file_data;
      if (typeof data === "string" && data.startsWith("data:")) return { inlineData: parseDataUrl(data, param) };
      throw badRequest("Gemini accepts files only inline, as file.file_data data: URLs", param);
    }
    default:
      throw badRequest(`Unsupported content part type ${JSON.stringify(p.type)}`, `${param}.type`);
  }
}

/** A part's text field: a string or absent. String() would call a client object's own toString (a TypeError for {"toString": 1}). */
function stringField(value: unknown, param: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw badRequest(`Invalid value for '${param}': expected a string.`, param, "invalid_value");
  return value;
}

function parseDataUrl(url: string, param: string): { mimeType: string; data: string } {
  const match = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match) throw badRequest("Malformed data: URL", param);
  const [, mimeType, params, payload] = match;
  const data = params.split(";").includes("base64") ? payload : Buffer.from(decodePercent(payload, param, "The data: URL")).toString("base64");
  return { mimeType, data };
}

// A Map: the extension comes from a client's URL ("a.constructor" must not find Object's constructor).
const IMAGE_EXTENSIONS: ReadonlyMap<string, string> = new Map(Object.entries({
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", gif: "image/gif", heic: "image/heic", heif: "image/heif",
}));

function imageMimeFromPath(path: string): string | undefined {
  return IMAGE_EXTENSIONS.get(/\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? "");
}

function parseArguments(args: string, param: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw badRequest("Tool call arguments are not valid JSON", param);
  }
  if (!isObject(parsed)) throw badRequest("Tool call arguments must be a JSON object", param);
  return parsed;
}

/** A JSON-object tool result is passed as is; anything else is wrapped, since `response` is a Struct. */
function toolResponse(output: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(output);
    if (isObject(parsed)) return parsed;
  } catch {
    // not JSON: plain text output
  }
  return { content: output };
}

function toTools(req: ChatRequest): Pick<GeminiRequest, "tools" | "toolConfig"> {
  if (!req.tools?.length) return {};
  let declarations: GeminiFunctionDeclaration[] = req.tools.map((tool, i) => {
    if (tool.type !== "function" || !tool.function) throw badRequest(`Gemini supports only function tools, got ${JSON.stringify(tool.type)}`, `tools.${i}.type`);
    const { name, description, parameters } = tool.function;
    const declaration: GeminiFunctionDeclaration = { name };
    if (description) declaration.description = description;
    const schema = parameters ? toGeminiSchema(parameters) : undefined;
    if (schema && !isEmptyObjectSchema(schema)) declaration.parameters = schema;
    return declaration;
  });

  const choice = toolConfig(req.tool_choice);
  if (choice.allowed) {
    const allowed = new Set(choice.allowed);
    declarations = declarations.filter((d) => allowed.has(d.name));
  }
  const result: Pick<GeminiRequest, "tools" | "toolConfig"> = { tools: [{ functionDeclarations: declarations }] };
  if (choice.mode) {
    result.toolConfig = { functionCallingConfig: { mode: choice.mode } };
    if (choice.mode === "ANY" && choice.allowed) result.toolConfig.functionCallingConfig.allowedFunctionNames = choice.allowed;
  }
  return result;
}

function toolConfig(choice: ToolChoice | undefined): { mode?: "AUTO" | "ANY" | "NONE"; allowed?: string[] } {
  if (choice === undefined || choice === null) return {};
  if (choice === "none") return { mode: "NONE" };
  if (choice === "auto") return { mode: "AUTO" };
  if (choice === "required") return { mode: "ANY" };
  if (typeof choice === "object") {
    const { allowed_tools: allowedTools } = choice as { allowed_tools?: { mode?: unknown; tools?: Array<{ function?: { name?: unknown } }> } };
    const named = (choice.function as { name?: unknown } | undefined)?.name;
    if (choice.type === "function" && typeof named === "string") return { mode: "ANY", allowed: [named] };
    if (choice.type === "allowed_tools" && Array.isArray(allowedTools?.tools)) {
      const allowed = allowedTools.tools.map((t) => t.function?.name).filter((n): n is string => typeof n === "string");
      return { mode: allowedTools.mode === "required" ? "ANY" : "AUTO", allowed };
    }
  }
  throw badRequest("Unsupported tool_choice", "tool_choice");
}

function toGenerationConfig(req: ChatRequest, model: string): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (req.temperature != null) config.temperature = req.temperature;
  if (req.top_p != null) config.topP = req.top_p;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (req.stop != null) {
    const stop = typeof req.stop === "string" ? [req.stop] : req.stop;
    if (stop.length > MAX_STOP_SEQUENCES) throw badRequest(`Gemini accepts at most ${MAX_STOP_SEQUENCES} stop sequences`, "stop");
    if (stop.length > 0) config.stopSequences = stop;
  }
  if (req.n != null) config.candidateCount = req.n;
  if (req.seed != null) config.seed = req.seed;
  if (req.presence_penalty != null) config.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) config.frequencyPenalty = req.frequency_penalty;
  if (req.logprobs) {
    config.responseLogprobs = true;
    if (req.top_logprobs != null) config.logprobs = req.top_logprobs;
  }
  const format = req.response_format;
  if (format?.type === "json_object" || format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    if (format.type === "json_schema" && format.json_schema?.schema) config.responseSchema = toGeminiSchema(format.json_schema.schema);
  }
  const thinking = thinkingConfig(req.reasoning_effort, model);
  if (thinking) config.thinkingConfig = thinking;
  return config;
}

const EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] as const;
type Effort = typeof EFFORTS[number];

/**
 * reasoning_effort -> thinkingConfig. Gemini 3 takes a level (only Flash models have "minimal";
 * Pro cannot turn thinking off, so its floor is "low"); 2.5 takes a token budget (Pro's minimum is
 * 128, Flash can go to 0; 1024/8192/24576 is the common low/medium/high mapping). Models without
 * thinking (2.0, gemma) get nothing rather than a field they reject.
 */
function thinkingConfig(effort: unknown, model: string): GeminiGenerationConfig["thinkingConfig"] {
  if (effort == null) return undefined;
  if (!EFFORTS.includes(effort as Effort)) throw badRequest(`reasoning_effort must be one of ${EFFORTS.join(", ")}`, "reasoning_effort");
  const level = effort as Effort;
  const includeThoughts = level !== "none";
  const flash = model.includes("flash");
  if (geminiGeneration(model) >= 3) {
    const floor = flash ? "minimal" : "low";
    const thinkingLevel = level === "none" || level === "minimal" ? floor : level === "low" || level === "medium" ? level : "high";
    return { thinkingLevel, includeThoughts };
  }
  if (model.startsWith("gemini-2.5")) {
    const budgets: Record<Effort, number> = {
      none: flash ? 0 : 128, minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: flash ? 24576 : 32768, max: flash ? 24576 : 32768,
    };
    return { thinkingBudget: budgets[level], includeThoughts };
  }
  return undefined;
}
