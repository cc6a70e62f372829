// The last observed state of each provider, as /health reports it.
export interface ProviderState {
  state: "unknown" | "ok" | "failing";
  lastSuccessAt?: string;
  lastFailureAt?: string;
  lastError?: string;
}

export class ProviderHealth {
  private readonly states = new Map<string, ProviderState>();

  constructor(private readonly now: () => number = Date.now) {}

  success(provider: string): void {
    const s = this.entry(provider);
    s.state = "ok";
    s.lastSuccessAt = new Date(this.now()).toISOString();
  }

  failure(provider: string, message: string): void {
    const s = this.entry(provider);
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
