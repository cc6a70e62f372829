// A fake GitHub (protocols.md section 4) on 127.0.0.1: the OAuth web flow (authorize redirects straight
// back, approving or denying as scripted), the device flow's polling state machine, and the REST /user
// and /user/emails endpoints, served GitHub Enterprise style under /api/v3. Like GitHub it answers OAuth
// errors with HTTP 200 and an `error` field, JSON only when asked (Accept), form-encoded otherwise.

export interface GitHubUserFixture {
  id: number;
  login: string;
  name: string | null;
  /** The public profile email; null makes the gateway ask /user/emails. */
  email: string | null;
  emails?: Array<{ email: string; primary: boolean; verified: boolean; visibility: string | null }>;
}

export interface RecordedGitHub {
  method: string;
  path: string;
  headers: Record<string, string>;
  params: Record<string, string>;
}

/** What polling a device code answers, in order; the last entry repeats. "token" completes the login. */
export type DeviceStep = "authorization_pending" | "slow_down" | "expired_token" | "access_denied" | "token";

export interface FakeGitHub {
  /** GITHUB_BASE_URL */
  baseUrl: string;
  /** GITHUB_API_URL */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  requests: RecordedGitHub[];
  /** Every access token the fake issued: none may ever reach a gateway client or log. */
  issuedTokens: string[];
  /** Who approves the next web-flow authorization, or "deny". */
  nextAuthorization: GitHubUserFixture | "deny";
  /** Who approves device codes issued from now on, and how their polls go. */
  deviceUser: GitHubUserFixture;
  deviceSteps: DeviceStep[];
  /** The polling interval new device codes carry (GitHub's is 5 s; browser tests use 1). */
  deviceInterval: number;
  stop(): Promise<void>;
}

export const OCTOCAT: GitHubUserFixture = { id: 1, login: "octocat", name: "monalisa octocat", email: "octocat@github.com" };
export const HIDDEN_EMAIL: GitHubUserFixture = {
  id: 583231,
  login: "Private-Person",
  name: null,
  email: null,
  emails: [
    { email: "old@example.com", primary: false, verified: true, visibility: null },
    { email: "private@example.com", primary: true, verified: true, visibility: "private" },
  ],
};

