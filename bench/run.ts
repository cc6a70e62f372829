// Benchmark driver: `bun bench/run.ts` (see bench/README.md). Starts a fake upstream and every target as
// separate processes, measures them in interleaved rounds so drift (thermal, noisy neighbours) hits all
// targets alike, and writes bench/results/latest.{md,json}.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { RedisClient } from "bun";
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { join } from "node:path";
import type { LoadResult, LoadSpec } from "./load.ts";
import { ROOT, SCRATCH, cpuSeconds, freePort, killAll, memMB, pinned, pinning, runBounded, spawnServer, stop, track, waitReady, type Server } from "./proc.ts";
import { renderMarkdown, type FigureKey, type TargetReport } from "./report.ts";

const PORTKEY_VERSION = "1.15.2";

const positiveInt = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
};

const settings = {
  rounds: positiveInt("BENCH_ROUNDS", 3),
  durationSec: positiveInt("BENCH_DURATION_SEC", 2),
  warmupSec: 2,
  concurrency: [10, 50],
  /** The slow-upstream phase: one round per concurrency, the fake waiting this long before each answer. */
  slowDelayMs: 50,
  sequential: positiveInt("BENCH_SEQUENTIAL", 2000),
  streamSamples: positiveInt("BENCH_STREAM_SAMPLES", 20),
  streamWarmup: positiveInt("BENCH_STREAM_WARMUP", 100),
  streamChunks: 5,
  chunkGapMs: 20,
  coldStarts: 5,
  deadlineSec: positiveInt("BENCH_DEADLINE_SEC", 170),
  /** BENCH_REDIS=1 adds `gateway-redis`: the gateway (cache off) on a local redis-server, to compare with `gateway`. */
  redis: process.env.BENCH_REDIS === "1",
  /** BENCH_LEDGER=1 adds `gateway-ledger-off` (USAGE_LEDGER=false), to compare with `gateway` (usage ledger on, the default). */
  ledger: process.env.BENCH_LEDGER === "1",
  /** BENCH_LATENCY=1 adds `gateway-auto`: the same question as model `auto` (latency-ordered routing), to compare with `gateway`. */
  latency: process.env.BENCH_LATENCY === "1",
  /** BENCH_TWIN=1 adds `gateway-twin`, a second instance identical to `gateway`: their difference is the run's own noise. */
  twin: process.env.BENCH_TWIN === "1",
  /** BENCH_ONLY=a,b measures only the targets named (the others are reported unavailable): a focused, longer comparison. */
  only: process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map((name) => name.trim())) : undefined,
};
const gatewayBin = process.env.GATEWAY_BIN ?? join(ROOT, "dist/gateway");
// The compiled binary is what users run (and what the Docker image ships); the source when it is missing.
const gatewayCmd = (process.env.GATEWAY_CMD ?? (existsSync(gatewayBin) ? gatewayBin : "bun src/index.ts")).split(/\s+/).filter(Boolean);
// The runtime setting the Docker image ships (see Dockerfile), given to every Bun target alike so memory
// figures compare like with like. BUN_JSC_forceRAMSize=0 in the caller's environment measures JSC's default.
const RUNTIME_ENV = { BUN_JSC_forceRAMSize: process.env.BUN_JSC_forceRAMSize ?? "536870912" };
const RESULTS = join(import.meta.dir, "results");

// The whole suite is bounded: past the deadline everything is killed and the run fails.
const started = performance.now();
setTimeout(() => {
  console.error(`bench: deadline of ${settings.deadlineSec} s passed, aborting`);
  killAll();
  process.exit(2);
}, settings.deadlineSec * 1000).unref();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
const say = (msg: string) => console.error(`[${elapsed()}] ${msg}`);

// Same request for every target; `gpt-4o-mini` is the gateway's alias, Portkey passes it through.
const BODY = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello in one paragraph." }], max_tokens: 128 });
const STREAM_BODY = JSON.stringify({ ...JSON.parse(BODY), stream: true, stream_options: { include_usage: true } });

