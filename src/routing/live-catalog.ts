// What each configured provider offers right now, refetched every CATALOG_REFRESH. Free models come and
// go without notice: a candidate missing from its provider's last good list is skipped by the router,
// and new free models show up in /v1/models. A failed (or empty) fetch keeps the last good list; a provider never
// fetched successfully drops nothing. Start-up never waits for it.
import type { Logger } from "../log.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { ModelCapabilities, UpstreamModel } from "../providers/types.ts";
import type { Target } from "./aliases.ts";

export interface ProviderCatalog {
  models: UpstreamModel[];
  fetchedAt: number;
}

type Price = { prompt: number; completion: number };
const NO_PRICE: Price = { prompt: 0, completion: 0 };

export interface LiveCatalogOptions {
  /** Ms between refreshes; 0 turns the live catalog off (nothing fetched, nothing dropped). */
  refreshMs: number;
  /** Bound of one provider's fetch, in ms. */
  timeoutMs: number;
  log: Logger;
  clock?: () => number;
}

export class LiveCatalog {
  private readonly lists = new Map<string, ProviderCatalog & { ids: Set<string>; prices: Map<string, Price>; capabilities: Map<string, ModelCapabilities> }>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly opts: LiveCatalogOptions,
  ) {}

  /** First fetch now (not awaited), then every refreshMs. The timer never keeps the process alive. */
  start(): void {
    if (this.opts.refreshMs === 0 || this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Refetches every configured provider's list; overlapping calls share one run. Never throws. */
  refresh(): Promise<void> {
    this.running ??= Promise.all(this.registry.all().filter((p) => p.configured).map(async (p) => {
      try {
        const models = await p.listModels(AbortSignal.timeout(this.opts.timeoutMs));
        // An empty list is a broken answer, not a provider that retired everything.
        if (models.length === 0) throw new Error("the model list is empty");
        this.lists.set(p.name, { models, fetchedAt: (this.opts.clock ?? Date.now)(), ids: new Set(models.map((m) => m.id)),
          prices: new Map(models.flatMap((m) => (m.pricing && !m.free ? [[m.id, m.pricing] as const] : []))),
          capabilities: new Map(models.flatMap((m) => (m.capabilities ? [[m.id, m.capabilities] as const] : []))) });
      } catch (error) {
        this.opts.log("catalog_refresh_failed", { provider: p.name, error: error instanceof Error ? error.message : String(error) });
      }
    })).then(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** True when the provider's last good list does not have this model any more. */
  dropped(target: Target): boolean {
    const list = this.lists.get(target.provider);
    if (list === undefined) return false;
    const id = this.registry.get(target.provider)?.listedId?.(target.model) ?? target.model;
    return !list.ids.has(id);
  }

  /** USD per token of a provider's model from its last good list; zero when free or unlisted. */
  price(provider: string, model: string): Price {
    return this.lists.get(provider)?.prices.get(model) ?? NO_PRICE;
  }

  /** What a model can do, as its provider's last good list says (undefined: it says nothing). */
  capabilities(target: Target): ModelCapabilities | undefined {
    return this.lists.get(target.provider)?.capabilities.get(target.model);
  }

  /** A provider's last good list, if one was ever fetched. */
  get(provider: string): ProviderCatalog | undefined {
    const list = this.lists.get(provider);
    return list && { models: list.models, fetchedAt: list.fetchedAt };
  }
}
