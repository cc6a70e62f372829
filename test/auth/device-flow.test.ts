import { describe, expect, test } from "bun:test";
import { OCTOCAT, type DeviceStep } from "../fakes/github.ts";
import { errorBody } from "../helpers.ts";
import { bearer, pollDevice, useAuthGateway } from "./setup.ts";

const ctx = useAuthGateway();

async function requestCode(steps: DeviceStep[]) {
  ctx.github.deviceSteps = steps;
  ctx.github.deviceUser = OCTOCAT;
  const res = await fetch(`${ctx.gw.url}/auth/device/request`, { method: "POST" });
  expect(res.status).toBe(200);
  return (await res.json()) as { device_code: string; user_code: string; verification_uri: string; expires_in: number; interval: number };
}

describe("GitHub device flow", () => {
  test("request: GitHub's codes come back as they are; the gateway asked with client_id, scope and Accept json", async () => {
    const code = await requestCode(["token"]);
    expect(code.device_code).toHaveLength(40);
    expect(code.user_code).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(code.verification_uri).toBe(`${ctx.github.baseUrl}/login/device`);
    expect(code.expires_in).toBe(900);
    expect(code.interval).toBe(5);
    const sent = ctx.github.requests.findLast((r) => r.path === "/login/device/code")!;
    expect(sent.headers.accept).toBe("application/json");
    expect(sent.params).toEqual({ client_id: ctx.github.clientId, scope: "read:user user:email" });
  });

  test("poll: pending (428), then slow_down (429 with the new interval), then the gateway JWT", async () => {
    const { device_code } = await requestCode(["authorization_pending", "slow_down", "token"]);

    let res = await pollDevice(ctx.gw, device_code);
    expect(res.status).toBe(428);
    expect(await errorBody(res)).toMatchObject({ code: "authorization_pending" });

    res = await pollDevice(ctx.gw, device_code);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("10");
    const slow = (await res.json()) as { error: { code: string }; interval: number };
    expect(slow.error.code).toBe("slow_down");
    expect(slow.interval).toBe(10);

    res = await pollDevice(ctx.gw, device_code);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; user: Record<string, unknown> };
    expect(body.user).toEqual({ id: "1", login: "octocat", name: "monalisa octocat", email: "octocat@github.com" });
    expect(JSON.stringify(body)).not.toContain("gho_");

    const poll = ctx.github.requests.findLast((r) => r.path === "/login/oauth/access_token")!;
    expect(poll.params).toEqual({ client_id: ctx.github.clientId, device_code, grant_type: "urn:ietf:params:oauth:grant-type:device_code" });
    expect(poll.headers.accept).toBe("application/json");

    const me = await fetch(`${ctx.gw.url}/auth/me`, { headers: bearer(body.token) });
    expect(await me.json()).toMatchObject({ login: "octocat", admin: true });
  });

  const outcomes: Array<[DeviceStep, number, string]> = [["expired_token", 410, "invalid_request_error"], ["access_denied", 403, "permission_error"]];
  for (const [step, status, type] of outcomes) {
    test(`poll: ${step} -> ${status} keeping GitHub's code`, async () => {
      const { device_code } = await requestCode([step]);
      const res = await pollDevice(ctx.gw, device_code);
      expect(res.status).toBe(status);
      expect(await errorBody(res)).toMatchObject({ code: step, type });
    });
  }

  test("poll: an unknown device code -> 400 incorrect_device_code", async () => {
    const res = await pollDevice(ctx.gw, "0".repeat(40));
    expect(res.status).toBe(400);
    expect((await errorBody(res)).code).toBe("incorrect_device_code");
  });

  test("poll: a missing or malformed device_code is refused before GitHub is asked", async () => {
    const before = ctx.github.requests.length;
    for (const body of ["{}", '{"device_code":""}', '{"device_code":"a b&c=d"}', '{"device_code":42}']) {
      const res = await fetch(`${ctx.gw.url}/auth/device/poll`, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(res.status).toBe(400);
      expect((await errorBody(res)).param).toBe("device_code");
    }
    expect(ctx.github.requests.length).toBe(before);
  });
});

describe("the fake GitHub speaks like GitHub", () => {
  test("form-encoded without Accept json; 403 without User-Agent; 401 Bad credentials for an unknown token", async () => {
    const form = await fetch(`${ctx.github.baseUrl}/login/device/code`, { method: "POST", body: new URLSearchParams({ client_id: ctx.github.clientId }) });
    expect(form.headers.get("content-type")).toContain("application/x-www-form-urlencoded");
    expect(new URLSearchParams(await form.text()).get("interval")).toBe("5");
    // Bun's fetch adds a User-Agent unless told to send an empty one.
    expect((await fetch(`${ctx.github.apiUrl}/user`, { headers: { authorization: "Bearer gho_x", "user-agent": "" } })).status).toBe(403);
    const unknown = await fetch(`${ctx.github.apiUrl}/user`, { headers: { authorization: "Bearer gho_unknown", "user-agent": "test" } });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { message: string }).message).toBe("Bad credentials");
  });
});