/** What a target speaks: its route, the request bodies, and how a correct answer reads. */
interface Dialect {
  path: string;
  body: string;
  streamBody: string;
  /** The answer's text in a JSON reply. */
  text: (json: Record<string, any>) => unknown;
  /** What every complete stream contains. */
  streamEnd: string;
}
const CHAT: Dialect = { path: "/v1/chat/completions", body: BODY, streamBody: STREAM_BODY, text: (j) => j.choices?.[0]?.message?.content, streamEnd: "data: [DONE]" };
// The same question to `auto`: candidates ordered by measured latency (and capability), where
// `gpt-4o-mini` keeps its fixed order; the fake answers every model alike.
const withModel = (body: string, model: string) => JSON.stringify({ ...JSON.parse(body), model });
const AUTO: Dialect = { ...CHAT, body: withModel(BODY, "auto"), streamBody: withModel(STREAM_BODY, "auto") };
// The Responses door asked the same question, on an instance like `gateway`, to compare with chat in one run;
// `store: false` as Codex CLI sends it.
const RESPONSES_BODY = { model: "gpt-4o-mini", input: "Say hello in one paragraph.", max_output_tokens: 128, store: false };
const RESPONSES: Dialect = {
  path: "/v1/responses",
  body: JSON.stringify(RESPONSES_BODY),
  streamBody: JSON.stringify({ ...RESPONSES_BODY, stream: true }),
  text: (j) => j.output_text,
  streamEnd: "event: response.completed",
};
// The Messages door asked the same question, on an instance like `gateway`, to compare with chat in one run.
const MESSAGES_BODY = { model: "gpt-4o-mini", max_tokens: 128, messages: [{ role: "user", content: "Say hello in one paragraph." }] };
const MESSAGES: Dialect = {
  path: "/v1/messages",
  body: JSON.stringify(MESSAGES_BODY),
  streamBody: JSON.stringify({ ...MESSAGES_BODY, stream: true }),
  text: (j) => j.content?.[0]?.text,
  streamEnd: "event: message_stop",
};
// identity: the fake never compresses, and a gateway that does (Portkey under Bun) must not get to.
const BASE_HEADERS = { "content-type": "application/json", "accept-encoding": "identity", authorization: "Bearer bench" };

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  dialect: Dialect;
  server?: Server;
  report: TargetReport;
}

const newTarget = (name: string, url: string, headers: Record<string, string>, server?: Server, dialect = CHAT): Target => ({
  name,
  url,
  headers,
  dialect,
  server,
  report: { name, figures: {}, notes: [] },
});
const live = (list: Target[]) => list.filter((t) => !t.report.unavailable);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
/** Nearest-rank percentile, q in (0, 1]. */
function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
/** Round k visits targets in a rotated order, so no target is always first or last. */
const rotate = <T>(xs: T[], k: number) => xs.slice(k % xs.length).concat(xs.slice(0, k % xs.length));

// ---------------------------------------------------------------------------------------------- setup

async function startFake(): Promise<{ server: Server; base: string }> {
  const port = freePort();
  const env = { ...process.env, PORT: String(port), FAKE_DELAY_MS: "0", FAKE_CHUNKS: String(settings.streamChunks), FAKE_CHUNK_GAP_MS: String(settings.chunkGapMs) };
  const server = spawnServer("fake-upstream", pinned(1, ["bun", join(import.meta.dir, "fake-upstream.ts")]), env);
  await waitReady(server, `http://127.0.0.1:${port}/health`, performance.now(), 10_000);
  return { server, base: `http://127.0.0.1:${port}/api/v1` };
}

/** A throwaway redis-server (no persistence) beside the fake upstream on core 1; its URL once it answers. */
async function startRedisServer(): Promise<string> {
  const bin = Bun.which("redis-server", { PATH: `${process.env.PATH}:/usr/sbin:/usr/bin` });
  if (!bin) throw new Error("redis-server is not installed (apt-get install -y redis-server)");
  const port = freePort();
  const server = spawnServer("redis", pinned(1, [bin, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]), process.env);
  const url = `redis://127.0.0.1:${port}`;
  const deadline = performance.now() + 5_000;
  for (;;) {
    const client = new RedisClient(url, { autoReconnect: false });
    try {
      await client.connect();
      return url;
    } catch (e) {
      if (performance.now() > deadline || server.proc.exitCode !== null) throw new Error(`redis-server did not start: ${(e as Error).message}`);
      await Bun.sleep(20);
    } finally {
      client.close();
    }
  }
}

