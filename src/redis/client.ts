// The gateway's link to Redis (REDIS_URL): Bun's built-in RedisClient, one connection for commands and
// one for pub/sub (a subscribed connection takes no other commands). Nothing here ever makes a request
// wait for Redis to come back: commands fail at once while it is down (no offline queue) and after
// COMMAND_TIMEOUT_MS when it hangs, and every store decides what a failure means for it (see
// docs/scaling.md). The link reconnects on its own with backoff capped at MAX_BACKOFF_MS, then tells
// the stores (onUp) so they resynchronise what they mirror locally.
import { RedisClient } from "bun";
import { createHash } from "node:crypto";
import { GatewayError } from "../errors.ts";
import type { Logger } from "../log.ts";

/** A command slower than this counts as Redis being down: the request goes on without it. */
const COMMAND_TIMEOUT_MS = 500;
const WATCHDOG_MS = 100;
const FIRST_BACKOFF_MS = 100;
export const MAX_BACKOFF_MS = 10_000;

/** Wait before reconnection attempt `attempt` (0-based): doubling from FIRST_BACKOFF_MS, capped at MAX_BACKOFF_MS. */
export const backoffMs = (attempt: number) => Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt);

/** Thrown by every Redis-backed operation that cannot reach Redis; routes that need Redis answer it as a 503. */
export class RedisUnavailable extends GatewayError {
  constructor(why: string) {
    super(503, `Shared state (Redis) is unavailable: ${why}. Try again shortly.`, "service_unavailable", "redis_unavailable");
  }
}

export interface RedisHealth {
  status: "up" | "down";
  /** ISO time of the last change. */
  since: string;
  error?: string;
}

type Handler = (message: string) => void;

export class Redis {
  readonly prefix: string;
  readonly #url: string;
  readonly #log: Logger;
  #cmd: RedisClient | undefined;
  #sub: RedisClient | undefined;
  #up = false;
  #since = Date.now();
  #error: string | undefined = "connecting";
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #connecting = false;
  /**
   * When each unanswered command was sent (on #awake()), oldest first (one connection answers in order).
   * A watchdog, cheaper than a timer per command, closes a link whose oldest command waited
   * COMMAND_TIMEOUT_MS: its commands then fail at once and the link reconnects.
   */
  #sent: number[] = [];
  /** How long the process was seen stalled (late watchdog ticks); #awake() is the clock commands are timed on. */
  #stalledMs = 0;
  #awake = () => performance.now() - this.#stalledMs;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  readonly #channels = new Map<string, Handler>();
  readonly #onUp = new Set<() => void | Promise<void>>();

  constructor(url: string, prefix: string, log: Logger) {
    this.#url = url;
    this.prefix = prefix;
    this.#log = log;
  }

  /** Starts connecting (in the background: start-up never waits for Redis). */
  start(): void {
    void this.#connect();
  }

  get up(): boolean {
    return this.#up;
  }

