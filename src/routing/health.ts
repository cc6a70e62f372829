// The last observed state of each provider, as /health reports it.
export interface ProviderState {
  state: "unknown" | "ok" | "failing";
  lastSuccessAt?: string;
  lastFailureAt?: string;
  lastError?: string;
}

/** Told when a provider turns ok or failing (a lifecycle event for the logs). */
export type StateChange = (provider: string, from: ProviderState["state"], to: ProviderState["state"], error?: string) => void;

/** As kept: epoch ms, so the per-request path never formats a date; /health formats them. */
interface Observed {
  state: ProviderState["state"];
  lastSuccessAt?: number;
  lastFailureAt?: number;
  lastError?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class ProviderHealth {
  private readonly states = new Map<string, Observed>();

  constructor(
    private readonly now: () => number,
    private readonly changed: StateChange,
  ) {}

  success(provider: string): void {
    const s = this.entry(provider);
    if (s.state !== "ok") this.changed(provider, s.state, "ok");
    s.state = "ok";
    s.lastSuccessAt = this.now();
  }

  failure(provider: string, message: string): void {
    const s = this.entry(provider);
    if (s.state !== "failing") this.changed(provider, s.state, "failing", message);
    s.state = "failing";
    s.lastFailureAt = this.now();
    s.lastError = message;
  }

  get(provider: string): ProviderState {
    const s = this.states.get(provider);
    if (!s) return { state: "unknown" };
    const out: ProviderState = { state: s.state };
    if (s.lastSuccessAt !== undefined) out.lastSuccessAt = iso(s.lastSuccessAt);
    if (s.lastFailureAt !== undefined) out.lastFailureAt = iso(s.lastFailureAt);
    if (s.lastError !== undefined) out.lastError = s.lastError;
    return out;
  }

  private entry(provider: string): Observed {
    let s = this.states.get(provider);
    if (!s) this.states.set(provider, (s = { state: "unknown" }));
    return s;
  }
}
