// Login with GitHub (web flow and device flow), which of them this gateway offers, who am I, and logout.
// Both flows end with a gateway JWT; GitHub's access token is used for two API calls and then dropped.
import { Elysia, t } from "elysia";
import type { Authenticator } from "../auth/authenticator.ts";
import { loginNotConfigured, OAuthError, type GitHubClient } from "../auth/github.ts";
import { constantTimeEqual, randomToken } from "../auth/secrets.ts";
import type { TokenService } from "../auth/tokens.ts";
import type { OAuthStateStore } from "../db/oauth-states.ts";
import type { User, UserStore } from "../db/users.ts";
import { badRequest } from "../errors.ts";
import type { Logger } from "../log.ts";
import { BEARER } from "../plugins/docs.ts";

export interface AuthRouteDeps {
  /** Absent when GITHUB_CLIENT_ID is not set; without GITHUB_CLIENT_SECRET it offers the device flow only. */
  github?: GitHubClient;
  tokens: TokenService;
  users: UserStore<boolean>;
  states: OAuthStateStore<boolean>;
  auth: Authenticator;
  /** Mark the state cookie Secure (the callback URL is https). */
  secureCookie: boolean;
  now: () => number;
  log: Logger;
}

const STATE_COOKIE = "gateway_oauth_state";
const STATE_TTL_SECONDS = 600;

export function authRoutes(deps: AuthRouteDeps) {
  const { tokens, users, states, auth, now, log } = deps;
  /** The GitHub client when this gateway's OAuth settings allow `method`, else a 503 naming what to set. */
  const github = (method: "web" | "device"): GitHubClient => {
    if (deps.github && (method === "device" || deps.github.webFlow)) return deps.github;
    throw loginNotConfigured(method);
  };

  /** Saves the user and answers with a gateway JWT; the GitHub token goes no further than here. */
  const login = async (githubToken: string, method: "web" | "device") => {
    const user = await github(method).user(githubToken);
    await users.save(user, now());
    const { token, expiresAt } = await tokens.issue(user);
    log("login", { method, user: user.login, id: user.id });
    return { token, token_type: "Bearer", expires_at: new Date(expiresAt * 1000).toISOString(), user };
  };

  // The login state travels in this cookie only between /auth/github and its callback.
  const stateCookie = (value: string, maxAge: number) =>
    `${STATE_COOKIE}=${value}; Path=/auth/github; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${deps.secureCookie ? "; Secure" : ""}`;

  return new Elysia({ detail: { tags: ["Auth"] } })
    .get("/auth/methods", () => ({ github: !!deps.github?.webFlow, device: !!deps.github }), {
      response: t.Object({
        github: t.Boolean({ description: "GitHub's web flow (`/auth/github`): GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are set" }),
        device: t.Boolean({ description: "GitHub's device flow (`/auth/device/*`): GITHUB_CLIENT_ID is set" }),
      }),
      detail: {
        summary: "Which GitHub logins this gateway offers",
        description: "Public, for sign-in pages such as the console's: says which login routes can work, and nothing of the settings themselves. "
          + "The device flow also needs \"Enable Device Flow\" ticked in the OAuth app, which the gateway cannot see.",
      },
    })

    .get("/auth/github", async () => {
      const client = github("web");
      const state = randomToken();
      await states.add(state, now() + STATE_TTL_SECONDS * 1000, now());
      return new Response(null, { status: 302, headers: { location: client.authorizeUrl(state), "set-cookie": stateCookie(state, STATE_TTL_SECONDS), "cache-control": "no-store" } });
    }, { detail: { summary: "Log in with GitHub (redirects to GitHub)" } })

    .get("/auth/github/callback", async ({ query, request }) => {
      const client = github("web");
      // The state must be the one this browser was given (cookie), issued by us, unused and unexpired.
      const cookieState = readCookie(request, STATE_COOKIE);
      if (!query.state || !cookieState || !constantTimeEqual(query.state, cookieState) || !(await states.consume(query.state, now()))) {
        throw badRequest("Invalid, expired or already used login state; start again at /auth/github.", "state", "invalid_state");
      }
      if (query.error) {
        throw new OAuthError(query.error, query.error === "access_denied" ? "You denied the gateway access to your GitHub account." : undefined);
      }
      if (!query.code) throw badRequest("The callback has no `code`.", "code", "missing_required_parameter");
      const result = await login(await client.exchangeCode(query.code), "web");
      const clear = stateCookie("", 0);
      if (wantsJson(request)) return Response.json(result, { headers: { "set-cookie": clear, "cache-control": "no-store" } });
      return handOffPage(result.token, result.user, clear);
    }, {
      query: t.Object({
        code: t.Optional(t.String({ maxLength: 512 })),
        state: t.Optional(t.String({ maxLength: 512 })),
        error: t.Optional(t.String({ maxLength: 128 })),
        error_description: t.Optional(t.String({ maxLength: 1024 })),
        error_uri: t.Optional(t.String({ maxLength: 1024 })),
      }),
      detail: {
        summary: "GitHub redirects here after login",
        description: "Answers with a page that hands the gateway JWT to the admin UI, or `{token, user}` for `Accept: application/json`.",
      },
    })

    .post("/auth/device/request", () => github("device").requestDeviceCode(), {
      detail: {
        summary: "Start a device-flow login",
        description: "Returns GitHub's `user_code` and `verification_uri` to show the user, and the `device_code` and `interval` to poll with.",
      },
    })

    .post("/auth/device/poll", async ({ body }) => login(await github("device").pollDevice(body.device_code), "device"), {
      body: t.Object({ device_code: t.String({ minLength: 1, maxLength: 256, pattern: "^[A-Za-z0-9_.~-]+$" }) }),
      detail: {
        summary: "Poll a device-flow login once",
        description: "200 `{token, user}` when the user approved. Otherwise an OpenAI error whose `code` is GitHub's: "
          + "authorization_pending 428, slow_down 429 (with the new `interval`), expired_token 410, access_denied 403, incorrect_device_code 400.",
      },
    })

    .get("/auth/me", async ({ request }) => {
      const p = await auth.principal(request);
      if (p.kind === "admin_token") return { kind: "admin_token", admin: true };
      const { claims, admin } = await auth.requireUser(request);
      const user: User = (await users.get(claims.sub)) ?? { id: claims.sub, login: claims.login, name: null, email: null };
      return { kind: "user", ...user, admin, expires_at: new Date(claims.exp * 1000).toISOString() };
    }, { detail: { summary: "The logged-in user", security: BEARER } })

    .post("/auth/logout", async ({ request }) => {
      const { claims } = await auth.requireUser(request);
      await tokens.revoke(claims);
      log("logout", { user: claims.login, id: claims.sub });
      return { revoked: true };
    }, { detail: { summary: "Revoke the bearer JWT", security: BEARER } });
}

function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

function wantsJson(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/** Puts the JWT in sessionStorage and opens the admin page: the token never appears in a URL. */
function handOffPage(token: string, user: User, setCookie: string): Response {
  const nonce = randomToken(16);
  const login = user.login.replace(/[^A-Za-z0-9-]/g, "");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed in</title></head><body>
<p>Signed in as ${login}. Opening the <a href="/admin">admin page</a>…</p>
<script nonce="${nonce}">sessionStorage.setItem("gateway_token", ${JSON.stringify(token)}); location.replace("/admin");</script>
</body></html>`;
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`,
      "set-cookie": setCookie,
    },
  });
}
