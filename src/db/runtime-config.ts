// What admins change at run time: model mappings, custom providers and the emulation profile. These
// rows are layered over the settings from the environment when the gateway starts.
import type { Database } from "bun:sqlite";
import { out, type Out, type Runner, runner, then } from "./sql.ts";

export interface ModelMapping {
  alias: string;
  provider: string;
  model: string;
}

export interface CustomProviderSpec {
  name: string;
  baseUrl: string;
  /** Kept so the gateway can call the provider; no route ever returns it. */
  apiKey: string | null;
  models: string[];
}

const PROFILE_KEY = "emulation_profile";
/** Alias -> "latency" | "fixed", as one JSON object. */
const ORDER_KEY = "alias_order";

export type AliasOrder = "latency" | "fixed";

/** Everything saved, read in one go (start-up, and whenever another replica announces a change). */
export interface SavedConfig {
  customProviders: CustomProviderSpec[];
  mappings: ModelMapping[];
  orders: Record<string, AliasOrder>;
  profile: string | undefined;
}

/**
 * On SQLite (`Sync`) answers at once; on Postgres with promises. Read only by the admin routes and by
 * RuntimeConfig at start-up and on a change: requests route from what RuntimeConfig applied in memory.
 */
export class RuntimeConfigStore<Sync extends boolean = true> {
  readonly #db: Runner<Sync>;

  constructor(db: Database | Runner<Sync>) {
    this.#db = runner(db);
  }

  saved(): Out<Sync, SavedConfig> {
    return out(then(this.customProviders(), (customProviders) => then(this.mappings(), (mappings) =>
      then(this.orders(), (orders) => then(this.profile(), (profile) => ({ customProviders, mappings, orders, profile }))))));
  }

  mappings(): Out<Sync, ModelMapping[]> {
    return this.#db.all<ModelMapping>("SELECT alias, provider, model FROM model_mappings ORDER BY alias");
  }

  saveMapping(mapping: ModelMapping, now: number): Out<Sync, number> {
    return this.#db.run(
      `INSERT INTO model_mappings (alias, provider, model, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (alias) DO UPDATE SET provider = excluded.provider, model = excluded.model, updated_at = excluded.updated_at`,
      [mapping.alias, mapping.provider, mapping.model, now],
    );
  }

  removeMapping(alias: string): Out<Sync, boolean> {
    return out(then(this.#db.run("DELETE FROM model_mappings WHERE alias = ?", [alias]), (n) => n > 0));
  }

  customProviders(): Out<Sync, CustomProviderSpec[]> {
    const rows = this.#db.all<{ name: string; base_url: string; api_key: string | null; models: string }>(
      "SELECT name, base_url, api_key, models FROM custom_providers ORDER BY name");
    return out(then(rows, (all) => all.map((r) => ({ name: r.name, baseUrl: r.base_url, apiKey: r.api_key, models: JSON.parse(r.models) as string[] }))));
  }

  saveCustomProvider(spec: CustomProviderSpec, now: number): Out<Sync, number> {
    return this.#db.run(
      `INSERT INTO custom_providers (name, base_url, api_key, models, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET base_url = excluded.base_url, api_key = excluded.api_key, models = excluded.models`,
      [spec.name, spec.baseUrl, spec.apiKey, JSON.stringify(spec.models), now],
    );
  }

  removeCustomProvider(name: string): Out<Sync, boolean> {
    return out(then(this.#db.run("DELETE FROM custom_providers WHERE name = ?", [name]), (n) => n > 0));
  }

  profile(): Out<Sync, string | undefined> {
    return this.#setting(PROFILE_KEY);
  }

  /** How admins ordered aliases (POST /config/routing). */
  orders(): Out<Sync, Record<string, AliasOrder>> {
    return out(then(this.#setting(ORDER_KEY), (value) => (value ? (JSON.parse(value) as Record<string, AliasOrder>) : {})));
  }

  saveOrders(orders: Record<string, AliasOrder>): Out<Sync, number> {
    return this.#save(ORDER_KEY, JSON.stringify(orders));
  }

  saveProfile(profile: string): Out<Sync, number> {
    return this.#save(PROFILE_KEY, profile);
  }

  #setting(key: string): Out<Sync, string | undefined> {
    return out(then(this.#db.all<{ value: string }>("SELECT value FROM settings WHERE key = ?", [key]), ([row]) => row?.value));
  }

  #save(key: string, value: string): Out<Sync, number> {
    return this.#db.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
  }
}
