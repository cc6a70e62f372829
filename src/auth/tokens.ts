// The gateway's own HS256 JWTs, signed and verified with @elysiajs/jwt: `sub` is the GitHub numeric id,
// `login` the GitHub login, `jti` a random id that /auth/logout revokes until `exp`.
import { jwt } from "@elysiajs/jwt";
import { t } from "elysia";
import type { Revocations } from "../db/revocations.ts";
import type { Maybe } from "../db/sql.ts";
import { randomToken } from "./secrets.ts";

const ISSUER = "openai-gateway";

export interface TokenClaims {
  sub: string;
  login: string;
  jti: string;
  iat: number;
  /** Epoch seconds. */
  exp: number;
}

export type Verified = { ok: true; claims: TokenClaims } | { ok: false; reason: "invalid" | "revoked" };

const claimsSchema = t.Object({ sub: t.String({ minLength: 1 }), login: t.String({ minLength: 1 }), jti: t.String({ minLength: 1 }) });

export class TokenService {
  private readonly jwt;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly revocations: Revocations,
    private readonly now: () => number,
  ) {
    this.jwt = jwt({ name: "jwt", secret, alg: "HS256", schema: claimsSchema }).decorator.jwt;
  }

  async issue(user: { id: string; login: string }): Promise<{ token: string; expiresAt: number }> {
    const expiresAt = Math.floor(this.now() / 1000) + this.ttlSeconds;
    const token = await this.jwt.sign({ sub: user.id, login: user.login, jti: randomToken(16), iss: ISSUER, exp: expiresAt });
    return { token, expiresAt };
  }

  /** Signature, algorithm, issuer, expiry (by the injected clock) and the revocation list. */
  async verify(token: string): Promise<Verified> {
    const payload = await this.jwt.verify(token, {
      algorithms: ["HS256"],
      issuer: ISSUER,
      requiredClaims: ["exp", "iat", "jti", "sub"],
      currentDate: new Date(this.now()),
    });
    if (!payload) return { ok: false, reason: "invalid" };
    const claims = payload as TokenClaims;
    if (this.revocations.isRevoked(claims.jti)) return { ok: false, reason: "revoked" };
    return { ok: true, claims };
  }

  revoke(claims: TokenClaims): Maybe<void> {
    return this.revocations.revoke(claims.jti, claims.exp, this.now());
  }
}

/** Three base64url parts: how a bearer JWT is told apart from an API key. */
export function looksLikeJwt(bearer: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(bearer);
}
