// The shape of a custom OpenAI-compatible provider, shared by the admin API (POST
// /config/providers/custom) and the CUSTOM_PROVIDERS setting so both accept exactly the same thing.
import { Type as t } from "@sinclair/typebox";

export const NoSpaces = (maxLength: number, description: string) => t.String({ minLength: 1, maxLength, pattern: "^\\S+$", description });

export const CustomProviderSchema = t.Object({
  name: t.String({ minLength: 1, maxLength: 40, pattern: "^[a-z0-9-]+$", description: "lower-case letters, digits and hyphens" }),
  baseUrl: t.String({ minLength: 1, maxLength: 2048, pattern: "^https?://", description: "an http or https URL" }),
  apiKey: t.Optional(t.String({ minLength: 1, maxLength: 4096 })),
  models: t.Array(NoSpaces(200, "model ids without spaces"), { minItems: 1, maxItems: 500, uniqueItems: true, description: "one or more distinct model ids" }),
});
