// Requests: the recent request log from GET /v1/usage/requests, newest first, filtered by model,
// provider, status and key; a row opens its details. The ledger keeps no prompt or answer text.
import { useState } from "preact/hooks";
import { api, query } from "../api.ts";
import { clock, ErrorNote, Heading, html, ms, num, useAction, useLoad } from "../ui.ts";
import type { RequestRow } from "../usage-data.ts";

const PAGE = 50;
const FILTERS = [["model", "Model"], ["provider", "Provider"], ["status", "Status"], ["key", "Key"]] as const;
type Filters = Record<(typeof FILTERS)[number][0], string>;
const EMPTY: Filters = { model: "", provider: "", status: "", key: "" };

export function Requests() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [older, setOlder] = useState<RequestRow[]>([]);
  const [open, setOpen] = useState<RequestRow | null>(null);
  const [more, moreError, loadingMore] = useAction();
  const page = (before?: string) => api<{ data: RequestRow[] }>("GET", `/v1/usage/requests${query({ limit: PAGE, before, ...filters })}`).then((r) => r.data);
  const first = useLoad(() => page(), [filters], 5000);
  const rows = [...(first.data ?? []), ...older.filter((o) => !first.data?.some((r) => r.id === o.id))];

  const apply = (e: Event) => {
    e.preventDefault();
    setOlder([]);
    setOpen(null);
    setFilters({ ...draft });
  };
  const loadMore = () => more(async () => {
    const last = rows.at(-1);
    if (last) setOlder([...older, ...(await page(last.id))]);
  });

  return html`<section>
    <${Heading} title="Requests"><p class="muted">The newest requests first. Prompts and answers are never recorded.</p><//>
    <form class="filters" onSubmit=${apply} aria-label="Filter requests">
      ${FILTERS.map(([k, label]) => html`<label>${label}<input name=${k} value=${draft[k]} inputmode=${k === "status" ? "numeric" : undefined}
        onInput=${(e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value })} /></label>`)}
      <button type="submit">Filter</button>
    </form>
    <${ErrorNote} error=${first.error} />
    <div class="table-wrap">
      <table class="requests">
        <thead><tr>
          <th scope="col">Time</th><th scope="col">Model</th><th scope="col" class="wide">Provider</th><th scope="col" class="wide">Upstream model</th>
          <th scope="col">Status</th><th scope="col" class="n">Latency</th><th scope="col" class="n wide">Attempts</th><th scope="col" class="wide">Key</th>
        </tr></thead>
        <tbody>
          ${rows.map((r) => html`<tr class=${open?.id === r.id ? "selected" : ""}>
            <td><button type="button" class="link" aria-expanded=${open?.id === r.id} onClick=${() => setOpen(open?.id === r.id ? null : r)}>${clock(r.time)}</button></td>
            <td><code>${r.model}</code></td><td class="wide">${r.provider ?? "–"}</td><td class="wide"><code>${r.upstream_model ?? "–"}</code></td>
            <td><span class=${`status s${String(r.status)[0]}`}>${r.status}</span></td><td class="n">${ms(r.latency_ms)}</td>
            <td class="n wide">${r.attempts ?? "–"}</td><td class="wide">${r.key ?? r.user ?? "–"}</td>
          </tr>`)}
          ${rows.length === 0 && !first.loading ? html`<tr><td colspan="8" class="muted">No requests match.</td></tr>` : null}
        </tbody>
      </table>
    </div>
    ${rows.length >= PAGE ? html`<button type="button" class="secondary" onClick=${loadMore} disabled=${loadingMore}>Load older</button>` : null}
    <${ErrorNote} error=${moreError} />
    ${open ? html`<${Details} row=${open} onClose=${() => setOpen(null)} />` : null}
  </section>`;
}

function Details({ row, onClose }: { row: RequestRow; onClose: () => void }) {
  const fields: Array<[string, unknown]> = [
    ["Request id", row.id], ["Time", new Date(row.time).toISOString()], ["Endpoint", row.endpoint], ["Model", row.model],
    ["Provider", row.provider], ["Upstream model", row.upstream_model], ["Status", row.status], ["Error", row.error],
    ["Prompt tokens", num(row.prompt_tokens)], ["Completion tokens", num(row.completion_tokens)], ["Latency", ms(row.latency_ms)],
    ["First byte", ms(row.first_byte_ms)], ["Attempts", row.attempts], ["Cache", row.cache],
    ["Key", row.key], ["User", row.user],
  ];
  return html`<aside class="card details" aria-label="Request details">
    <header><h2>Request details</h2><button type="button" class="link" onClick=${onClose}>Close</button></header>
    <dl>${fields.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v === null || v === undefined || v === "" ? "–" : String(v)}</dd></div>`)}</dl>
  </aside>`;
}
