import { describe, expect, test } from "bun:test";
import { sha256 } from "../../src/auth/secrets.ts";
import { ApiKeyStore } from "../../src/db/api-keys.ts";
import { openDatabase } from "../../src/db/database.ts";

// Lookups are remembered per key hash: every change made through the store must show at once.
describe("ApiKeyStore lookups", () => {
  const by = { name: "ci", rateLimit: null, createdBy: "admin" };

  test("a revoked key is gone at the next lookup", () => {
    const keys = new ApiKeyStore(openDatabase(":memory:"));
    const { key, record } = keys.create(by, Date.now());
    expect(keys.findByHash(sha256(key))?.id).toBe(record.id);
    expect(keys.remove(record.id)).toBe(true);
    expect(keys.findByHash(sha256(key))).toBeUndefined();
  });

  test("a remembered miss does not hide a key created afterwards", () => {
    const keys = new ApiKeyStore(openDatabase(":memory:"));
    const { key, record } = keys.create(by, Date.now());
    keys.remove(record.id);
    expect(keys.findByHash(sha256(key))).toBeUndefined();
    const next = keys.create(by, Date.now());
    expect(keys.findByHash(sha256(next.key))?.id).toBe(next.record.id);
  });
});
