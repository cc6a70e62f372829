// Dashboard: traffic charts over a window from the usage API, the window's totals, every provider's
// and alias's live state from /health and /config/models, and the top models and keys by tokens.
// Refreshes itself every few seconds.
import { useMemo, useState } from "preact/hooks";
import { api } from "../api.ts";
import { Chart } from "../chart.ts";
import type { Me } from "../main.ts";
import { ErrorNote, Heading, html, ms, num, pct, relative, StateBadge, useLoad } from "../ui.ts";
import { hourPoints, minutePoints, requestsSince, totals, usage, windowStart, WINDOWS, type UsageGroup, type WindowId } from "../usage-data.ts";

const REFRESH_MS = 5000;

export interface Candidate {
  model: string;
  state: string;
  until?: string;
  reason?: string;
  failures?: number;
  /** What its rate-limit headers last said is left, and this replica's latency average (ms). */
  remaining_requests?: number;
  remaining_tokens?: number;
  latency_ms?: number;
}

interface ProviderHealth {
  configured: boolean;
  state: string;
  set?: string;
  lastError?: string;
  lastSuccessAt?: string;
  catalog?: { models: number | null; fetched_at: string | null };
  candidates?: Candidate[];
}

interface Health {
  status: string;
  version: string;
  uptime_seconds: number;
  providers: Record<string, ProviderHealth>;
  sessions: { active: number };
}

export interface AliasRow {
  alias: string;
  endpoint: string;
  mapped: boolean;
  /** "latency": tried fastest first (auto, or an admin's choice); "fixed": in the order shown. */
  order?: "latency" | "fixed";
  candidates: Array<Candidate & { provider: string; configured: boolean }>;
}

export function Dashboard({ me }: { me: Me }) {
  const [win, setWin] = useState<WindowId>("1h");
  const traffic = useLoad(async () => {
    const from = windowStart(win);
    const [points, byModel, byKey, keys] = await Promise.all([
      win === "1h" ? requestsSince(from).then((rows) => minutePoints(rows)) : usage("hour", from).then((g) => hourPoints(g, from)),
      usage("model", from),
      me.admin ? usage("key", from) : Promise.resolve([] as UsageGroup[]),
      me.admin ? api<{ data: Array<{ id: string; name: string }> }>("GET", "/config/keys").then((r) => r.data) : Promise.resolve([]),
    ]);
    return { points, byModel, byKey, keyNames: new Map(keys.map((k) => [k.id, k.name])) };
  }, [win], REFRESH_MS);
  const health = useLoad(() => api<Health>("GET", "/health"), [], REFRESH_MS);
  const aliases = useLoad(() => (me.admin ? api<{ data: AliasRow[] }>("GET", "/config/models").then((r) => r.data) : Promise.resolve([])), [], REFRESH_MS);

  const providers = Object.entries(health.data?.providers ?? {});
  const unconfigured = providers.filter(([, p]) => !p.configured);
  const t = traffic.data;
  const sum = t ? totals(t.byModel) : undefined;
  const charts = useMemo(() => {
    if (!t) return null;
    const x = t.points.map((p) => p.t);
    return {
      x,
      rpm: [{ label: "requests/min", values: t.points.map((p) => p.requests / p.minutes), color: "--c1" }],
      errors: [{ label: "error rate %", values: t.points.map((p) => (p.requests ? (100 * p.errors) / p.requests : null)), color: "--c3" }],
      latency: [
        { label: "p50", values: t.points.map((p) => p.p50), color: "--c1" },
        { label: "p95", values: t.points.map((p) => p.p95), color: "--c2" },
      ],
      tpm: [{ label: "tokens/min", values: t.points.map((p) => p.tokens / p.minutes), color: "--c4" }],
    };
  }, [t]);

  return html`<section aria-labelledby="dashboard-title">
    <${Heading} title="Dashboard">
      <div class="segmented" role="group" aria-label="Window">
        ${(Object.keys(WINDOWS) as WindowId[]).map((w) => html`<button type="button" aria-pressed=${w === win} onClick=${() => setWin(w)}>${WINDOWS[w].label}</button>`)}
      </div>
    <//>
    <${ErrorNote} error=${traffic.error} />
    <div class="tiles">
      <div class="tile"><span class="label">Requests</span><span class="value" data-testid="total-requests">${num(sum?.requests)}</span><span class="muted">${WINDOWS[win].label.toLowerCase()}</span></div>
      <div class="tile"><span class="label">Error rate</span><span class="value">${sum ? pct(sum.requests ? sum.errors / sum.requests : 0) : "–"}</span><span class="muted">${num(sum?.errors)} errors</span></div>
      <div class="tile"><span class="label">Tokens</span><span class="value">${num(sum?.tokens)}</span><span class="muted">${sum && sum.cost ? `$${sum.cost.toFixed(4)}` : "free models"}</span></div>
      <div class="tile"><span class="label">Cache hit ratio</span><span class="value">${sum ? pct(sum.requests ? sum.cacheHits / sum.requests : 0) : "–"}</span><span class="muted">${num(sum?.cacheHits)} hits</span></div>
    </div>
    ${charts ? html`<div class="charts">
      <${Chart} title="Requests per minute" x=${charts.x} series=${charts.rpm} />
      <${Chart} title="Error rate" x=${charts.x} series=${charts.errors} format=${(v: number) => `${Math.round(v)}%`} />
      <${Chart} title="Latency p50 / p95" x=${charts.x} series=${charts.latency} format=${ms} />
      <${Chart} title="Tokens per minute" x=${charts.x} series=${charts.tpm} format=${num} />
    </div>` : null}

    <h2>Providers</h2>
    <${ErrorNote} error=${health.error} />
    <div class="cards">
      ${providers.filter(([, p]) => p.configured).map(([name, p]) => html`<${ProviderCard} name=${name} p=${p} />`)}
    </div>
    ${unconfigured.length ? html`<p class="muted small">${"Not configured (set the key to use them): "}
      ${unconfigured.map(([name, p], i) => html`${i ? ", " : ""}${name} <code>${p.set ?? ""}</code>`)}</p>` : null}

    ${me.admin ? html`<h2>Aliases</h2>
      <${ErrorNote} error=${aliases.error} />
      <div class="alias-grid">${(aliases.data ?? []).map((a) => html`<${AliasLine} a=${a} />`)}</div>` : null}

    <div class="split">
      <${Top} title="Top models by tokens" groups=${t?.byModel ?? []} name=${(g: string | null) => g ?? "–"} />
      ${me.admin ? html`<${Top} title="Top keys by tokens" groups=${t?.byKey ?? []} name=${(g: string | null) => (g ? t?.keyNames.get(g) ?? g : "no key")} />` : null}
    </div>
  </section>`;
}

