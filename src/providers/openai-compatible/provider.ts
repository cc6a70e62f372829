// One adapter for every upstream that already speaks OpenAI's wire format: OpenRouter, OpenCode Zen
// and user-added servers (Ollama, vLLM, llama.cpp, LM Studio). Instances differ only in settings.
import { UpstreamError } from "../../errors.ts";
import { BodyTooLarge, MAX_UPSTREAM_BODY, readCapped } from "../body.ts";
import { SseEvents } from "../sse.ts";
import {
  positiveInteger,
  type CallOptions, type ModelCapabilities, type ChatChunk, type ChatCompletion, type ChatRequest, type EmbeddingRequest, type EmbeddingResponse,
  type Provider, type UpstreamModel,
} from "../types.ts";
import { readRateLimitHeaders } from "../rate-limit-headers.ts";
import { errorFromResponse, errorFromStatus, FREE_POOL } from "./errors.ts";

export interface OpenAICompatibleSettings {
  /** Registry name, e.g. "openrouter"; also the metrics label. */
  name: string;
  /** Human name used in error messages, e.g. "OpenRouter". */
  label: string;
  baseUrl: string;
  apiKey?: string;
  /** Local servers (Ollama ...) need no key; hosted ones are unconfigured without it. */
  requiresKey: boolean;
  envHint: string[];
  /** Extra request headers (OpenRouter attribution). */
  headers?: Record<string, string>;
  /** Models to list when the upstream has no usable /models endpoint. */
  staticModels?: string[];
  /** OpenRouter: its `:free` models (and the openrouter/free router) share one account-wide daily cap. */
  freeModelPool?: boolean;
}

interface ModelsListBody {
  data?: Array<{
    id: string; created?: number; context_length?: number; pricing?: Record<string, string>;
    /** OpenRouter: the request parameters a model accepts, and what it takes as input. */
    supported_parameters?: string[];
    architecture?: { input_modalities?: string[] };
    top_provider?: { max_completion_tokens?: number | null };
  }>;
}

export class OpenAICompatibleProvider implements Provider {
  readonly name: string;
  readonly configured: boolean;
  readonly envHint: string[];
  private readonly headers: Record<string, string>;

  constructor(private readonly settings: OpenAICompatibleSettings) {
    this.name = settings.name;
    this.envHint = settings.envHint;
    this.configured = !settings.requiresKey || !!settings.apiKey;
    this.headers = {
      "content-type": "application/json",
      accept: "application/json",
      // Bun's fetch decompresses transparently; asking for identity keeps the hot path free of zlib.
      "accept-encoding": "identity",
      ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
      ...settings.headers,
    };
  }

  quotaPool(model: string): string | undefined {
    return this.settings.freeModelPool && (model.endsWith(":free") || model === "openrouter/free") ? FREE_POOL : undefined;
  }

  async chat(req: ChatRequest, opts: CallOptions): Promise<ChatCompletion> {
    const res = await this.post("/chat/completions", { ...req, model: opts.model, stream: false }, opts);
    const body = await this.json<ChatCompletion>(res, opts.signal);
    if (!Array.isArray(body.choices)) throw this.invalid("a completion without choices");
    return body;
  }

  async chatStream(req: ChatRequest, opts: CallOptions): Promise<AsyncIterable<ChatChunk>> {
    // Usage is always requested upstream so metrics and sessions can count tokens; the route drops the
    // usage chunk again unless the client asked for it.
    const body = { ...req, model: opts.model, stream: true, stream_options: { ...req.stream_options, include_usage: true } };
    const res = await this.post("/chat/completions", body, opts);
    if (!res.body) throw this.invalid("an empty stream");
    return this.chunks(res.body, opts.signal);
  }

  async embeddings(req: EmbeddingRequest, opts: CallOptions): Promise<EmbeddingResponse> {
    const res = await this.post("/embeddings", { ...req, model: opts.model }, opts);
    const body = await this.json<EmbeddingResponse>(res, opts.signal);
    if (!Array.isArray(body.data)) throw this.invalid("embeddings without data");
    return body;
  }

