// Response-cache keys. A false hit returns someone an answer to a different question, a false miss
// only costs an upstream call; so the key covers the whole body and drops only the fields below,
// each of which is known not to change the answer. Unknown and vendor fields (OpenRouter
// `provider`, `reasoning`, `transforms` ...) therefore count by default.
const IGNORED_FIELDS = new Set([
  "stream", //          delivery only; the route replays a cached answer as a stream or as JSON
  "stream_options", //  include_usage / include_obfuscation shape the stream framing, not the answer
  "user", //            end-user id for abuse monitoring (deprecated for the next two)
  "safety_identifier", // same purpose as user
  "prompt_cache_key", // upstream prompt-cache routing hint: latency and price only
  "metadata", //        tags for OpenAI's stored completions
  "store", //           whether OpenAI keeps the completion; the free upstreams ignore it
  "service_tier", //    latency/price class of the same model; the free upstreams ignore it
]);

export type CacheKind = "chat" | "embeddings";

/**
 * `<kind>:<sha256 hex>` of the body's canonical JSON (object keys sorted at every depth) minus
 * IGNORED_FIELDS. Top-level nulls are dropped too: `"temperature": null` means "default", the same
 * as leaving it out. Nested nulls stay, since inside a JSON schema `null` is a value.
 * SHA-256 rather than Bun.hash: keys come from client input and a non-cryptographic 64-bit hash
 * could be steered into a collision that serves one client's cached answer to another request.
 */
export function cacheKey(kind: CacheKind, body: Record<string, unknown>): string {
  return kind + ":" + Bun.CryptoHasher.hash("sha256", canonicalObject(body, true), "hex");
}

// JSON.stringify with object keys sorted at every depth; undefined members are skipped and
// undefined array items become null, as JSON.stringify does.
function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (!Array.isArray(value)) return canonicalObject(value as Record<string, unknown>, false);
  let out = "[";
  for (let i = 0; i < value.length; i++) out += (i ? "," : "") + canonicalJson(value[i]);
  return out + "]";
}

function canonicalObject(record: Record<string, unknown>, topLevel: boolean): string {
  let out = "{";
  for (const name of Object.keys(record).sort()) {
    const value = record[name];
    if (value === undefined || (topLevel && (value === null || IGNORED_FIELDS.has(name)))) continue;
    if (out.length > 1) out += ",";
    out += JSON.stringify(name) + ":" + canonicalJson(value);
  }
  return out + "}";
}
