// Shared set-up for the auth tests: a fake GitHub, a gateway configured against it with a movable clock
// and a log that keeps every line, and the two login flows driven over real HTTP.
import { afterAll, beforeAll } from "bun:test";
import type { Deps } from "../../src/app.ts";
import { createLogger } from "../../src/log.ts";
import { startFakeGitHub, type FakeGitHub, type GitHubUserFixture } from "../fakes/github.ts";
import { startGateway, type Gateway } from "../helpers.ts";

export const ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef";
export const JWT_SECRET = "jwt-secret-for-tests-0123456789abcdef-xyz";

type GatewayOverrides = Parameters<typeof startGateway>[0];

export interface AuthContext {
  github: FakeGitHub;
  gw: Gateway;
  logs: string[];
  /** Moves the gateway's clock forward. */
  advance(ms: number): void;
}

export async function startAuthGateway(github: FakeGitHub, overrides: GatewayOverrides = {}, deps: Partial<Deps> = {}) {
  const logs: string[] = [];
  let offset = 0;
  const gw = await startGateway({
    ...overrides,
    auth: { jwtSecret: JWT_SECRET, jwtSecretGenerated: false, adminToken: ADMIN_TOKEN, adminUsers: ["octocat"], ...overrides.auth },
    github: { clientId: github.clientId, clientSecret: github.clientSecret, baseUrl: github.baseUrl, apiUrl: github.apiUrl, ...overrides.github },
  }, { log: createLogger((line) => logs.push(line)), clock: () => Date.now() + offset, ...deps });
  return { gw, logs, advance: (ms: number) => { offset += ms; } };
}

/** A fake GitHub and a gateway in front of it for one test file. */
export function useAuthGateway(overrides: GatewayOverrides = {}, deps: Partial<Deps> = {}): AuthContext {
  const ctx = {} as AuthContext;
  beforeAll(async () => {
    ctx.github = await startFakeGitHub();
    Object.assign(ctx, await startAuthGateway(ctx.github, overrides, deps));
  });
  afterAll(async () => {
    await ctx.gw.stop();
    await ctx.github.stop();
  });
  return ctx;
}

/** GET /auth/github, then the fake's authorize redirect: the callback URL and the state cookie to send. */
export async function startWebLogin(gw: Gateway, github: FakeGitHub, as: GitHubUserFixture | "deny") {
  github.nextAuthorization = as;
  const start = await fetch(`${gw.url}/auth/github`, { redirect: "manual" });
  const setCookie = start.headers.get("set-cookie") ?? "";
  const authorize = await fetch(start.headers.get("location")!, { redirect: "manual" });
  // GitHub sends the browser to GITHUB_CALLBACK_URL (localhost:8787 by default); this gateway runs on a free port.
  const callback = new URL(authorize.headers.get("location")!);
  const here = new URL(gw.url);
  callback.host = here.host;
  return { start, setCookie, cookie: setCookie.split(";")[0], callback: callback.toString() };
}

export async function loginWeb(gw: Gateway, github: FakeGitHub, as: GitHubUserFixture): Promise<string> {
  const { callback, cookie } = await startWebLogin(gw, github, as);
  const res = await fetch(callback, { headers: { cookie, accept: "application/json" }, redirect: "manual" });
  if (res.status !== 200) throw new Error(`web login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function loginDevice(gw: Gateway, github: FakeGitHub, as: GitHubUserFixture): Promise<string> {
  github.deviceUser = as;
  github.deviceSteps = ["token"];
  const { device_code } = (await (await fetch(`${gw.url}/auth/device/request`, { method: "POST" })).json()) as { device_code: string };
  const res = await pollDevice(gw, device_code);
  if (res.status !== 200) throw new Error(`device login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export const pollDevice = (gw: Gateway, deviceCode: string) =>
  fetch(`${gw.url}/auth/device/poll`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ device_code: deviceCode }) });

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
