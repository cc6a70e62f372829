// The inference routes: each request to one of them is a ledger row and counts toward key budgets.
// Every door routed by doors/door.ts fills RequestMeta (routes/routed.ts noteRoute, usage, firstByteMs,
// streaming), so a route listed here gets correct rows with no ledger code of its own.
export const INFERENCE_ROUTES: ReadonlySet<string> = new Set([
  "/v1/chat/completions",
  "/v1/embeddings",
  "/v1/messages",
  "/v1/responses",
  "/v1/completions",
]);
