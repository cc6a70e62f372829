// The last observed state of each provider, as /health reports it.
export interface ProviderState {
  state: "unknown" | "ok" | "failing";
  lastSuccessAt?: string;
  lastFailureAt?: string;
  lastError?: string;
}

/** Told when a provider turns ok or failing (a lifecycle event for the logs). */
export type StateChange = (provider: string, from: ProviderState["state"], to: ProviderState["state"], error?: string) => void;

export class ProviderHealth {
  private readonly states = new Map<string, ProviderState>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly changed: StateChange = () => {},
  ) {}

  success(provider: string): void {
    const s = this.entry(provider);
    if (s.state !== "ok") this.changed(provider, s.state, "ok");
    s.state = "ok";
    s.lastSuccessAt = new Date(this.now()).toISOString();
  }

  failure(provider: string, message: string): void {
    const s = this.entry(provider);
    if (s.state !== "failing") this.changed(provider, s.state, "failing", message);
    s.state = "failing";
    s.lastFailureAt = new Date(this.now()).toISOString();
    s.lastError = message;
  }

  get(provider: string): ProviderState {
    return this.states.get(provider) ?? { state: "unknown" };
  }

  private entry(provider: string): ProviderState {
    let s = this.states.get(provider);
    if (!s) this.states.set(provider, (s = { state: "unknown" }));
    return s;
  }
}