/** The gateway on Redis, measured only once its link is up (/health answers 200 before that, degraded). */
async function startRedisTarget(fakeBase: string): Promise<Target> {
  let url: string;
  try {
    url = await startRedisServer();
  } catch (e) {
    const target = newTarget("gateway-redis", "", BASE_HEADERS);
    target.report.unavailable = (e as Error).message;
    return target;
  }
  const port = freePort();
  const target = await startTarget("gateway-redis", gatewayCmd, { ...gatewayEnv("gateway-redis", fakeBase, "0"), REDIS_URL: url }, port, "/health");
  const deadline = performance.now() + 5_000;
  while (!target.report.unavailable) {
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { redis?: { status: string } };
    if (health.redis?.status === "up") break;
    if (performance.now() > deadline) target.report.unavailable = `its Redis link is ${health.redis?.status ?? "absent"}`;
    await Bun.sleep(20);
  }
  return target;
}

const JWT_SECRET = randomBytes(32).toString("hex");

function gatewayEnv(name: string, fakeBase: string, cacheTtl: string): Record<string, string | undefined> {
  // Each instance gets its own empty SQLite file (WAL, as in production: the usage ledger writes to it),
  // and the run leaves no data/gateway.db behind.
  const db = join(SCRATCH, "db", `${name}.db`);
  mkdirSync(join(SCRATCH, "db"), { recursive: true });
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${db}${suffix}`, { force: true });
  return {
    ...process.env,
    ...RUNTIME_ENV,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    OPENROUTER_API_KEY: "bench-key",
    OPENROUTER_BASE_URL: fakeBase,
    CACHE_TTL: cacheTtl,
    RATE_LIMIT_MAX_REQUESTS: "100000000",
    DEBUG: "false",
    // Production refuses to start without a JWT secret; a throwaway one per run signs nothing anyone keeps.
    JWT_SECRET,
    DATABASE_PATH: db,
  };
}

/** Starts one target process on core 0 and records how long it took to answer its readiness URL. */
async function startTarget(
  name: string, cmd: string[], env: Record<string, string | undefined>, port: number, readyPath: string,
  { headers = {}, dialect = CHAT }: { headers?: Record<string, string>; dialect?: Dialect } = {},
): Promise<Target> {
  const t0 = performance.now();
  const server = spawnServer(name, pinned(0, cmd), { ...env, PORT: String(port) });
  const target = newTarget(name, `http://127.0.0.1:${port}${dialect.path}`, { ...BASE_HEADERS, ...headers }, server, dialect);
  try {
    target.report.figures.start_ms = await waitReady(server, `http://127.0.0.1:${port}${readyPath}`, t0, 30_000);
    target.report.figures.rss_idle_mb = memMB(server.proc.pid, "VmRSS") ?? undefined;
  } catch (e) {
    target.report.unavailable = (e as Error).message;
    await stop(server.proc);
  }
  return target;
}

