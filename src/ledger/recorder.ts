// Turns each completed inference request (RequestEvents) into a ledger row: who, what, where it went,
// how it ended, tokens, timings and an estimated cost. Never the prompt or the answer.
import { sha256 } from "../auth/secrets.ts";
import type { RequestEvents, RequestMeta } from "../plugins/request-context.ts";
import { INFERENCE_ROUTES } from "./routes.ts";
import type { UsageRow } from "./store.ts";

/** USD per token of an upstream model (zero when free or unknown). */
export type Pricing = (provider: string, model: string) => { prompt: number; completion: number };

export function recordUsage(events: RequestEvents, push: (row: UsageRow) => void, price: Pricing, now: () => number): void {
  events.onComplete((meta, durationMs) => {
    if (INFERENCE_ROUTES.has(meta.route)) push(toRow(meta, durationMs, price, now()));
  });
}

/**
 * Whose rows these are: the meta's client, except that an address is stored hashed. The usage API
 * computes the reader's owner with the same function, so every caller sees exactly its own rows.
 */
export function ownerOf(client: string): string {
  return client.startsWith("ip:") ? `ip:${sha256(client.slice(3))}` : client;
}

function toRow(meta: RequestMeta, durationMs: number, price: Pricing, time: number): UsageRow {
  const prompt = meta.usage?.prompt_tokens ?? 0;
  const completion = meta.usage?.completion_tokens ?? 0;
  const owner = ownerOf(meta.client);
  const cost = meta.provider && meta.upstreamModel && meta.cache !== "HIT" ? price(meta.provider, meta.upstreamModel) : undefined;
  return {
    id: meta.id,
    time,
    owner,
    // An anonymous caller (a bearer the gateway did not issue, or none) is named by a prefix of its hash.
    key_id: meta.keyId ?? (meta.login ? null : `anon:${owner.slice(owner.indexOf(":") + 1, owner.indexOf(":") + 13)}`),
    user_login: meta.login ?? null,
    endpoint: meta.route,
    model: meta.model ?? null,
    provider: meta.provider ?? null,
    upstream_model: meta.upstreamModel ?? null,
    status: meta.status ?? 0,
    error: meta.errorCode ?? null,
    prompt_tokens: prompt,
    completion_tokens: completion,
    latency_ms: Math.round(durationMs * 100) / 100,
    first_byte_ms: meta.firstByteMs === undefined ? null : Math.round(meta.firstByteMs * 100) / 100,
    attempts: meta.attempts ?? 0,
    cache: meta.cache ?? null,
    session_id: meta.sessionId ?? null,
    cost_usd: cost ? cost.prompt * prompt + cost.completion * completion : 0,
  };
}
