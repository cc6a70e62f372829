// Models: every alias with the candidates a request for it would try, in order, with their live state;
// add and remove admin mappings (an alias to one provider's model).
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { ErrorNote, Heading, html, StateBadge, useAction, useLoad } from "../ui.ts";
import { candidateNote, type AliasRow } from "./dashboard.ts";

export function Models() {
  const table = useLoad(() => api<{ data: AliasRow[] }>("GET", "/config/models").then((r) => r.data), [], 5000);
  const providers = useLoad(() => api<{ data: Array<{ name: string; configured: boolean }> }>("GET", "/config/providers").then((r) => r.data), []);
  const [add, addError, adding] = useAction();
  const [filter, setFilter] = useState("");

  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));
    void add(async () => {
      await api("POST", "/config/models", data);
      form.reset();
      await table.reload();
    });
  };
  const rows = (table.data ?? []).filter((a) => !filter || a.alias.includes(filter) || a.candidates.some((c) => c.model.includes(filter)));

  return html`<section>
    <${Heading} title="Models"><p class="muted">What each model name routes to, first candidate first. A mapping wins over the built-in table and the emulation profile.</p><//>
    <form class="card form-grid" onSubmit=${submit} aria-label="Add a mapping">
      <h2>Add a mapping</h2>
      <label>Alias<input name="alias" required autocomplete="off" placeholder="my-model" /></label>
      <div class="field"><label for="mapping-provider">Provider</label><select id="mapping-provider" name="provider" required>
        ${(providers.data ?? []).map((p) => html`<option value=${p.name}>${p.name}${p.configured ? "" : " (not configured)"}</option>`)}
      </select></div>
      <label>Model<input name="model" required autocomplete="off" placeholder="the provider's model id" /></label>
      <div class="actions"><button type="submit" disabled=${adding}>Add</button></div>
      <${ErrorNote} error=${addError ?? providers.error} />
    </form>
    <div class="toolbar"><label>Find<input type="search" value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} /></label></div>
    <${ErrorNote} error=${table.error} />
    <div class="table-wrap">
      <table class="models">
        <thead><tr><th scope="col">Alias</th><th scope="col">Candidates, in order</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${rows.map((a) => html`<${AliasRowView} a=${a} reload=${table.reload} />`)}</tbody>
      </table>
    </div>
  </section>`;
}

function AliasRowView({ a, reload }: { a: AliasRow; reload: () => Promise<void> }) {
  const [act, error, busy] = useAction();
  const remove = () => act(async () => {
    await api("DELETE", `/config/models/${encodeURIComponent(a.alias)}`);
    await reload();
  });
  return html`<tr>
    <td><code>${a.alias}</code>${a.mapped ? html` <span class="badge info">mapping</span>` : null}${a.order === "latency" ? html` <span class="badge info">fastest first</span>` : null}${a.endpoint === "embeddings" ? html` <span class="badge muted">embeddings</span>` : null}</td>
    <td><ol class="candidates">${a.candidates.map((c) => html`<li>
      <${StateBadge} state=${c.configured ? c.state : "unconfigured"} /> <span class="muted">${c.provider}</span> <code>${c.model}</code>
      ${c.configured && candidateNote(c) ? html` <span class="muted small">${candidateNote(c)}</span>` : null}</li>`)}</ol></td>
    <td class="row-actions">${a.mapped ? html`<button type="button" class="danger" onClick=${remove} disabled=${busy} aria-label=${`Remove mapping ${a.alias}`}>Remove</button>` : null}
      <${ErrorNote} error=${error} /></td>
  </tr>`;
}
