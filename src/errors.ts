// OpenAI-format errors. Everything the gateway refuses or fails with is a GatewayError, rendered as
// {"error":{"message","type","param","code"}} by the errors plugin.

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "insufficient_quota"
  | "api_error"
  | "upstream_error"
  | "service_unavailable";

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType = status >= 500 ? "api_error" : "invalid_request_error",
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  toResponse(extraHeaders?: Record<string, string>): Response {
    return Response.json(this.toBody(), {
      status: this.status,
      headers: { ...this.headers, ...extraHeaders },
    });
  }
}

/** Why an upstream attempt failed; the router decides retry/failover/cooldown from it. */
export type FailureKind =
  | "connection"   // refused, reset, DNS: retryable
  | "timeout"      // attempt deadline hit: retryable
  | "rate_limit"   // 429 that clears soon: retry after a short wait or fail over
  | "quota"        // daily cap or long reset: fail over, cool the candidate down until resetAt
  | "server"       // 5xx, 408, 409, invalid body: retryable
  | "rejected"     // 401/402/403/404: this upstream refuses (our key, credit, model gone): next candidate
  | "client";      // 400/422: the request itself is wrong; final, never retried

export class UpstreamError extends GatewayError {
  constructor(
    readonly provider: string,
    readonly kind: FailureKind,
    readonly upstreamStatus: number | null,
    message: string,
    opts: { status?: number; code?: string | null; retryAfterMs?: number; resetAt?: number; pool?: string } = {},
  ) {
    const status = opts.status ?? statusFor(kind, upstreamStatus);
    super(
      status,
      message,
      status === 429 ? "rate_limit_error" : status >= 500 ? "upstream_error" : "invalid_request_error",
      opts.code ?? null,
      null,
      opts.retryAfterMs === undefined ? {} : retryAfterHeaders(opts.retryAfterMs),
    );
    this.retryAfterMs = opts.retryAfterMs;
    this.resetAt = opts.resetAt;
    this.pool = opts.pool;
  }
  /** Set when the failure applies to a whole quota pool of the provider (Provider.quotaPool), not one model. */
  readonly pool: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** Epoch ms when a quota resets (OpenRouter X-RateLimit-Reset), if the upstream said. */
  readonly resetAt: number | undefined;

  /** Worth another try at the same candidate. */
  get retryable(): boolean {
    return this.kind !== "client" && this.kind !== "rejected" && this.kind !== "quota";
  }

  /** Worth trying the next candidate. */
  get failover(): boolean {
    return this.kind !== "client";
  }
}

function statusFor(kind: FailureKind, upstream: number | null): number {
  switch (kind) {
    case "timeout": return 504;
    case "rate_limit":
    case "quota": return 429;
    case "client": return upstream ?? 400;
    case "rejected": return upstream === 404 ? 404 : 502;
    default: return 502;
  }
}

/** Retry-After in whole seconds (at least 1: clients sleep on it) and OpenAI's retry-after-ms. */
export function retryAfterHeaders(ms: number): Record<string, string> {
  return { "retry-after": String(Math.max(1, Math.ceil(ms / 1000))), "retry-after-ms": String(Math.max(0, Math.round(ms))) };
}

export const notFound = (message: string, code = "not_found") => new GatewayError(404, message, "not_found_error", code);
export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError(400, message, "invalid_request_error", code, param);

/** decodeURIComponent for text a client sent: a malformed %-escape is a 400 naming `param`, not a URIError (a 500). */
export function decodePercent(text: string, param: string | null, what = "The value"): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw badRequest(`${what} has a malformed %-escape.`, param, "invalid_value");
  }
}
