// Run-time routing changes layered over the static tables: admin model mappings, the models custom
// providers list, the emulation profile, and which aliases admins ordered by latency (or not).
// resolveModel consults this first.
import type { Target } from "./aliases.ts";
import { DEFAULT_PROFILE, type ProfileTable } from "./emulation.ts";
import type { Endpoint } from "./resolve.ts";

export class ModelOverrides {
  private readonly mappings = new Map<string, Target>();
  /** Model id -> the custom provider that lists it. */
  private readonly customModels = new Map<string, string>();
  private emulated: ProfileTable = new Map();
  private currentProfile = DEFAULT_PROFILE;
  /** Alias -> true: ordered by latency; false: as listed. Absent: the table decides (LATENCY_ORDERED). */
  private readonly orders = new Map<string, boolean>();

  get profile(): string {
    return this.currentProfile;
  }

  setMapping(alias: string, target: Target): void {
    this.mappings.set(alias, target);
  }

  removeMapping(alias: string): void {
    this.mappings.delete(alias);
  }

  clearMappings(): void {
    this.mappings.clear();
  }

  /** Replaces the model ids routed to a custom provider (none: the provider is gone). */
  setCustomModels(provider: string, models: string[]): void {
    for (const [id, owner] of this.customModels) if (owner === provider) this.customModels.delete(id);
    for (const id of models) this.customModels.set(id, provider);
  }

  /** The custom provider that lists `model`, if any. */
  customOwner(model: string): string | undefined {
    return this.customModels.get(model);
  }

  setProfile(name: string, table: ProfileTable): void {
    this.currentProfile = name;
    this.emulated = table;
  }

  setLatencyOrder(alias: string, latency: boolean): void {
    this.orders.set(alias, latency);
  }

  removeLatencyOrder(alias: string): void {
    this.orders.delete(alias);
  }

  clearLatencyOrders(): void {
    this.orders.clear();
  }

  /** Whether admins ordered this alias by latency (true), as listed (false), or left it to the table. */
  latencyOrder(alias: string): boolean | undefined {
    return this.orders.get(alias);
  }

  /** Aliases admins mapped, for /v1/models. */
  mappedAliases(): string[] {
    return [...this.mappings.keys()];
  }

  /** The models custom providers serve, as targets, for /v1/models. */
  customTargets(): Target[] {
    return [...this.customModels].map(([model, provider]) => ({ provider, model }));
  }

  /** Admin mapping, then a custom provider's model id, then the emulation profile (chat only). */
  lookup(model: string, endpoint: Endpoint): Target[] | undefined {
    const mapped = this.mappings.get(model);
    if (mapped) return [mapped];
    const owner = this.customModels.get(model);
    if (owner) return [{ provider: owner, model }];
    return endpoint === "chat" ? this.emulated.get(model) : undefined;
  }
}
