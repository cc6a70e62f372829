// Runs a request against a model's candidates in order. For each candidate: skip it when its provider
// has no key, its provider's live list dropped it, or its circuit is open; otherwise try it, retrying
// retryable failures with backoff (MAX_RETRIES, RETRY_DELAY), each attempt bounded by UPSTREAM_TIMEOUT;
// then fail over to the next. REQUEST_TIMEOUT bounds the whole request, and a client abort stops every
// attempt and wait at once. A candidate whose quota is spent until a known reset (a daily cap, 0 left in
// its rate-limit headers, a long Retry-After) is skipped without a call. If every configured candidate
// was skipped, those skipped on a guess (a circuit opened by errors; a dropped id when no quota is
// known) are tried anyway, in order; when none was, the answer is a 429 at once whose retry-after is
// the earliest reset. Aliases ordered by latency (`auto`, LATENCY_ORDERED, admin opt-ins) try their
// candidates fastest first instead (latency.ts), among those that support what the request needs.
import type { Config } from "../config.ts";
import { GatewayError, UpstreamError } from "../errors.ts";
import { silentLogger, type Logger } from "../log.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { CallOptions, ChatChunk, ChatRequest, EmbeddingRequest, ModelCapabilities, Provider } from "../providers/types.ts";
import { LATENCY_ORDERED, type Target } from "./aliases.ts";
import { requiredCapabilities, supports } from "./capabilities.ts";
import { candidateKey, MemoryCooldownStore, type CooldownStore } from "./cooldown.ts";
import { ProviderHealth } from "./health.ts";
import { LatencyTracker } from "./latency.ts";
import type { AttemptEvent, RouterObserver } from "./observer.ts";
import { COOLDOWN_MS, cooldownUntil, FAILURE_THRESHOLD, retryDelay } from "./policy.ts";
import type { ModelOverrides } from "./overrides.ts";
import { MemoryQuotaStore, quotaState, spentUntil, type QuotaState, type QuotaStore } from "./quota.ts";
import { resolveModel, type Endpoint } from "./resolve.ts";
import { candidateStatus, type CandidateStatus } from "./status.ts";

export interface Routed<T> {
  result: T;
  provider: string;
  model: string;
  /** Every attempt made, retries included. */
  attempts: number;
}

/** A stream whose first chunk already arrived: from here on the client is committed to this upstream. */
export interface RoutedStream {
  first: ChatChunk | undefined;
  rest: AsyncIterator<ChatChunk>;
}

/** What the router runs on besides providers; every field has a production default. */
export interface RouterDeps {
  log: Logger;
  /** Epoch ms, for cooldowns and resets (timers for deadlines use real time). */
  clock: () => number;
  /** Waits ms, rejecting with the signal's reason as soon as it aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** In [0, 1): the backoff jitter. */
  random: () => number;
  cooldowns: CooldownStore;
  /** What upstreams' rate-limit headers said is left, per candidate or quota pool. */
  quotas: QuotaStore;
  /** True when a provider's live model list no longer has the target. */
  dropped: (target: Target) => boolean;
  /** What a model can do, from its provider's live list (undefined: nothing known). */
  capabilities: (target: Target) => ModelCapabilities | undefined;
  /** What admins changed at run time (mappings, custom providers, emulation), consulted first. */
  overrides?: ModelOverrides;
}

type RouterConfig = Pick<Config, "upstreamTimeoutMs" | "maxRetries" | "retryDelayMs" | "requestTimeoutMs" | "debug">;
/** `settled()` ends the attempt's deadline and returns what aborts the attempt later (a stalled stream). */
type Settled = () => (reason: UpstreamError) => void;
type Attempt<T> = (provider: Provider, call: CallOptions, settled: Settled) => Promise<T>;
interface Candidate {
  target: Target;
  provider: Provider;
  /** Its breaker key. */
  key: string;
  /** Its quota pool's breaker key, when it shares one (OpenRouter's free models). */
  pool: string | undefined;
}
/** Why a candidate was skipped: its reset is known (epoch ms), or its circuit is open on a guess, or the catalog dropped it. */
type Skip = { reset: number } | "guess" | "dropped";
/** One request's progress across candidates. */
interface Run {
  endpoint: Endpoint;
  requested: string;
  /** The client's signal: aborted when it leaves. */
  client: AbortSignal;
  /** performance.now() at which REQUEST_TIMEOUT fires. */
  deadlineAt: number;
  /** Set when REQUEST_TIMEOUT cut an attempt short. */
  timedOut: boolean;
  attempts: number;
  tried: number;
  last?: { target: Target; error: UpstreamError };
  /** A stream: its latency is the time to the first chunk, averaged apart from whole answers. */
  stream: boolean;
}
/** What latency ordering needs to know of a chat request. */
interface ChatOptions { req: ChatRequest; stream: boolean }

