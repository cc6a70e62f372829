// What every routed endpoint (the doors, embeddings) records about the router's work.
import type { RequestMeta } from "../plugins/request-context.ts";
import type { Routed } from "../routing/router.ts";

/** Says where the request went: response headers for the client, request meta for logs and metrics. */
export function noteRoute(meta: RequestMeta, headers: Record<string, unknown>, routed: Routed<unknown>): void {
  meta.provider = routed.provider;
  meta.upstreamModel = routed.model;
  meta.attempts = routed.attempts;
  headers["x-gateway-provider"] = routed.provider;
  headers["x-gateway-upstream-model"] = routed.model;
  headers["x-gateway-attempts"] = String(routed.attempts);
}

/** Records how long the router (upstream calls) took, also when it fails. */
export async function timed<T>(meta: RequestMeta, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    meta.upstreamMs = performance.now() - started;
  }
}
