// What an upstream's rate-limit headers say is left, read from every answer (errors too):
//   Groq, OpenAI:  x-ratelimit-remaining-requests / -tokens, x-ratelimit-reset-requests / -tokens as
//                  durations ("2m59.56s", "7.66s", "20ms");
//   Cerebras:      the same names with a window suffix (-requests-day, -tokens-minute), resets in seconds;
//   OpenRouter:    x-ratelimit-remaining, x-ratelimit-reset as an epoch (requests).
// Several windows per dimension (a day's requests and a minute's) keep the tightest: the fewest left.

export interface ReportedWindow {
  remaining: number;
  /** Ms from the answer until the window resets (durations), or ... */
  resetInMs?: number;
  /** ... the epoch ms at which it resets (OpenRouter's form). */
  resetAt?: number;
}

export interface RateLimitReport {
  requests?: ReportedWindow;
  tokens?: ReportedWindow;
}

const PREFIX = "x-ratelimit-remaining";
// "-requests", "-tokens-minute", or nothing (OpenRouter: requests).
const SUFFIX = /^(?:-(requests|tokens)(-[a-z]+)?)?$/;

/** The report in these headers, or undefined when they carry none (most upstreams, most of the time). */
export function readRateLimitHeaders(headers: Headers): RateLimitReport | undefined {
  let report: RateLimitReport | undefined;
  for (const [name, value] of headers) {
    if (!name.startsWith(PREFIX)) continue;
    const m = SUFFIX.exec(name.slice(PREFIX.length));
    const remaining = Number(value);
    if (!m || value.trim() === "" || !Number.isFinite(remaining)) continue;
    const suffix = name.slice(PREFIX.length);
    const reset = parseReset(headers.get(`x-ratelimit-reset${suffix}`));
    // A count without a reset time cannot say when to come back; it is not worth keeping.
    if (!reset) continue;
    const dimension = (m[1] ?? "requests") as keyof RateLimitReport;
    const window: ReportedWindow = { remaining: Math.max(0, remaining), ...reset };
    const kept = report?.[dimension];
    if (!kept || window.remaining < kept.remaining) (report ??= {})[dimension] = window;
  }
  return report;
}

/** "2m59.56s", "20ms", "1h2m", "33011.38" (seconds), or an epoch in seconds or ms. */
function parseReset(value: string | null): Pick<ReportedWindow, "resetInMs" | "resetAt"> | undefined {
  if (!value) return undefined;
  const text = value.trim();
  const number = Number(text);
  if (text !== "" && Number.isFinite(number) && number >= 0) {
    // Epochs are far larger than any window: 1e12 ms is 2001, 1e9 s too.
    if (number >= 1e12) return { resetAt: number };
    if (number >= 1e9) return { resetAt: number * 1000 };
    return { resetInMs: number * 1000 };
  }
  let ms = 0;
  let matched = "";
  for (const [part, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    ms += Number(amount) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as "ms" | "s" | "m" | "h"];
    matched += part;
  }
  return matched === text && matched !== "" ? { resetInMs: ms } : undefined;
}
