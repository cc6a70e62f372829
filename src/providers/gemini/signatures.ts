// Thought signatures (Gemini 3, and 2.5 with thinking): Gemini returns an opaque `thoughtSignature`
// on a functionCall part and, for Gemini 3, rejects the next request with 400 when that call is
// replayed without it. OpenAI clients have no field for it, and the gateway keeps no state, so the
// signature has to travel inside what every client echoes back verbatim: the tool-call id.
//
// Scheme: id = `<call id>.sig.<signature as base64url>`. OpenAI tool-call ids have no length limit
// and clients treat them as opaque strings (they copy them into `tool_call_id` too). base64url has no
// ".", so the last ".sig." splits the id unambiguously. We also emit, and accept on the way back,
// `tool_calls[].extra_content.google.thought_signature`, the convention of Gemini's own OpenAI-
// compatible endpoint, for clients written against it. When no signature is known for a replayed
// call (history from another model or client), Gemini documents a dummy value that skips validation.

import type { ToolCall } from "../types.ts";

const MARKER = ".sig.";

export const SKIP_SIGNATURE_VALIDATOR = "skip_thought_signature_validator";

export function withSignature(callId: string, signature: string | undefined): string {
  if (!signature) return callId;
  return `${callId}${MARKER}${signature.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** The signature carried by an assistant tool call, if any (extra_content wins over the id). */
export function signatureOf(call: ToolCall): string | undefined {
  const extra = (call.extra_content as { google?: { thought_signature?: unknown } } | undefined)?.google?.thought_signature;
  if (typeof extra === "string" && extra) return extra;
  const at = call.id.lastIndexOf(MARKER);
  if (at < 0) return undefined;
  const b64url = call.id.slice(at + MARKER.length);
  return b64url ? Buffer.from(b64url, "base64url").toString("base64") : undefined;
}
