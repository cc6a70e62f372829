// Who may call what, decided in onRequest so a missing credential is answered (401) before the body is
// read or validated: the admin API needs an admin, /v1/* needs a gateway JWT or API key when
// REQUIRE_AUTH is on (admins may also read /v1/usage*), everything else is open.
import { Elysia } from "elysia";
import type { Authenticator } from "../auth/authenticator.ts";
import { errorResponse } from "../doors/errors.ts";
import { GatewayError } from "../errors.ts";

export function authGuard(auth: Authenticator, requireAuth: boolean) {
  return new Elysia({ name: "auth-guard" }).onRequest(async ({ request }) => {
    const path = canonicalPath(request.url);
    try {
      if (isAdminRoute(request.method, path)) await auth.requireAdmin(request);
      else if (requireAuth && under(path, "/v1") && !(under(path, "/v1/usage") && (await auth.isAdmin(request)))) await auth.requireClient(request);
    } catch (error) {
      if (error instanceof GatewayError) return errorResponse(error, request);
      throw error;
    }
  });
}

function isAdminRoute(method: string, path: string): boolean {
  return under(path, "/config") || (method !== "GET" && method !== "HEAD" && under(path, "/v1/emulate"));
}

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** Origin, then a path of lower-case letters, digits, '-', '_' and single slashes, then the end or a query. */
const PLAIN_PATH = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*(\/(?:[a-z\d_-]+\/)*[a-z\d_-]*)(?:\?|$)/;

/**
 * Errs towards protecting: decoded, lower case, dot segments resolved, slashes collapsed, no trailing
 * slash, so no spelling of a protected path that the router might still match slips past the check.
 */
export function canonicalPath(url: string): string {
  // Nearly every request spells its path plainly: nothing to decode, fold or resolve, so two URL
  // parses are spared.
  const plain = PLAIN_PATH.exec(url);
  if (plain) return plain[1].length > 1 && plain[1].endsWith("/") ? plain[1].slice(0, -1) : plain[1];
  let path = new URL(url).pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // Malformed escapes: keep the raw path; the router will not match it either.
  }
  path = new URL(path.replace(/\/{2,}/g, "/"), "http://x").pathname.toLowerCase();
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}
