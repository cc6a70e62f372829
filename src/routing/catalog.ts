// What /v1/models lists: every alias and every upstream model the gateway can route to.
import type { ProviderRegistry } from "../providers/registry.ts";
import { CHAT_ALIASES, EMBEDDING_ALIASES, type Target } from "./aliases.ts";

export interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/** The id a client sends to reach a target directly. */
export function directId(target: Target): string {
  return target.provider === "opencode" ? `opencode-${target.model}` : target.model;
}

export class ModelCatalog {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly registry: ProviderRegistry) {}

  list(): ModelEntry[] {
    const entries = new Map<string, ModelEntry>();
    const add = (id: string, owner: string) => {
      if (!entries.has(id)) entries.set(id, { id, object: "model", created: this.created, owned_by: owner });
    };
    for (const id of [...Object.keys(CHAT_ALIASES), ...Object.keys(EMBEDDING_ALIASES)]) add(id, "openai-gateway");
    for (const [provider, ids] of this.byProvider()) for (const id of ids) add(id, provider);
    return [...entries.values()];
  }

  get(id: string): ModelEntry | undefined {
    return this.list().find((m) => m.id === id);
  }

  /** Upstream model ids by provider, for providers the registry knows. */
  byProvider(): Map<string, string[]> {
    const groups = new Map<string, Set<string>>();
    for (const target of [...Object.values(CHAT_ALIASES), ...Object.values(EMBEDDING_ALIASES)].flat()) {
      if (!this.registry.get(target.provider)) continue;
      let set = groups.get(target.provider);
      if (!set) groups.set(target.provider, (set = new Set()));
      set.add(directId(target));
    }
    return new Map([...groups].map(([p, s]) => [p, [...s]]));
  }
}
