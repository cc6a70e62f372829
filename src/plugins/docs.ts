// OpenAPI document and Swagger UI at /swagger, with the UI's assets served by the gateway itself (from
// the swagger-ui-dist package, embedded in the compiled binary) so the page works with no internet.
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import bundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import css from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import { VERSION } from "../version.ts";

const ASSETS = "/swagger/assets";

/** A route's `detail.security`: it takes the bearer scheme declared below. */
export const BEARER = [{ bearer: [] }];

export function docs() {
  return new Elysia({ name: "docs" })
    .get(`${ASSETS}/swagger-ui-bundle.js`, () => asset(bundle, "text/javascript; charset=utf-8"), { detail: { hide: true } })
    .get(`${ASSETS}/swagger-ui.css`, () => asset(css, "text/css; charset=utf-8"), { detail: { hide: true } })
    .use(
      openapi({
        path: "/swagger",
        provider: "swagger-ui",
        swagger: { cdn: `${ASSETS}/swagger-ui-bundle.js`, theme: `${ASSETS}/swagger-ui.css` },
        exclude: { paths: [`${ASSETS}/swagger-ui-bundle.js`, `${ASSETS}/swagger-ui.css`] },
        documentation: {
          info: {
            title: "openai-gateway",
            version: VERSION,
            description: "Drop-in OpenAI API routed to free models. Point any OpenAI client at /v1.",
          },
          tags: [
            { name: "OpenAI", description: "OpenAI-compatible endpoints" },
            { name: "Anthropic", description: "Anthropic-compatible endpoints (Messages API)" },
            { name: "Gateway", description: "Health and gateway information" },
            { name: "Auth", description: "GitHub login (web and device flow) issuing gateway JWTs" },
            { name: "Admin", description: "Runtime configuration, API keys and emulation (admins only)" },
            { name: "Usage", description: "The usage ledger: one row per inference request (admins see all, others their own)" },
          ],
          components: {
            // The name `bearer` is what BEARER above refers to.
            securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A gateway JWT, a gateway API key, or ADMIN_TOKEN" } },
          },
        },
      }),
    );
}

function asset(path: string, type: string): Response {
  return new Response(Bun.file(path), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
}
