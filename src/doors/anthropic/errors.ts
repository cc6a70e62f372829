// Anthropic's error shape {"type":"error","error":{type,message},"request_id"} with its statuses, and a
// `request-id` header, so the Anthropic SDK raises the matching error class. Upstream 5xx and timeouts
// (every candidate failed that way) are Anthropic's 529 overloaded_error, which its clients retry.
import { UpstreamError, type GatewayError } from "../../errors.ts";

const TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  409: "conflict_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

function anthropicStatus(error: GatewayError): number {
  if (error.status < 500) return error.status;
  return error instanceof UpstreamError ? 529 : 500;
}

/** The `error` member of the body and of a stream's `event: error`. */
export function anthropicError(error: GatewayError): { type: string; message: string } {
  const status = anthropicStatus(error);
  return { type: TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error"), message: error.message };
}

export function anthropicErrorResponse(error: GatewayError, requestId: string | undefined, headers?: Record<string, string>): Response {
  const body = { type: "error", error: anthropicError(error), request_id: requestId ?? null };
  return Response.json(body, {
    status: anthropicStatus(error),
    headers: { ...error.headers, ...headers, ...(requestId ? { "request-id": requestId } : {}) },
  });
}
