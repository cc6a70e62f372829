// The admin console at /admin: sign-in, then one section per hash route (#/dashboard ...). It talks to
// the gateway's admin API only, with the bearer this tab signed in with.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, token } from "./api.ts";
import { Dashboard } from "./sections/dashboard.ts";
import { Keys } from "./sections/keys.ts";
import { Models } from "./sections/models.ts";
import { Providers } from "./sections/providers.ts";
import { Requests } from "./sections/requests.ts";
import { Sessions } from "./sections/sessions.ts";
import { Settings } from "./sections/settings.ts";
import { Usage } from "./sections/usage.ts";
import { SignIn } from "./sign-in.ts";
import { html } from "./ui.ts";

export type Me =
  | { kind: "admin_token"; admin: true }
  | { kind: "user"; id: string; login: string; name: string | null; admin: boolean; expires_at: string };

/** Every section; `user: true` ones are open to signed-in users who are not admins (their own rows). */
const SECTIONS = [
  { id: "dashboard", name: "Dashboard", view: Dashboard, user: true },
  { id: "requests", name: "Requests", view: Requests, user: true },
  { id: "usage", name: "Usage", view: Usage, user: true },
  { id: "keys", name: "Keys", view: Keys, user: true },
  { id: "models", name: "Models", view: Models, user: false },
  { id: "providers", name: "Providers", view: Providers, user: false },
  { id: "sessions", name: "Sessions", view: Sessions, user: false },
  { id: "settings", name: "Settings", view: Settings, user: false },
] as const;

const current = () => location.hash.replace(/^#\/?/, "") || "dashboard";

function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [checking, setChecking] = useState(!!token.get());
  const [route, setRoute] = useState(current());

  const check = async () => {
    if (!token.get()) return setChecking(false);
    setChecking(true);
    try {
      setMe(await api<Me>("GET", "/auth/me"));
      setProblem(null);
    } catch (e) {
      // A stale or revoked token: back to the sign-in form, saying why.
      if (e instanceof ApiError && e.status === 401) token.clear();
      setMe(null);
      setProblem(e);
    } finally {
      setChecking(false);
    }
  };

  useEffect(() => {
    void check();
    const onHash = () => setRoute(current());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  if (checking && !me) return html`<main class="sign-in"><p class="muted">Loading…</p></main>`;
  if (!me) return html`<${SignIn} onSignedIn=${check} problem=${problem} />`;

  const allowed = SECTIONS.filter((s) => me.admin || s.user);
  const section = allowed.find((s) => s.id === route) ?? allowed[0];
  const who = me.kind === "user" ? me.login : "admin token";

  const logOut = async () => {
    // A GitHub login's JWT is revoked server-side; the admin token just leaves this tab.
    if (me.kind === "user") await api("POST", "/auth/logout").catch(() => {});
    token.clear();
    setMe(null);
    location.hash = "";
  };

  const View = section.view;
  return html`<div class="shell">
    <header class="top">
      <a class="brand" href="#/dashboard"><span class="logo" aria-hidden="true"></span>openai-gateway</a>
      <div class="who">
        <span class="muted">Signed in as</span> <strong data-testid="who">${who}</strong>
        ${me.kind === "user" && me.admin ? html` <span class="badge good">admin</span>` : null}
        <button type="button" class="link" onClick=${logOut}>Log out</button>
      </div>
    </header>
    <nav class="tabs" aria-label="Sections">
      ${allowed.map((s) => html`<a href=${`#/${s.id}`} aria-current=${s === section ? "page" : undefined}>${s.name}</a>`)}
    </nav>
    ${me.admin ? null : html`<p class="notice" role="status">
      ${who} is not an admin of this gateway (ADMIN_USERS): you see your own usage and requests only.</p>`}
    <main class="content"><${View} me=${me} /></main>
  </div>`;
}

// The console holds an admin's session, so it does not run inside another page's frame, where that page
// could dress it up and catch clicks or a typed token (a meta Content-Security-Policy cannot forbid framing).
if (window.top !== window.self) document.getElementById("app")!.textContent = "The console does not run inside a frame: open /admin directly.";
else render(html`<${App} />`, document.getElementById("app")!);
