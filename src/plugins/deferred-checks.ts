// Checks that take a Redis round trip (the rate limit's take, the owner of a client-named session) are
// sent as soon as their inputs exist and awaited together, just before the handler or a cached answer
// (the cache's lookup is sent before it waits for them): a request on Redis waits about one round trip
// in all. Stores in memory answer at once and never defer anything.
import { Elysia } from "elysia";

const pending = new WeakMap<Request, Array<Promise<unknown>>>();

/** Adds a check that rejects to refuse the request; a request that ends before it is awaited drops it. */
export function defer(request: Request, check: Promise<unknown>): void {
  check.catch(() => {});
  const list = pending.get(request);
  if (list) list.push(check);
  else pending.set(request, [check]);
}

/** Waits for the request's deferred checks, in the order they were added; throws the first refusal. */
export async function settle(request: Request): Promise<void> {
  const list = pending.get(request);
  if (!list) return;
  pending.delete(request);
  for (const check of list) await check;
}

/** Registered after every plugin that defers a check or sends a lookup (sessions, cache): waits for what is left. */
export const deferredChecks = () =>
  new Elysia({ name: "deferred-checks" }).onBeforeHandle({ as: "global" }, async ({ request }) => {
    await settle(request);
  });