  health(): RedisHealth {
    return { status: this.#up ? "up" : "down", since: new Date(this.#since).toISOString(), ...(this.#error ? { error: this.#error } : {}) };
  }

  /** Resolves once connected (tests and start-up scripts); rejects after `ms`. */
  async ready(ms = 5_000): Promise<void> {
    const end = Date.now() + ms;
    while (!this.#up) {
      if (Date.now() > end) throw new Error(`Redis not reachable within ${ms} ms: ${this.#error}`);
      await Bun.sleep(10);
    }
  }

  /** Runs after every (re)connection: stores reload what they mirror, since messages were missed while down. */
  onUp(fn: () => void | Promise<void>): void {
    this.#onUp.add(fn);
  }

  /** One command; rejects with RedisUnavailable at once while down, or after COMMAND_TIMEOUT_MS. */
  send<T = unknown>(command: string, args: string[]): Promise<T> {
    const cmd = this.#cmd;
    if (!this.#up || !cmd) return Promise.reject(new RedisUnavailable(this.#error ?? "not connected"));
    // This connection's queue: a reconnection starts a new one.
    const sent = this.#sent;
    sent.push(this.#awake());
    return (cmd.send(command, args) as Promise<T>).then(
      (reply) => {
        sent.shift();
        return reply;
      },
      (error: unknown) => {
        sent.shift();
        // A script or type error is a bug, not an outage: let it surface as one.
        if (error instanceof Error && /^(ERR|WRONGTYPE|NOSCRIPT)/.test(error.message)) throw error;
        if (cmd === this.#cmd) this.#down(error instanceof Error ? error.message : String(error));
        throw new RedisUnavailable("the connection failed");
      },
    );
  }

  /** Fire and forget: an announcement lost while Redis is down is made up for by onUp's resync. */
  publish(channel: string, message: string): void {
    this.send("PUBLISH", [this.prefix + channel, message]).catch(() => {});
  }

  /** Handles messages on one channel (under the prefix), from now on and after every reconnection. */
  subscribe(channel: string, handler: Handler): void {
    this.#channels.set(this.prefix + channel, handler);
    if (this.#up) this.#sub?.subscribe(this.prefix + channel, handler).catch(() => {});
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#drop();
    this.#up = false;
  }

  #drop(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    for (const client of [this.#cmd, this.#sub]) {
      if (!client) continue;
      client.onclose = null;
      client.close();
    }
  }

  async #connect(): Promise<void> {
    if (this.#closed || this.#connecting) return;
    this.#connecting = true;
    this.#drop();
    const options = { autoReconnect: false, enableOfflineQueue: false, connectionTimeout: 2_000 };
    const cmd = (this.#cmd = new RedisClient(this.#url, options));
    const sub = (this.#sub = new RedisClient(this.#url, options));
    try {
      await Promise.all([cmd.connect(), sub.connect()]);
      for (const [channel, handler] of this.#channels) await sub.subscribe(channel, handler);
      // Only the current connections report: closing old ones must not mark a fresh link down.
      cmd.onclose = sub.onclose = (error) => {
        if (cmd === this.#cmd) this.#down(error?.message ?? "connection closed");
      };
      this.#up = true;
      this.#sent = [];
      let lastTick = performance.now();
      this.#watchdog = setInterval(() => {
        const now = performance.now();
        // A tick that comes late means the process itself stalled (a GC pause, a starved CPU); answers that
        // arrived meanwhile are still unread behind this timer, so the stall does not count against them.
        const lateBy = now - lastTick - WATCHDOG_MS;
        lastTick = now;
        if (lateBy > WATCHDOG_MS) this.#stalledMs += lateBy;
        if (this.#sent.length > 0 && this.#awake() - this.#sent[0] > COMMAND_TIMEOUT_MS) {
          this.#down(`no answer within ${COMMAND_TIMEOUT_MS} ms`);
          this.#drop();
        }
      }, WATCHDOG_MS);
      this.#watchdog.unref?.();
      this.#since = Date.now();
      this.#error = undefined;
      this.#attempt = 0;
      this.#log("redis_up", {});
      for (const fn of this.#onUp) await Promise.resolve(fn()).catch((error) => this.#log("redis_resync_failed", { error: String(error) }));
    } catch (error) {
      this.#connecting = false;
      this.#down(error instanceof Error ? error.message : String(error));
      return;
    }
    this.#connecting = false;
  }

  #down(why: string): void {
    if (this.#closed) return;
    if (this.#up) {
      this.#up = false;
      this.#since = Date.now();
      this.#log("redis_down", { error: why });
    }
    this.#error = why;
    if (this.#timer || this.#connecting) return;
    const wait = backoffMs(this.#attempt++);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, wait);
    this.#timer.unref?.();
  }
}

/** A Lua script run by its SHA-1 (EVALSHA), loaded with EVAL the first time a server lacks it. */
export class Script {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  run<T>(redis: Redis, keys: string[], args: string[]): Promise<T> {
    const rest = [String(keys.length), ...keys, ...args];
    return redis.send<T>("EVALSHA", [this.#sha, ...rest]).catch((error: unknown) => {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return redis.send<T>("EVAL", [this.#source, ...rest]);
    });
  }
}

/** A rejection handler: `fallback()` when Redis is unreachable; any other error (a bug) goes on. */
export const whenDown = <T>(fallback: () => T) => (error: unknown): T => {
  if (error instanceof RedisUnavailable) return fallback();
  throw error;
};
