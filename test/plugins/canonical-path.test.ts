import { describe, expect, test } from "bun:test";
import { canonicalPath } from "../../src/plugins/auth.ts";

describe("canonicalPath", () => {
  const cases: Array<[string, string]> = [
    // Plain spellings (the fast path)
    ["http://127.0.0.1:8787/v1/chat/completions", "/v1/chat/completions"],
    ["http://localhost/v1/chat/completions?x=1", "/v1/chat/completions"],
    ["http://localhost/v1/", "/v1"],
    ["http://localhost/", "/"],
    ["https://gw.example/config/keys", "/config/keys"],
    // Everything else is normalised the long way
    ["http://localhost/CONFIG/Keys", "/config/keys"],
    ["http://localhost//config//keys//", "/config/keys"],
    ["http://localhost/v1/../config", "/config"],
    ["http://localhost/./config/.", "/config"],
    ["http://localhost/%63onfig/keys", "/config/keys"],
    ["http://localhost/%2Fconfig", "/config"],
    ["http://localhost/config%2F..%2Fv1", "/v1"],
    ["http://localhost/%zz", "/%zz"],
  ];
  for (const [url, expected] of cases) test(url, () => expect(canonicalPath(url)).toBe(expected));
});
