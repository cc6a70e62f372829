// Sessions: the counts, the most recently active sessions, one session's details, and delete.
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { ErrorNote, Heading, html, num, relative, useAction, useLoad, when } from "../ui.ts";

interface Session {
  id: string;
  owner: string;
  created_at: string;
  last_activity: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  models: string[];
  providers: string[];
}

export function Sessions() {
  const stats = useLoad(() => api<{ active: number; created: number; expired: number; evicted: number }>("GET", "/session/status"), [], 5000);
  const list = useLoad(() => api<{ data: Session[] }>("GET", "/config/sessions?limit=100").then((r) => r.data), [], 5000);
  const [open, setOpen] = useState<Session | null>(null);
  const [act, error] = useAction();

  const inspect = (id: string) => act(async () => setOpen(await api<Session>("GET", `/session/${encodeURIComponent(id)}`)));
  const remove = (id: string) => act(async () => {
    await api("DELETE", `/session/${encodeURIComponent(id)}`);
    if (open?.id === id) setOpen(null);
    await Promise.all([list.reload(), stats.reload()]);
  });

  const s = stats.data;
  return html`<section>
    <${Heading} title="Sessions"><p class="muted">Conversations grouped by <code>x-session-id</code>: counts and models, never content.</p><//>
    <${ErrorNote} error=${stats.error} />
    <div class="tiles">
      ${[["Active", s?.active], ["Created", s?.created], ["Expired", s?.expired], ["Evicted", s?.evicted]].map(([label, v]) =>
        html`<div class="tile"><span class="label">${label}</span><span class="value">${num(v as number | undefined)}</span></div>`)}
    </div>
    <${ErrorNote} error=${list.error ?? error} />
    <div class="table-wrap">
      <table>
        <thead><tr><th scope="col">Session</th><th scope="col" class="n wide">Requests</th><th scope="col" class="n wide">Tokens</th>
          <th scope="col" class="wide">Models</th><th scope="col">Last active</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          ${(list.data ?? []).map((x) => html`<tr class=${open?.id === x.id ? "selected" : ""}>
            <td><code>${x.id.slice(0, 18)}${x.id.length > 18 ? "…" : ""}</code></td><td class="n wide">${num(x.requests)}</td>
            <td class="n wide">${num(x.prompt_tokens + x.completion_tokens)}</td><td class="wide small">${x.models.join(", ")}</td>
            <td>${relative(x.last_activity)}</td>
            <td class="row-actions"><button type="button" class="secondary" onClick=${() => inspect(x.id)} aria-label=${`Inspect ${x.id}`}>Inspect</button>
              <button type="button" class="danger" onClick=${() => remove(x.id)} aria-label=${`Delete ${x.id}`}>Delete</button></td>
          </tr>`)}
          ${list.data?.length === 0 ? html`<tr><td colspan="6" class="muted">No active sessions.</td></tr>` : null}
        </tbody>
      </table>
    </div>
    ${open ? html`<aside class="card details" aria-label="Session details">
      <header><h2>Session</h2><button type="button" class="link" onClick=${() => setOpen(null)}>Close</button></header>
      <dl>${[["Id", open.id], ["Owner", open.owner], ["Created", when(open.created_at)], ["Last activity", when(open.last_activity)],
        ["Requests", num(open.requests)], ["Prompt tokens", num(open.prompt_tokens)], ["Completion tokens", num(open.completion_tokens)],
        ["Models", open.models.join(", ") || "–"], ["Providers", open.providers.join(", ") || "–"]].map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
    </aside>` : null}
  </section>`;
}