/** "cooling down until 14:05 (in 12 min): quota" — what a candidate's state means for traffic. */
export function candidateNote(c: Candidate): string {
  return [stateNote(c), quotaNote(c)].filter(Boolean).join(" · ");
}

function stateNote(c: Candidate): string {
  if (c.state === "cooling_down" || c.state === "open") {
    const until = c.until ? `until ${new Date(c.until).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })} (${relative(c.until)})` : "";
    const why = c.reason === "quota" ? "out of quota, resets" : c.reason === "rate_limit" ? "rate limited" : c.reason ?? "";
    return `${why} ${until}`.trim();
  }
  if (c.state === "failing") return `${c.failures ?? 0} recent failures`;
  return c.reason ?? "";
}

/** What is left (where the upstream said) and how fast it answers here. */
function quotaNote(c: Candidate): string {
  const left = [
    c.remaining_requests !== undefined ? `${num(c.remaining_requests)} requests` : "",
    c.remaining_tokens !== undefined ? `${num(c.remaining_tokens)} tokens` : "",
  ].filter(Boolean).join(", ");
  return [left && `${left} left`, c.latency_ms !== undefined ? `~${ms(c.latency_ms)}` : ""].filter(Boolean).join(" · ");
}

function ProviderCard({ name, p }: { name: string; p: ProviderHealth }) {
  const candidates = p.candidates ?? [];
  const notOk = candidates.filter((c) => c.state !== "ok");
  return html`<article class="card provider" aria-label=${`Provider ${name}`}>
    <header><h3>${name}</h3><${StateBadge} state=${p.state} /></header>
    <p class="muted">${p.catalog?.models ?? "–"} models listed · ${candidates.length - notOk.length}/${candidates.length} candidates ready</p>
    ${p.lastError ? html`<p class="error small">${p.lastError}</p>` : null}
    ${notOk.length ? html`<ul class="plain">${notOk.map((c) => html`<li><${StateBadge} state=${c.state} /> <code>${c.model}</code> <span class="muted">${candidateNote(c)}</span></li>`)}</ul>` : null}
  </article>`;
}

function AliasLine({ a }: { a: AliasRow }) {
  const answering = a.candidates.find((c) => c.configured && (c.state === "ok" || c.state === "failing" || c.state === "half_open"));
  return html`<div class="alias">
    <code>${a.alias}</code>
    <span class="dots" aria-hidden="true">${a.candidates.map((c) => html`<i class=${`dot ${c.configured ? c.state : "unconfigured"}`} title=${`${c.provider}/${c.model}: ${c.configured ? c.state : "unconfigured"}`}></i>`)}</span>
    <span class="muted small">${answering ? `→ ${answering.provider}/${answering.model}` : "no candidate available"}</span>
  </div>`;
}

function Top({ title, groups, name }: { title: string; groups: UsageGroup[]; name: (g: string | null) => string }) {
  const top = [...groups].sort((a, b) => b.total_tokens - a.total_tokens || b.requests - a.requests).slice(0, 5);
  return html`<div class="card">
    <h2>${title}</h2>
    <table>
      <thead><tr><th scope="col">Name</th><th scope="col" class="n">Requests</th><th scope="col" class="n">Tokens</th></tr></thead>
      <tbody>${top.length ? top.map((g) => html`<tr><td><code>${name(g.group)}</code></td><td class="n">${num(g.requests)}</td><td class="n">${num(g.total_tokens)}</td></tr>`)
        : html`<tr><td colspan="3" class="muted">No traffic in this window.</td></tr>`}</tbody>
    </table>
  </div>`;
}
