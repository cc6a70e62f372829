// Every error leaves as an error body in the route's dialect (OpenAI's {"error":{message,type,param,code}}
// unless a door's path says otherwise, see doors/errors.ts) with the right status:
// validation failures name the field, unknown routes get 404 (or 405 with Allow when only the method is
// wrong), and unexpected exceptions become a generic 500 without stack traces.
import { Elysia, ValidationError } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import { Value, type ValueError } from "@sinclair/typebox/value";
import { errorResponse } from "../doors/errors.ts";
import { badRequest, GatewayError, notFound } from "../errors.ts";
import type { Logger } from "../log.ts";
import { findMeta } from "./request-context.ts";

export interface RouteInfo {
  method: string;
  path: string;
  /** The route's schemas, as Elysia keeps them. */
  hooks?: { body?: unknown; query?: unknown };
}

type Validator = { Errors?: (value: unknown) => Iterable<ValueError>; schema?: TSchema } | TSchema;

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

  /**
   * Elysia builds its ValidationError's message with `${value}`, which throws for an object with its own
   * non-function toString or valueOf ({"model": {"toString": 1}}): a TypeError arrives here instead. An
   * input that breaks its route's schema is the client's error however it surfaced, so check it again.
   */
  const schemaFailure = (request: Request, route: string, input: { body: unknown; query: unknown }): GatewayError | undefined => {
    const hooks = routes().find((r) => r.method === request.method && r.path === route)?.hooks;
    for (const part of ["body", "query"] as const) {
      const schema = hooks?.[part] as TSchema | undefined;
      if (schema && input[part] !== undefined && !Value.Check(schema, input[part])) return validationError(Value.Errors(schema, input[part]));
    }
    return undefined;
  };

  const toGatewayError = (code: string | number, error: unknown, request: Request, path: string, route: string, input: { body: unknown; query: unknown }): GatewayError => {
    if (error instanceof GatewayError) return error;
    // Elysia wraps what the json-body parser throws in a ParseError.
    if (error instanceof Error && error.cause instanceof GatewayError) return error.cause;
    switch (code) {
      case "VALIDATION": {
        // The raw TypeBox errors: ValidationError.all formats values the way that can throw (see above).
        const { validator, value } = error as ValidationError;
        const v = validator as Validator;
        const errors = "Errors" in v && typeof v.Errors === "function"
          ? v.Errors(value)
          : Value.Errors((("schema" in v ? v.schema : v) ?? v) as TSchema, value);
        return validationError(errors);
      }
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
    const invalid = schemaFailure(request, route, input);
    if (invalid) return invalid;
    // A client that left mid-request is not a gateway failure; nobody reads this answer anyway.
    if (request.signal.aborted) return new GatewayError(499, "The client closed the request.", "invalid_request_error", "client_closed");
    log("internal_error", { path, error: error instanceof Error ? error.message : String(error) });
    return new GatewayError(500, "The gateway failed to handle this request.", "api_error", "internal_error");
  };

  return new Elysia({ name: "errors" }).onError({ as: "global" }, ({ code, error, request, path, set, route, body, query }) => {
    const failure = toGatewayError(code, error, request, path, route, { body, query });
    // Later hooks (logs, metrics, the usage ledger) read the status from `set`, the code from the meta.
    set.status = failure.status;
    const meta = findMeta(request);
    if (meta) meta.errorCode = failure.code ?? failure.type;
    return errorResponse(failure, request);
  });
}

/**
 * Picks the most specific schema failure and names its field the way OpenAI does (messages[0].role).
 * Doors that check part of a body themselves (where a union would hide the failing field) use it too.
 */
export function validationError(errors: Iterable<ValueError>): GatewayError {
  // Bounded like Elysia's own list: a body can fail in millions of places.
  const all: ValueError[] = [];
  for (const e of errors) if (all.push(e) >= 64) break;
  const deepest = all.reduce<ValueError | undefined>(
    (best, e) => (!best || e.path.split("/").length > best.path.split("/").length ? e : best), undefined);
  const param = deepest ? toParam(deepest.path) : null;
  const detail = deepest?.message ?? "invalid value";
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
