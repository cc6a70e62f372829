import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, JWT_SECRET_PLACEHOLDER, loadConfig, parseDuration } from "../../src/config.ts";

const STRONG = "a-production-secret-of-forty-characters!";

describe("auth settings", () => {
  test("defaults", () => {
    const c = loadConfig({});
    expect(c.auth).toMatchObject({ jwtTtlSeconds: 86_400, adminUsers: [], requireAuth: false, jwtSecretGenerated: true });
    expect(c.auth.adminToken).toBeUndefined();
    expect(c.github).toEqual({
      clientId: undefined, clientSecret: undefined, callbackUrl: "http://localhost:8787/auth/github/callback",
      baseUrl: "https://github.com", apiUrl: "https://api.github.com",
    });
    expect(c.databasePath).toBe("./data/gateway.db");
    expect(loadConfig({ NODE_ENV: "test" }).databasePath).toBe(":memory:");
  });

  test("values: TTL units, admin logins lower-cased, GitHub Enterprise URLs", () => {
    const c = loadConfig({
      JWT_TTL: "30m", ADMIN_USERS: " Octocat, hubot ,", REQUIRE_AUTH: "true", ADMIN_TOKEN: "t".repeat(32),
      GITHUB_BASE_URL: "https://ghe.example.com/", GITHUB_API_URL: "https://ghe.example.com/api/v3", DATABASE_PATH: "/var/lib/gw/db.sqlite",
    });
    expect(c.auth).toMatchObject({ jwtTtlSeconds: 1800, adminUsers: ["octocat", "hubot"], requireAuth: true });
    expect(c.github.baseUrl).toBe("https://ghe.example.com");
    expect(c.databasePath).toBe("/var/lib/gw/db.sqlite");
    expect([parseDuration("3600", "X"), parseDuration("90s", "X"), parseDuration("24h", "X"), parseDuration("7d", "X")]).toEqual([3600, 90, 86_400, 604_800]);
  });

  test("outside production a missing or placeholder JWT_SECRET is replaced by a random one for this run", () => {
    const a = loadConfig({ NODE_ENV: "development" });
    const b = loadConfig({ NODE_ENV: "development", JWT_SECRET: JWT_SECRET_PLACEHOLDER });
    expect(a.auth.jwtSecretGenerated && b.auth.jwtSecretGenerated).toBe(true);
    expect(a.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(a.auth.jwtSecret).not.toBe(b.auth.jwtSecret);
    expect(loadConfig({ JWT_SECRET: STRONG }).auth).toMatchObject({ jwtSecret: STRONG, jwtSecretGenerated: false });
  });

  const refused: Array<[string, Record<string, string>]> = [
    ["a missing JWT_SECRET in production", { NODE_ENV: "production" }],
    ["the .env.example placeholder in production", { NODE_ENV: "production", JWT_SECRET: JWT_SECRET_PLACEHOLDER }],
    ["a short JWT_SECRET in production", { NODE_ENV: "production", JWT_SECRET: "too-short" }],
    ["a short JWT_SECRET anywhere", { JWT_SECRET: "0123456789" }],
  ];
  for (const [what, env] of refused) {
    test(`${what} stops start-up naming JWT_SECRET, without printing it`, () => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow("JWT_SECRET");
      if (env.JWT_SECRET) {
        try {
          loadConfig(env);
        } catch (error) {
          expect((error as Error).message).not.toContain(env.JWT_SECRET);
        }
      }
    });
  }

  test("production with a strong secret starts", () => {
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: STRONG }).auth.jwtSecret).toBe(STRONG);
  });

  for (const [name, value] of [["JWT_TTL", "soon"], ["JWT_TTL", "0"], ["JWT_TTL", "400d"], ["ADMIN_USERS", "octo cat"], ["ADMIN_TOKEN", "short-token"],
    ["GITHUB_BASE_URL", "ftp://github.com"], ["GITHUB_CALLBACK_URL", "localhost/cb"], ["REQUIRE_AUTH", "yes"]]) {
    test(`a bad ${name} stops start-up naming it`, () => {
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    });
  }

  test("ADMIN_TOKEN errors never show the token", () => {
    expect(() => loadConfig({ ADMIN_TOKEN: "short-token" })).toThrow("(hidden)");
  });
});

describe("start-up", () => {
  test("the gateway refuses to start in production without JWT_SECRET, and says why", () => {
    const dir = mkdtempSync(join(tmpdir(), "gateway-prod-"));
    try {
      const run = Bun.spawnSync(["bun", join(import.meta.dir, "..", "..", "src", "index.ts")], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", PORT: "0", HOST: "127.0.0.1" },
        stdout: "pipe",
        stderr: "pipe",
        timeout: 15_000,
      });
      expect(run.exitCode).toBe(1);
      expect(run.stderr.toString()).toContain("JWT_SECRET is required when NODE_ENV=production");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