export class Router {
  readonly health: ProviderHealth;
  /** Recent latency per candidate, kept whatever the alias, for the aliases ordered by it. */
  readonly latency = new LatencyTracker();
  private readonly deps: RouterDeps;
  private readonly observers = new Set<RouterObserver>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly config: RouterConfig,
    deps: Partial<RouterDeps> = {},
  ) {
    this.deps = {
      log: silentLogger, clock: Date.now, sleep: abortableSleep, random: Math.random,
      cooldowns: new MemoryCooldownStore(), quotas: new MemoryQuotaStore(), dropped: () => false,
      capabilities: () => undefined, ...deps,
    };
    this.health = new ProviderHealth(this.deps.clock, (provider, from, to, error) => this.deps.log("provider_state", { provider, from, to, error }));
  }

  /** Adds an observer (metrics, logs); returns its removal. */
  observe(observer: RouterObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** `fit`: lower max_tokens to each candidate's output limit where the live catalog knows one. */
  chat(req: ChatRequest, signal: AbortSignal, fit = false) {
    return this.run("chat", req.model, signal, (p, call) => p.chat(fit ? this.fitted(req, p.name, call.model) : req, call), { req, stream: false });
  }

  chatStream(req: ChatRequest, signal: AbortSignal, fit = false): Promise<Routed<RoutedStream>> {
    return this.run("chat", req.model, signal, async (p, call, settled) => {
      const rest = (await p.chatStream(fit ? this.fitted(req, p.name, call.model) : req, call))[Symbol.asyncIterator]();
      // Failing over is safe until the client got a byte: wait for the first chunk before committing.
      const first = await rest.next();
      // The deadlines cover the wait for the first chunk only; a long answer may stream for minutes, but
      // never fall silent for longer than UPSTREAM_TIMEOUT.
      const abort = settled();
      return { first: first.done ? undefined : first.value, rest: idleGuard(rest, this.config.upstreamTimeoutMs, p.name, abort) };
    }, { req, stream: true });
  }

  embeddings(req: EmbeddingRequest, signal: AbortSignal) {
    return this.run("embeddings", req.model, signal, (p, call) => p.embeddings(req, call));
  }

  /** The request with max_tokens lowered to the model's output limit, when its provider's list states a lower one. */
  private fitted(req: ChatRequest, provider: string, model: string): ChatRequest {
    const limit = this.deps.capabilities({ provider, model })?.maxOutputTokens;
    return limit !== undefined && (req.max_tokens ?? 0) > limit ? { ...req, max_tokens: limit } : req;
  }

  /** Each candidate's state by provider, for /health. */
  async candidates(): Promise<Map<string, CandidateStatus[]>> {
    const out = await candidateStatus(this.deps.cooldowns, this.deps.quotas, this.deps.dropped, this.deps.clock());
    // What latency ordering goes by (whole answers, else first chunks), for the candidates this replica measured.
    for (const [provider, list] of out) {
      for (const c of list) {
        const ms = this.latency.average(`${provider}:${c.model}`, false);
        if (ms !== undefined) c.latency_ms = Math.round(ms);
      }
    }
    return out;
  }

  private async run<T>(endpoint: Endpoint, requested: string, client: AbortSignal, attempt: Attempt<T>, chat?: ChatOptions): Promise<Routed<T>> {
    const targets = resolveModel(requested, endpoint, this.deps.overrides);
    let candidates = targets
      .map((target) => {
        const provider = this.registry.get(target.provider);
        const pool = provider?.quotaPool?.(target.model);
        return { target, provider, key: candidateKey(target), pool: pool === undefined ? undefined : poolKey(target.provider, pool) };
      })
      .filter((c): c is Candidate => !!c.provider?.configured);
    if (candidates.length === 0) throw this.unconfigured(requested, targets);
    if (chat && (this.deps.overrides?.latencyOrder(requested) ?? LATENCY_ORDERED.has(requested))) candidates = this.byLatency(candidates, chat);

    // REQUEST_TIMEOUT needs no timer of its own: each attempt's timer also covers what is left of it, and
    // a backoff wait never outlasts it (tryCandidate moves on instead).
    const run: Run = {
      endpoint, requested, client, deadlineAt: performance.now() + this.config.requestTimeoutMs, timedOut: false, attempts: 0, tried: 0,
      stream: chat?.stream ?? false,
    };
    try {
      const guessed: Candidate[] = [];
      const dropped: Candidate[] = [];
      let reset: { at: number; candidate: Candidate } | undefined;
      for (const c of candidates) {
        const skip = await this.skipped(c, run);
        if (skip === undefined) {
          const routed = await this.tryCandidate(c, run, attempt);
          if (routed) return routed;
        } else if (skip === "guess") guessed.push(c);
        else if (skip === "dropped") dropped.push(c);
        else if (!reset || skip.reset < reset.at) reset = { at: skip.reset, candidate: c };
      }
      if (run.tried === 0) {
        // An open circuit is a guess that the candidate is still broken: better a try than a refusal. A
        // catalog up to CATALOG_REFRESH old is one too, but only when no candidate's quota says when to come back.
        const lastResort = [...guessed, ...(reset ? [] : dropped)];
        if (lastResort.length > 0) this.debug("route_last_resort", { requested, candidates: lastResort.map((c) => c.key) });
        for (const c of lastResort) {
          const routed = await this.tryCandidate(c, run, attempt);
          if (routed) return routed;
        }
      }
      if (run.tried === 0) throw spent(requested, reset!.candidate.target, reset!.at, this.deps.clock());
      const last = run.last!.error;
      throw run.tried === 1 ? last : exhausted(requested, run.attempts, last);
    } catch (error) {
      throw run.timedOut && !client.aborted ? this.timedOut(run) : error;
    }
  }

  /**
   * Why the candidate must not be tried now, or undefined when it may (claiming the probe of a half-open
   * circuit): its provider's live list dropped it, its quota or its pool's is spent until a known reset,
   * or its circuit is open.
   */
  private async skipped({ target, provider, key: candidate, pool }: Candidate, run: Run): Promise<Skip | undefined> {
    if (this.deps.dropped(target)) {
      this.debug("route_skip", { requested: run.requested, candidate, why: "dropped from catalog" });
      return "dropped";
    }
    const now = this.deps.clock();
    if (pool) {
      const closedUntil = (await this.deps.cooldowns.get(pool))?.openUntil;
      if (closedUntil !== undefined && closedUntil > now) {
        this.debug("route_skip", { requested: run.requested, candidate, why: `quota pool ${pool} exhausted` });
        return { reset: closedUntil };
      }
      // Past its reset the pool is open again; its members' own breakers decide from here.
      if (closedUntil !== undefined) await this.deps.cooldowns.recordSuccess(pool);
    }
    const spentAt = spentUntil(await this.deps.quotas.get(pool ?? candidate), now);
    if (spentAt !== undefined) {
      this.debug("route_skip", { requested: run.requested, candidate, why: "reported 0 remaining" });
      return { reset: spentAt };
    }
    // A probe that never reports back (its client left) frees the claim after one request's deadline.
    const admission = await this.deps.cooldowns.admit(candidate, now, this.config.requestTimeoutMs);
    if (admission === "probe") this.debug("route_probe", { requested: run.requested, candidate });
    if (admission !== "open") return undefined;
    this.debug("route_skip", { requested: run.requested, candidate, why: "circuit open" });
    const state = await this.deps.cooldowns.get(candidate);
    return state?.timed && state.openUntil !== undefined && state.openUntil > now ? { reset: state.openUntil } : "guess";
  }

  /** Tries one candidate with retries; the result, or undefined when the next candidate should be tried. */
  private async tryCandidate<T>(c: Candidate, run: Run, attempt: Attempt<T>): Promise<Routed<T> | undefined> {
    const { target, provider, key } = c;
    if (run.last) this.failover(run, run.last.target, target, run.last.error);
    run.tried++;
    for (let retry = 0; ; retry++) {
      run.attempts++;
      const started = performance.now();
      let quota: QuotaState | undefined;
      const onRateLimit: CallOptions["onRateLimit"] = (report) => {
        quota = quotaState(report, this.deps.clock());
      };
      try {
        const result = await this.withDeadline(provider, run, (signal, settled) => attempt(provider, { model: target.model, signal, onRateLimit }, settled));
        if (quota) await this.learnQuota(c, quota);
        this.report(run, target, started, 200, "success");
        this.latency.record(key, run.stream, performance.now() - started);
        this.health.success(provider.name);
        await this.deps.cooldowns.recordSuccess(key);
        return { result, provider: provider.name, model: target.model, attempts: run.attempts };
      } catch (error) {
        if (quota) await this.learnQuota(c, quota);
        const stopped = run.client.aborted || run.timedOut;
        if (stopped) this.report(run, target, started, null, "aborted");
        if (!(error instanceof UpstreamError) || stopped) throw error;
        this.report(run, target, started, error.upstreamStatus, error.kind);
        // A refused request says nothing about the upstream's health and is final: another would refuse it too.
        if (error.kind === "client") throw error;
        this.latency.penalize(key, run.stream, performance.now() - started);
        this.health.failure(provider.name, error.message);
        const now = this.deps.clock();
        const failure = { now, reason: error.kind, openUntil: cooldownUntil(error, now), threshold: FAILURE_THRESHOLD, cooldownMs: COOLDOWN_MS };
        const state = await this.deps.cooldowns.recordFailure(key, failure);
        // A pool closes only until a time the upstream named: one model's blip says nothing about the others.
        if (error.pool && failure.openUntil !== undefined) await this.deps.cooldowns.recordFailure(poolKey(provider.name, error.pool), failure);
        const wait = retryDelay(error, retry, { maxRetries: this.config.maxRetries, baseDelayMs: this.config.retryDelayMs }, this.deps.random);
        // A spent quota clears at its reset: retrying before it would only be refused again.
        const open = (state.openUntil !== undefined && state.openUntil > now) || spentUntil(quota, now) !== undefined;
        // A wait that would outlast REQUEST_TIMEOUT is better spent on the next candidate.
        if (wait === undefined || open || wait >= run.deadlineAt - performance.now()) {
          run.last = { target, error };
          return undefined;
        }
        this.debug("route_retry", { requested: run.requested, candidate: key, attempt: run.attempts, wait_ms: wait, reason: error.kind });
        await this.deps.sleep(wait, run.client);
      }
    }
  }

  /**
   * Candidates that support what the request needs (tools, images, JSON output; all of them when none
   * does), fastest first. Unhealthy and spent ones stay in the list: the loop skips them without a call.
   */
  private byLatency(candidates: Candidate[], chat: ChatOptions): Candidate[] {
    const needs = requiredCapabilities(chat.req);
    const able = needs.tools || needs.vision || needs.json ? candidates.filter((c) => supports(this.deps.capabilities(c.target), needs)) : candidates;
    return this.latency.order(able.length > 0 ? able : candidates, chat.stream);
  }

  /** Keeps what an answer's rate-limit headers said, for the candidate or its pool, and tells observers. */
  private async learnQuota(c: Candidate, quota: QuotaState): Promise<void> {
    await this.deps.quotas.record(c.pool ?? c.key, quota);
    for (const o of this.observers) safely(() => o.onQuota?.({ provider: c.target.provider, model: c.target.model, quota }));
  }

  /**
   * Runs one attempt under UPSTREAM_TIMEOUT and what is left of REQUEST_TIMEOUT, cancelled at once when the
   * client leaves. One controller and one timer serve all three (they cost more than any other routing step).
   */
  private async withDeadline<T>(
    provider: Provider,
    run: Run,
    attempt: (signal: AbortSignal, settled: Settled) => Promise<T>,
  ): Promise<T> {
    const stop = new AbortController();
    const { client } = run;
    if (client.aborted) stop.abort(client.reason);
    else client.addEventListener("abort", () => stop.abort(client.reason), { once: true });
    const ms = this.config.upstreamTimeoutMs;
    const left = run.deadlineAt - performance.now();
    const timer = setTimeout(() => {
      if (left <= ms) {
        run.timedOut = true;
        stop.abort();
      } else stop.abort(new UpstreamError(provider.name, "timeout", null, `${provider.name} did not answer within ${ms} ms`));
    }, Math.max(0, Math.min(ms, left)));
    try {
      return await attempt(stop.signal, () => {
        clearTimeout(timer);
        return (reason) => stop.abort(reason);
      });
    } catch (error) {
      // A body read cut by UPSTREAM_TIMEOUT surfaces as a plain AbortError; report it as the timeout it is.
      throw stop.signal.aborted && !client.aborted && !run.timedOut ? stop.signal.reason : error;
    } finally {
      clearTimeout(timer);
    }
  }

  private report(run: Run, target: Target, started: number, status: number | null, outcome: AttemptEvent["outcome"]): void {
    const event: AttemptEvent = {
      endpoint: run.endpoint, requested: run.requested, provider: target.provider, model: target.model,
      attempt: run.attempts, status, outcome, durationMs: Math.round(performance.now() - started),
    };
    // Checked here, not in debug(): the copy would otherwise be made for every attempt.
    if (this.config.debug) this.deps.log("route_attempt", { ...event });
    for (const o of this.observers) safely(() => o.onAttempt?.(event));
  }

  private failover(run: Run, from: Target, to: Target, error: UpstreamError): void {
    const event = { endpoint: run.endpoint, requested: run.requested, from, to, reason: error.kind, message: error.message };
    this.deps.log("failover", { requested: run.requested, from: candidateKey(from), to: candidateKey(to), reason: error.kind, status: error.upstreamStatus });
    for (const o of this.observers) safely(() => o.onFailover?.(event));
  }

  private debug(event: string, data: Record<string, unknown>): void {
    if (this.config.debug) this.deps.log(event, data);
  }

  private timedOut(run: Run): UpstreamError {
    const last = run.last?.error;
    return new UpstreamError(last?.provider ?? "gateway", "timeout", null,
      `No upstream answered \`${run.requested}\` within REQUEST_TIMEOUT (${this.config.requestTimeoutMs} ms) after ${run.attempts} attempts${last ? `; last: ${last.message}` : ""}`);
  }

  private unconfigured(model: string, targets: Target[]): GatewayError {
    const wanted = new Set(targets.map((t) => t.provider));
    const hints = this.registry.all().filter((p) => wanted.has(p.name)).flatMap((p) => p.envHint);
    return new GatewayError(
      503,
      `No upstream provider is configured for model \`${model}\`. Set ${hints.join(" or ") || "a provider API key"} and restart the gateway.`,
      "service_unavailable",
      "provider_not_configured",
    );
  }
}

