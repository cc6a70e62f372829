// OpenAI embeddings <-> Gemini `:batchEmbedContents`. One Gemini request per OpenAI input: putting
// several texts into one content's parts would return a single embedding for all of them.

import { badRequest } from "../../errors.ts";
import type { EmbeddingRequest, EmbeddingResponse } from "../types.ts";

/** batchEmbedContents accepts at most 100 requests per call; larger inputs are sent in slices. */
export const MAX_BATCH = 100;

export interface BatchEmbedRequest {
  requests: Array<{ model: string; content: { parts: Array<{ text: string }> }; outputDimensionality?: number }>;
}

export interface BatchEmbedResponse { embeddings?: Array<{ values?: number[] }> }

/** The texts to embed; Gemini embeds text only, so token-id arrays are refused. */
export function embeddingInputs(input: EmbeddingRequest["input"]): string[] {
  const inputs = typeof input === "string" ? [input] : input;
  if (!Array.isArray(inputs) || inputs.length === 0) throw badRequest("input must be a non-empty string or array of strings", "input");
  if (!inputs.every((x): x is string => typeof x === "string")) {
    throw badRequest("Gemini embeddings take text; token-array input is not supported", "input");
  }
  return inputs;
}

export function toBatchRequest(texts: string[], model: string, dimensions: number | undefined): BatchEmbedRequest {
  return {
    requests: texts.map((text) => ({
      model: `models/${model}`,
      content: { parts: [{ text }] },
      ...(dimensions != null ? { outputDimensionality: dimensions } : {}),
    })),
  };
}

/**
 * Builds the OpenAI response. Gemini reports no token usage for embeddings, so usage is an estimate
 * of 4 characters per token (the usual rule of thumb for English text), rounded up per input.
 */
export function toEmbeddingResponse(vectors: number[][], texts: string[], model: string): EmbeddingResponse {
  const tokens = texts.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0);
  return {
    object: "list",
    data: vectors.map((v, index) => ({ object: "embedding", index, embedding: v })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
