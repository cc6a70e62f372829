// Providers: built-in and custom providers, configured or not; test one's connection (it lists its
// models), add and remove custom OpenAI-compatible providers, and switch the emulation profile.
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { ErrorNote, Heading, html, ms, num, StateBadge, useAction, useLoad } from "../ui.ts";

interface ProviderInfo {
  name: string;
  builtin: boolean;
  configured: boolean;
  keySet: boolean;
  models: number;
  baseUrl?: string;
}

export function Providers() {
  const list = useLoad(() => api<{ data: ProviderInfo[] }>("GET", "/config/providers").then((r) => r.data), []);
  const [add, addError, adding] = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const value = (k: string) => String(data.get(k) ?? "").trim();
    void add(async () => {
      await api("POST", "/config/providers/custom", {
        name: value("name"),
        baseUrl: value("baseUrl"),
        ...(value("apiKey") ? { apiKey: value("apiKey") } : {}),
        models: value("models").split(/[\s,]+/).filter(Boolean),
      });
      form.reset();
      await list.reload();
    });
  };

  return html`<section>
    <${Heading} title="Providers"><p class="muted">Where requests go. Built-in providers need their API key in the environment.</p><//>
    <${Emulation} />
    <${ErrorNote} error=${list.error} />
    <div class="table-wrap">
      <table>
        <thead><tr><th scope="col">Provider</th><th scope="col">State</th><th scope="col" class="n wide">Models</th><th scope="col" class="wide">Base URL</th>
          <th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${(list.data ?? []).map((p) => html`<${ProviderRow} p=${p} reload=${list.reload} />`)}</tbody>
      </table>
    </div>
    <form class="card form-grid" onSubmit=${submit} aria-label="Add a custom provider">
      <h2>Add a custom provider</h2>
      <p class="muted full">Any OpenAI-compatible API (vLLM, Ollama, LM Studio, a hosted one). Its models become routable by their ids.</p>
      <label>Name<input name="name" required pattern="[a-z0-9\\-]+" title="lower-case letters, digits and hyphens" autocomplete="off" /></label>
      <label>Base URL<input name="baseUrl" type="url" required placeholder="https://host/v1" autocomplete="off" /></label>
      <label>API key<input name="apiKey" type="password" autocomplete="off" placeholder="optional" /></label>
      <label>Models<input name="models" required placeholder="model-a, model-b" autocomplete="off" /></label>
      <div class="actions"><button type="submit" disabled=${adding}>Add provider</button></div>
      <${ErrorNote} error=${addError} />
    </form>
  </section>`;
}

function ProviderRow({ p, reload }: { p: ProviderInfo; reload: () => Promise<void> }) {
  const [act, error, busy] = useAction();
  const [result, setResult] = useState<{ models: string[]; latency_ms: number } | null>(null);
  const test = () => act(async () => {
    setResult(null);
    setResult(await api("POST", `/config/providers/${encodeURIComponent(p.name)}/test`));
  });
  const remove = () => act(async () => {
    await api("DELETE", `/config/providers/custom/${encodeURIComponent(p.name)}`);
    await reload();
  });
  return html`<tr>
    <td><strong>${p.name}</strong> <span class="badge muted">${p.builtin ? "built-in" : "custom"}</span></td>
    <td><${StateBadge} state=${p.configured ? "ok" : "unconfigured"} title=${p.keySet ? "API key set" : "no API key"} />${p.keySet ? null : html` <span class="muted small">no key</span>`}</td>
    <td class="n wide">${num(p.models)}</td><td class="wide"><code>${p.baseUrl ?? "–"}</code></td>
    <td class="row-actions">
      <button type="button" class="secondary" onClick=${test} disabled=${busy || !p.configured} aria-label=${`Test ${p.name}`}>Test</button>
      ${p.builtin ? null : html`<button type="button" class="danger" onClick=${remove} disabled=${busy} aria-label=${`Remove ${p.name}`}>Remove</button>`}
      ${result ? html`<p class="ok small" role="status">Connected in ${ms(result.latency_ms)}: ${result.models.length} models
        (${result.models.slice(0, 3).join(", ")}${result.models.length > 3 ? ", …" : ""})</p>` : null}
      <${ErrorNote} error=${error} />
    </td>
  </tr>`;
}

function Emulation() {
  const config = useLoad(() => api<{ models: { emulationProfile: string; emulationProfiles: string[] } }>("GET", "/config").then((c) => c.models), []);
  const [act, error, busy] = useAction();
  const [choice, setChoice] = useState<string | null>(null);
  const current = config.data?.emulationProfile;
  const submit = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      await api("POST", "/v1/emulate", { profile: choice ?? current });
      await config.reload();
      setChoice(null);
    });
  };
  return html`<form class="card emulation" onSubmit=${submit} aria-label="Emulation profile">
    <h2>Emulation profile</h2>
    <p class="muted">Which provider family answers the <code>gpt-*</code> names. Now: <strong data-testid="profile">${current ?? "–"}</strong></p>
    <div class="row">
      <div class="field"><label for="emulation-profile">Profile</label>
        <select id="emulation-profile" value=${choice ?? current} onChange=${(e: Event) => setChoice((e.target as HTMLSelectElement).value)}>
        ${(config.data?.emulationProfiles ?? []).map((p) => html`<option value=${p}>${p}</option>`)}</select></div>
      <button type="submit" disabled=${busy || !choice || choice === current}>Switch</button>
    </div>
    <${ErrorNote} error=${error ?? config.error} />
  </form>`;
}
