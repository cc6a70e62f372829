// Error answers in the dialect of the route: clients of a door parse its own error shape (the Anthropic
// SDK raises its error classes from Anthropic's body). Used wherever the gateway refuses a request: the
// errors plugin, and the onRequest refusals (auth, rate limit, body size) that come before routing.
import type { GatewayError } from "../errors.ts";
import { canonicalPath } from "../plugins/auth.ts";
import { requestIdOf } from "../plugins/request-context.ts";
import { anthropicErrorResponse } from "./anthropic/errors.ts";

type Render = (error: GatewayError, requestId: string | undefined, headers?: Record<string, string>) => Response;

/** Path prefixes whose clients expect another error shape than OpenAI's (the default). */
const DIALECTS: Array<[prefix: string, render: Render]> = [["/v1/messages", anthropicErrorResponse]];

export function errorResponse(error: GatewayError, request: Request, headers?: Record<string, string>): Response {
  const path = canonicalPath(request.url);
  for (const [prefix, render] of DIALECTS) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return render(error, requestIdOf(request), headers);
  }
  return error.toResponse(headers);
}
