// The model table, kept as data. Each alias is an ordered list of candidates: the seed target first,
// then free models of a similar class on OpenRouter, then the presets' models of that class, then one
// broad fallback per provider. The router skips candidates whose
// provider has no key and fails over down the list. Upstream ids were checked against public lists in
// November 2026; free models come and go, which is why every alias ends in broad fallbacks.

import { PRESETS, type ModelClass } from "../providers/presets.ts";

export interface Target {
  provider: string;
  model: string;
}

const or = (model: string): Target => ({ provider: "openrouter", model });
const gemini = (model: string): Target => ({ provider: "gemini", model });
const opencode = (model: string): Target => ({ provider: "opencode", model });

/** OpenRouter's own router over whatever free models exist today: the broadest free fallback. */
const OPENROUTER_FREE = or("openrouter/free");
const GEMINI_FLASH = gemini("gemini-3-flash-preview");
const BIG_PICKLE = opencode("big-pickle");
/** How the text aliases end (vision stops before OpenCode): one broad free fallback per provider. */
const BROAD = [OPENROUTER_FREE, GEMINI_FLASH, BIG_PICKLE];
/** Every preset's free models of a class (src/providers/presets.ts), in preset order; keyless presets are skipped. */
const presets = (modelClass: ModelClass): Target[] =>
  PRESETS.flatMap((p) => (p.models[modelClass] ?? []).map((model) => ({ provider: p.name, model })));

const REASONING = [
  or("deepseek/deepseek-r1-0528:free"),
  or("nvidia/nemotron-3-super-120b-a12b:free"),
  or("z-ai/glm-5.2:free"),
  ...presets("reasoning"),
  ...BROAD,
];
const LARGE = [
  or("qwen/qwen3-235b-a22b:free"),
  or("nvidia/nemotron-3-ultra-550b-a55b:free"),
  or("google/gemma-4-31b-it:free"),
  ...presets("large"),
  ...BROAD,
];
const FAST = [
  or("qwen/qwen3-next-80b-a3b-instruct:free"),
  or("openai/gpt-oss-20b:free"),
  or("nvidia/nemotron-3-nano-30b-a3b:free"),
  ...presets("fast"),
  ...BROAD,
];
const VISION = [
  or("qwen/qwen3-vl-235b-a22b-instruct:free"),
  or("google/gemma-4-31b-it:free"),
  or("nvidia/nemotron-nano-12b-v2-vl:free"),
  ...presets("vision"),
  OPENROUTER_FREE, GEMINI_FLASH,
];
const CODE = [
  or("qwen/qwen3-coder:free"),
  or("poolside/laguna-s-2.1:free"),
  or("z-ai/glm-5.2:free"),
  ...presets("code"),
  ...BROAD,
];

/** Candidates once each, in order of first appearance. */
const distinct = (...lists: Target[][]): Target[] => [...new Map(lists.flat().map((t) => [`${t.provider}:${t.model}`, t])).values()];
/** `auto`: the fast and large classes, broad fallbacks last. */
const AUTO = distinct(FAST.filter((t) => !BROAD.includes(t)), LARGE.filter((t) => !BROAD.includes(t)), BROAD);

/**
 * Aliases the router orders by measured latency instead of as listed (src/routing/latency.ts); the
 * admin API opts others in or out (POST /config/routing). The seed's aliases keep their fixed order.
 */
export const LATENCY_ORDERED: ReadonlySet<string> = new Set(["auto", "auto-code", "auto-vision"]);

// The tables are Maps, not object literals: a client's `model` is looked up in them, and a plain object
// would answer "constructor" or "__proto__" from Object.prototype.

/** Chat aliases: OpenAI's names and the seed's short names. */
export const CHAT_ALIASES: ReadonlyMap<string, Target[]> = new Map(Object.entries({
  "gpt-3.5-turbo": REASONING,
  "gpt-4": REASONING,
  "gpt-4o": LARGE,
  "gpt-5": LARGE,
  "gpt-4o-mini": FAST,
  "gpt-5-turbo": FAST,
  "gpt-4-vision": VISION,
  "gpt-4-code": CODE,
  "deepseek-r1-0528": REASONING,
  "qwen3-235b": LARGE,
  "qwen3-next-80b": FAST,
  "qwen3-coder": CODE,
  "mistral-small-3.1-24b": [or("mistralai/mistral-small-3.1-24b-instruct:free"), ...FAST.slice(1)],
  "llama-3.3-70b": [or("meta-llama/llama-3.3-70b-instruct:free"), ...LARGE.slice(1)],
  "gemma-2-9b": [or("google/gemma-2-9b-it:free"), or("google/gemma-4-26b-a4b-it:free"), ...FAST.slice(1)],
  // The fastest healthy free model of a class (LATENCY_ORDERED).
  auto: AUTO,
  "auto-code": CODE,
  "auto-vision": VISION,
}));

/**
 * Aliases by name pattern, tried after the exact names above: Anthropic's model names, so Claude Code
 * and the Anthropic SDKs run unchanged. The first matching rule names the alias whose candidates (and
 * emulation profile) apply; an admin mapping of an exact name wins over every rule.
 */
export const PATTERN_ALIASES: ReadonlyArray<{ pattern: RegExp; alias: string }> = [
  { pattern: /^claude-.*haiku/, alias: "gpt-4o-mini" },
  { pattern: /^claude-/, alias: "gpt-5" },
];

/** The current Claude names, listed by /v1/models (every other claude-* name works too). */
export const CLAUDE_MODELS = ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"];

/** Embedding aliases: OpenAI's names map to free embedding models. */
export const EMBEDDING_ALIASES: ReadonlyMap<string, Target[]> = new Map(
  ["text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002"].map((name) => [
    name,
    [gemini("gemini-embedding-001"), or("nvidia/llama-nemotron-embed-vl-1b-v2:free")],
  ]),
);

/**
 * Where a direct upstream id (`gemini-2.5-flash`, `opencode-big-pickle`, `vendor/model:free`) fails
 * over when its own provider fails: the broad free fallback of another provider, following the seed's
 * rules (Gemini, OpenCode or a preset -> OpenRouter, OpenRouter -> Gemini). Embedding ids get none: vectors of
 * another model live in another space, so answering with them would be silently wrong.
 */
export const DIRECT_FALLBACKS: ReadonlyMap<string, Target[]> = new Map(Object.entries({
  gemini: [OPENROUTER_FREE],
  opencode: [OPENROUTER_FREE],
  ...Object.fromEntries(PRESETS.map((p) => [p.name, [OPENROUTER_FREE]])),
  openrouter: [GEMINI_FLASH],
}));
