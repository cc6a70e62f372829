import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config.ts";

describe("routing settings", () => {
  test("defaults", () => {
    expect(loadConfig({})).toMatchObject({ maxRetries: 2, retryDelayMs: 500, requestTimeoutMs: 120_000, catalogRefreshMs: 3_600_000 });
  });

  test("values are read", () => {
    const c = loadConfig({ MAX_RETRIES: "0", RETRY_DELAY: "25", REQUEST_TIMEOUT: "9000", CATALOG_REFRESH: "0" });
    expect(c).toMatchObject({ maxRetries: 0, retryDelayMs: 25, requestTimeoutMs: 9000, catalogRefreshMs: 0 });
  });

  for (const [name, value] of [["MAX_RETRIES", "-1"], ["MAX_RETRIES", "11"], ["RETRY_DELAY", "soon"], ["REQUEST_TIMEOUT", "0"], ["CATALOG_REFRESH", "-5"]]) {
    test(`a bad ${name} (${value}) stops start-up with a message naming it`, () => {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    });
  }
});
