import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig, parseSize } from "../../src/config.ts";

describe("configuration", () => {
  test("defaults", () => {
    const c = loadConfig({});
    expect(c.port).toBe(8787);
    expect(c.maxBodySize).toBe(10 * 1024 * 1024);
    expect(c.maxTokensLimit).toBe(4096);
    expect(c.openrouter.baseUrl).toBe("https://openrouter.ai/api/v1");
    expect(c.gemini.baseUrl).toBe("https://generativelanguage.googleapis.com/v1beta");
    expect(c.opencode.baseUrl).toBe("https://opencode.ai/zen/v1");
  });

  test("values are converted and trailing slashes trimmed", () => {
    const c = loadConfig({ PORT: "9000", DEBUG: "true", MAX_BODY_SIZE: "512kb", OPENROUTER_BASE_URL: "http://127.0.0.1:1/api/v1/", UPSTREAM_TIMEOUT: "2500" });
    expect(c).toMatchObject({ port: 9000, debug: true, maxBodySize: 512 * 1024, upstreamTimeoutMs: 2500 });
    expect(c.openrouter.baseUrl).toBe("http://127.0.0.1:1/api/v1");
  });

  for (const [name, value] of [["PORT", "eighty"], ["PORT", "70000"], ["MAX_TOKENS_LIMIT", "0"], ["OPENROUTER_BASE_URL", "ftp://x"], ["MAX_BODY_SIZE", "huge"], ["DEBUG", "maybe"], ["NODE_ENV", "staging"]]) {
    test(`a bad ${name} stops start-up with a message naming it`, () => {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    });
  }

  test("sizes", () => {
    expect(parseSize("100")).toBe(100);
    expect(parseSize("1MB")).toBe(1048576);
    expect(parseSize("1.5k")).toBe(1536);
  });
});
