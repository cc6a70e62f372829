// `make soak`: the gateway as its own process under mixed traffic for SOAK_SECONDS (600 by default):
// plain and streamed chat, embeddings, every door, client aborts, and about 10 % of requests sent to
// upstreams that fail in every way the gateway guards against (error statuses, a hang, a huge body, a
// trickle, a stall, endless keep-alives, garbage, a lying Content-Length). The fakes and this load run in
// this process; the gateway's RSS and open file descriptors are read from /proc. Prints a table and the
// pass criteria; exits non-zero when one fails. Loopback only, bounded in time.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { startFakeOpenRouter } from "../fakes/openrouter.ts";
import { MODEL_FAULTS, startMisbehavingUpstream } from "../fakes/misbehaving.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const WARMUP_MS = Math.min(60_000, SECONDS * 100);
/** A request not answered within this counts as unanswered (REQUEST_TIMEOUT is 5 s here). */
const ANSWER_DEADLINE_MS = 15_000;

const openrouter = await startFakeOpenRouter();
const misbehaving = await startMisbehavingUpstream();
// Error faults the OpenAI-compatible fake plays for these models, whatever is asked.
openrouter.always("vendor/fault-500:free", { kind: "error", status: 500 });
openrouter.always("vendor/fault-503:free", { kind: "error", status: 503 });
openrouter.always("vendor/fault-429:free", { kind: "error", status: 429, headers: { "retry-after": "1" } });
openrouter.always("vendor/fault-hang:free", { kind: "hang" });
openrouter.always("vendor/fault-cut:free", { kind: "stream", chunks: 3, gapMs: 5, failWith: "cut" });
openrouter.always("vendor/fault-error-event:free", { kind: "stream", chunks: 3, gapMs: 5, failWith: "error-event" });
const FAULT_MODELS = [
  ...Object.keys(MODEL_FAULTS).filter((f) => !(process.env.SOAK_SKIP ?? "").split(",").includes(f)).map((f) => `fault-${f}`),
  ...["500", "503", "429", "hang", "cut", "error-event"].map((f) => `vendor/fault-${f}:free`),
];

