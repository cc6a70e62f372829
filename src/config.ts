// Settings come from the environment (Bun also loads `.env`), are validated with TypeBox at start-up,
// and become one typed Config object. Tests build a Config directly with `testable` overrides and never
// read process.env. Every variable here is documented in .env.example and the README.
import { Type as t, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { CustomProviderSchema } from "./admin/custom-provider.schema.ts";
import { randomToken } from "./auth/secrets.ts";

const Bool = t.Union([t.Literal("true"), t.Literal("false"), t.Literal("1"), t.Literal("0"), t.Literal("")]);
const Url = t.String({ pattern: "^https?://[^\\s]+$" });
/** HS256 secrets and the admin token: shorter ones can be brute-forced offline from one token. */
const MIN_SECRET_LENGTH = 32;
/** The JWT_SECRET line of .env.example: a copied example file must not sign production tokens. */
export const JWT_SECRET_PLACEHOLDER = "replace-with-a-random-secret-of-at-least-32-characters";
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
  MAX_RETRIES: Int(0, 10, 2),
  RETRY_DELAY: Int(0, 60_000, 500),
  REQUEST_TIMEOUT: Int(1, 3_600_000, 120_000),
  CATALOG_REFRESH: Int(0, 604_800_000, 3_600_000),
  DATABASE_PATH: t.Optional(t.String({ minLength: 1 })),
  JWT_SECRET: t.Optional(t.String()),
  JWT_TTL: t.String({ pattern: "^\\d+\\s*[smhd]?$", default: "24h" }),
  GITHUB_CLIENT_ID: t.Optional(t.String()),
  GITHUB_CLIENT_SECRET: t.Optional(t.String()),
  GITHUB_CALLBACK_URL: t.Optional(Url),
  GITHUB_BASE_URL: t.Optional(Url),
  GITHUB_API_URL: t.Optional(Url),
  ADMIN_USERS: t.Optional(t.String({ pattern: "^\\s*[A-Za-z0-9-]+(\\s*,\\s*[A-Za-z0-9-]+)*\\s*,?\\s*$" })),
  ADMIN_TOKEN: t.Optional(t.String({ minLength: MIN_SECRET_LENGTH })),
  REQUIRE_AUTH: t.Optional(Bool),
  CUSTOM_PROVIDERS: t.Optional(t.String()),
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
  /** Retries of one candidate after a retryable failure, before failing over. */
  maxRetries: number;
  /** Base of the exponential backoff between retries, in ms (full jitter). */
  retryDelayMs: number;
  /** Deadline of a whole request across every attempt and wait, in ms. */
  requestTimeoutMs: number;
  /** How often the live model catalog is refetched, in ms; 0 turns the live catalog off. */
  catalogRefreshMs: number;
  openrouter: ProviderSettings & { appUrl?: string; appName?: string };
  gemini: ProviderSettings;
  opencode: ProviderSettings;
  /** OpenAI-compatible servers (Ollama, vLLM ...) from CUSTOM_PROVIDERS; the admin API adds more at run time. */
  customProviders: CustomProviderSetting[];
  /** SQLite file holding what the admin API changes, keys and revocations; ":memory:" keeps nothing. */
  databasePath: string;
  auth: AuthSettings;
  github: GitHubSettings;
}

export type CustomProviderSetting = Static<typeof CustomProviderSchema>;

export interface AuthSettings {
  /** Signs the gateway's HS256 JWTs. */
  jwtSecret: string;
  /** True when no usable JWT_SECRET was set outside production and a random one was made for this run. */
  jwtSecretGenerated: boolean;
  jwtTtlSeconds: number;
  /** GitHub logins (lower case) with admin rights. */
  adminUsers: string[];
  /** Bearer token with admin rights, for automation. */
  adminToken?: string;
  /** When true, /v1/* needs a gateway JWT or a gateway API key. */
  requireAuth: boolean;
}

export interface GitHubSettings {
  clientId?: string;
  clientSecret?: string;
  callbackUrl: string;
  /** OAuth host (/login/...): https://github.com or a GitHub Enterprise host. */
  baseUrl: string;
  /** REST API (/user): https://api.github.com or https://HOST/api/v3. */
  apiUrl: string;
}

