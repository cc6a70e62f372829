// Runs a request against an alias's candidates in order: skips unconfigured providers, bounds each
// attempt with UPSTREAM_TIMEOUT, and fails over on upstream failures that another candidate may not
// share. A client abort stops everything at once.
import type { Config } from "../config.ts";
import { GatewayError, UpstreamError } from "../errors.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { ChatChunk, ChatRequest, EmbeddingRequest, Provider } from "../providers/types.ts";
import type { Target } from "./aliases.ts";
import { ProviderHealth } from "./health.ts";
import type { ModelOverrides } from "./overrides.ts";
import { resolveModel, type Endpoint } from "./resolve.ts";

export interface Routed<T> {
  result: T;
  provider: string;
  model: string;
  attempts: number;
}

/** A stream whose first chunk already arrived: from here on the client is committed to this upstream. */
export interface RoutedStream {
  first: ChatChunk | undefined;
  rest: AsyncIterator<ChatChunk>;
}

type Attempt<T> = (provider: Provider, target: Target, signal: AbortSignal, settled: () => void) => Promise<T>;

export class Router {
  readonly health = new ProviderHealth();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly config: Pick<Config, "upstreamTimeoutMs">,
    private readonly overrides?: ModelOverrides,
  ) {}

  chat(req: ChatRequest, signal: AbortSignal) {
    return this.run("chat", req.model, signal, (p, t, s) => p.chat(req, { model: t.model, signal: s }));
  }

  chatStream(req: ChatRequest, signal: AbortSignal): Promise<Routed<RoutedStream>> {
    return this.run("chat", req.model, signal, async (p, t, s, settled) => {
      const rest = (await p.chatStream(req, { model: t.model, signal: s }))[Symbol.asyncIterator]();
      const first = await rest.next();
      // The deadline covers the wait for the first chunk only; a long answer may stream for minutes.
      settled();
      return { first: first.done ? undefined : first.value, rest };
    });
  }

  embeddings(req: EmbeddingRequest, signal: AbortSignal) {
    return this.run("embeddings", req.model, signal, (p, t, s) => p.embeddings(req, { model: t.model, signal: s }));
  }

  private async run<T>(endpoint: Endpoint, model: string, signal: AbortSignal, attempt: Attempt<T>): Promise<Routed<T>> {
    const candidates = resolveModel(model, endpoint, this.overrides)
      .map((target) => ({ target, provider: this.registry.get(target.provider) }))
      .filter((c): c is { target: Target; provider: Provider } => !!c.provider?.configured);
    if (candidates.length === 0) throw this.unconfigured(model, endpoint);

    let attempts = 0;
    let lastError: UpstreamError | undefined;
    for (const { target, provider } of candidates) {
      attempts++;
      try {
        const result = await this.withDeadline(provider, signal, (s, settled) => attempt(provider, target, s, settled));
        this.health.success(provider.name);
        return { result, provider: provider.name, model: target.model, attempts };
      } catch (error) {
        if (!(error instanceof UpstreamError) || signal.aborted) throw error;
        // A refused request says nothing about the provider's health; anything else does.
        if (error.kind !== "client") this.health.failure(provider.name, error.message);
        if (!error.failover) throw error;
        lastError = error;
      }
    }
    throw candidates.length === 1 || !lastError ? lastError : exhausted(model, attempts, lastError);
  }

  /** Runs one attempt under its own deadline, linked to the client's signal. */
  private async withDeadline<T>(
    provider: Provider,
    client: AbortSignal,
    run: (signal: AbortSignal, settled: () => void) => Promise<T>,
  ): Promise<T> {
    const deadline = new AbortController();
    const ms = this.config.upstreamTimeoutMs;
    const timer = setTimeout(
      () => deadline.abort(new UpstreamError(provider.name, "timeout", null, `${provider.name} did not answer within ${ms} ms`)),
      ms,
    );
    try {
      return await run(AbortSignal.any([client, deadline.signal]), () => clearTimeout(timer));
    } catch (error) {
      // A body read cut by the deadline surfaces as a plain AbortError; report it as the timeout it is.
      throw deadline.signal.aborted && !client.aborted ? deadline.signal.reason : error;
    } finally {
      clearTimeout(timer);
    }
  }

  private unconfigured(model: string, endpoint: Endpoint): GatewayError {
    const wanted = new Set(resolveModel(model, endpoint, this.overrides).map((t) => t.provider));
    const hints = this.registry.all().filter((p) => wanted.has(p.name)).flatMap((p) => p.envHint);
    return new GatewayError(
      503,
      `No upstream provider is configured for model \`${model}\`. Set ${hints.join(" or ") || "a provider API key"} and restart the gateway.`,
      "service_unavailable",
      "provider_not_configured",
    );
  }
}

/** Every candidate failed: keep the last failure's status (a 429 stays a 429) and say how many were tried. */
function exhausted(model: string, attempts: number, last: UpstreamError): UpstreamError {
  return new UpstreamError(last.provider, last.kind, last.upstreamStatus,
    `All ${attempts} upstream candidates for \`${model}\` failed; last: ${last.message}`,
    { status: last.status, code: last.code, retryAfterMs: last.retryAfterMs, resetAt: last.resetAt });
}
