// CORS on the API (/v1/*), so web pages can call it as they call OpenAI's and OpenRouter's: preflights
// are answered here (before auth, which a preflight never carries) and answers get the CORS headers.
// Credentials are bearer or x-api-key headers, never cookies, so no allow-credentials. CORS_ORIGINS
// narrows the origins (or, empty, turns this off); the admin API, auth routes and console stay
// same-origin. Requests without an Origin header (every non-browser client) pay one header lookup.
import { Elysia } from "elysia";
import { pathStartsWith } from "../path-prefix.ts";

/** Headers the SDKs send, for preflights that name none (prefixes such as x-stainless-* cannot be listed: requested ones are echoed). */
const ALLOW_HEADERS = "authorization, content-type, x-api-key, anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access, x-session-id, x-request-id";
/** Response headers clients read. */
const EXPOSE_HEADERS = [
  "x-request-id", "request-id", "x-session-id", "retry-after", "retry-after-ms",
  "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
  "x-gateway-provider", "x-gateway-upstream-model", "x-gateway-attempts", "x-gateway-dropped-tools", "x-cache",
].join(", ");
const PREFLIGHT_MAX_AGE = "600";

export function cors(origins: string[]) {
  // Off: no hook at all.
  if (origins.length === 0) return new Elysia({ name: "cors" });
  const any = origins.includes("*");
  const allowed = new Set(origins);

  return new Elysia({ name: "cors" }).onRequest(({ request, set }) => {
    const origin = request.headers.get("origin");
    if (origin === null || !pathStartsWith(request.url, "/v1/") || pathStartsWith(request.url, "/v1/emulate")) return;
    if (!any) {
      set.headers.vary = "Origin";
      if (!allowed.has(origin)) return;
    }
    set.headers["access-control-allow-origin"] = any ? "*" : origin;
    if (request.method === "OPTIONS" && request.headers.has("access-control-request-method")) {
      set.headers["access-control-allow-methods"] = "GET, POST, DELETE, OPTIONS";
      set.headers["access-control-allow-headers"] = request.headers.get("access-control-request-headers") || ALLOW_HEADERS;
      set.headers["access-control-max-age"] = PREFLIGHT_MAX_AGE;
      set.status = 204;
      return new Response(null, { status: 204 });
    }
    set.headers["access-control-expose-headers"] = EXPOSE_HEADERS;
  });
}