const port = await freePort();
// A database file as in production: an in-memory one would hold every usage-ledger row in RSS.
const dataDir = mkdtempSync(join(tmpdir(), "ogw-soak-"));
const gateway = Bun.spawn(["bun", "src/index.ts"], {
  env: {
    ...process.env,
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: String(port),
    OPENROUTER_API_KEY: openrouter.apiKey,
    OPENROUTER_BASE_URL: openrouter.baseUrl,
    OPENCODE_API_KEY: "",
    GEMINI_API_KEY: "",
    CUSTOM_PROVIDERS: JSON.stringify([{ name: "faulty", baseUrl: misbehaving.baseUrl, models: Object.keys(MODEL_FAULTS).map((f) => `fault-${f}`) }]),
    UPSTREAM_TIMEOUT: "2000",
    REQUEST_TIMEOUT: "5000",
    MAX_RETRIES: "0",
    RATE_LIMIT_MAX_REQUESTS: "1000000000",
    CACHE_TTL: "0",
    IDLE_TIMEOUT: "20",
    CATALOG_REFRESH: "0",
    DATABASE_PATH: join(dataDir, "gateway.db"),
    REDIS_URL: "",
  },
  stdout: "ignore",
  stderr: "inherit",
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
  if (i > 100) throw new Error("the gateway did not start");
  await Bun.sleep(100);
}
// The doors this build has (the OpenAPI document lists every route).
const openapi = (await (await fetch(`${base}/swagger/json`)).json()) as { paths?: Record<string, unknown> };
const routes = new Set(Object.keys(openapi.paths ?? {}));

// One request to an upstream first: Bun starts its HTTP client thread (an epoll and an eventfd) on the
// first upstream fetch, once per process; the descriptors counted at the start include it.
await (await fetch(`${base}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "prime" }] }) })).text();
await Bun.sleep(200);

// ---- measurements ------------------------------------------------------------------------------
const rss = () => {
  const status = readFileSync(`/proc/${gateway.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
};
const fdList = () => readdirSync(`/proc/${gateway.pid}/fd`).map((fd) => {
  try {
    return readlinkSync(`/proc/${gateway.pid}/fd/${fd}`);
  } catch {
    return "gone";
  }
});
const fds = () => fdList().length;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const rssStart = rss();
const fdStart = fds();
console.log(`open fds at the start: ${fdList().join(" ")}`);
let rssPeak = rssStart;
let rssWarm = 0;
const series: number[] = [];
const sampler = setInterval(() => {
  const now = rss();
  rssPeak = Math.max(rssPeak, now);
  series.push(now);
}, 500);

// ---- traffic ----------------------------------------------------------------------------------
interface Outcome { kind: string; status: number | "unanswered" | "aborted"; cause: string; ms: number }
const outcomes: Outcome[] = [];
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];
const user = [{ role: "user", content: "Say something about soak tests." }];

type Kind = { name: string; weight: number; request: (model: string) => { path: string; body: unknown; stream: boolean } };
const ALL_KINDS: Kind[] = [
  { name: "chat", weight: 30, request: (model) => ({ path: "/v1/chat/completions", body: { model, messages: user }, stream: false }) },
  { name: "chat-stream", weight: 25, request: (model) => ({ path: "/v1/chat/completions", body: { model, messages: user, stream: true }, stream: true }) },
  { name: "embeddings", weight: 12, request: (model) => ({ path: "/v1/embeddings", body: { model: model.startsWith("gpt") ? "vendor/embed:free" : model, input: ["a", "b"] }, stream: false }) },
  { name: "completions", weight: 8, request: (model) => ({ path: "/v1/completions", body: { model, prompt: "Once upon", max_tokens: 20 }, stream: false }) },
  { name: "responses", weight: 8, request: (model) => ({ path: "/v1/responses", body: { model, input: "hi", store: false }, stream: false }) },
  { name: "messages", weight: 8, request: (model) => ({ path: "/v1/messages", body: { model: model.startsWith("gpt") ? "claude-sonnet-4-5" : model, max_tokens: 50, messages: user, stream: Math.random() < 0.5 }, stream: true }) },
];
const KINDS = ALL_KINDS.filter((k) => routes.has(k.request("x").path));
const totalWeight = KINDS.reduce((n, k) => n + k.weight, 0);
const pickKind = () => {
  let r = Math.random() * totalWeight;
  for (const k of KINDS) if ((r -= k.weight) < 0) return k;
  return KINDS[0];
};

async function one(): Promise<void> {
  const kind = pickKind();
  const faulty = Math.random() < 0.1;
  const model = faulty ? pick(FAULT_MODELS) : pick(["gpt-4o", "gpt-4o-mini", "vendor/soak:free"]);
  const { path, body } = kind.request(model);
  // Some clients leave: before the answer, or in the middle of a stream.
  const abortAt = Math.random() < 0.06 ? Math.random() * 300 : undefined;
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(new Error("deadline")), ANSWER_DEADLINE_MS);
  const leave = abortAt === undefined ? undefined : setTimeout(() => controller.abort(new Error("client left")), abortAt);
  const started = performance.now();
  const label = faulty ? `${kind.name}+fault` : kind.name;
  try {
    const res = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: controller.signal });
    const text = await res.text();
    let cause = res.ok ? (/"error"/.test(text) && /^data:|^event:/m.test(text) ? "stream error event" : "ok") : `${res.status}`;
    if (!res.ok) {
      try {
        const parsed = JSON.parse(text);
        cause = `${res.status} ${parsed.error?.code ?? parsed.error?.type ?? ""}`.trim();
      } catch {
        cause = `${res.status} (not JSON)`;
      }
    }
    outcomes.push({ kind: label, status: res.status, cause, ms: performance.now() - started });
  } catch (error) {
    const reason = controller.signal.reason instanceof Error ? controller.signal.reason.message : "";
    if (reason === "client left") outcomes.push({ kind: label, status: "aborted", cause: "client left", ms: performance.now() - started });
    else outcomes.push({ kind: `${label} ${model}`, status: "unanswered", cause: reason || (error instanceof Error ? error.message.split(".")[0] : String(error)), ms: performance.now() - started });
  } finally {
    clearTimeout(deadline);
    clearTimeout(leave);
  }
}