const DEVICE_ERRORS = "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow";
const DESCRIPTIONS: Record<string, string> = {
  authorization_pending: "The authorization request is still pending.",
  slow_down: "Too many requests have been made in the same timeframe.",
  expired_token: "The `device code` has expired.",
  access_denied: "The authorization request was denied.",
  incorrect_device_code: "The device_code provided is not valid.",
  bad_verification_code: "The code passed is incorrect or expired.",
  incorrect_client_credentials: "The client_id and/or client_secret passed are incorrect.",
  redirect_uri_mismatch: "The redirect_uri MUST match the registered callback URL for this application.",
  unsupported_grant_type: "The grant type is not supported.",
};

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const requests: RecordedGitHub[] = [];
  const issuedTokens: string[] = [];
  const codes = new Map<string, { user: GitHubUserFixture; redirectUri: string }>();
  const devices = new Map<string, { user: GitHubUserFixture; steps: DeviceStep[]; interval: number }>();
  const tokens = new Map<string, GitHubUserFixture>();
  const random = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");

  const issueToken = (user: GitHubUserFixture) => {
    const token = `gho_${random(18)}`;
    tokens.set(token, user);
    issuedTokens.push(token);
    return { access_token: token, token_type: "bearer", scope: "read:user,user:email" };
  };

  const fake: FakeGitHub = {
    baseUrl: "",
    apiUrl: "",
    clientId: "Iv1.fakeclientid01",
    clientSecret: "fake-github-client-secret-0123456789abcdef",
    requests,
    issuedTokens,
    nextAuthorization: OCTOCAT,
    deviceUser: OCTOCAT,
    deviceSteps: ["authorization_pending", "slow_down", "token"],
    deviceInterval: 5,
    stop: async () => server.stop(true),
  };

  const oauth = (request: Request, body: Record<string, unknown>) => {
    if (/application\/json/.test(request.headers.get("accept") ?? "")) return Response.json(body);
    const form = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)]));
    return new Response(form.toString(), { headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } });
  };
  const oauthError = (request: Request, error: string, extra: Record<string, unknown> = {}) =>
    oauth(request, { error, error_description: DESCRIPTIONS[error], error_uri: DEVICE_ERRORS, ...extra });

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      const params = await readParams(request, url);
      requests.push({ method: request.method, path: url.pathname, headers: Object.fromEntries(request.headers), params });

      if (request.method === "GET" && url.pathname === "/login/oauth/authorize") {
        const redirect = new URL(params.redirect_uri);
        if (fake.nextAuthorization === "deny") {
          redirect.search = new URLSearchParams({ error: "access_denied", error_description: "The user has denied your application access.", state: params.state }).toString();
        } else {
          const code = random(10);
          codes.set(code, { user: fake.nextAuthorization, redirectUri: params.redirect_uri });
          redirect.search = new URLSearchParams({ code, state: params.state }).toString();
        }
        return new Response(null, { status: 302, headers: { location: redirect.toString() } });
      }

      if (request.method === "POST" && url.pathname === "/login/device/code") {
        if (params.client_id !== fake.clientId) return oauth(request, { error: "Not Found" });
        const deviceCode = random(20);
        const interval = fake.deviceInterval;
        devices.set(deviceCode, { user: fake.deviceUser, steps: [...fake.deviceSteps], interval });
        return oauth(request, {
          device_code: deviceCode,
          user_code: `${random(2).toUpperCase()}-${random(2).toUpperCase()}`,
          verification_uri: `${fake.baseUrl}/login/device`,
          expires_in: 900,
          interval,
        });
      }

      if (request.method === "POST" && url.pathname === "/login/oauth/access_token") {
        if (params.client_id !== fake.clientId) return oauthError(request, "incorrect_client_credentials");
        if (params.device_code !== undefined) {
          if (params.grant_type !== "urn:ietf:params:oauth:grant-type:device_code") return oauthError(request, "unsupported_grant_type");
          const device = devices.get(params.device_code);
          if (!device) return oauthError(request, "incorrect_device_code");
          const step = device.steps.length > 1 ? device.steps.shift()! : device.steps[0];
          if (step === "token") {
            devices.delete(params.device_code);
            return oauth(request, issueToken(device.user));
          }
          if (step === "slow_down") {
            device.interval += 5;
            return oauthError(request, "slow_down", { interval: device.interval });
          }
          return oauthError(request, step);
        }
        if (params.client_secret !== fake.clientSecret) return oauthError(request, "incorrect_client_credentials");
        const grant = codes.get(params.code);
        codes.delete(params.code);
        if (!grant) return oauthError(request, "bad_verification_code");
        if (params.redirect_uri && params.redirect_uri !== grant.redirectUri) return oauthError(request, "redirect_uri_mismatch");
        return oauth(request, issueToken(grant.user));
      }

      if (url.pathname.startsWith("/api/v3/")) {
        if (!request.headers.get("user-agent")) {
          return Response.json({ message: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header." }, { status: 403 });
        }
        const token = /^(?:Bearer|token) (\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
        const user = token ? tokens.get(token) : undefined;
        if (!user) return Response.json({ message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" }, { status: 401 });
        const headers = { "x-oauth-scopes": "read:user, user:email", "x-github-request-id": random(8) };
        if (url.pathname === "/api/v3/user") {
          return Response.json({ login: user.login, id: user.id, node_id: "MDQ6VXNlcjE=", type: "User", site_admin: false, name: user.name, email: user.email }, { headers });
        }
        if (url.pathname === "/api/v3/user/emails") {
          return Response.json(user.emails ?? (user.email ? [{ email: user.email, primary: true, verified: true, visibility: "public" }] : []), { headers });
        }
      }
      return Response.json({ message: "Not Found", documentation_url: "https://docs.github.com/rest" }, { status: 404 });
    },
  });
  fake.baseUrl = `http://127.0.0.1:${server.port}`;
  fake.apiUrl = `${fake.baseUrl}/api/v3`;
  return fake;
}

/** GitHub takes OAuth parameters form-encoded, as JSON, or in the query string. */
async function readParams(request: Request, url: URL): Promise<Record<string, string>> {
  const params = Object.fromEntries(url.searchParams);
  const text = request.method === "POST" ? await request.text() : "";
  if (!text) return params;
  if ((request.headers.get("content-type") ?? "").includes("json")) return { ...params, ...(JSON.parse(text) as Record<string, string>) };
  return { ...params, ...Object.fromEntries(new URLSearchParams(text)) };
}
