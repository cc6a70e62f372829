// Turns the model a client asked for into the ordered candidates the router will try.
import { GatewayError } from "../errors.ts";
import { PRESETS } from "../providers/presets.ts";
import { CHAT_ALIASES, DIRECT_FALLBACKS, EMBEDDING_ALIASES, PATTERN_ALIASES, type Target } from "./aliases.ts";
import type { ModelOverrides } from "./overrides.ts";
import { GOOGLE_EMBEDDING_NAMES } from "../providers/gemini/models.ts";

export type Endpoint = "chat" | "embeddings";

/** `overrides`: what admins changed at run time (mappings, custom providers, emulation), tried first. */
export function resolveModel(model: string, endpoint: Endpoint, overrides?: ModelOverrides): Target[] {
  const override = overrides?.lookup(model, endpoint);
  if (override) return override;
  const table = endpoint === "chat" ? CHAT_ALIASES : EMBEDDING_ALIASES;
  const alias = table.get(model);
  if (alias) return alias;
  if (endpoint === "chat") {
    const rule = PATTERN_ALIASES.find((r) => r.pattern.test(model));
    if (rule) return resolveModel(rule.alias, endpoint, overrides);
  }
  const direct = directTarget(model, endpoint);
  if (!direct) {
    throw new GatewayError(
      404,
      `The model \`${model}\` does not exist. GET /v1/models lists the models this gateway serves.`,
      "invalid_request_error",
      "model_not_found",
      "model",
    );
  }
  return endpoint === "chat" ? [direct, ...(DIRECT_FALLBACKS.get(direct.provider) ?? [])] : [direct];
}

/** Providers whose direct ids are `<provider>-<upstream id>`: OpenCode and every preset. */
export const PREFIXED_PROVIDERS: readonly string[] = ["opencode", ...PRESETS.map((p) => p.name)];

/**
 * An upstream id named directly: `<provider>-<id>` (OpenCode, presets: `groq-openai/gpt-oss-120b`),
 * `vendor/model` (OpenRouter), `gemini-*` (Gemini). A prefix wins over the slash; aliases won already.
 */
function directTarget(model: string, endpoint: Endpoint): Target | undefined {
  const dash = model.indexOf("-");
  if (dash > 0 && dash < model.length - 1) {
    const provider = model.slice(0, dash);
    if (PREFIXED_PROVIDERS.includes(provider)) return { provider, model: model.slice(dash + 1) };
  }
  // A full OpenRouter id ("meta-llama/llama-3.3-70b-instruct:free") goes to OpenRouter unchanged.
  if (model.includes("/")) return { provider: "openrouter", model };
  // Gemini's ids keep their prefix upstream.
  if (model.startsWith("gemini-") && model.length > "gemini-".length) return { provider: "gemini", model };
  // Google's embedding names from before the gemini- prefix; the provider maps them to its current model.
  if (endpoint === "embeddings" && GOOGLE_EMBEDDING_NAMES.includes(model)) return { provider: "gemini", model };
  return undefined;
}
