// A gateway API key that has used up one of its budgets gets 429 insufficient_quota (with retry-after
// until the UTC day or month resets) on the inference routes, after validation and before the cache,
// sessions or any upstream call. Callers without a budgeted key pass at the cost of one cached lookup.
import { Elysia } from "elysia";
import type { Authenticator } from "../auth/authenticator.ts";
import type { Budgets } from "../ledger/budgets.ts";
import { INFERENCE_ROUTES } from "../ledger/routes.ts";

export function budgetGuard(budgets: Budgets, auth: Authenticator) {
  return new Elysia({ name: "budgets" }).onBeforeHandle({ as: "global" }, async ({ request, route }) => {
    if (!INFERENCE_ROUTES.has(route)) return;
    const p = await auth.principal(request);
    if (p.kind === "key" && p.key.budget) await budgets.check(p.key.id, p.key.budget);
  });
}
