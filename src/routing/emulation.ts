// Emulation profiles: which provider family answers the standard OpenAI chat names (the gpt-* aliases).
// "openrouter" is the seed table in aliases.ts; the others send those names to one family only, so
// prompts never fail over to a provider the operator did not pick. Kept as data, like aliases.ts.
import { CHAT_ALIASES, type Target } from "./aliases.ts";

/** The profile used until an admin switches (POST /v1/emulate). */
export const DEFAULT_PROFILE = "openrouter";

/** The OpenAI chat names a profile remaps. */
const OPENAI_NAMES = [...CHAT_ALIASES.keys()].filter((name) => name.startsWith("gpt-"));

const gemini = (...models: string[]): Target[] => models.map((model) => ({ provider: "gemini", model }));
// Flash models only: since April 2026 Gemini's Pro models need billing, and this gateway serves free ones.
const GEMINI_BALANCED = gemini("gemini-3-flash-preview", "gemini-2.5-flash");
const GEMINI_FAST = gemini("gemini-2.5-flash-lite", "gemini-3-flash-preview");

/** A profile's table: OpenAI name -> candidates. A Map, since clients' model names are looked up in it. */
export type ProfileTable = ReadonlyMap<string, Target[]>;

/** Built-in profiles: the provider each needs and its table (empty: the seed table applies). */
export const BUILTIN_PROFILES: ReadonlyMap<string, { provider: string; table: ProfileTable }> = new Map(Object.entries({
  openrouter: { provider: "openrouter", table: new Map() },
  gemini: {
    provider: "gemini",
    table: new Map(Object.entries({
      "gpt-3.5-turbo": GEMINI_FAST,
      "gpt-4": GEMINI_BALANCED,
      "gpt-4o": GEMINI_BALANCED,
      "gpt-5": GEMINI_BALANCED,
      "gpt-4o-mini": GEMINI_FAST,
      "gpt-5-turbo": GEMINI_FAST,
      "gpt-4-vision": GEMINI_BALANCED,
      "gpt-4-code": GEMINI_BALANCED,
    })),
  },
  opencode: { provider: "opencode", table: oneModelProfile("opencode", "big-pickle") },
}));

/** A profile that sends every OpenAI name to one model (OpenCode; a custom provider's first model). */
export function oneModelProfile(provider: string, model: string): ProfileTable {
  const target: Target = { provider, model };
  return new Map(OPENAI_NAMES.map((name) => [name, [target]]));
}