console.log(`soak: ${SECONDS} s, ${CONCURRENCY} clients, doors: ${KINDS.map((k) => k.name).join(", ")}; gateway pid ${gateway.pid}`);
const startedAt = performance.now();
const endAt = startedAt + SECONDS * 1000;
let warmupTaken = false;
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (performance.now() < endAt) {
    await one();
    if (!warmupTaken && performance.now() - startedAt >= WARMUP_MS) {
      warmupTaken = true;
      Bun.gc(true);
      rssWarm = rss();
    }
  }
}));
const elapsed = (performance.now() - startedAt) / 1000;
clearInterval(sampler);

// Idle keep-alive sockets close after IDLE_TIMEOUT (20 s) and the upstream pools after theirs: wait for
// the descriptors to come back, at most 40 s.
for (let i = 0; i < 80 && fds() > fdStart; i++) await Bun.sleep(500);
const fdEnd = fds();
if (fdEnd > fdStart) console.log(`open fds at the end: ${fdList().join(" ")}; connections the faulty upstream still holds: ${misbehaving.openConnections()}`);
const rssEnd = rss();

// ---- report -----------------------------------------------------------------------------------
const answered = outcomes.filter((o) => o.status !== "unanswered");
const timed = outcomes.filter((o) => typeof o.status === "number").map((o) => o.ms).sort((a, b) => a - b);
const pct = (p: number) => (timed.length ? timed[Math.min(timed.length - 1, Math.floor((p / 100) * timed.length))] : 0);
const causes = new Map<string, number>();
for (const o of outcomes) if (o.cause !== "ok") causes.set(o.cause, (causes.get(o.cause) ?? 0) + 1);
const byKind = new Map<string, number>();
for (const o of outcomes) byKind.set(o.kind, (byKind.get(o.kind) ?? 0) + 1);
const fiveHundreds = outcomes.filter((o) => o.status === 500).length;

const rows: Array<[string, string]> = [
  ["duration", `${elapsed.toFixed(0)} s, ${CONCURRENCY} concurrent clients`],
  ["requests", `${outcomes.length} (${(outcomes.length / elapsed).toFixed(1)}/s)`],
  ["answered", `${((answered.length / Math.max(1, outcomes.length)) * 100).toFixed(2)} % (client aborts count as answered: the client left)`],
  ["by kind", [...byKind].sort().map(([k, n]) => `${k} ${n}`).join(", ")],
  ["errors by cause", [...causes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}: ${n}`).join(", ") || "none"],
  ["latency p50 / p99", `${pct(50).toFixed(1)} ms / ${pct(99).toFixed(1)} ms`],
  ["RSS start / after warm-up / peak / end", `${mb(rssStart)} / ${mb(rssWarm)} / ${mb(rssPeak)} / ${mb(rssEnd)}`],
  ["open fds start / end", `${fdStart} / ${fdEnd}`],
  ["RSS every tenth of the run", Array.from({ length: 10 }, (_, i) => mb(series[Math.floor(((i + 1) * series.length) / 10) - 1] ?? 0)).join(", ")],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n"));

const criteria: Array<[string, boolean]> = [
  ["nothing unanswered", answered.length === outcomes.length],
  ["no 500", fiveHundreds === 0],
  [`RSS at the end within 20 % of after warm-up (${mb(rssEnd)} vs ${mb(rssWarm)})`, rssEnd <= rssWarm * 1.2],
  [`file descriptors back to their start (${fdEnd} vs ${fdStart})`, fdEnd <= fdStart],
];
console.log("\npass criteria:");
for (const [name, ok] of criteria) console.log(`  ${ok ? "PASS" : "FAIL"}  ${name}`);
const unansweredSample = outcomes.filter((o) => o.status === "unanswered").slice(0, 5);
if (unansweredSample.length) console.log("unanswered, first few:", unansweredSample);

gateway.kill("SIGTERM");
await gateway.exited;
await openrouter.stop();
await misbehaving.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(criteria.every(([, ok]) => ok) ? 0 : 1);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
