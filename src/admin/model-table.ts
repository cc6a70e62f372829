// GET /config/models: every alias with the candidates the router would try for it right now (admin
// mappings, custom providers and the emulation profile applied), each with its live state from the
// breakers, so the console can show what a request for the alias would do.
import type { ProviderRegistry } from "../providers/registry.ts";
import { CHAT_ALIASES, EMBEDDING_ALIASES, LATENCY_ORDERED } from "../routing/aliases.ts";
import type { ModelOverrides } from "../routing/overrides.ts";
import { resolveModel, type Endpoint } from "../routing/resolve.ts";
import type { CandidateStatus } from "../routing/status.ts";

export interface AliasRow {
  alias: string;
  endpoint: Endpoint;
  /** An admin mapping decides it (DELETE /config/models/{alias} removes it). */
  mapped: boolean;
  /** "latency": fastest healthy candidate first (`auto`, or an admin's choice); "fixed": as listed. */
  order: "latency" | "fixed";
  candidates: Array<{ provider: string; model: string; configured: boolean } & Omit<CandidateStatus, "model">>;
}

export function modelTable(
  registry: ProviderRegistry,
  overrides: ModelOverrides,
  states: Map<string, CandidateStatus[]>,
): AliasRow[] {
  const mapped = new Set(overrides.mappedAliases());
  const rows: AliasRow[] = [];
  const add = (alias: string, endpoint: Endpoint) => {
    const candidates = resolveModel(alias, endpoint, overrides).map((t) => {
      const status = states.get(t.provider)?.find((s) => s.model === t.model);
      const { model: _, ...state } = status ?? { model: t.model, state: "ok" as const };
      return { provider: t.provider, model: t.model, configured: !!registry.get(t.provider)?.configured, ...state };
    });
    const latency = endpoint === "chat" && (overrides.latencyOrder(alias) ?? LATENCY_ORDERED.has(alias));
    rows.push({ alias, endpoint, mapped: mapped.has(alias), order: latency ? "latency" : "fixed", candidates });
  };
  for (const alias of mapped) add(alias, "chat");
  for (const alias of CHAT_ALIASES.keys()) if (!mapped.has(alias)) add(alias, "chat");
  for (const alias of EMBEDDING_ALIASES.keys()) if (!mapped.has(alias)) add(alias, "embeddings");
  return rows;
}
