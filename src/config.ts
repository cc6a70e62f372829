// Settings come from the environment (Bun also loads `.env`), are validated with TypeBox at start-up,
// and become one typed Config object. Tests build a Config directly with `testable` overrides and never
// read process.env. Every variable here is documented in .env.example and the README.
import { Type as t, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { CustomProviderSchema } from "./admin/custom-provider.schema.ts";
import { randomToken } from "./auth/secrets.ts";
import { PRESETS } from "./providers/presets.ts";

const BOOL = [t.Literal("true"), t.Literal("false"), t.Literal("1"), t.Literal("0"), t.Literal("")];
const Bool = (description: string) => t.Union(BOOL, { default: "false", description });
const URL_PATTERN = "^https?://[^\\s]+$";
const Url = (description: string, fallback: string) => t.String({ pattern: URL_PATTERN, default: fallback, description });
const Text = (description: string) => t.Optional(t.String({ description }));
/** A byte count: bytes, or with a unit (parseSize). */
const Size = (description: string, fallback: string) => t.String({ pattern: "^\\d+(\\.\\d+)?\\s*([kKmMgG]?[bB])?$", default: fallback, description });
/** HS256 secrets and the admin token: shorter ones can be brute-forced offline from one token. */
const MIN_SECRET_LENGTH = 32;
/** The JWT_SECRET line of .env.example: a copied example file must not sign production tokens. */
export const JWT_SECRET_PLACEHOLDER = "replace-with-a-random-secret-of-at-least-32-characters";
const Int = (min: number, max: number, fallback: number, description: string) =>
  t.Integer({ minimum: min, maximum: max, default: fallback, description });

/**
 * Every setting, once: name, validation, default and a one-line description. Loading, `--help` and the
 * .env.example check all read this table (settingsTable below); .env.example and the README explain more.
 */
const EnvSchema = t.Object({
  NODE_ENV: t.Union([t.Literal("development"), t.Literal("production"), t.Literal("test")], { default: "development", description: "development | production | test" }),
  PORT: t.Integer({ minimum: 0, maximum: 65535, default: 8787, description: "Port to listen on (--port overrides it)" }),
  HOST: t.String({ minLength: 1, default: "0.0.0.0", description: "Address to listen on, 127.0.0.1 for local only (--host overrides it)" }),
  DEBUG: Bool("true adds routing decisions to the logs"),
  OPENROUTER_API_KEY: Text("OpenRouter key (https://openrouter.ai/keys)"),
  OPENROUTER_BASE_URL: Url("OpenRouter API base", "https://openrouter.ai/api/v1"),
  OPENROUTER_APP_URL: t.Optional(t.String({ pattern: URL_PATTERN, description: "Attribution header HTTP-Referer sent to OpenRouter" })),
  OPENROUTER_APP_NAME: Text("Attribution header X-Title sent to OpenRouter"),
  GEMINI_API_KEY: Text("Google AI Studio key (https://aistudio.google.com/apikey)"),
  GEMINI_BASE_URL: Url("Gemini API base", "https://generativelanguage.googleapis.com/v1beta"),
  OPENCODE_API_KEY: Text("OpenCode Zen key (https://opencode.ai/zen)"),
  OPENCODE_BASE_URL: Url("OpenCode Zen API base", "https://opencode.ai/zen/v1"),
  // Each free-tier preset's key and base URL (GROQ_API_KEY, GROQ_BASE_URL ...), from src/providers/presets.ts.
  ...(Object.fromEntries(PRESETS.flatMap((p) => [
    [p.keyEnv, Text(`${p.label} key (${p.keyPage})`)],
    [p.baseUrlEnv, Url(`${p.label} API base`, p.baseUrl)],
  ])) as Record<string, ReturnType<typeof Text> | ReturnType<typeof Url>>),
  MAX_BODY_SIZE: Size("Largest request body: bytes, or with a unit (512kb, 10MB)", "10MB"),
  MAX_TOKENS_LIMIT: Int(1, 10_000_000, 4096, "Largest max_tokens / max_completion_tokens a request may ask for"),
  UPSTREAM_TIMEOUT: Int(1, 3_600_000, 60_000, "Per-attempt upstream deadline in ms (streams: until the first chunk, then the longest silence)"),
  IDLE_TIMEOUT: Int(20, 255, 30, "Seconds a client connection may send nothing (idle keep-alive, slow headers or body) before it is closed; above the 15 s keep-alive of streams"),
  RATE_LIMIT_WINDOW: Int(1, 86_400_000, 60_000, "Ms to refill a client's whole token bucket on /v1/*"),
  RATE_LIMIT_MAX_REQUESTS: Int(1, 1_000_000_000, 100, "Token bucket size per client (burst)"),
  CACHE_TTL: Int(0, 86_400_000 * 30, 300_000, "Response cache time to live in ms; 0 disables the cache"),
  CACHE_MAX_ENTRIES: Int(0, 10_000_000, 1000, "Most cached responses (least recently used go first); 0 disables the cache"),
  SESSION_TTL: Int(1000, 86_400_000 * 30, 3_600_000, "Ms of inactivity after which a session expires"),
  SESSION_MAX: Int(1, 10_000_000, 10_000, "Most sessions kept (least recently active go first)"),
  RESPONSE_STORE_TTL: Int(1000, 86_400_000 * 30, 86_400_000, "Ms a stored /v1/responses response is kept after it was created"),
  RESPONSE_STORE_MAX: Int(0, 10_000_000, 1000, "Most stored responses (least recently used go first); 0 stores none"),
  RESPONSE_STORE_MAX_SIZE: Size("Most JSON the response store holds: bytes, or with a unit (least recently used go first)", "64MB"),
  MAX_RETRIES: Int(0, 10, 2, "Retries of one candidate after a retryable failure, before failing over"),
  RETRY_DELAY: Int(0, 60_000, 500, "Backoff base in ms: retry n waits a random time below RETRY_DELAY * 2^n"),
  REQUEST_TIMEOUT: Int(1, 3_600_000, 120_000, "Deadline of a whole request in ms, across every attempt and wait"),
  CATALOG_REFRESH: Int(0, 604_800_000, 3_600_000, "How often (ms) each provider's model list is refetched; 0 turns it off"),
  DATABASE_PATH: t.String({ minLength: 1, default: "./data/gateway.db", description: "SQLite file for admin changes, keys, users, revocations (:memory: under NODE_ENV=test)" }),
  DATABASE_URL: t.Optional(t.String({ pattern: "^postgres(ql)?://[^\\s]+$", description: "postgres://user:password@host:5432/db: the gateway's tables (keys, users, revocations, admin changes) and the usage ledger go to Postgres instead of the SQLite file, so replicas on several hosts share them" })),
  USAGE_LEDGER: t.Union(BOOL, { default: "true", description: "false stops writing usage ledger rows" }),
  USAGE_RETENTION_DAYS: Int(0, 36_500, 30, "Usage rows older than this many days are deleted (daily), the names only they held a day later; 0 keeps them all"),
  JWT_SECRET: Text("Signs the gateway's JWTs: 32+ characters, required in production (random per run elsewhere)"),
  JWT_TTL: t.String({ pattern: "^\\d+\\s*[smhd]?$", default: "24h", description: "Token lifetime: seconds, or with s, m, h or d (30m, 7d)" }),
  GITHUB_CLIENT_ID: Text("GitHub OAuth app client id: enough for the device flow (login routes answer 503 without it)"),
  GITHUB_CLIENT_SECRET: Text("GitHub OAuth app client secret: the web flow needs it too"),
  GITHUB_CALLBACK_URL: Url("The OAuth app's callback URL; https makes the login cookie Secure", "http://localhost:8787/auth/github/callback"),
  GITHUB_BASE_URL: Url("OAuth host; GitHub Enterprise: https://HOST", "https://github.com"),
  GITHUB_API_URL: Url("REST API; GitHub Enterprise: https://HOST/api/v3", "https://api.github.com"),
  ADMIN_USERS: t.Optional(t.String({ pattern: "^\\s*[A-Za-z0-9-]+(\\s*,\\s*[A-Za-z0-9-]+)*\\s*,?\\s*$", description: "Comma-separated GitHub logins with admin rights" })),
  ADMIN_TOKEN: t.Optional(t.String({ minLength: MIN_SECRET_LENGTH, description: "Bearer token with admin rights, for automation (32+ characters)" })),
  REQUIRE_AUTH: Bool("true: /v1/* accepts only a gateway JWT or a gateway API key"),
  CORS_ORIGINS: t.String({
    pattern: "^\\s*(\\*|https?://[^\\s,/]+(\\s*,\\s*https?://[^\\s,/]+)*)\\s*,?\\s*$",
    default: "*",
    description: "Web origins that may call /v1/* from a browser: * (any), comma-separated origins, or empty to turn CORS off",
  }),
  CUSTOM_PROVIDERS: Text("JSON array of OpenAI-compatible servers: [{name, baseUrl, apiKey?, models[]}]"),
  REDIS_URL: t.Optional(t.String({ pattern: "^rediss?://[^\\s]+$", description: "redis://[:password@]host:port[/db]: replicas share limits, cache, sessions, cooldowns (docs/scaling.md)" })),
  REDIS_PREFIX: t.String({ pattern: "^[\\w:.-]{1,64}$", default: "ogw:", description: "Prefix of every Redis key and channel (several gateways on one Redis)" }),
});
type Env = Static<typeof EnvSchema>;

export interface SettingInfo {
  name: string;
  /** As written in an env file; undefined when the setting has none (or a computed one, see description). */
  default?: string;
  description: string;
}

/** The settings table in schema order, for `--help` and the .env.example check. */
export function settingsTable(): SettingInfo[] {
  return Object.entries(EnvSchema.properties).map(([name, schema]) => ({
    name,
    default: schema.default === undefined ? undefined : String(schema.default),
    description: schema.description ?? "",
  }));
}

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
  /** Seconds a client connection may stay silent before Bun closes it (Bun's own limit is 255). */
  idleTimeoutSeconds: number;
  /** Origins browsers may call /v1/* from: ["*"] for any, [] for CORS off. */
  corsOrigins: string[];
  /** Token bucket per client: `maxRequests` tokens, refilled continuously over `windowMs`. */
  rateLimit: { windowMs: number; maxRequests: number };
  /** Response cache: entries live `ttlMs`; 0 for either disables it. */
  cache: { ttlMs: number; maxEntries: number };
  sessions: { ttlMs: number; max: number };
  /** Stored Responses (POST /v1/responses with store): kept `ttlMs` after creation, at most `max` and `maxBytes` of JSON; max 0 stores none. */
  responseStore: { ttlMs: number; max: number; maxBytes: number };
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
  /** The free-tier presets (src/providers/presets.ts) by name; one without a key stays off. */
  presets: Record<string, ProviderSettings>;
  /** OpenAI-compatible servers (Ollama, vLLM ...) from CUSTOM_PROVIDERS; the admin API adds more at run time. */
  customProviders: CustomProviderSetting[];
  /** SQLite file holding what the admin API changes, keys and revocations (unused with DATABASE_URL); ":memory:" keeps nothing. */
  databasePath: string;
  /** Shared state for replicas (docs/scaling.md); without a url every store is this process's memory. */
  redis: { url?: string; prefix: string };
  /**
   * The usage ledger: on unless USAGE_LEDGER=false. `databaseUrl` (DATABASE_URL) puts it and the gateway's
   * own tables in Postgres; without it both are in the SQLite file.
   */
  usage: { enabled: boolean; databaseUrl?: string; retentionDays: number };
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

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError naming the offending variable. */
export function loadConfig(source: Record<string, string | undefined>): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = source[key]?.trim();
    if (value !== undefined && value !== "") raw[key] = value;
  }
  // Tests never write to the working directory unless they name a file.
  const memoryDatabase = raw.DATABASE_PATH === undefined && raw.NODE_ENV === "test";
  const env = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw)) as Env;
  const first = Value.Errors(EnvSchema, env).First();
  if (first) {
    const name = first.path.replace(/^\//, "");
    const shown = name.endsWith("_KEY") || name.endsWith("SECRET") || name.endsWith("TOKEN") || name === "REDIS_URL" ? "(hidden)" : JSON.stringify(raw[name]);
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
    idleTimeoutSeconds: env.IDLE_TIMEOUT,
    // Set but empty turns CORS off; every other empty setting means its default.
    corsOrigins: source.CORS_ORIGINS?.trim() === "" ? [] : env.CORS_ORIGINS.split(",").map((o) => o.trim()).filter(Boolean),
    rateLimit: { windowMs: env.RATE_LIMIT_WINDOW, maxRequests: env.RATE_LIMIT_MAX_REQUESTS },
    cache: { ttlMs: env.CACHE_TTL, maxEntries: env.CACHE_MAX_ENTRIES },
    sessions: { ttlMs: env.SESSION_TTL, max: env.SESSION_MAX },
    responseStore: { ttlMs: env.RESPONSE_STORE_TTL, max: env.RESPONSE_STORE_MAX, maxBytes: parseSize(env.RESPONSE_STORE_MAX_SIZE) },
    maxRetries: env.MAX_RETRIES,
    retryDelayMs: env.RETRY_DELAY,
    requestTimeoutMs: env.REQUEST_TIMEOUT,
    catalogRefreshMs: env.CATALOG_REFRESH,
    openrouter: {
      apiKey: env.OPENROUTER_API_KEY,
      baseUrl: trimSlash(env.OPENROUTER_BASE_URL),
      appUrl: env.OPENROUTER_APP_URL,
      appName: env.OPENROUTER_APP_NAME,
    },
    gemini: { apiKey: env.GEMINI_API_KEY, baseUrl: trimSlash(env.GEMINI_BASE_URL) },
    opencode: { apiKey: env.OPENCODE_API_KEY, baseUrl: trimSlash(env.OPENCODE_BASE_URL) },
    presets: Object.fromEntries(PRESETS.map((p) => {
      const vars = env as unknown as Record<string, string | undefined>;
      return [p.name, { apiKey: vars[p.keyEnv], baseUrl: trimSlash(vars[p.baseUrlEnv] ?? p.baseUrl) }];
    })),
    customProviders: customProviders(env.CUSTOM_PROVIDERS),
    databasePath: memoryDatabase ? ":memory:" : env.DATABASE_PATH,
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    usage: { enabled: env.USAGE_LEDGER !== "false" && env.USAGE_LEDGER !== "0", databaseUrl: env.DATABASE_URL, retentionDays: env.USAGE_RETENTION_DAYS },
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
      callbackUrl: env.GITHUB_CALLBACK_URL,
      baseUrl: trimSlash(env.GITHUB_BASE_URL),
      apiUrl: trimSlash(env.GITHUB_API_URL),
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

const BUILTIN_PROVIDERS = ["openrouter", "gemini", "opencode", ...PRESETS.map((p) => p.name)];
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
