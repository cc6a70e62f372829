// What a chat request needs from a model (tool calls, image input, JSON output) and whether a model's
// entry in its provider's live list supports it. Support nobody listed counts as support: only what a
// provider's own list rules out is filtered away.
import type { ChatRequest, ModelCapabilities } from "../providers/types.ts";

export function requiredCapabilities(req: ChatRequest): ModelCapabilities {
  const needs: ModelCapabilities = {};
  if (req.tools?.length) needs.tools = true;
  if (req.response_format && req.response_format.type !== "text") needs.json = true;
  if (req.messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === "image_url"))) needs.vision = true;
  return needs;
}

export function supports(has: ModelCapabilities | undefined, needs: ModelCapabilities): boolean {
  if (!has) return true;
  return (!needs.tools || has.tools !== false) && (!needs.vision || has.vision !== false) && (!needs.json || has.json !== false);
}
