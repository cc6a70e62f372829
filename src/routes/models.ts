// GET /v1/models, /v1/models/:id and /v1/models-by-provider, in OpenAI's list format.
import { Elysia } from "elysia";
import { decodePercent, GatewayError } from "../errors.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { ModelCatalog } from "../routing/catalog.ts";

export function modelRoutes(catalog: ModelCatalog, registry: ProviderRegistry) {
  return new Elysia({ detail: { tags: ["OpenAI"] } })
    .get("/v1/models", () => ({ object: "list", data: catalog.list() }), {
      detail: { summary: "List models", description: "Every alias and every upstream model the gateway can route to." },
    })
    // Wildcard: OpenRouter ids contain slashes (meta-llama/llama-3.3-70b-instruct:free).
    .get("/v1/models/*", ({ params }) => {
      const id = decodePercent(params["*"], "model", "The model id in the path");
      const model = catalog.get(id);
      if (!model) {
        throw new GatewayError(404, `The model \`${id}\` does not exist.`, "invalid_request_error", "model_not_found", "model");
      }
      return model;
    }, { detail: { summary: "Retrieve a model" } })
    .get("/v1/models-by-provider", () => {
      const groups = catalog.byProvider();
      return {
        object: "list",
        data: registry.all().map((p) => ({
          provider: p.name,
          configured: p.configured,
          models: groups.get(p.name) ?? [],
        })),
      };
    }, { detail: { summary: "Models grouped by upstream provider" } });
}
