// Settings: the effective configuration (GET /config, secrets already reduced to "set or not") laid
// out as labelled cards, and the button that clears the response cache.
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { ErrorNote, Heading, html, ms, num, useAction, useLoad } from "../ui.ts";

const TITLES: Record<string, string> = { server: "Server", routing: "Routing", rateLimit: "Rate limit", cache: "Response cache", sessions: "Sessions",
  providers: "Providers", auth: "Authentication", github: "GitHub login", models: "Models" };

/** "maxBodySize" -> "Max body size"; "jwtTtlSeconds" -> "JWT TTL seconds"; "windowMs" -> "Window" (the value says ms). */
function label(key: string): string {
  const words = key.replace(/Ms$/, "").replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().replace(/\b(jwt|ttl|url|api|id)\b/g, (w) => w.toUpperCase());
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function Value({ name, value }: { name: string; value: unknown }): unknown {
  if (value === null || value === undefined || value === "") return html`<span class="muted">not set</span>`;
  if (typeof value === "boolean") return html`<span class=${`badge ${value ? "good" : "muted"}`}>${value ? "yes" : "no"}</span>`;
  if (typeof value === "number") return /Ms$/.test(name) ? ms(value) : /Size$/.test(name) ? `${num(value / 1024)} KB` : name === "port" ? String(value) : num(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return html`<span class="muted">none</span>`;
    if (value.every((v) => typeof v !== "object")) return html`<span>${value.map((v) => html`<code class="chip">${String(v)}</code> `)}</span>`;
    return html`<ul class="plain">${value.map((v) => html`<li><${Fields} obj=${v as Record<string, unknown>} /></li>`)}</ul>`;
  }
  if (typeof value === "object") return html`<${Fields} obj=${value as Record<string, unknown>} />`;
  return html`<code>${String(value)}</code>`;
}

function Fields({ obj }: { obj: Record<string, unknown> }) {
  return html`<dl class="fields">${Object.entries(obj).map(([k, v]) => html`<div><dt>${label(k)}</dt><dd><${Value} name=${k} value=${v} /></dd></div>`)}</dl>`;
}

export function Settings() {
  const config = useLoad(() => api<Record<string, Record<string, unknown>>>("GET", "/config"), []);
  const [act, error, busy] = useAction();
  const [cleared, setCleared] = useState(false);
  const clear = () => act(async () => {
    setCleared(false);
    await api("POST", "/config/clear-cache");
    setCleared(true);
  });
  return html`<section>
    <${Heading} title="Settings"><p class="muted">The configuration in effect. Secrets show only whether they are set.</p><//>
    <div class="card row">
      <div><h2>Response cache</h2><p class="muted">Identical non-streamed requests are answered from the cache until they expire.</p></div>
      <div><button type="button" onClick=${clear} disabled=${busy}>Clear the response cache</button>
        ${cleared ? html`<p class="ok small" role="status">Cache cleared.</p>` : null}<${ErrorNote} error=${error} /></div>
    </div>
    <${ErrorNote} error=${config.error} />
    <div class="settings">
      ${Object.entries(config.data ?? {}).map(([k, v]) => html`<article class="card"><h2>${TITLES[k] ?? label(k)}</h2><${Fields} obj=${v} /></article>`)}
    </div>
  </section>`;
}
