// The inference routes: each request to one of them is a ledger row and counts toward key budgets.
// A door (Anthropic Messages, Responses, legacy completions) that fills RequestMeta as the chat route
// does (routes/chat.ts noteRoute, usage, firstByteMs, streaming) gets correct rows from this list alone.
export const INFERENCE_ROUTES: ReadonlySet<string> = new Set([
  "/v1/chat/completions",
  "/v1/embeddings",
  "/v1/messages",
  "/v1/responses",
  "/v1/completions",
]);
