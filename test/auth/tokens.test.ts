import { describe, expect, test } from "bun:test";
import { HIDDEN_EMAIL, OCTOCAT } from "../fakes/github.ts";
import { errorBody } from "../helpers.ts";
import { ADMIN_TOKEN, bearer, JWT_SECRET, loginDevice, useAuthGateway } from "./setup.ts";

const ctx = useAuthGateway({ auth: { jwtTtlSeconds: 3600 } });

const me = (headers: Record<string, string> = {}) => fetch(`${ctx.gw.url}/auth/me`, { headers });
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as Record<string, unknown>;

async function expect401(res: Response, code: string) {
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toBe("Bearer");
  expect(await errorBody(res)).toMatchObject({ type: "authentication_error", code });
}

describe("gateway JWTs", () => {
  test("HS256 with sub (GitHub id), login, iat, exp (JWT_TTL) and a jti", async () => {
    const token = await loginDevice(ctx.gw, ctx.github, OCTOCAT);
    const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString());
    expect(header.alg).toBe("HS256");
    const claims = claimsOf(token);
    expect(claims).toMatchObject({ sub: "1", login: "octocat", iss: "openai-gateway" });
    expect(claims.exp as number).toBe((claims.iat as number) + 3600);
    expect(typeof claims.jti).toBe("string");
    const other = claimsOf(await loginDevice(ctx.gw, ctx.github, OCTOCAT));
    expect(other.jti).not.toBe(claims.jti);
  });

  test("/auth/me: the user for a valid token (not an admin unless listed)", async () => {
    const token = await loginDevice(ctx.gw, ctx.github, HIDDEN_EMAIL);
    const res = await me(bearer(token));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: "user", id: "583231", login: "Private-Person", email: "private@example.com", admin: false });
  });

  test("/auth/me with ADMIN_TOKEN says so", async () => {
    expect(await (await me(bearer(ADMIN_TOKEN))).json()).toEqual({ kind: "admin_token", admin: true });
  });

  test("missing, malformed and API-key credentials -> 401", async () => {
    await expect401(await me(), "missing_credentials");
    await expect401(await me({ authorization: "Basic b2N0b2NhdDp4" }), "missing_credentials");
    await expect401(await me(bearer("not-a-jwt")), "invalid_api_key");
  });

  test("a tampered token (payload changed, or signed with another secret, or alg none) -> 401", async () => {
    const token = await loginDevice(ctx.gw, ctx.github, HIDDEN_EMAIL);
    const [h, , s] = token.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ ...claimsOf(token), login: "octocat", sub: "1" })).toString("base64url");
    await expect401(await me(bearer(`${h}.${forgedPayload}.${s}`)), "invalid_token");

    const { jwt } = await import("@elysiajs/jwt");
    const foreign = jwt({ secret: "another-secret-that-is-long-enough-0123456789", alg: "HS256" }).decorator.jwt;
    const signed = await foreign.sign({ ...claimsOf(token), exp: Math.floor(Date.now() / 1000) + 600 } as never);
    await expect401(await me(bearer(signed)), "invalid_token");

    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${forgedPayload}.`;
    // No signature at all: not even shaped like a signed JWT, so it is just an unknown key.
    await expect401(await me(bearer(none)), "invalid_api_key");
    const noneWithSig = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${forgedPayload}.${s}`;
    await expect401(await me(bearer(noneWithSig)), "invalid_token");
  });

  test("a token signed with the right secret but missing claims -> 401", async () => {
    const { jwt } = await import("@elysiajs/jwt");
    const same = jwt({ secret: JWT_SECRET, alg: "HS256" }).decorator.jwt;
    const noJti = await same.sign({ sub: "1", login: "octocat", iss: "openai-gateway", exp: Math.floor(Date.now() / 1000) + 600 });
    await expect401(await me(bearer(noJti)), "invalid_token");
  });

  test("an expired token -> 401 (the gateway's clock moves past exp)", async () => {
    const token = await loginDevice(ctx.gw, ctx.github, OCTOCAT);
    expect((await me(bearer(token))).status).toBe(200);
    ctx.advance(3601 * 1000);
    await expect401(await me(bearer(token)), "invalid_token");
  });

  test("logout revokes the token: /auth/me and the admin API refuse it, a fresh login works", async () => {
    const token = await loginDevice(ctx.gw, ctx.github, OCTOCAT);
    expect((await fetch(`${ctx.gw.url}/config`, { headers: bearer(token) })).status).toBe(200);
    const out = await fetch(`${ctx.gw.url}/auth/logout`, { method: "POST", headers: bearer(token) });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ revoked: true });
    const res = await me(bearer(token));
    await expect401(res, "invalid_token");
    await expect401(await fetch(`${ctx.gw.url}/config`, { headers: bearer(token) }), "invalid_token");
    // Logging out twice: the token is no longer valid.
    await expect401(await fetch(`${ctx.gw.url}/auth/logout`, { method: "POST", headers: bearer(token) }), "invalid_token");
    const fresh = await loginDevice(ctx.gw, ctx.github, OCTOCAT);
    expect((await me(bearer(fresh))).status).toBe(200);
  });

  test("logout needs a JWT: anonymous and ADMIN_TOKEN -> 401", async () => {
    await expect401(await fetch(`${ctx.gw.url}/auth/logout`, { method: "POST" }), "missing_credentials");
    expect((await fetch(`${ctx.gw.url}/auth/logout`, { method: "POST", headers: bearer(ADMIN_TOKEN) })).status).toBe(401);
  });
});
