// Keys: create gateway API keys (name, requests/min, budgets; the key is shown once with a copy
// button), edit their limits, revoke them after a confirmation. Admins only: other users are told so.
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import type { Me } from "../main.ts";
import { ErrorNote, Heading, html, num, useAction, useLoad, when } from "../ui.ts";

export interface Budget {
  requests_per_day?: number | null;
  tokens_per_day?: number | null;
  tokens_per_month?: number | null;
}

interface Key {
  id: string;
  name: string;
  rateLimit: number | null;
  createdAt: string;
  createdBy: string;
  budget?: Budget | null;
  /** What the key used since the start of the UTC day and month. */
  used?: { today: { requests: number; tokens: number }; month: { requests: number; tokens: number } };
}

const BUDGETS = [["requests_per_day", "Requests per day"], ["tokens_per_day", "Tokens per day"], ["tokens_per_month", "Tokens per month"]] as const;
type BudgetName = (typeof BUDGETS)[number][0];

/** What counts against each budget. */
const SPENT: Record<BudgetName, (used: NonNullable<Key["used"]>) => number> = {
  requests_per_day: (u) => u.today.requests,
  tokens_per_day: (u) => u.today.tokens,
  tokens_per_month: (u) => u.month.tokens,
};

/** The form's fields as the API's body: empty fields are left out (no limit). */
function limits(form: FormData) {
  const n = (name: string) => (String(form.get(name) ?? "").trim() === "" ? undefined : Number(form.get(name)));
  const budget = Object.fromEntries(BUDGETS.map(([k]) => [k, n(k)]).filter(([, v]) => v !== undefined));
  return { rateLimit: n("rateLimit"), budget: Object.keys(budget).length ? (budget as Budget) : undefined };
}

function LimitFields({ values }: { values?: Key }) {
  return html`
    <label>Requests per minute<input name="rateLimit" type="number" min="1" inputmode="numeric" value=${values?.rateLimit ?? ""} /></label>
    ${BUDGETS.map(([k, label]) => html`<label>${label}<input name=${k} type="number" min="1" inputmode="numeric" value=${values?.budget?.[k] ?? ""} /></label>`)}`;
}

export function Keys({ me }: { me: Me }) {
  if (!me.admin) {
    return html`<section><${Heading} title="Keys" />
      <p class="notice">Gateway API keys are created and managed by the gateway's admins. Ask one for a key; your own usage is under Usage.</p></section>`;
  }
  const list = useLoad(() => api<{ data: Key[] }>("GET", "/config/keys").then((r) => r.data), []);
  const [create, createError, creating] = useAction();
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);

  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    void create(async () => {
      const { rateLimit, budget } = limits(data);
      const key = await api<{ name: string; key: string }>("POST", "/config/keys", { name: String(data.get("name")).trim(), rateLimit, budget });
      setCreated(key);
      setCopied(false);
      form.reset();
      await list.reload();
    });
  };
  const copy = async () => {
    await navigator.clipboard.writeText(created!.key).then(() => setCopied(true), () => setCopied(false));
  };

  return html`<section>
    <${Heading} title="Keys"><p class="muted">Gateway API keys for OpenAI clients. The gateway keeps only their hash.</p><//>
    <form class="card form-grid" onSubmit=${submit} aria-label="Create a key">
      <h2>New key</h2>
      <label>Name<input name="name" required maxlength="100" autocomplete="off" /></label>
      <${LimitFields} />
      <div class="actions"><button type="submit" disabled=${creating}>Create</button></div>
      <${ErrorNote} error=${createError} />
    </form>
    ${created ? html`<div class="card new-key" role="status">
      <p>The key for <strong>${created.name}</strong>. It is shown only this once: store it now.</p>
      <div class="copy-row"><code data-testid="new-key">${created.key}</code>
        <button type="button" class="secondary" onClick=${copy}>${copied ? "Copied" : "Copy"}</button></div>
      <button type="button" class="link" onClick=${() => setCreated(null)}>Done</button>
    </div>` : null}
    <${ErrorNote} error=${list.error} />
    <div class="table-wrap">
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col" class="wide">Id</th><th scope="col" class="n">Req/min</th><th scope="col">Budget</th>
          <th scope="col" class="wide">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          ${(list.data ?? []).map((k) => html`<${KeyRow} k=${k} reload=${list.reload} />`)}
          ${list.data?.length === 0 ? html`<tr><td colspan="6" class="muted">No keys yet.</td></tr>` : null}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** Each budget as "used / limit" with a bar, or what the key used today when it has none. */
function BudgetCell({ k }: { k: Key }) {
  const set = BUDGETS.filter(([b]) => k.budget?.[b]);
  const used = k.used;
  if (set.length === 0) {
    return html`<span class="muted">none</span>${used ? html`<br /><span class="muted small">today ${num(used.today.requests)} requests, ${num(used.today.tokens)} tokens</span>` : null}`;
  }
  return html`<ul class="plain budgets">${set.map(([b, label]) => {
    const limit = k.budget![b]!;
    const spent = used ? SPENT[b](used) : 0;
    const share = Math.min(1, spent / limit);
    return html`<li><span class="small">${num(spent)} / ${num(limit)} ${label.toLowerCase()}</span>
      <meter min="0" max="1" low="0.8" high="0.95" optimum="0" value=${share} aria-label=${`${label}: ${num(spent)} of ${num(limit)}`}></meter></li>`;
  })}</ul>`;
}

function KeyRow({ k, reload }: { k: Key; reload: () => Promise<void> }) {
  const [mode, setMode] = useState<"view" | "edit" | "confirm">("view");
  const [act, error, busy] = useAction();
  const revoke = () => act(async () => {
    await api("DELETE", `/config/keys/${encodeURIComponent(k.id)}`);
    await reload();
  });
  const save = (e: Event) => {
    e.preventDefault();
    const { rateLimit, budget } = limits(new FormData(e.target as HTMLFormElement));
    void act(async () => {
      // PATCH replaces the budget: emptied fields become "no limit" (null).
      await api("PATCH", `/config/keys/${encodeURIComponent(k.id)}`, { rateLimit: rateLimit ?? null, budget: budget ?? null });
      setMode("view");
      await reload();
    });
  };
  return html`<tr>
    <td><strong>${k.name}</strong></td><td class="wide"><code>${k.id}</code></td><td class="n">${k.rateLimit ?? "default"}</td>
    <td><${BudgetCell} k=${k} /></td><td class="wide">${when(k.createdAt)} <span class="muted">by ${k.createdBy}</span></td>
    <td class="row-actions">
      ${mode === "confirm"
        ? html`<span>Revoke ${k.name}?</span> <button type="button" class="danger" onClick=${revoke} disabled=${busy}>Confirm</button>
          <button type="button" class="link" onClick=${() => setMode("view")}>Cancel</button>`
        : html`<button type="button" class="secondary" onClick=${() => setMode(mode === "edit" ? "view" : "edit")} aria-label=${`Edit ${k.name}`}>Edit</button>
          <button type="button" class="danger" onClick=${() => setMode("confirm")} aria-label=${`Revoke ${k.name}`}>Revoke</button>`}
      ${mode === "edit" ? html`<form class="inline-form" onSubmit=${save} aria-label=${`Limits of ${k.name}`}>
        <${LimitFields} values=${k} /><button type="submit" disabled=${busy}>Save</button></form>` : null}
      <${ErrorNote} error=${error} />
    </td>
  </tr>`;
}
