// The console's one way to the gateway: same-origin fetches with the bearer from sessionStorage. The
// token lives only in this tab (sessionStorage, the key the GitHub web-flow hand-off page writes).
const TOKEN_KEY = "gateway_token";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An OpenAI-format error from the gateway, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code: string | null = null, readonly body: unknown = null) {
    super(message);
  }
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const bearer = token.get();
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, "The gateway did not answer (is it running?).");
  }
  if (res.ok) return res;
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the status line says enough.
  }
  const error = (parsed as { error?: { message?: string; code?: string } } | null)?.error;
  throw new ApiError(res.status, error?.message ?? `HTTP ${res.status} ${res.statusText}`, error?.code ?? null, parsed);
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  return (await send(method, path, body)).json() as Promise<T>;
}

/** A CSV answer saved as a file: fetched with the bearer (a plain link could not send it). */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await send("GET", path)).blob();
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** `?a=1&b=2` from the set fields of an object. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
