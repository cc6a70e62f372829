// Reads JSON request bodies ourselves so that every refusal is an OpenAI-format error: 415 for other
// content types, 413 before reading a body that is too large (Content-Length) or while reading a
// chunked one, 400 for malformed JSON. Bun's own limit would answer 413 with an empty body.
import { Elysia } from "elysia";
import { badRequest, GatewayError } from "../errors.ts";

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i;

export function jsonBody(maxBodySize: number) {
  const tooLarge = () =>
    new GatewayError(413, `Request body is larger than the ${maxBodySize} bytes this gateway accepts (MAX_BODY_SIZE).`,
      "invalid_request_error", "request_too_large");

  return new Elysia({ name: "json-body", seed: maxBodySize })
    .onRequest(({ request }) => {
      const length = Number(request.headers.get("content-length"));
      if (length > maxBodySize) return tooLarge().toResponse({ connection: "close" });
    })
    .onParse({ as: "global" }, async ({ request }) => {
      // A POST with no body and no type (logout, clear-cache) has nothing to parse; routes with a body
      // schema still answer 400 for the missing body.
      if (!request.headers.has("content-type") && !hasBody(request)) return undefined;
      const type = request.headers.get("content-type") ?? "";
      if (!JSON_TYPE.test(type)) {
        throw new GatewayError(415, `Content-Type must be application/json (got ${type ? `"${type}"` : "none"}).`,
          "invalid_request_error", "unsupported_media_type");
      }
      const text = await readLimited(request, maxBodySize, tooLarge);
      if (text.trim() === "") throw badRequest("Request body is empty; send a JSON object.", null, "invalid_json");
      try {
        return JSON.parse(text);
      } catch (error) {
        const why = error instanceof Error ? error.message : "parse error";
        throw badRequest(`Request body is not valid JSON: ${why}`, null, "invalid_json");
      }
    });
}

function hasBody(request: Request): boolean {
  return request.headers.has("transfer-encoding") || Number(request.headers.get("content-length") ?? 0) > 0;
}

/** Reads the body as text, stopping as soon as it exceeds the limit (chunked bodies have no length). */
async function readLimited(request: Request, limit: number, tooLarge: () => GatewayError): Promise<string> {
  // With a Content-Length (already checked against the limit in onRequest) one native read is cheapest.
  if (request.headers.has("content-length")) return request.text();
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
