// A gateway API key that has used up one of its budgets gets 429 insufficient_quota (with retry-after
// until the UTC day or month resets) on the inference routes, after validation and before the cache,
// sessions or any upstream call. Callers without a budgeted key pass at the cost of one cached lookup.
// On Redis the counters' read is a deferred check (plugins/deferred-checks.ts): it travels with the
// rate limit's take and the session and cache reads.
import { Elysia } from "elysia";
import type { Authenticator } from "../auth/authenticator.ts";
import type { Budgets } from "../ledger/budgets.ts";
import { INFERENCE_ROUTES } from "../ledger/routes.ts";
import { defer } from "./deferred-checks.ts";

export function budgetGuard(budgets: Budgets, auth: Authenticator, deferring: boolean) {
  return new Elysia({ name: "budgets" }).onBeforeHandle({ as: "global" }, async ({ request, route }) => {
    if (!INFERENCE_ROUTES.has(route)) return;
    const p = await auth.principal(request);
    if (p.kind !== "key" || !p.key.budget) return;
    const check = budgets.check(p.key.id, p.key.budget);
    if (deferring) defer(request, check);
    else await check;
  });
}
