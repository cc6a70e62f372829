// Maps an OpenAI-compatible upstream's failure (OpenRouter, OpenCode, Ollama, vLLM ...) to an
// UpstreamError whose kind tells the router what to do next.
import { UpstreamError, type FailureKind } from "../../errors.ts";
import { readErrorBody } from "../body.ts";
import { retryAfter } from "../retry-after.ts";

interface UpstreamErrorBody {
  error?: { message?: string; code?: number | string; metadata?: { raw?: unknown; headers?: Record<string, string> } };
  message?: string;
}

/** Turns a non-2xx upstream response into an UpstreamError (reads at most MAX_ERROR_BODY of its body). */
export async function errorFromResponse(provider: string, label: string, res: Response): Promise<UpstreamError> {
  const text = await readErrorBody(res);
  let body: UpstreamErrorBody = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") body = parsed as UpstreamErrorBody;
  } catch {
    // Non-JSON error pages (proxies, HTML 502s) still map by status.
  }
  return errorFromStatus(provider, label, res.status, body, res.headers);
}

export function errorFromStatus(
  provider: string,
  label: string,
  status: number,
  body: UpstreamErrorBody,
  headers?: Headers,
): UpstreamError {
  const detail = upstreamMessage(body) ?? `HTTP ${status}`;
  const message = `${label} returned ${status}: ${detail}`;
  if (status === 429) {
    const reset = Number(body.error?.metadata?.headers?.["X-RateLimit-Reset"] ?? headers?.get("x-ratelimit-reset"));
    const retryAfterMs = retryAfter(headers);
    // The daily free-model cap only clears at the reset time (OpenRouter: the next UTC midnight, also
    // when the body leaves the reset out): a quota, not a blip. It counts every free model of the
    // account together, so it closes the whole free pool, not just this model.
    if (/per-day/.test(detail)) {
      const resetAt = Number.isFinite(reset) && reset > 0 ? reset : nextUtcMidnight();
      return new UpstreamError(provider, "quota", status, message, {
        code: "rate_limit_exceeded",
        resetAt,
        retryAfterMs: Math.max(1000, resetAt - Date.now()),
        pool: /free-models/.test(detail) ? FREE_POOL : undefined,
      });
    }
    // OpenRouter's per-minute cap names its reset as an epoch in ms; free-models-per-min counts the whole pool.
    const resetAt = reset > 1e12 ? reset : undefined;
    return new UpstreamError(provider, "rate_limit", status, message, {
      code: "rate_limit_exceeded",
      resetAt,
      retryAfterMs: retryAfterMs ?? (resetAt === undefined ? undefined : Math.max(0, resetAt - Date.now())),
      pool: /free-models/.test(detail) ? FREE_POOL : undefined,
    });
  }
  return new UpstreamError(provider, kindForStatus(status), status, message, {
    code: status === 404 ? "model_not_found" : null,
  });
}

/** The quota pool of OpenRouter's free models (`:free` ids and the openrouter/free router). */
export const FREE_POOL = "free";

function nextUtcMidnight(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
}

function kindForStatus(status: number): FailureKind {
  if (status === 400 || status === 422 || status === 413) return "client";
  // The gateway's own key or credit at this upstream is the problem, or the model is gone there:
  // the user's request is fine, so another candidate may answer it.
  if (status === 401 || status === 402 || status === 403 || status === 404) return "rejected";
  return "server";
}

function upstreamMessage(body: UpstreamErrorBody): string | undefined {
  const err = body.error;
  if (!err) return body.message;
  const raw = err.metadata?.raw;
  // OpenRouter wraps provider errors as "Provider returned error" with the useful text in metadata.raw.
  if (typeof raw === "string" && raw.length > 0) return `${err.message ?? "error"}: ${raw.slice(0, 300)}`;
  return err.message;
}
