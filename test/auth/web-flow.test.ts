import { describe, expect, test } from "bun:test";
import { HIDDEN_EMAIL, OCTOCAT } from "../fakes/github.ts";
import { errorBody } from "../helpers.ts";
import { bearer, startAuthGateway, startWebLogin, useAuthGateway } from "./setup.ts";

const ctx = useAuthGateway();

/** A fresh login's callback with one of its query parameters removed, as JSON. */
async function callbackWithout(param: string) {
  const { callback, cookie } = await startWebLogin(ctx.gw, ctx.github, OCTOCAT);
  const url = new URL(callback);
  url.searchParams.delete(param);
  const res = await fetch(url, { headers: { cookie, accept: "application/json" } });
  expect(res.status).toBe(400);
  return errorBody(res);
}

describe("GitHub web flow", () => {
  test("/auth/github redirects to GitHub with client_id, redirect_uri, scope and a state bound by cookie", async () => {
    const res = await fetch(`${ctx.gw.url}/auth/github`, { redirect: "manual" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(`${ctx.github.baseUrl}/login/oauth/authorize`);
    expect(location.searchParams.get("client_id")).toBe(ctx.github.clientId);
    expect(location.searchParams.get("redirect_uri")).toBe("http://localhost:8787/auth/github/callback");
    expect(location.searchParams.get("scope")).toBe("read:user user:email");
    const state = location.searchParams.get("state")!;
    expect(state.length).toBeGreaterThanOrEqual(40);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toStartWith(`gateway_oauth_state=${state};`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Max-Age=600");
    expect(cookie).not.toContain("Secure");
    // Each login gets its own state.
    const again = await fetch(`${ctx.gw.url}/auth/github`, { redirect: "manual" });
    expect(new URL(again.headers.get("location")!).searchParams.get("state")).not.toBe(state);
  });

  test("end to end with JSON: the callback exchanges the code, reads /user and answers {token, user}", async () => {
    const { callback, cookie } = await startWebLogin(ctx.gw, ctx.github, OCTOCAT);
    const res = await fetch(callback, { headers: { cookie, accept: "application/json" }, redirect: "manual" });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toContain("Max-Age=0");
    const body = (await res.json()) as { token: string; token_type: string; user: Record<string, unknown> };
    expect(body.user).toEqual({ id: "1", login: "octocat", name: "monalisa octocat", email: "octocat@github.com" });
    expect(body.token_type).toBe("Bearer");

    const exchange = ctx.github.requests.findLast((r) => r.path === "/login/oauth/access_token")!;
    expect(exchange.method).toBe("POST");
    expect(exchange.headers.accept).toBe("application/json");
    expect(exchange.params).toMatchObject({ client_id: ctx.github.clientId, client_secret: ctx.github.clientSecret, redirect_uri: "http://localhost:8787/auth/github/callback" });
    const user = ctx.github.requests.findLast((r) => r.path === "/api/v3/user")!;
    expect(user.headers["user-agent"]).toMatch(/^openai-gateway\//);
    expect(user.headers.accept).toBe("application/vnd.github+json");
    expect(user.headers["x-github-api-version"]).toBe("2022-11-28");

    const me = await fetch(`${ctx.gw.url}/auth/me`, { headers: bearer(body.token) });
    expect(await me.json()).toMatchObject({ kind: "user", id: "1", login: "octocat", email: "octocat@github.com", admin: true });
  });

  test("end to end in a browser: a page stores the token in sessionStorage and opens /admin; the URL holds no token", async () => {
    const { callback, cookie } = await startWebLogin(ctx.gw, ctx.github, OCTOCAT);
    const res = await fetch(callback, { headers: { cookie, accept: "text/html,application/xhtml+xml,*/*" }, redirect: "manual" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const csp = res.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    const html = await res.text();
    expect(html).toContain(`<script nonce="${nonce}">sessionStorage.setItem("gateway_token", "`);
    expect(html).toContain('location.replace("/admin")');
    const token = /setItem\("gateway_token", "([^"]+)"\)/.exec(html)![1];
    expect((await fetch(`${ctx.gw.url}/auth/me`, { headers: bearer(token) })).status).toBe(200);
  });

  test("a hidden profile email comes from /user/emails (primary and verified)", async () => {
    const { callback, cookie } = await startWebLogin(ctx.gw, ctx.github, HIDDEN_EMAIL);
    const body = (await (await fetch(callback, { headers: { cookie, accept: "application/json" } })).json()) as { user: Record<string, unknown> };
    expect(body.user).toEqual({ id: "583231", login: "Private-Person", name: null, email: "private@example.com" });
    expect(ctx.github.requests.at(-1)!.path).toBe("/api/v3/user/emails");
  });

  test("a forged state (not the one in this browser's cookie) -> 400 invalid_state, and GitHub is not called", async () => {
    const { callback, cookie } = await startWebLogin(ctx.gw, ctx.github, OCTOCAT);
    const before = ctx.github.requests.length;
    const forged = new URL(callback);
    forged.searchParams.set("state", "forged-state-value");
    let res = await fetch(forged, { headers: { cookie, accept: "application/json" } });
    expect(res.status).toBe(400);
    expect(await errorBody(res)).toMatchObject({ code: "invalid_state", param: "state", type: "invalid_request_error" });
    // A state issued to another browser: the cookie does not match it.
    const other = await startWebLogin(ctx.gw, ctx.github, OCTOCAT);
    res = await fetch(other.callback, { headers: { cookie, accept: "application/json" } });
    expect(res.status).toBe(400);
    expect(ctx.github.requests.slice(before).filter((r) => r.path === "/login/oauth/access_token")).toHaveLength(0);
  });

  test("a missing state or cookie -> 400", async () => {
    const { callback, cookie } = await startWebLogin(ctx.gw, ctx.github, OCTOCAT);
    expect((await fetch(callback, { headers: { accept: "application/json" } })).status).toBe(400);
    expect((await fetch(callback, { headers: { cookie: "gateway_oauth_state=", accept: "application/json" } })).status).toBe(400);
    // The cookie's state still works afterwards: a refused attempt does not burn it.
    expect((await fetch(callback, { headers: { cookie, accept: "application/json" } })).status).toBe(200);
    expect((await callbackWithout("state")).code).toBe("invalid_state");
  });

  test("a replayed callback (state already used) -> 400", async () => {
    const { callback, cookie } = await startWebLogin(ctx.gw, ctx.github, OCTOCAT);
    expect((await fetch(callback, { headers: { cookie, accept: "application/json" } })).status).toBe(200);
    const replay = await fetch(callback, { headers: { cookie, accept: "application/json" } });
    expect(replay.status).toBe(400);
    expect((await errorBody(replay)).code).toBe("invalid_state");
  });

  test("an expired state (older than 10 minutes) -> 400", async () => {
    const { callback, cookie } = await startWebLogin(ctx.gw, ctx.github, OCTOCAT);
    ctx.advance(10 * 60 * 1000 + 1000);
    const res = await fetch(callback, { headers: { cookie, accept: "application/json" } });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).code).toBe("invalid_state");
  });

  test("the user denies access -> 403 access_denied", async () => {
    const { callback, cookie } = await startWebLogin(ctx.gw, ctx.github, "deny");
    expect(new URL(callback).searchParams.get("error")).toBe("access_denied");
    const res = await fetch(callback, { headers: { cookie, accept: "application/json" } });
    expect(res.status).toBe(403);
    expect(await errorBody(res)).toMatchObject({ code: "access_denied", type: "permission_error" });
  });

  test("a bad code (GitHub's bad_verification_code under HTTP 200) -> 400 with GitHub's code", async () => {
    const { callback, cookie } = await startWebLogin(ctx.gw, ctx.github, OCTOCAT);
    const bad = new URL(callback);
    bad.searchParams.set("code", "not-a-real-code");
    const res = await fetch(bad, { headers: { cookie, accept: "application/json" } });
    expect(res.status).toBe(400);
    const error = await errorBody(res);
    expect(error.code).toBe("bad_verification_code");
    expect(error.message).toContain("incorrect or expired");
  });

  test("a callback without code -> 400 naming it", async () => {
    expect((await callbackWithout("code")).param).toBe("code");
  });

  test("a wrong client secret (incorrect_client_credentials) is the gateway's problem -> 502", async () => {
    const { gw } = await startAuthGateway(ctx.github, { github: { clientSecret: "wrong-secret" } });
    try {
      const { callback, cookie } = await startWebLogin(gw, ctx.github, OCTOCAT);
      const res = await fetch(callback, { headers: { cookie, accept: "application/json" } });
      expect(res.status).toBe(502);
      expect((await errorBody(res)).code).toBe("incorrect_client_credentials");
    } finally {
      await gw.stop();
    }
  });

  test("an https callback URL makes the state cookie Secure", async () => {
    const { gw } = await startAuthGateway(ctx.github, { github: { callbackUrl: "https://gateway.example.com/auth/github/callback" } });
    try {
      const res = await fetch(`${gw.url}/auth/github`, { redirect: "manual" });
      expect(res.headers.get("set-cookie")).toContain("; Secure");
      expect(new URL(res.headers.get("location")!).searchParams.get("redirect_uri")).toBe("https://gateway.example.com/auth/github/callback");
    } finally {
      await gw.stop();
    }
  });
});
