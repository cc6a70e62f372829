// The Gemini API (generativelanguage.googleapis.com/v1beta) as a gateway Provider.

import type {
  CallOptions, ChatChunk, ChatCompletion, ChatRequest, EmbeddingRequest, EmbeddingResponse, Provider, UpstreamModel,
} from "../types.ts";
import { BodyTooLarge, MAX_UPSTREAM_BODY, readCapped } from "../body.ts";
import { embeddingInputs, MAX_BATCH, toBatchRequest, toEmbeddingResponse, type BatchEmbedResponse } from "./embeddings.ts";
import { errorFromResponse, invalidResponse, transportError } from "./errors.ts";
import { geminiModelId, toUpstreamModel, type GeminiModelInfo } from "./models.ts";
import { toGeminiRequest } from "./request.ts";
import { toChatCompletion } from "./response.ts";
import { translateStream } from "./stream.ts";
import type { GeminiResponse } from "./wire.ts";

export interface GeminiProviderOptions {
  apiKey?: string;
  /** e.g. https://generativelanguage.googleapis.com/v1beta */
  baseUrl: string;
}

export class GeminiProvider implements Provider {
  readonly name = "gemini";
  readonly envHint = ["GEMINI_API_KEY"];
  readonly configured: boolean;
  private readonly baseUrl: string;
  /** Built once: GET (model list) and POST request headers. */
  private readonly headers: { get: Record<string, string>; post: Record<string, string> };

  constructor(opts: GeminiProviderOptions) {
    this.configured = !!opts.apiKey;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    const key = { "x-goog-api-key": opts.apiKey ?? "" };
    this.headers = { get: key, post: { ...key, "content-type": "application/json" } };
  }

  listedId(model: string): string {
    return geminiModelId(model);
  }

  async chat(req: ChatRequest, opts: CallOptions): Promise<ChatCompletion> {
    const model = geminiModelId(opts.model);
    const res = await this.call(`/models/${model}:generateContent`, toGeminiRequest(req, model), opts.signal);
    return toChatCompletion(await this.json<GeminiResponse>(res, opts.signal), model);
  }

  async chatStream(req: ChatRequest, opts: CallOptions): Promise<AsyncIterable<ChatChunk>> {
    const model = geminiModelId(opts.model);
    const res = await this.call(`/models/${model}:streamGenerateContent?alt=sse`, toGeminiRequest(req, model), opts.signal);
    if (!res.body) throw invalidResponse("a stream response with no body");
    return translateStream(res.body, { model, includeUsage: req.stream_options?.include_usage === true, signal: opts.signal });
  }

  async embeddings(req: EmbeddingRequest, opts: CallOptions): Promise<EmbeddingResponse> {
    const model = geminiModelId(opts.model);
    const texts = embeddingInputs(req.input);
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += MAX_BATCH) {
      const slice = texts.slice(start, start + MAX_BATCH);
      const res = await this.call(`/models/${model}:batchEmbedContents`, toBatchRequest(slice, model, req.dimensions), opts.signal);
      const body = await this.json<BatchEmbedResponse>(res, opts.signal);
      const values = (body.embeddings ?? []).map((e) => e.values);
      if (values.length !== slice.length || !values.every(Array.isArray)) throw invalidResponse(`${values.length} embeddings for ${slice.length} inputs`);
      vectors.push(...(values as number[][]));
    }
    // Floats only: the embeddings route encodes base64 for every provider alike.
    return toEmbeddingResponse(vectors, texts, opts.model);
  }

  async listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    const models: UpstreamModel[] = [];
    let pageToken: string | undefined;
    do {
      const query = `pageSize=1000${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ""}`;
      const page = await this.json<{ models?: GeminiModelInfo[]; nextPageToken?: string }>(await this.call(`/models?${query}`, undefined, signal), signal);
      for (const m of page.models ?? []) {
        const model = toUpstreamModel(m);
        if (model) models.push(model);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return models;
  }

  /**
   * One HTTP call; resolves on a 2xx, throws an UpstreamError otherwise. The caller's signal (client
   * abort and the router's per-attempt deadline) stays attached to the body, so aborting it cancels
   * the upstream request even mid-stream.
   */
  private async call(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? this.headers.get : this.headers.post,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      if (!res.ok) throw await errorFromResponse(res);
      return res;
    } catch (err) {
      throw transportError(err, signal);
    }
  }

  private async json<T>(res: Response, signal: AbortSignal): Promise<T> {
    let text: string;
    try {
      text = await readCapped(res, MAX_UPSTREAM_BODY);
    } catch (err) {
      throw err instanceof BodyTooLarge ? invalidResponse(err.message) : transportError(err, signal);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw invalidResponse("a body that is not JSON");
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) throw invalidResponse("a body that is not a JSON object");
    return body as T;
  }
}
