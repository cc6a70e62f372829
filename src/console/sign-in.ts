// Signing in: the ADMIN_TOKEN, GitHub's web flow (a plain link: the gateway redirects to GitHub and its
// callback page hands the JWT back to this page through sessionStorage), or GitHub's device flow, which
// shows the code and link and polls the gateway at the interval GitHub asks for. The GitHub ones appear
// only when the gateway says it offers them (GET /auth/methods).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, token } from "./api.ts";
import { ErrorNote, html, useAction, useLoad } from "./ui.ts";

/** GET /auth/methods: which GitHub logins this gateway's OAuth settings allow. */
interface Methods {
  github: boolean;
  device: boolean;
}

interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
}

export function SignIn({ onSignedIn, problem }: { onSignedIn: () => void; problem?: unknown }) {
  const [run, error, busy] = useAction();
  const [value, setValue] = useState("");

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      token.set(value.trim());
      try {
        // Checked now, so a wrong token is reported here and not as a broken console.
        await api("GET", "/auth/me");
      } catch (err) {
        token.clear();
        throw err;
      }
      onSignedIn();
    });
  };

  return html`<main class="sign-in">
    <div class="card">
      <h1><span class="logo" aria-hidden="true"></span> openai-gateway</h1>
      <p class="muted">Sign in to the console.</p>
      <${ErrorNote} error=${problem} />
      <form onSubmit=${submit}>
        <label for="admin-token">Admin token</label>
        <input id="admin-token" type="password" autocomplete="off" required value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled=${busy}>Sign in</button>
        <${ErrorNote} error=${error} />
      </form>
      <${GitHubLogins} onSignedIn=${onSignedIn} />
    </div>
  </main>`;
}

function GitHubLogins({ onSignedIn }: { onSignedIn: () => void }) {
  const methods = useLoad(() => api<Methods>("GET", "/auth/methods"), []);
  if (!methods.data) return html`<${ErrorNote} error=${methods.error} />`;
  const { github, device } = methods.data;
  if (!github && !device) {
    // htm drops whitespace holding a line break next to a tag: the spaces around each <code> stay on its line.
    return html`<p class="muted" data-testid="github-hint">
      GitHub login is not set up on this gateway. To offer it, set <code>GITHUB_CLIENT_ID</code> (device flow)
      and <code>GITHUB_CLIENT_SECRET</code> (login in the browser), then restart the gateway.</p>`;
  }
  return html`<div class="or"><span>or</span></div>
    ${github ? html`<a class="button secondary" href="/auth/github">Log in with GitHub</a>` : null}
    ${device ? html`<${DeviceFlow} onSignedIn=${onSignedIn} />` : null}`;
}

function DeviceFlow({ onSignedIn }: { onSignedIn: () => void }) {
  const [code, setCode] = useState<DeviceCode | null>(null);
  const [run, error, busy] = useAction();
  const [pollError, setPollError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const poll = (c: DeviceCode, interval: number) => {
    timer.current = setTimeout(async () => {
      try {
        const answer = await api<{ token: string }>("POST", "/auth/device/poll", { device_code: c.device_code });
        token.set(answer.token);
        onSignedIn();
      } catch (e) {
        if (e instanceof ApiError && e.code === "authorization_pending") return poll(c, interval);
        // GitHub asks us to slow down: its new interval replaces ours from now on.
        if (e instanceof ApiError && e.code === "slow_down") return poll(c, (e.body as { interval?: number })?.interval ?? interval + 5);
        setCode(null);
        setPollError(e);
      }
    }, interval * 1000);
  };

  const start = () => run(async () => {
    setPollError(null);
    const c = await api<DeviceCode>("POST", "/auth/device/request");
    setCode(c);
    poll(c, c.interval);
  });

  const cancel = () => {
    clearTimeout(timer.current);
    setCode(null);
  };

  if (!code) {
    return html`<div>
      <button type="button" class="secondary" onClick=${start} disabled=${busy}>Log in with GitHub device flow</button>
      <${ErrorNote} error=${error ?? pollError} />
    </div>`;
  }
  return html`<section class="device" aria-live="polite" aria-label="Device flow">
    <p>Open <a href=${code.verification_uri} target="_blank" rel="noopener noreferrer">${code.verification_uri}</a> and enter this code:</p>
    <p class="user-code" data-testid="user-code">${code.user_code}</p>
    <p class="muted"><span class="spinner" aria-hidden="true"></span> Waiting for you to approve on GitHub…</p>
    <button type="button" class="link" onClick=${cancel}>Cancel</button>
  </section>`;
}
