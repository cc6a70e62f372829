// Usage: totals grouped by key, model, provider or day over a window, as a bar chart and a table,
// with the same numbers as a CSV download (format=csv).
import { useState } from "preact/hooks";
import { download, query } from "../api.ts";
import { Chart } from "../chart.ts";
import { ErrorNote, Heading, html, ms, num, useAction, useLoad } from "../ui.ts";
import { usage } from "../usage-data.ts";

const GROUPS = [["key", "Key"], ["model", "Model"], ["provider", "Provider"], ["day", "Day"]] as const;
const RANGES = [["1", "24 hours"], ["7", "7 days"], ["30", "30 days"]] as const;

export function Usage() {
  const [groupBy, setGroupBy] = useState("model");
  const [days, setDays] = useState("7");
  const from = () => new Date(Date.now() - Number(days) * 86_400_000).toISOString();
  const data = useLoad(() => usage(groupBy, from()), [groupBy, days], 10_000);
  const [save, saveError, saving] = useAction();
  const rows = [...(data.data ?? [])].sort((a, b) => (groupBy === "day" ? String(a.group).localeCompare(String(b.group)) : b.total_tokens - a.total_tokens));
  const shown = rows.slice(0, groupBy === "day" ? 31 : 12);
  const name = (g: string | null) => g ?? "none";

  return html`<section>
    <${Heading} title="Usage"><p class="muted">Requests and tokens recorded by the usage ledger.</p><//>
    <div class="toolbar">
      <div class="field"><label for="usage-group">Group by</label><select id="usage-group" value=${groupBy} onChange=${(e: Event) => setGroupBy((e.target as HTMLSelectElement).value)}>
        ${GROUPS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></div>
      <div class="field"><label for="usage-window">Window</label><select id="usage-window" value=${days} onChange=${(e: Event) => setDays((e.target as HTMLSelectElement).value)}>
        ${RANGES.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></div>
      <button type="button" class="secondary" disabled=${saving}
        onClick=${() => save(() => download(`/v1/usage${query({ group_by: groupBy, from: from(), format: "csv" })}`, `usage-by-${groupBy}.csv`))}>Download CSV</button>
    </div>
    <${ErrorNote} error=${saveError} />
    <${ErrorNote} error=${data.error} />
    ${shown.length ? html`<${Chart} title=${`Tokens by ${groupBy}`} x=${shown.map((_, i) => i)} categories=${shown.map((g) => name(g.group))}
      series=${[{ label: "tokens", values: shown.map((g) => g.total_tokens), color: "--c1" }]} format=${num} height=${220} />` : null}
    <div class="table-wrap">
      <table>
        <thead><tr><th scope="col">${GROUPS.find(([v]) => v === groupBy)?.[1]}</th><th scope="col" class="n">Requests</th><th scope="col" class="n">Errors</th>
          <th scope="col" class="n wide">Prompt</th><th scope="col" class="n wide">Completion</th><th scope="col" class="n">Tokens</th>
          <th scope="col" class="n wide">Cache hits</th><th scope="col" class="n wide">p50</th><th scope="col" class="n">p95</th><th scope="col" class="n wide">Cost</th></tr></thead>
        <tbody>
          ${rows.map((g) => html`<tr><td><code>${name(g.group)}</code></td><td class="n">${num(g.requests)}</td><td class="n">${num(g.errors)}</td>
            <td class="n wide">${num(g.prompt_tokens)}</td><td class="n wide">${num(g.completion_tokens)}</td><td class="n">${num(g.total_tokens)}</td>
            <td class="n wide">${num(g.cache_hits)}</td><td class="n wide">${ms(g.latency_ms_p50)}</td><td class="n">${ms(g.latency_ms_p95)}</td>
            <td class="n wide">$${(g.cost_usd ?? 0).toFixed(4)}</td></tr>`)}
          ${rows.length === 0 && !data.loading ? html`<tr><td colspan="10" class="muted">No usage in this window.</td></tr>` : null}
        </tbody>
      </table>
    </div>
  </section>`;
}
