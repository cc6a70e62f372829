// `healthcheck`: the container HEALTHCHECK and compose probes without curl in the image. Exit 0 when
// the gateway on this machine answers GET /health with 200, 1 otherwise (with the reason on stderr).
import type { Config } from "../config.ts";

const TIMEOUT_MS = 3_000;

/** http://host:port, with an IPv6 address in brackets. */
export const origin = (host: string, port: number | undefined) => `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

/** Where to reach a server listening on `host`: a wildcard address means this machine. */
export function healthUrl(host: string, port: number): string {
  return `${origin(host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host, port)}/health`;
}

export async function healthcheck(config: Pick<Config, "host" | "port">): Promise<number> {
  const url = healthUrl(config.host, config.port);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.status === 200) return 0;
    console.error(`openai-gateway healthcheck: ${url} answered ${res.status}`);
  } catch (error) {
    console.error(`openai-gateway healthcheck: ${url}: ${error instanceof Error ? error.message : error}`);
  }
  return 1;
}
