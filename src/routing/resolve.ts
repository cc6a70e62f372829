// Turns the model a client asked for into the ordered candidates the router will try.
import { GatewayError } from "../errors.ts";
import { CHAT_ALIASES, EMBEDDING_ALIASES, type Target } from "./aliases.ts";

export type Endpoint = "chat" | "embeddings";

export function resolveModel(model: string, endpoint: Endpoint): Target[] {
  const table = endpoint === "chat" ? CHAT_ALIASES : EMBEDDING_ALIASES;
  const alias = table[model];
  if (alias) return alias;
  // A full OpenRouter id ("meta-llama/llama-3.3-70b-instruct:free") goes to OpenRouter unchanged.
  if (model.includes("/")) return [{ provider: "openrouter", model }];
  // Gemini names (gemini-3-flash, gemini-2.5-pro, gemini-embedding-001 ...) go to Gemini, which maps
  // friendly and retired names to current API ids.
  if (model.startsWith("gemini-")) return [{ provider: "gemini", model }];
  if (model.startsWith("opencode-") && model.length > "opencode-".length) {
    return [{ provider: "opencode", model: model.slice("opencode-".length) }];
  }
  throw new GatewayError(
    404,
    `The model \`${model}\` does not exist. GET /v1/models lists the models this gateway serves.`,
    "invalid_request_error",
    "model_not_found",
    "model",
  );
}
