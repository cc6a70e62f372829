// What /v1/models lists: every alias, every upstream model the table routes to (unless its provider's
// live list dropped it), and every free model the providers list today.
import type { ProviderRegistry } from "../providers/registry.ts";
import { CHAT_ALIASES, CLAUDE_MODELS, EMBEDDING_ALIASES, type Target } from "./aliases.ts";
import { candidateKey } from "./cooldown.ts";
import type { LiveCatalog } from "./live-catalog.ts";
import type { ModelOverrides } from "./overrides.ts";
import { PREFIXED_PROVIDERS } from "./resolve.ts";

export interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/** The id a client sends to reach a target directly. */
function directId(target: Target): string {
  return PREFIXED_PROVIDERS.includes(target.provider) ? `${target.provider}-${target.model}` : target.model;
}

/** Every target of the model table, once each, by breaker key (the table is constant). */
export const TABLE_TARGETS: ReadonlyMap<string, Target> = new Map(
  [...CHAT_ALIASES.values(), ...EMBEDDING_ALIASES.values()].flat().map((t) => [candidateKey(t), t]),
);

export class ModelCatalog {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly live: LiveCatalog,
    /** Admin mappings and custom providers' models, which change at run time. */
    private readonly overrides: ModelOverrides,
  ) {}

  list(): ModelEntry[] {
    const entries = new Map<string, ModelEntry>();
    const add = (id: string, owner: string) => {
      if (!entries.has(id)) entries.set(id, { id, object: "model", created: this.created, owned_by: owner });
    };
    for (const id of [...CHAT_ALIASES.keys(), ...CLAUDE_MODELS, ...EMBEDDING_ALIASES.keys()]) add(id, "openai-gateway");
    for (const id of this.overrides.mappedAliases()) add(id, "openai-gateway");
    for (const [provider, ids] of this.byProvider()) for (const id of ids) add(id, provider);
    return [...entries.values()];
  }

  get(id: string): ModelEntry | undefined {
    return this.list().find((m) => m.id === id);
  }

  /** Upstream model ids by provider, for providers the registry knows: the table's, custom providers', then today's free ones. */
  byProvider(): Map<string, string[]> {
    const groups = new Map<string, Set<string>>();
    const add = (target: Target) => {
      if (!this.registry.get(target.provider)) return;
      let set = groups.get(target.provider);
      if (!set) groups.set(target.provider, (set = new Set()));
      set.add(directId(target));
    };
    for (const target of TABLE_TARGETS.values()) if (!this.live.dropped(target)) add(target);
    for (const target of this.overrides.customTargets()) add(target);
    for (const provider of this.registry.all()) {
      for (const m of this.live.get(provider.name)?.models ?? []) if (m.free) add({ provider: provider.name, model: m.id });
    }
    return new Map([...groups].map(([p, s]) => [p, [...s]]));
  }
}
