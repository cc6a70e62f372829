// GitHub's OAuth endpoints (web and device flow) and the REST /user call, as protocols.md section 4
// describes them. GitHub answers OAuth errors with HTTP 200 and an `error` field, so every body is
// checked for one. The GitHub access token lives only inside these calls: never returned, stored or logged.
import type { GitHubSettings } from "../config.ts";
import { GatewayError, type ErrorType } from "../errors.ts";
import type { User } from "../db/users.ts";
import { VERSION } from "../version.ts";

const SCOPE = "read:user user:email";
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
}

/** How each GitHub OAuth error reaches the client: GitHub's code stays the OpenAI error `code`. */
const OAUTH_ERRORS: ReadonlyMap<string, { status: number; type: ErrorType }> = new Map(Object.entries({
  authorization_pending: { status: 428, type: "invalid_request_error" },
  slow_down: { status: 429, type: "rate_limit_error" },
  expired_token: { status: 410, type: "invalid_request_error" },
  access_denied: { status: 403, type: "permission_error" },
  incorrect_device_code: { status: 400, type: "invalid_request_error" },
  bad_verification_code: { status: 400, type: "invalid_request_error" },
  unverified_user_email: { status: 403, type: "permission_error" },
  device_flow_disabled: { status: 503, type: "service_unavailable" },
  // The gateway's own OAuth app settings are wrong: nothing the client can fix.
  incorrect_client_credentials: { status: 502, type: "upstream_error" },
  redirect_uri_mismatch: { status: 502, type: "upstream_error" },
  unsupported_grant_type: { status: 502, type: "upstream_error" },
}));

/** An OAuth error from GitHub; `interval` is set for slow_down (the new polling interval). */
export class OAuthError extends GatewayError {
  constructor(code: string, description: string | undefined, readonly interval?: number) {
    const { status, type } = OAUTH_ERRORS.get(code) ?? { status: 502, type: "upstream_error" as const };
    super(status, `GitHub: ${description ?? code}`, type, code, null, interval ? { "retry-after": String(interval) } : {});
  }

  override toBody() {
    return this.interval ? { ...super.toBody(), interval: this.interval } : super.toBody();
  }
}

/** The 503 for a login method this gateway's OAuth settings do not allow. */
export function loginNotConfigured(method: "web" | "device"): GatewayError {
  const message = method === "web"
    ? "GitHub login in the browser is not configured: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET and restart the gateway."
    : "GitHub device-flow login is not configured: set GITHUB_CLIENT_ID and restart the gateway.";
  return new GatewayError(503, message, "service_unavailable", "github_not_configured");
}

/**
 * GitHub's OAuth app as this gateway is set up with it. The device flow sends only the client id (a CLI
 * cannot keep a secret, so GitHub asks for none); the web flow's code exchange also needs the secret.
 */
export class GitHubClient {
  constructor(
    private readonly settings: GitHubSettings & { clientId: string },
    private readonly timeoutMs: number,
  ) {}

  /** Whether the web flow can work: the client secret is set. */
  get webFlow(): boolean {
    return !!this.settings.clientSecret;
  }

  authorizeUrl(state: string): string {
    const params = new URLSearchParams({ client_id: this.settings.clientId, redirect_uri: this.settings.callbackUrl, scope: SCOPE, state });
    return `${this.settings.baseUrl}/login/oauth/authorize?${params}`;
  }

  /** Web flow: the `code` from the callback -> a GitHub access token. */
  async exchangeCode(code: string): Promise<string> {
    if (!this.settings.clientSecret) throw loginNotConfigured("web");
    const body = await this.oauthPost("/login/oauth/access_token", {
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
      code,
      redirect_uri: this.settings.callbackUrl,
    });
    return accessToken(body);
  }

  async requestDeviceCode(): Promise<DeviceCode> {
    const body = await this.oauthPost("/login/device/code", { client_id: this.settings.clientId, scope: SCOPE });
    const { device_code, user_code, verification_uri, expires_in, interval } = body;
    if (typeof device_code !== "string" || typeof user_code !== "string" || typeof verification_uri !== "string"
      || typeof expires_in !== "number" || typeof interval !== "number") {
      throw unexpected("a device code response without its fields");
    }
    return { device_code, user_code, verification_uri, expires_in, interval };
  }

  /** One poll of the device flow: the access token, or an OAuthError (pending, slow_down ...). */
  async pollDevice(deviceCode: string): Promise<string> {
    const body = await this.oauthPost("/login/oauth/access_token", { client_id: this.settings.clientId, device_code: deviceCode, grant_type: DEVICE_GRANT });
    return accessToken(body);
  }

  /** The token's owner; the primary verified address from /user/emails when the profile hides it. */
  async user(token: string): Promise<User> {
    const body = await this.api("/user", token);
    if (!body.ok) throw new GatewayError(502, `GitHub refused the login (GET /user: HTTP ${body.status}).`, "upstream_error", "github_error");
    const { id, login, name, email } = body.json as { id?: unknown; login?: unknown; name?: unknown; email?: unknown };
    if (!Number.isSafeInteger(id) || typeof login !== "string" || login === "") throw unexpected("a user without id or login");
    return {
      id: String(id),
      login,
      name: typeof name === "string" ? name : null,
      email: typeof email === "string" ? email : await this.primaryEmail(token),
    };
  }

  private async primaryEmail(token: string): Promise<string | null> {
    // Without the user:email scope this is a 403 or 404: the login still works, without an email.
    const res = await this.api("/user/emails", token);
    if (!res.ok || !Array.isArray(res.json)) return null;
    const primary = (res.json as Array<{ email?: unknown; primary?: unknown; verified?: unknown }>).find((e) => e.primary === true && e.verified === true);
    return typeof primary?.email === "string" ? primary.email : null;
  }

  private async oauthPost(path: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    const res = await this.fetch(`${this.settings.baseUrl}${path}`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded", "user-agent": USER_AGENT },
      body: new URLSearchParams(params),
    });
    const json = await readJson(res);
    if (json && typeof json === "object" && typeof (json as { error?: unknown }).error === "string") {
      const { error, error_description, interval } = json as { error: string; error_description?: unknown; interval?: unknown };
      throw new OAuthError(error, typeof error_description === "string" ? error_description : undefined, typeof interval === "number" ? interval : undefined);
    }
    if (!res.ok || !json || typeof json !== "object") throw unexpected(`HTTP ${res.status} from ${path}`);
    return json as Record<string, unknown>;
  }

  private async api(path: string, token: string): Promise<{ ok: boolean; status: number; json: unknown }> {
    const res = await this.fetch(`${this.settings.apiUrl}${path}`, {
      headers: {
        authorization: `Bearer ${token}`,
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
        "user-agent": USER_AGENT,
      },
    });
    return { ok: res.ok, status: res.status, json: await readJson(res) };
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      throw new GatewayError(timedOut ? 504 : 502, timedOut ? `GitHub did not answer within ${this.timeoutMs} ms.` : "GitHub is unreachable.",
        "upstream_error", "github_unreachable");
    }
  }
}

const USER_AGENT = `openai-gateway/${VERSION}`;

function accessToken(body: Record<string, unknown>): string {
  if (typeof body.access_token !== "string" || body.access_token === "") throw unexpected("a token response without access_token");
  return body.access_token;
}

async function readJson(res: Response): Promise<unknown> {
  try {
    return JSON.parse(await res.text());
  } catch {
    return undefined;
  }
}

const unexpected = (what: string) => new GatewayError(502, `GitHub sent an unexpected response: ${what}.`, "upstream_error", "github_error");