/** Installs the pinned Portkey release into bench/.scratch/portkey (once) and returns its start script. */
async function installPortkey(): Promise<string> {
  const dir = join(SCRATCH, "portkey");
  const pkgDir = join(dir, "node_modules/@portkey-ai/gateway");
  const entry = join(pkgDir, "build/start-server.js");
  const installed = existsSync(join(pkgDir, "package.json")) && JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version === PORTKEY_VERSION;
  if (!installed) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, dependencies: { "@portkey-ai/gateway": PORTKEY_VERSION } }, null, 2));
    // Bun skips the package's own postinstall (patch-package), which the published build does not need.
    const out = await runBounded(["bun", "install"], dir, 60_000);
    if (out.code !== 0) throw new Error(`bun install @portkey-ai/gateway@${PORTKEY_VERSION} failed: ${out.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  }
  if (!existsSync(entry)) throw new Error(`${entry} missing after install`);
  return entry;
}

// --------------------------------------------------------------------------------------- measurements

async function completionOnce(t: Target): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(t.url, { method: "POST", headers: t.headers, body: t.dialect.body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  return ms;
}

interface StreamSample {
  ttfbMs: number;
  totalMs: number;
  problem?: string;
}

/** One streamed completion; never throws: a refused or timed-out stream is a sample with a problem. */
async function streamOnce(t: Target): Promise<StreamSample> {
  try {
    return await timeStream(t);
  } catch (e) {
    return { ttfbMs: NaN, totalMs: NaN, problem: (e as Error).message };
  }
}

/** Time to the first body bytes and to the end, plus a check that all chunks and the stream's end arrived. */
async function timeStream(t: Target): Promise<StreamSample> {
  const t0 = performance.now();
  const res = await fetch(t.url, { method: "POST", headers: t.headers, body: t.dialect.streamBody, signal: AbortSignal.timeout(10_000) });
  if (!res.body) return { ttfbMs: NaN, totalMs: NaN, problem: `HTTP ${res.status} without body` };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let ttfbMs = NaN;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (Number.isNaN(ttfbMs)) ttfbMs = performance.now() - t0;
    text += decoder.decode(value, { stream: true });
  }
  const totalMs = performance.now() - t0;
  let problem: string | undefined;
  if (res.status !== 200) problem = `HTTP ${res.status}: ${text.slice(0, 200)}`;
  else if (!text.includes(t.dialect.streamEnd)) problem = `no ${t.dialect.streamEnd}`;
  else if (!Array.from({ length: settings.streamChunks }, (_, i) => `token${i} `).every((tok) => text.includes(tok))) problem = "content chunks missing";
  return { ttfbMs, totalMs, problem };
}

/** A target is measured only if it answers both kinds of request correctly. */
async function smoke(t: Target): Promise<void> {
  try {
    const res = await fetch(t.url, { method: "POST", headers: t.headers, body: t.dialect.body, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
    const answer = t.dialect.text(JSON.parse(text) as Record<string, any>);
    if (typeof answer !== "string" || !answer.startsWith("Benchmark reply")) throw new Error(`unexpected body: ${text.slice(0, 300)}`);
    const s = await streamOnce(t);
    if (s.problem) throw new Error(`stream: ${s.problem}`);
  } catch (e) {
    t.report.unavailable = `smoke test failed: ${(e as Error).message}`;
    if (t.server) await stop(t.server.proc);
  }
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
}

/** Client of the load-generator process (bench/load.ts) on core 1, started once so autocannon stays warm. */
class LoadGenerator {
  private readonly proc = track(
    Bun.spawn(pinned(1, ["bun", join(import.meta.dir, "load.ts")]), { cwd: ROOT, stdin: "pipe", stdout: "pipe", stderr: "inherit" }),
  );
  private readonly results = lines(this.proc.stdout);

  async run(t: Target, connections: number, durationSec: number): Promise<LoadResult> {
    const spec: LoadSpec = { url: t.url, headers: t.headers, body: t.dialect.body, connections, durationSec };
    this.proc.stdin.write(`${JSON.stringify(spec)}\n`);
    this.proc.stdin.flush();
    let timer: Timer | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`load generator silent for ${durationSec + 20} s`)), (durationSec + 20) * 1000);
    });
    try {
      const next = await Promise.race([this.results.next(), timeout]);
      if (next.done) throw new Error(`load generator exited (${this.proc.exitCode ?? this.proc.signalCode})`);
      return JSON.parse(next.value) as LoadResult;
    } catch (e) {
      this.proc.kill("SIGKILL"); // its state is unknown now: no further runs on it
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.proc.stdin.end();
    return stop(this.proc);
  }
}

const loadRuns: Record<string, Record<string, LoadResult[]>> = {};
/** The target's own CPU time per request in each c50 round: steadier than req/s on a shared host. */
const cpuPerRequest: Record<string, number[]> = {};

async function throughput(list: Target[], fakeBase: string): Promise<void> {
  const loader = new LoadGenerator();
  // JIT and connection pools warm before anything counts; a target that cannot take load is dropped here.
  for (const t of list) {
    await loader.run(t, 50, settings.warmupSec).catch((e: Error) => {
      t.report.unavailable = `warm-up failed: ${e.message}`;
    });
  }
  for (let round = 0; round < settings.rounds; round++) {
    for (const [ci, c] of settings.concurrency.entries()) {
      for (const t of rotate(live(list), round * settings.concurrency.length + ci)) {
        try {
          const pid = t.server?.proc.pid;
          const cpuBefore = pid === undefined ? null : cpuSeconds(pid);
          const r = await loader.run(t, c, settings.durationSec);
          const cpuAfter = pid === undefined ? null : cpuSeconds(pid);
          ((loadRuns[t.name] ??= {})[`c${c}`] ??= []).push(r);
          if (c === 50 && cpuBefore !== null && cpuAfter !== null && r.requests > 0) (cpuPerRequest[t.name] ??= []).push(((cpuAfter - cpuBefore) * 1e6) / r.requests);
          say(`round ${round + 1}/${settings.rounds} c${c} ${t.name}: ${r.rps.toFixed(0)} req/s${r.non2xx + r.errors ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : ""}`);
        } catch (e) {
          t.report.notes.push(`c${c} round ${round + 1}: ${(e as Error).message}`);
        }
      }
    }
  }
  // A real model takes tens of milliseconds at least: with the fake waiting 50 ms, req/s are bounded by
  // connections ÷ 50 ms, and what a proxy costs shows as the share of that bound it reaches.
  await setFakeDelay(fakeBase, settings.slowDelayMs);
  try {
    for (const [ci, c] of settings.concurrency.entries()) {
      for (const t of rotate(live(list), ci)) {
        try {
          const r = await loader.run(t, c, settings.durationSec);
          ((loadRuns[t.name] ??= {})[`c${c}_slow`] ??= []).push(r);
          say(`${settings.slowDelayMs} ms upstream c${c} ${t.name}: ${r.rps.toFixed(0)} req/s`);
        } catch (e) {
          t.report.notes.push(`c${c} with a ${settings.slowDelayMs} ms upstream: ${(e as Error).message}`);
        }
      }
    }
  } finally {
    await setFakeDelay(fakeBase, 0);
  }
  await loader.close();
  for (const t of list) {
    if (cpuPerRequest[t.name]?.length) t.report.figures.cpu_us_c50 = median(cpuPerRequest[t.name]);
    for (const c of settings.concurrency) {
      for (const slow of [false, true]) {
        const runs = loadRuns[t.name]?.[`c${c}${slow ? "_slow" : ""}`] ?? [];
        if (!runs.length) continue;
        t.report.figures[`rps_c${c}${slow ? "_slow" : ""}` as FigureKey] = median(runs.map((r) => r.rps));
        const bad = runs.reduce((n, r) => n + r.non2xx + r.errors, 0);
        if (bad) t.report.notes.push(`c${c}${slow ? ` with a ${settings.slowDelayMs} ms upstream` : ""}: ${bad} non-2xx answers or errors under load (counted in req/s)`);
      }
    }
  }
}

async function setFakeDelay(fakeBase: string, ms: number): Promise<void> {
  const res = await fetch(`${new URL(fakeBase).origin}/bench/delay?ms=${ms}`, { method: "POST", signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`the fake upstream refused a delay of ${ms} ms: HTTP ${res.status}`);
}

/** Sequential requests, one target after another for each i, so every target sees the same moment. */
async function sequentialLatency(list: Target[], direct: Target): Promise<Record<string, number[]>> {
  const all = [direct, ...live(list)];
  const samples: Record<string, number[]> = Object.fromEntries(all.map((t) => [t.name, []]));
  const failed = new Set<Target>();
  const deadline = performance.now() + 40_000;
  for (let i = 0; i < settings.sequential && performance.now() < deadline; i++) {
    for (const t of rotate(all, i)) {
      if (failed.has(t)) continue;
      try {
        samples[t.name].push(await completionOnce(t));
      } catch (e) {
        if (t === direct) throw new Error(`the fake upstream failed, no baseline: ${(e as Error).message}`);
        failed.add(t); // one failure ends this target's series; its figures would mix in timeouts
        t.report.notes.push(`sequential latency stopped after ${samples[t.name].length} requests: ${(e as Error).message}`);
      }
    }
  }
  const base = samples[direct.name];
  for (const t of live(list)) {
    if (failed.has(t)) continue;
    t.report.figures.added_p50_ms = percentile(samples[t.name], 0.5) - percentile(base, 0.5);
    t.report.figures.added_p99_ms = percentile(samples[t.name], 0.99) - percentile(base, 0.99);
  }
  return samples;
}

async function streaming(list: Target[], direct: Target): Promise<Record<string, StreamSample[]>> {
  const all = [direct, ...live(list)];
  const samples: Record<string, StreamSample[]> = Object.fromEntries(all.map((t) => [t.name, []]));
  // Streams run code that plain requests do not (SSE parsing, stream bodies): warm it up like the
  // plain path, 20 streams at a time, so the samples measure steady state rather than the JIT's first tiers.
  for (const t of all) {
    for (let done = 0; done < settings.streamWarmup; done += 20) {
      await Promise.all(Array.from({ length: Math.min(20, settings.streamWarmup - done) }, () => streamOnce(t)));
    }
  }
  const deadline = performance.now() + 30_000;
  for (let i = 0; i < settings.streamSamples && performance.now() < deadline; i++) {
    for (const t of rotate(all, i)) samples[t.name].push(await streamOnce(t));
  }
  const good = (name: string) => samples[name].filter((s) => !s.problem);
  const base = good(direct.name);
  if (!base.length) throw new Error(`the fake upstream streamed nothing usable: ${samples[direct.name][0]?.problem}`);
  for (const t of live(list)) {
    const ok = good(t.name);
    const bad = samples[t.name].length - ok.length;
    if (bad) t.report.notes.push(`${bad} of ${samples[t.name].length} streams broken (${samples[t.name].find((s) => s.problem)?.problem})`);
    if (!ok.length) continue;
    t.report.figures.stream_ttfb_added_ms = median(ok.map((s) => s.ttfbMs)) - median(base.map((s) => s.ttfbMs));
    t.report.figures.stream_total_added_ms = median(ok.map((s) => s.totalMs)) - median(base.map((s) => s.totalMs));
  }
  return samples;
}

/** Median time from spawning a compiled binary to its first 200 on GET /health. */
async function coldStart(name: string, bin: string, fakeBase: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < settings.coldStarts; i++) {
    const port = freePort();
    const t0 = performance.now();
    const server = spawnServer(`${name}-cold`, [bin], { ...gatewayEnv(`${name}-cold`, fakeBase, "0"), PORT: String(port) });
    try {
      times.push(await waitReady(server, `http://127.0.0.1:${port}/health`, t0, 10_000));
    } finally {
      await stop(server.proc);
    }
  }
  return median(times);
}

