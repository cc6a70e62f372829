// Gemini failures -> UpstreamError with the FailureKind the router acts on.
// Body shape: {"error":{"code","message","status","details":[ErrorInfo | QuotaFailure | RetryInfo ...]}}
// (the OpenAI-compat endpoint and non-SSE streams wrap it in an array; both are accepted).

import { UpstreamError, type FailureKind } from "../../errors.ts";
import { readErrorBody } from "../body.ts";
import { retryAfter } from "../retry-after.ts";
import type { GeminiErrorBody } from "./wire.ts";

const PROVIDER = "gemini";

/** A 429 whose retry delay is longer than this is a quota, not a short rate limit. */
const QUOTA_DELAY_MS = 60_000;

type Detail = Record<string, unknown>;

/** Maps an HTTP status plus a parsed (or unparsable) Gemini error body to an UpstreamError. */
export function geminiError(status: number, body: unknown, headers?: Headers): UpstreamError {
  const error = (Array.isArray(body) ? body[0] : body as GeminiErrorBody | undefined)?.error;
  const details: Detail[] = Array.isArray(error?.details) ? error.details : [];
  const reason = detail(details, "ErrorInfo")?.reason;
  const code = typeof reason === "string" ? reason : error?.status ?? null;
  const message = `Gemini: ${error?.message ?? `HTTP ${status}`}`;

  if (status === 429) {
    const retryAfterMs = retryDelayMs(details) ?? retryAfter(headers);
    const quotaIds = (detail(details, "QuotaFailure")?.violations as Detail[] | undefined ?? []).map((v) => String(v.quotaId ?? ""));
    const daily = quotaIds.some((id) => id.includes("PerDay"));
    const kind: FailureKind = daily || (retryAfterMs ?? 0) > QUOTA_DELAY_MS ? "quota" : "rate_limit";
    const resetAt = kind === "quota" && retryAfterMs !== undefined ? Date.now() + retryAfterMs : undefined;
    return new UpstreamError(PROVIDER, kind, status, message, { code, retryAfterMs, resetAt });
  }
  const kind: FailureKind = status >= 500 || status === 408 || status === 409 ? "server" : status >= 400 ? "client" : "server";
  return new UpstreamError(PROVIDER, kind, status, message, { code });
}

/** Reads a non-2xx response's body and maps it. */
export async function errorFromResponse(res: Response): Promise<UpstreamError> {
  const text = await readErrorBody(res);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: { message: text.slice(0, 200) || undefined } };
  }
  return geminiError(res.status, body, res.headers);
}

/**
 * A failure with no HTTP answer: refused/reset connections, or the caller's signal (whose reason says
 * whether it was the attempt deadline or the client leaving).
 */
export function transportError(err: unknown, callerSignal: AbortSignal): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const reason = callerSignal.aborted ? callerSignal.reason : err;
  if (reason instanceof Error && reason.name === "TimeoutError") {
    return new UpstreamError(PROVIDER, "timeout", null, "Gemini did not answer in time");
  }
  if (callerSignal.aborted) return new UpstreamError(PROVIDER, "connection", null, "Gemini request aborted");
  return new UpstreamError(PROVIDER, "connection", null, `Gemini unreachable: ${err instanceof Error ? err.message : String(err)}`);
}

/** A 200 whose body is not what the API documents. */
export const invalidResponse = (what: string) => new UpstreamError(PROVIDER, "server", 200, `Gemini returned ${what}`);

function detail(details: Detail[], type: string): Detail | undefined {
  return details.find((d) => typeof d["@type"] === "string" && d["@type"].endsWith(`google.rpc.${type}`));
}

/** RetryInfo.retryDelay is a protobuf Duration in JSON: "37s", "0.5s", "1.250s". */
function retryDelayMs(details: Detail[]): number | undefined {
  const delay = detail(details, "RetryInfo")?.retryDelay;
  const seconds = typeof delay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(delay)?.[1] : undefined;
  return seconds === undefined ? undefined : Math.round(Number(seconds) * 1000);
}

