// Friendly Gemini model names -> current Gemini API ids, and the catalog mapping for listModels.

import { positiveInteger, type UpstreamModel } from "../types.ts";

/** Google's embedding model names without the gemini- prefix; the router sends them to Gemini. */
export const GOOGLE_EMBEDDING_NAMES = ["text-embedding-004", "embedding-001"];

/**
 * Names clients use that are not (or no longer) live API ids. gemini-3-pro-preview was shut down on
 * 2026-03-09 (ai.google.dev/gemini-api/docs/deprecations), so the friendly name goes to its
 * replacement; the 1.5 family is retired and goes to the 2.5 model of the same tier. Google's older
 * embedding names, which lack the gemini- prefix, go to the current embedding model.
 */
const ALIASES: ReadonlyMap<string, string> = new Map(Object.entries({
  "gemini-3-flash": "gemini-3-flash-preview",
  "gemini-3-pro": "gemini-3.1-pro-preview",
  "gemini-1.5-flash": "gemini-2.5-flash",
  "gemini-1.5-pro": "gemini-2.5-pro",
  ...Object.fromEntries(GOOGLE_EMBEDDING_NAMES.map((name) => [name, "gemini-embedding-001"])),
}));

/** Maps a client-facing name to the API id; unknown ids (any other `gemini-*`, gemma ...) pass through. */
export function geminiModelId(name: string): string {
  const bare = name.replace(/^(google\/|models\/)/, "");
  return ALIASES.get(bare) ?? bare;
}

/** The generation number of a `gemini-<n>...` id (3 for gemini-3.1-pro-preview), 0 for others. */
export function geminiGeneration(model: string): number {
  return Number(/^gemini-(\d+)/.exec(model)?.[1] ?? 0);
}

/** Gemini 3 and later reject a replayed functionCall that lacks its thought signature. */
export const requiresThoughtSignatures = (model: string): boolean => geminiGeneration(model) >= 3;

export interface GeminiModelInfo {
  name: string;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods?: string[];
}

/**
 * One catalog entry as an UpstreamModel, or null when it can neither chat nor embed (imagen, aqa ...).
 * Every Gemini API model has a free tier (rate-limited per project), hence `free: true`.
 */
export function toUpstreamModel(m: GeminiModelInfo): UpstreamModel | null {
  const methods = m.supportedGenerationMethods ?? [];
  const kind = methods.includes("generateContent") ? "chat" : methods.includes("embedContent") ? "embedding" : null;
  if (!kind) return null;
  const maxOutput = positiveInteger(m.outputTokenLimit);
  return {
    id: m.name.replace(/^models\//, ""), free: true, kind, contextLength: m.inputTokenLimit,
    ...(maxOutput === undefined ? {} : { capabilities: { maxOutputTokens: maxOutput } }),
  };
}