const DEFAULTS = {
  openrouterBaseUrl: "https://openrouter.ai/api/v1",
  geminiBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
  opencodeBaseUrl: "https://opencode.ai/zen/v1",
  databasePath: "./data/gateway.db",
  githubCallbackUrl: "http://localhost:8787/auth/github/callback",
  githubBaseUrl: "https://github.com",
  githubApiUrl: "https://api.github.com",
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
    debug: flag(env.DEBUG),
    maxBodySize: parseSize(env.MAX_BODY_SIZE),
    maxTokensLimit: env.MAX_TOKENS_LIMIT,
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT,
    rateLimit: { windowMs: env.RATE_LIMIT_WINDOW, maxRequests: env.RATE_LIMIT_MAX_REQUESTS },
    cache: { ttlMs: env.CACHE_TTL, maxEntries: env.CACHE_MAX_ENTRIES },
    sessions: { ttlMs: env.SESSION_TTL, max: env.SESSION_MAX },
    maxRetries: env.MAX_RETRIES,
    retryDelayMs: env.RETRY_DELAY,
    requestTimeoutMs: env.REQUEST_TIMEOUT,
    catalogRefreshMs: env.CATALOG_REFRESH,
    openrouter: {
      apiKey: env.OPENROUTER_API_KEY,
      baseUrl: trimSlash(env.OPENROUTER_BASE_URL ?? DEFAULTS.openrouterBaseUrl),
      appUrl: env.OPENROUTER_APP_URL,
      appName: env.OPENROUTER_APP_NAME,
    },
    gemini: { apiKey: env.GEMINI_API_KEY, baseUrl: trimSlash(env.GEMINI_BASE_URL ?? DEFAULTS.geminiBaseUrl) },
    opencode: { apiKey: env.OPENCODE_API_KEY, baseUrl: trimSlash(env.OPENCODE_BASE_URL ?? DEFAULTS.opencodeBaseUrl) },
    customProviders: customProviders(env.CUSTOM_PROVIDERS),
    // Tests never write to the working directory unless they name a file.
    databasePath: env.DATABASE_PATH ?? (env.NODE_ENV === "test" ? ":memory:" : DEFAULTS.databasePath),
    auth: {
      ...jwtSecret(env.JWT_SECRET, env.NODE_ENV),
      jwtTtlSeconds: parseDuration(env.JWT_TTL, "JWT_TTL"),
      adminUsers: (env.ADMIN_USERS ?? "").split(",").map((u) => u.trim().toLowerCase()).filter(Boolean),
      adminToken: env.ADMIN_TOKEN,
      requireAuth: flag(env.REQUIRE_AUTH),
    },
    github: {
      clientId: env.GITHUB_CLIENT_ID,
      clientSecret: env.GITHUB_CLIENT_SECRET,
      callbackUrl: env.GITHUB_CALLBACK_URL ?? DEFAULTS.githubCallbackUrl,
      baseUrl: trimSlash(env.GITHUB_BASE_URL ?? DEFAULTS.githubBaseUrl),
      apiUrl: trimSlash(env.GITHUB_API_URL ?? DEFAULTS.githubApiUrl),
    },
  };
}

/**
 * Production refuses to start without a strong JWT_SECRET; elsewhere a missing or placeholder secret is
 * replaced by a random one for this run (tokens then end with the process). A short secret is refused
 * everywhere: it would sign tokens anyone can forge.
 */
function jwtSecret(value: string | undefined, env: Config["env"]): Pick<AuthSettings, "jwtSecret" | "jwtSecretGenerated"> {
  const unset = value === undefined || value === JWT_SECRET_PLACEHOLDER;
  if (unset && env !== "production") return { jwtSecret: randomToken(), jwtSecretGenerated: true };
  if (value === undefined) throw new ConfigError("JWT_SECRET is required when NODE_ENV=production (at least 32 random characters, e.g. `openssl rand -hex 32`).");
  if (unset) throw new ConfigError("JWT_SECRET is still the .env.example placeholder; set a random value of at least 32 characters.");
  if (value.length < MIN_SECRET_LENGTH) throw new ConfigError(`JWT_SECRET is too short: it needs at least ${MIN_SECRET_LENGTH} characters.`);
  return { jwtSecret: value, jwtSecretGenerated: false };
}

/** "3600" (seconds), "90s", "30m", "24h", "7d" -> seconds; from 1 second to 365 days. */
export function parseDuration(text: string, name: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as "" | "s" | "m" | "h" | "d"] : NaN;
  if (!(seconds >= 1 && seconds <= 365 * 86_400)) {
    throw new ConfigError(`Invalid value for ${name}: "${text}" (seconds, or a number with s, m, h or d, from 1s to 365d)`);
  }
  return seconds;
}

/** "10MB", "512kb", "1048576" -> bytes (binary multiples, as users of body limits expect). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(text.trim());
  if (!m) throw new ConfigError(`Invalid size: ${text}`);
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as "" | "k" | "m" | "g"];
  return Math.floor(Number(m[1]) * unit);
}

export const trimSlash = (url: string) => url.replace(/\/+$/, "");

/** Boolean settings: "true" or "1" turn them on, anything else leaves them off. */
const flag = (value: string | undefined) => value === "true" || value === "1";

const BUILTIN_PROVIDERS = ["openrouter", "gemini", "opencode"];
const CustomProvidersSchema = t.Array(CustomProviderSchema);

/** CUSTOM_PROVIDERS: a JSON array of {name, baseUrl, apiKey?, models[]}, checked like the admin API's body. */
function customProviders(text: string | undefined): CustomProviderSetting[] {
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Invalid value for CUSTOM_PROVIDERS: not JSON (${error instanceof Error ? error.message : error})`);
  }
  const first = Value.Errors(CustomProvidersSchema, value).First();
  if (first) throw new ConfigError(`Invalid value for CUSTOM_PROVIDERS at ${first.path || "/"}: ${first.message}`);
  const specs = value as CustomProviderSetting[];
  const names = specs.map((p) => p.name);
  const clash = names.find((n, i) => BUILTIN_PROVIDERS.includes(n) || names.indexOf(n) !== i);
  if (clash) throw new ConfigError(`Invalid value for CUSTOM_PROVIDERS: the name \`${clash}\` is taken (built-in or repeated)`);
  return specs.map((p) => ({ ...p, baseUrl: trimSlash(p.baseUrl) }));
}