/** The breaker key of a provider's quota pool; "*" cannot start a model id, so it never names a model. */
const poolKey = (provider: string, pool: string) => `${provider}:*${pool}`;

/** Every candidate failed: keep the last failure's status (a 429 stays a 429) and say how many were tried. */
function exhausted(model: string, attempts: number, last: UpstreamError): UpstreamError {
  return new UpstreamError(last.provider, last.kind, last.upstreamStatus,
    `All upstream candidates for \`${model}\` failed after ${attempts} attempts; last: ${last.message}`,
    { status: last.status, code: last.code, retryAfterMs: last.retryAfterMs, resetAt: last.resetAt });
}

/**
 * A committed stream whose upstream sends no chunk for `ms` (stalled, or only keep-alives, or an event
 * that never ends) is aborted, which closes the upstream connection; the consumer gets a timeout error.
 */
function idleGuard(rest: AsyncIterator<ChatChunk>, ms: number, provider: string, abort: (reason: UpstreamError) => void): AsyncIterator<ChatChunk> {
  // One timer re-armed from the time of the last chunk, not one per chunk (streams are the hot path);
  // only time spent waiting on the upstream counts, not a slow client's.
  let since = 0;
  let waiting = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stalled: UpstreamError | undefined;
  const check = () => {
    timer = undefined;
    if (!waiting) return;
    const idle = performance.now() - since;
    if (idle < ms) {
      timer = setTimeout(check, ms - idle);
      return;
    }
    stalled = new UpstreamError(provider, "timeout", null, `${provider} sent nothing for ${ms} ms in the middle of a stream (UPSTREAM_TIMEOUT)`);
    abort(stalled);
  };
  return {
    async next() {
      since = performance.now();
      waiting = true;
      timer ??= setTimeout(check, ms);
      try {
        const result = await rest.next();
        if (result.done) clearTimeout(timer);
        return result;
      } catch (error) {
        clearTimeout(timer);
        throw stalled ?? error;
      } finally {
        waiting = false;
      }
    },
    async return(value) {
      clearTimeout(timer);
      return rest.return ? rest.return(value) : { done: true, value: undefined };
    },
  };
}

/** Every candidate is out of quota until a known time: a 429 at once, without calling any of them. */
function spent(model: string, first: Target, resetAt: number, now: number): UpstreamError {
  const retryAfterMs = Math.max(0, resetAt - now);
  return new UpstreamError(first.provider, "quota", null,
    `Every upstream candidate for \`${model}\` is out of quota; the first (${candidateKey(first)}) resets in ${Math.ceil(retryAfterMs / 1000)} s`,
    { status: 429, code: "rate_limit_exceeded", retryAfterMs, resetAt });
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // An observer's bug must not fail the request it observes.
  }
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