// ----------------------------------------------------------------------------------------------- main

async function main(): Promise<number> {
  say(`pinning ${pinning ? "on (targets core 0; fake upstream and load generator core 1)" : "off"}`);
  const fake = await startFake();
  const direct = newTarget("direct", `${fake.base}/chat/completions`, BASE_HEADERS);

  const bare = await startTarget("bare", ["bun", join(import.meta.dir, "bare-proxy.ts")], { ...process.env, ...RUNTIME_ENV, OPENROUTER_BASE_URL: fake.base }, freePort(), "/health");
  const elysia = await startTarget("elysia", ["bun", join(import.meta.dir, "elysia-floor.ts")], { ...process.env, ...RUNTIME_ENV, NODE_ENV: "production", OPENROUTER_BASE_URL: fake.base }, freePort(), "/health");
  const gw = await startTarget("gateway", gatewayCmd, gatewayEnv("gateway", fake.base, "0"), freePort(), "/health");
  const gwResponses = await startTarget("gateway-responses", gatewayCmd, gatewayEnv("gateway-responses", fake.base, "0"), freePort(), "/health", { dialect: RESPONSES });
  const gwMessages = await startTarget("gateway-messages", gatewayCmd, gatewayEnv("gateway-messages", fake.base, "0"), freePort(), "/health", { dialect: MESSAGES });
  const gwCached = await startTarget("gateway-cached", gatewayCmd, gatewayEnv("gateway-cached", fake.base, "300000"), freePort(), "/health");
  let portkey: Target;
  try {
    const entry = await installPortkey();
    const portkeyHeaders = { "x-portkey-provider": "openai", "x-portkey-custom-host": fake.base };
    portkey = await startTarget("portkey", ["bun", join(import.meta.dir, "portkey.ts")], { ...process.env, ...RUNTIME_ENV, NODE_ENV: "production", PORTKEY_ENTRY: entry }, freePort(), "/", { headers: portkeyHeaders });
  } catch (e) {
    portkey = newTarget("portkey", "", BASE_HEADERS);
    portkey.report.unavailable = (e as Error).message;
  }
  const list = [bare, elysia, gw, gwResponses, gwMessages, gwCached, portkey];
  if (settings.redis) list.splice(3, 0, await startRedisTarget(fake.base));
  if (settings.ledger) {
    list.splice(3, 0, await startTarget("gateway-ledger-off", gatewayCmd, { ...gatewayEnv("gateway-ledger-off", fake.base, "0"), USAGE_LEDGER: "false" }, freePort(), "/health"));
  }
  if (settings.latency) {
    list.splice(3, 0, await startTarget("gateway-auto", gatewayCmd, gatewayEnv("gateway-auto", fake.base, "0"), freePort(), "/health", { dialect: AUTO }));
  }
  if (settings.twin) list.splice(3, 0, await startTarget("gateway-twin", gatewayCmd, gatewayEnv("gateway-twin", fake.base, "0"), freePort(), "/health"));
  for (const t of list) {
    if (!settings.only || settings.only.has(t.name) || t.report.unavailable) continue;
    t.report.unavailable = "not in BENCH_ONLY";
    if (t.server) await stop(t.server.proc);
  }
  for (const t of live(list)) await smoke(t);
  if (!gwCached.report.unavailable) {
    // The smoke request filled the cache; say so if the figures will not be cache hits after all.
    const res = await fetch(gwCached.url, { method: "POST", headers: gwCached.headers, body: BODY });
    await res.arrayBuffer();
    if (res.headers.get("x-cache") !== "HIT") gwCached.report.notes.push(`repeated request not a cache hit (x-cache: ${res.headers.get("x-cache") ?? "absent"})`);
  }
  for (const t of list) say(`${t.name}: ${t.report.unavailable ? `UNAVAILABLE: ${t.report.unavailable}` : `ready in ${t.report.figures.start_ms?.toFixed(0)} ms`}`);

  say("throughput");
  await throughput(live(list), fake.base);
  say("sequential latency");
  const latency = await sequentialLatency(list, direct);
  say("streaming");
  const streams = await streaming(list, direct);

  for (const t of live(list)) {
    const pid = t.server?.proc.pid;
    if (pid === undefined) continue;
    t.report.figures.rss_peak_mb = memMB(pid, "VmHWM") ?? undefined;
    t.report.figures.rss_after_mb = memMB(pid, "VmRSS") ?? undefined;
  }
  for (const t of list) if (t.server) await stop(t.server.proc);

  say("cold start");
  if (existsSync(gatewayBin) && !gw.report.unavailable) gw.report.figures.cold_start_ms = await coldStart("gateway", gatewayBin, fake.base);
  else gw.report.notes.push(`binary cold start skipped: ${existsSync(gatewayBin) ? "gateway unavailable" : `${gatewayBin} missing (run make build)`}`);
  const bareBin = join(SCRATCH, "bare-proxy");
  const build = await runBounded(["bun", "build", "--compile", "--production", "--bytecode", join(import.meta.dir, "bare-proxy.ts"), "--outfile", bareBin], ROOT, 60_000);
  if (build.code === 0) bare.report.figures.cold_start_ms = await coldStart("bare", bareBin, fake.base);
  else bare.report.notes.push(`binary cold start skipped: bun build failed: ${build.stderr.trim().slice(-200)}`);
  await stop(fake.server.proc);

  const commit = (await runBounded(["git", "rev-parse", "--short", "HEAD"], ROOT, 5000)).stdout.trim();
  const baseP50 = percentile(latency.direct, 0.5);
  const baseP99 = percentile(latency.direct, 0.99);
  const baseStreams = streams.direct.filter((s) => !s.problem);
  const meta = [
    `${new Date().toISOString()}, commit ${commit || "?"}, Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores (${cpus()[0]?.model ?? "?"})`,
    `runtime: BUN_JSC_forceRAMSize=${RUNTIME_ENV.BUN_JSC_forceRAMSize} for every Bun target (the Docker image's setting)`,
    `gateway: \`${gatewayCmd.join(" ").replace(ROOT + "/", "")}\` (cache off: CACHE_TTL=0; gateway-cached: CACHE_TTL=300000 ms, every request identical so non-streaming figures are cache hits); request log on (one JSON line per request, to a file)`,
    `Portkey: @portkey-ai/gateway@${PORTKEY_VERSION} on Bun, provider openai with custom host = fake upstream`,
    `pinning: ${pinning ? "targets on core 0, fake upstream and autocannon on core 1" : "off"}`,
    `req/s: autocannon, median of ${settings.rounds} interleaved rounds × ${settings.durationSec} s per target and concurrency, after a ${settings.warmupSec} s warm-up; upstream answers a 1 KB completion at once`,
    `req/s with a ${settings.slowDelayMs} ms upstream: one ${settings.durationSec} s round per target and concurrency, the fake waiting ${settings.slowDelayMs} ms before each answer (bound: connections ÷ ${settings.slowDelayMs} ms; gateway-cached answers from its cache without waiting)`,
    `added latency: ${latency.direct.length} sequential requests per target, interleaved, target percentile minus direct-to-fake percentile`,
    `streams: ${baseStreams.length} per target after ${settings.streamWarmup} warm-up streams, ${settings.streamChunks} chunks ${settings.chunkGapMs} ms apart; TTFB = first body bytes; figures are medians minus direct`,
    `RSS idle = after start-up; RSS peak = VmHWM (high-water mark over the whole run); RSS after = once all load is over; start = spawn of the target's command to first 200; binary cold start = median of ${settings.coldStarts} spawns of the compiled binary to first 200 on /health`,
  ];
  const baseline =
    `Direct to the fake upstream (the baseline subtracted above): p50 ${baseP50.toFixed(3)} ms, p99 ${baseP99.toFixed(3)} ms; ` +
    `stream TTFB ${median(baseStreams.map((s) => s.ttfbMs)).toFixed(2)} ms, total ${median(baseStreams.map((s) => s.totalMs)).toFixed(1)} ms.`;
  const reports = list.map((t) => t.report);
  const md = renderMarkdown({ title: "openai-gateway benchmark", meta, baseline, targets: reports });

  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "latest.md"), md);
  const raw = {
    meta,
    settings,
    gatewayCmd,
    portkeyVersion: PORTKEY_VERSION,
    targets: reports,
    loadRuns,
    latencyMs: Object.fromEntries(Object.entries(latency).map(([k, xs]) => [k, { n: xs.length, p50: percentile(xs, 0.5), p90: percentile(xs, 0.9), p99: percentile(xs, 0.99), max: Math.max(...xs) }])),
    streams,
  };
  writeFileSync(join(RESULTS, "latest.json"), JSON.stringify(raw, null, 2));
  console.log(md);
  say("done: bench/results/latest.md, bench/results/latest.json");
  return gw.report.unavailable ? 1 : 0;
}

main()
  .then((code) => {
    killAll();
    process.exit(code);
  })
  .catch((e) => {
    console.error("bench failed:", e);
    killAll();
    process.exit(1);
  });
