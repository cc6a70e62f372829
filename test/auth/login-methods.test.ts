// GET /auth/methods (which GitHub logins this gateway offers) for each way GitHub can be set up, and the
// login routes matching it: the web flow needs GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, the device flow
// the client id only (GitHub asks a device-flow client for no secret).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github.ts";
import { errorBody, startGateway, type Gateway } from "../helpers.ts";
import { bearer, loginDevice, startAuthGateway } from "./setup.ts";

let github: FakeGitHub;
beforeAll(async () => {
  github = await startFakeGitHub();
});
afterAll(() => github.stop());

/** A gateway against the fake GitHub with these OAuth settings (REQUIRE_AUTH on: the answer needs no credential anyway). */
async function withGateway(settings: { clientId?: string; clientSecret?: string }, run: (gw: Gateway) => Promise<void>) {
  const { gw } = await startAuthGateway(github, { github: settings, auth: { requireAuth: true } });
  try {
    await run(gw);
  } finally {
    await gw.stop();
  }
}

const methods = async (gw: Gateway) => {
  const res = await fetch(`${gw.url}/auth/methods`);
  expect(res.status).toBe(200);
  // Exactly the two flags: no client id, no secret, nothing else of the settings.
  const text = await res.text();
  expect(text).not.toContain(github.clientSecret);
  expect(text).not.toContain(github.clientId);
  return JSON.parse(text) as unknown;
};

/** The 503 a login route answers when its method is not set up, and the settings its message names. */
async function notConfigured(gw: Gateway, method: string, path: string) {
  const res = await fetch(`${gw.url}${path}`, { method, redirect: "manual", headers: { "content-type": "application/json" }, body: method === "POST" ? '{"device_code":"abc"}' : undefined });
  expect(res.status).toBe(503);
  const error = await errorBody(res);
  expect(error.code).toBe("github_not_configured");
  return error.message;
}

describe("GET /auth/methods", () => {
  test("client id and secret set: both the web flow and the device flow", async () => {
    await withGateway({}, async (gw) => {
      expect(await methods(gw)).toEqual({ github: true, device: true });
      expect((await fetch(`${gw.url}/auth/github`, { redirect: "manual" })).status).toBe(302);
    });
  });

  test("nothing set: neither, and every login route answers 503 naming what to set", async () => {
    await withGateway({ clientId: undefined, clientSecret: undefined }, async (gw) => {
      expect(await methods(gw)).toEqual({ github: false, device: false });
      for (const path of ["/auth/github", "/auth/github/callback?code=x&state=y"]) {
        const message = await notConfigured(gw, "GET", path);
        expect(message).toContain("GITHUB_CLIENT_ID");
        expect(message).toContain("GITHUB_CLIENT_SECRET");
      }
      for (const path of ["/auth/device/request", "/auth/device/poll"]) expect(await notConfigured(gw, "POST", path)).toContain("GITHUB_CLIENT_ID");
    });
  });

  test("client id only: the device flow logs a user in; the web flow answers 503 naming GITHUB_CLIENT_SECRET", async () => {
    await withGateway({ clientSecret: undefined }, async (gw) => {
      expect(await methods(gw)).toEqual({ github: false, device: true });
      const token = await loginDevice(gw, github, { id: 9, login: "device-only", name: null, email: null });
      const me = (await (await fetch(`${gw.url}/auth/me`, { headers: bearer(token) })).json()) as { login: string };
      expect(me.login).toBe("device-only");
      const sent = github.requests.filter((r) => r.path === "/login/oauth/access_token").at(-1)!;
      expect(sent.params.client_secret).toBeUndefined();
      for (const path of ["/auth/github", "/auth/github/callback?code=x&state=y"]) expect(await notConfigured(gw, "GET", path)).toContain("GITHUB_CLIENT_SECRET");
    });
  });

  test("is in the OpenAPI document with its answer's shape", async () => {
    const gw = await startGateway();
    try {
      const spec = (await (await fetch(`${gw.url}/swagger/json`)).json()) as { paths: Record<string, { get?: { tags?: string[]; responses?: Record<string, unknown> } }> };
      const get = spec.paths["/auth/methods"]?.get;
      expect(get?.tags).toEqual(["Auth"]);
      expect(JSON.stringify(get?.responses)).toContain('"device"');
    } finally {
      await gw.stop();
    }
  });
});
