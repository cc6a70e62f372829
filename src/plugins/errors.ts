// Every error leaves as an error body in the route's dialect (OpenAI's {"error":{message,type,param,code}}
// unless a door's path says otherwise, see doors/errors.ts) with the right status:
// validation failures name the field, unknown routes get 404 (or 405 with Allow when only the method is
// wrong), and unexpected exceptions become a generic 500 without stack traces.
import { Elysia, ValidationError } from "elysia";
import { errorResponse } from "../doors/errors.ts";
import { badRequest, GatewayError, notFound } from "../errors.ts";
import type { Logger } from "../log.ts";
import { findMeta } from "./request-context.ts";

export interface RouteInfo {
  method: string;
  path: string;
}

/** `routes` is read lazily: the app registers its routes after this plugin. */
export function errors(routes: () => RouteInfo[], log: Logger) {
  let patterns: Array<{ method: string; regex: RegExp }> | undefined;
  const allowedMethods = (path: string) => {
    patterns ??= routes().map((r) => ({
      method: r.method,
      regex: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\/:[^/]+/g, "/[^/]+").replace(/\*$/, ".*")}$`),
    }));
    return [...new Set(patterns.filter((p) => p.regex.test(path)).map((p) => p.method))];
  };

  const toGatewayError = (code: string | number, error: unknown, request: Request, path: string): GatewayError => {
    if (error instanceof GatewayError) return error;
    // Elysia wraps what the json-body parser throws in a ParseError.
    if (error instanceof Error && error.cause instanceof GatewayError) return error.cause;
    switch (code) {
      case "VALIDATION":
        return validationError(error as ValidationError);
      case "PARSE":
        return badRequest("Request body could not be parsed.", null, "invalid_json");
      case "NOT_FOUND": {
        const allow = allowedMethods(path);
        if (allow.length > 0) {
          return new GatewayError(405, `Method ${request.method} is not allowed on ${path}; use ${allow.join(", ")}.`,
            "invalid_request_error", "method_not_allowed", null, { allow: allow.join(", ") });
        }
        return notFound(`Unknown route ${request.method} ${path}.`);
      }
    }
    // A client that left mid-request is not a gateway failure; nobody reads this answer anyway.
    if (request.signal.aborted) return new GatewayError(499, "The client closed the request.", "invalid_request_error", "client_closed");
    log("internal_error", { path, error: error instanceof Error ? error.message : String(error) });
    return new GatewayError(500, "The gateway failed to handle this request.", "api_error", "internal_error");
  };

  return new Elysia({ name: "errors" }).onError({ as: "global" }, ({ code, error, request, path, set }) => {
    const failure = toGatewayError(code, error, request, path);
    // Later hooks (logs, metrics, the usage ledger) read the status from `set`, the code from the meta.
    set.status = failure.status;
    const meta = findMeta(request);
    if (meta) meta.errorCode = failure.code ?? failure.type;
    return errorResponse(failure, request);
  });
}

/** Picks the most specific schema failure and names its field the way OpenAI does (messages[0].role). */
function validationError(error: ValidationError): GatewayError {
  const all = error.all.filter((e) => "path" in e);
  const deepest = all.reduce<(typeof all)[number] | undefined>(
    (best, e) => (!best || e.path.split("/").length > best.path.split("/").length ? e : best), undefined);
  const param = deepest ? toParam(deepest.path) : null;
  const detail = deepest && "message" in deepest ? deepest.message : "invalid value";
  return badRequest(param ? `Invalid value for '${param}': ${describe(detail, deepest?.schema)}` : `Invalid request: ${detail}`,
    param, deepest?.value === undefined ? "missing_required_parameter" : "invalid_value");
}

function toParam(path: string): string | null {
  const parts = path.split("/").filter(Boolean);
  if (parts.length === 0) return null;
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** TypeBox messages say "Expected union value"; the schema's own description says what is expected. */
function describe(message: string, schema: unknown): string {
  const description = (schema as { description?: string } | undefined)?.description;
  return description ?? message;
}