  async listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    if (this.settings.staticModels) {
      return this.settings.staticModels.map((id) => ({ id, free: true, kind: "chat" as const }));
    }
    const res = await this.send(`${this.settings.baseUrl}/models`, { method: "GET", headers: this.headers, signal });
    const body = await this.json<ModelsListBody>(res, signal);
    return (body.data ?? []).map((m) => ({
      id: m.id,
      // OpenRouter prices are strings in USD per token; "-1" marks routers with variable price.
      free: m.pricing ? m.pricing.prompt === "0" && m.pricing.completion === "0" : true,
      pricing: price(m.pricing),
      kind: "chat" as const,
      created: m.created,
      contextLength: m.context_length,
      capabilities: capabilitiesOf(m),
    }));
  }

  private post(path: string, body: unknown, opts: CallOptions): Promise<Response> {
    return this.send(`${this.settings.baseUrl}${path}`, {
      method: "POST",
      headers: this.headers,
      body: JSON.stringify(body),
      signal: opts.signal,
    }, opts.onRateLimit);
  }

  private async send(url: string, init: RequestInit & { signal: AbortSignal }, onRateLimit?: CallOptions["onRateLimit"]): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (error) {
      throw this.fetchFailure(error, init.signal);
    }
    if (onRateLimit) {
      const report = readRateLimitHeaders(res.headers);
      if (report) onRateLimit(report);
    }
    if (!res.ok) throw await errorFromResponse(this.name, this.settings.label, res);
    return res;
  }

  private async json<T>(res: Response, signal: AbortSignal): Promise<T> {
    let text: string;
    try {
      text = await readCapped(res, MAX_UPSTREAM_BODY);
    } catch (error) {
      if (error instanceof BodyTooLarge) throw this.invalid(error.message);
      throw this.fetchFailure(error, signal, "ended the body unexpectedly");
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw this.invalid("a body that is not JSON");
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) throw this.invalid("a body that is not a JSON object");
    return body as T;
  }

  /** The upstream's chunks as one hand-written iterator: the stream's first byte waits on no generator hops. */
  private chunks(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncIterableIterator<ChatChunk> {
    const events = new SseEvents(body);
    const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
    const next = async (): Promise<IteratorResult<ChatChunk>> => {
      let data: string | undefined;
      try {
        data = await events.next();
      } catch (error) {
        throw error instanceof UpstreamError || signal.aborted ? error : this.fetchFailure(error, signal, "stream ended unexpectedly");
      }
      if (data === undefined) return done;
      if (data === "[DONE]") {
        events.cancel();
        return done;
      }
      try {
        return { done: false, value: this.chunk(data) };
      } catch (error) {
        events.cancel();
        throw error;
      }
    };
    const iterator: AsyncIterableIterator<ChatChunk> = {
      next,
      async return() {
        events.cancel();
        return done;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** One event's chunk; OpenRouter reports failures after the 200 as a chunk with a top-level error. */
  private chunk(data: string): ChatChunk {
    let chunk: ChatChunk & { error?: { code?: number | string; message?: string } };
    try {
      chunk = JSON.parse(data);
    } catch {
      throw this.invalid("a stream event that is not JSON");
    }
    if (!chunk || typeof chunk !== "object" || !Array.isArray(chunk.choices) && !chunk.error) throw this.invalid("a stream event that is not a chunk");
    if (chunk.error) {
      const code = Number(chunk.error.code);
      throw errorFromStatus(this.name, this.settings.label, Number.isInteger(code) && code >= 400 ? code : 502, {
        error: { message: chunk.error.message ?? "stream error" },
      });
    }
    return chunk;
  }

  private fetchFailure(error: unknown, signal: AbortSignal, what = "is unreachable"): unknown {
    // The caller's abort (client gone, attempt deadline) is not an upstream failure: let it through.
    if (signal.aborted) return signal.reason ?? error;
    const reason = error instanceof Error ? error.message : String(error);
    return new UpstreamError(this.name, "connection", null, `${this.settings.label} ${what}: ${reason}`);
  }

  private invalid(what: string): UpstreamError {
    return new UpstreamError(this.name, "server", 200, `${this.settings.label} sent ${what}`);
  }
}

/** OpenRouter's per-token USD strings as numbers; none for variable-price routers ("-1") or odd values. */
function price(pricing: Record<string, string> | undefined): UpstreamModel["pricing"] {
  const prompt = Number(pricing?.prompt);
  const completion = Number(pricing?.completion);
  return prompt >= 0 && completion >= 0 ? { prompt, completion } : undefined;
}

/** Tools, images, JSON output and the output limit as OpenRouter's list states them; other upstreams state none. */
function capabilitiesOf(m: NonNullable<ModelsListBody["data"]>[number]): ModelCapabilities | undefined {
  const params = Array.isArray(m.supported_parameters) ? m.supported_parameters : undefined;
  const inputs = Array.isArray(m.architecture?.input_modalities) ? m.architecture.input_modalities : undefined;
  const maxOutput = positiveInteger(m.top_provider?.max_completion_tokens);
  if (!params && !inputs && maxOutput === undefined) return undefined;
  return {
    ...(params ? { tools: params.includes("tools"), json: params.includes("response_format") || params.includes("structured_outputs") } : {}),
    ...(inputs ? { vision: inputs.includes("image") } : {}),
    ...(maxOutput === undefined ? {} : { maxOutputTokens: maxOutput }),
  };
}
