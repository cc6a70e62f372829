// Settings come from the environment (Bun also loads `.env`), are validated with TypeBox at start-up,
// and become one typed Config object. Tests build a Config directly with `testable` overrides and never
// read process.env. Every variable here is documented in .env.example and the README.
import { Type as t, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

const Bool = t.Union([t.Literal("true"), t.Literal("false"), t.Literal("1"), t.Literal("0"), t.Literal("")]);
const Url = t.String({ pattern: "^https?://[^\\s]+$" });
const Int = (min: number, max: number, fallback: number) => t.Integer({ minimum: min, maximum: max, default: fallback });

/** Raw environment, after string -> number conversion. Defaults live here, once. */
const EnvSchema = t.Object({
  NODE_ENV: t.Union([t.Literal("development"), t.Literal("production"), t.Literal("test")], { default: "development" }),
  PORT: t.Integer({ minimum: 0, maximum: 65535, default: 8787 }),
  HOST: t.String({ minLength: 1, default: "0.0.0.0" }),
  DEBUG: t.Optional(Bool),
  OPENROUTER_API_KEY: t.Optional(t.String()),
  OPENROUTER_BASE_URL: t.Optional(Url),
  OPENROUTER_APP_URL: t.Optional(Url),
  OPENROUTER_APP_NAME: t.Optional(t.String()),
  GEMINI_API_KEY: t.Optional(t.String()),
  GEMINI_BASE_URL: t.Optional(Url),
  OPENCODE_API_KEY: t.Optional(t.String()),
  OPENCODE_BASE_URL: t.Optional(Url),
  MAX_BODY_SIZE: t.String({ pattern: "^\\d+(\\.\\d+)?\\s*([kKmMgG]?[bB])?$", default: "10MB" }),
  MAX_TOKENS_LIMIT: Int(1, 10_000_000, 4096),
  UPSTREAM_TIMEOUT: Int(1, 3_600_000, 60_000),
  RATE_LIMIT_WINDOW: Int(1, 86_400_000, 60_000),
  RATE_LIMIT_MAX_REQUESTS: Int(1, 1_000_000_000, 100),
  CACHE_TTL: Int(0, 86_400_000 * 30, 300_000),
  CACHE_MAX_ENTRIES: Int(0, 10_000_000, 1000),
  SESSION_TTL: Int(1000, 86_400_000 * 30, 3_600_000),
  SESSION_MAX: Int(1, 10_000_000, 10_000),
  ADMIN_TOKEN: t.Optional(t.String({ minLength: 16 })),
});
type Env = Static<typeof EnvSchema>;

export interface ProviderSettings {
  apiKey?: string;
  baseUrl: string;
}

export interface Config {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  debug: boolean;
  /** Bytes; larger bodies get an OpenAI-format 413 before they are read. */
  maxBodySize: number;
  /** Upper bound accepted for max_tokens / max_completion_tokens. */
  maxTokensLimit: number;
  /** Per-attempt upstream deadline in ms (until the first byte for streams). */
  upstreamTimeoutMs: number;
  /** Token bucket per client: `maxRequests` tokens, refilled continuously over `windowMs`. */
  rateLimit: { windowMs: number; maxRequests: number };
  /** Response cache: entries live `ttlMs`; 0 for either disables it. */
  cache: { ttlMs: number; maxEntries: number };
  sessions: { ttlMs: number; max: number };
  /** Bearer token for admin routes (automation); compared in constant time. */
  adminToken?: string;
  openrouter: ProviderSettings & { appUrl?: string; appName?: string };
  gemini: ProviderSettings;
  opencode: ProviderSettings;
}

export const DEFAULTS = {
  openrouterBaseUrl: "https://openrouter.ai/api/v1",
  geminiBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
  opencodeBaseUrl: "https://opencode.ai/zen/v1",
} as const;

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError naming the offending variable. */
export function loadConfig(source: Record<string, string | undefined>): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = source[key]?.trim();
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const env = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw)) as Env;
  const first = Value.Errors(EnvSchema, env).First();
  if (first) {
    const name = first.path.replace(/^\//, "");
    const shown = name.endsWith("_KEY") || name.endsWith("SECRET") || name.endsWith("TOKEN") ? "(hidden)" : JSON.stringify(raw[name]);
    throw new ConfigError(`Invalid value for ${name}: ${shown} (${first.message})`);
  }
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    debug: env.DEBUG === "true" || env.DEBUG === "1",
    maxBodySize: parseSize(env.MAX_BODY_SIZE),
    maxTokensLimit: env.MAX_TOKENS_LIMIT,
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT,
    rateLimit: { windowMs: env.RATE_LIMIT_WINDOW, maxRequests: env.RATE_LIMIT_MAX_REQUESTS },
    cache: { ttlMs: env.CACHE_TTL, maxEntries: env.CACHE_MAX_ENTRIES },
    sessions: { ttlMs: env.SESSION_TTL, max: env.SESSION_MAX },
    adminToken: env.ADMIN_TOKEN,
    openrouter: {
      apiKey: env.OPENROUTER_API_KEY,
      baseUrl: trimSlash(env.OPENROUTER_BASE_URL ?? DEFAULTS.openrouterBaseUrl),
      appUrl: env.OPENROUTER_APP_URL,
      appName: env.OPENROUTER_APP_NAME,
    },
    gemini: { apiKey: env.GEMINI_API_KEY, baseUrl: trimSlash(env.GEMINI_BASE_URL ?? DEFAULTS.geminiBaseUrl) },
    opencode: { apiKey: env.OPENCODE_API_KEY, baseUrl: trimSlash(env.OPENCODE_BASE_URL ?? DEFAULTS.opencodeBaseUrl) },
  };
}

/** "10MB", "512kb", "1048576" -> bytes (binary multiples, as users of body limits expect). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(text.trim());
  if (!m) throw new ConfigError(`Invalid size: ${text}`);
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as "" | "k" | "m" | "g"];
  return Math.floor(Number(m[1]) * unit);
}

const trimSlash = (url: string) => url.replace(/\/+$/, "");
