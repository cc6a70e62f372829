// Who is calling: reads the bearer credential once per request (cached, so the auth guard, the admin
// routes and the rate limiter share one verification) and says what it is worth.
import type { AuthSettings } from "../config.ts";
import { GatewayError } from "../errors.ts";
import { pathStartsWith } from "../path-prefix.ts";
import type { ApiKey, ApiKeyStore } from "../db/api-keys.ts";
import { sameDigest, sha256 } from "./secrets.ts";
import { looksLikeJwt, type TokenClaims, type TokenService } from "./tokens.ts";

export type Principal =
  | { kind: "user"; claims: TokenClaims; admin: boolean }
  | { kind: "admin_token"; keyHash: string }
  /** A gateway API key an admin created. */
  | { kind: "key"; keyHash: string; key: ApiKey }
  /** A bearer the gateway did not issue (any key works while REQUIRE_AUTH is off), with why it is not ours. */
  | { kind: "unknown"; keyHash: string; reason: "invalid" | "revoked" | "unknown_key" }
  | { kind: "anonymous" };

/** The rate-limit bucket of a request: the key's SHA-256 (never the key), the user's GitHub id, or the IP. */
export interface ClientIdentity {
  kind: "key" | "user" | "ip";
  id: string;
  /** A gateway API key's id ("admin" for ADMIN_TOKEN), for the usage ledger. */
  keyId?: string;
  /** A user's GitHub login, for the usage ledger. */
  login?: string;
}

export class Authenticator {
  private readonly cache = new WeakMap<Request, Promise<Principal>>();
  private readonly adminUsers: Set<string>;
  /** Hashed once: every request with a bearer compares its hash against it. */
  private readonly adminTokenHash: string | undefined;

  constructor(
    settings: Pick<AuthSettings, "adminUsers" | "adminToken">,
    private readonly tokens: TokenService,
    private readonly keys: ApiKeyStore<boolean>,
  ) {
    this.adminUsers = new Set(settings.adminUsers);
    this.adminTokenHash = settings.adminToken ? sha256(settings.adminToken) : undefined;
  }

  principal(request: Request): Promise<Principal> {
    let found = this.cache.get(request);
    if (!found) this.cache.set(request, (found = this.resolve(bearer(request))));
    return found;
  }

  /** For the rate limiter and ownership; `ip` (looked up only without a credential) from `server.requestIP`. */
  async identify(request: Request, ip: () => string | null): Promise<ClientIdentity> {
    const p = await this.principal(request);
    switch (p.kind) {
      case "user": return { kind: "user", id: p.claims.sub, login: p.claims.login };
      case "key": return { kind: "key", id: p.keyHash, keyId: p.key.id };
      case "admin_token": return { kind: "key", id: p.keyHash, keyId: "admin" };
      case "unknown": return { kind: "key", id: p.keyHash };
      case "anonymous": return { kind: "ip", id: ip() ?? "unknown" };
    }
  }

  /** Requests per minute an admin set for this request's key (POST /config/keys), if any. */
  async keyRateLimit(request: Request): Promise<number | undefined> {
    const p = await this.principal(request);
    return p.kind === "key" ? p.key.rateLimit ?? undefined : undefined;
  }

  /** An admin: the ADMIN_TOKEN, or a GitHub login listed in ADMIN_USERS. */
  isAdmin(request: Request): Promise<boolean> {
    return this.requireAdmin(request).then(() => true, () => false);
  }

  /** Admin routes: 401 without valid credentials, 403 for a valid user who is not an admin. */
  async requireAdmin(request: Request): Promise<Extract<Principal, { kind: "admin_token" | "user" }>> {
    const p = await this.principal(request);
    if (p.kind === "admin_token" || (p.kind === "user" && p.admin)) return p;
    if (p.kind === "user") {
      throw new GatewayError(403, `GitHub user ${p.claims.login} is not an admin of this gateway (ADMIN_USERS).`, "permission_error", "not_admin");
    }
    throw unauthorized(p);
  }

  /** /auth/me and /auth/logout: a valid gateway JWT. */
  async requireUser(request: Request): Promise<Extract<Principal, { kind: "user" }>> {
    const p = await this.principal(request);
    if (p.kind === "user") return p;
    throw unauthorized(p);
  }

  /** /v1/* with REQUIRE_AUTH: a gateway JWT or a gateway API key. */
  async requireClient(request: Request): Promise<void> {
    const p = await this.principal(request);
    if (p.kind !== "user" && p.kind !== "key") throw unauthorized(p);
  }

  /**
   * /v1/usage*: any caller with a credential of its own: a gateway JWT or API key, or (REQUIRE_AUTH off)
   * a bearer the gateway did not issue, which then reads the rows made with that bearer.
   */
  async requireCaller(request: Request): Promise<void> {
    const p = await this.principal(request);
    if (p.kind === "anonymous" || (p.kind === "unknown" && p.reason !== "unknown_key")) throw unauthorized(p);
  }

  private async resolve(token: string | undefined): Promise<Principal> {
    if (!token) return { kind: "anonymous" };
    const keyHash = sha256(token);
    if (this.adminTokenHash && sameDigest(keyHash, this.adminTokenHash)) return { kind: "admin_token", keyHash };
    if (looksLikeJwt(token)) {
      const verified = await this.tokens.verify(token);
      if (!verified.ok) return { kind: "unknown", keyHash, reason: verified.reason };
      return { kind: "user", claims: verified.claims, admin: this.adminUsers.has(verified.claims.login.toLowerCase()) };
    }
    const key = await this.keys.findByHash(keyHash);
    return key ? { kind: "key", keyHash, key } : { kind: "unknown", keyHash, reason: "unknown_key" };
  }
}

/**
 * The credential from `Authorization: Bearer <token>`, or on the API (/v1/*) from `x-api-key`, where
 * Anthropic's SDKs and Claude Code send it: the same gateway keys and JWTs either way.
 */
function bearer(request: Request): string | undefined {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  const key = request.headers.get("x-api-key")?.trim();
  return key && pathStartsWith(request.url, "/v1/") ? key : undefined;
}

const MESSAGES: ReadonlyMap<string, string> = new Map(Object.entries({
  anonymous: "Missing credentials: send `Authorization: Bearer <token>` (or `x-api-key: <token>` on /v1/*) with a gateway JWT or API key.",
  invalid: "The bearer token is invalid or has expired; log in again.",
  revoked: "The bearer token has been revoked (logged out); log in again.",
  unknown_key: "Incorrect API key provided.",
  admin_token: "ADMIN_TOKEN grants admin access only; this route needs a gateway JWT or API key.",
  key: "An API key is not a login; this route needs a gateway JWT (log in with GitHub).",
}));

function unauthorized(p: Principal): GatewayError {
  const why = p.kind === "unknown" ? p.reason : p.kind;
  const code = why === "unknown_key" ? "invalid_api_key" : why === "anonymous" ? "missing_credentials" : "invalid_token";
  return new GatewayError(401, MESSAGES.get(why) ?? MESSAGES.get("invalid")!, "authentication_error", code, null, { "www-authenticate": "Bearer" });
}
