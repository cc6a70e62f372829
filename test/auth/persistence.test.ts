import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OCTOCAT, startFakeGitHub, type FakeGitHub } from "../fakes/github.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post } from "../helpers.ts";
import { ADMIN_TOKEN, bearer, loginDevice, startAuthGateway } from "./setup.ts";

let dir: string;
let github: FakeGitHub;
let upstream: FakeOpenRouter;
let custom: FakeOpenRouter;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gateway-db-"));
  github = await startFakeGitHub();
  upstream = await startFakeOpenRouter();
  custom = await startFakeOpenRouter("sk-custom-persisted-key-777");
});

afterAll(async () => {
  await github.stop();
  await upstream.stop();
  await custom.stop();
  rmSync(dir, { recursive: true, force: true });
});

const start = (path: string) =>
  startAuthGateway(github, { databasePath: path, auth: { requireAuth: true }, openrouter: { apiKey: upstream.apiKey, baseUrl: upstream.baseUrl } });

const admin = bearer(ADMIN_TOKEN);
const chat = (url: string, model: string, key: string) => post(`${url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "hi" }] }, bearer(key));

describe("persistence in SQLite", () => {
  test("mappings, custom providers (with their key), API keys, revocations and the profile survive a restart", async () => {
    const path = join(dir, "nested", "gateway.db");
    const first = await start(path);
    const { key, id } = (await (await post(`${first.gw.url}/config/keys`, { name: "survivor", rateLimit: 5 }, admin)).json()) as { key: string; id: string };
    await post(`${first.gw.url}/config/models`, { alias: "kept-alias", provider: "openrouter", model: "qwen/qwen3-coder:free" }, admin);
    await post(`${first.gw.url}/config/providers/custom`, { name: "kept", baseUrl: custom.baseUrl, apiKey: custom.apiKey, models: ["kept-model"] }, admin);
    await post(`${first.gw.url}/v1/emulate`, { profile: "kept" }, admin);
    const revoked = await loginDevice(first.gw, github, OCTOCAT);
    const kept = await loginDevice(first.gw, github, OCTOCAT);
    await fetch(`${first.gw.url}/auth/logout`, { method: "POST", headers: bearer(revoked) });
    await first.gw.stop();

    const second = await start(path);
    try {
      const url = second.gw.url;
      expect((await chat(url, "kept-alias", key)).status).toBe(200);
      expect(upstream.requests.at(-1)!.body!.model).toBe("qwen/qwen3-coder:free");
      const viaCustom = await chat(url, "kept-model", key);
      expect(viaCustom.headers.get("x-gateway-provider")).toBe("kept");
      expect(custom.requests.at(-1)!.headers.authorization).toBe(`Bearer ${custom.apiKey}`);
      expect(((await (await fetch(`${url}/v1/emulate`, { headers: bearer(key) })).json()) as { profile: string }).profile).toBe("kept");
      expect((await chat(url, "gpt-4o", key)).headers.get("x-gateway-provider")).toBe("kept");
      expect((await (await fetch(`${url}/config/keys`, { headers: admin })).json()) as unknown).toMatchObject({ data: [{ id, name: "survivor", rateLimit: 5 }] });
      expect((await fetch(`${url}/auth/me`, { headers: bearer(revoked) })).status).toBe(401);
      expect((await fetch(`${url}/auth/me`, { headers: bearer(kept) })).status).toBe(200);
    } finally {
      await second.gw.stop();
    }
  });

  test("the database file is private to the gateway's user, in WAL mode, and holds no API key or GitHub token", async () => {
    const path = join(dir, "private.db");
    const { gw } = await start(path);
    const { key } = (await (await post(`${gw.url}/config/keys`, { name: "k" }, admin)).json()) as { key: string };
    await loginDevice(gw, github, OCTOCAT);
    await gw.stop();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()!.journal_mode).toBe("wal");
      const dump = JSON.stringify(["api_keys", "users", "revoked_tokens", "oauth_states", "settings"].map((t) => db.query(`SELECT * FROM ${t}`).all()));
      expect(dump).not.toContain(key);
      for (const token of github.issuedTokens) expect(dump).not.toContain(token);
    } finally {
      db.close();
    }
  });
});
