// Reads JSON request bodies ourselves so that every refusal is an error in the route's dialect: 415 for
// other content types (or a charset other than UTF-8), 413 before reading a body that is too large
// (Content-Length) or while reading a chunked one, 400 for bytes that are not UTF-8, for JSON past the
// limits of json-limits.ts (checked before parsing) and for malformed JSON. Bun's own limit would
// answer 413 with an empty body.
import { Elysia } from "elysia";
import { errorResponse } from "../doors/errors.ts";
import { badRequest, GatewayError } from "../errors.ts";
import { jsonLimitViolation } from "./json-limits.ts";

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;
/** Fatal: invalid bytes are refused, not silently turned into U+FFFD and sent upstream as someone's text. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function jsonBody(maxBodySize: number) {
  const tooLarge = () =>
    new GatewayError(413, `Request body is larger than the ${maxBodySize} bytes this gateway accepts (MAX_BODY_SIZE).`,
      "invalid_request_error", "request_too_large");

  return new Elysia({ name: "json-body", seed: maxBodySize })
    .onRequest(({ request }) => {
      const length = Number(request.headers.get("content-length"));
      if (length > maxBodySize) return errorResponse(tooLarge(), request, { connection: "close" });
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
      const charset = CHARSET.exec(type)?.[1].toLowerCase();
      if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
        throw new GatewayError(415, `JSON bodies must be UTF-8 (got charset "${charset.slice(0, 40)}").`, "invalid_request_error", "unsupported_media_type");
      }
      const text = await readLimited(request, maxBodySize, tooLarge);
      if (text.trim() === "") throw badRequest("Request body is empty; send a JSON object.", null, "invalid_json");
      const violation = jsonLimitViolation(text);
      if (violation) throw badRequest(violation.message, null, violation.code);
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

/** Reads the body as UTF-8 text, stopping as soon as it exceeds the limit (chunked bodies have no length). */
async function readLimited(request: Request, limit: number, tooLarge: () => GatewayError): Promise<string> {
  // With a Content-Length (already checked against the limit in onRequest) one native read is cheapest.
  if (request.headers.has("content-length")) return decode(await request.bytes());
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return decode(Buffer.concat(chunks));
}

function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw badRequest("Request body is not valid UTF-8.", null, "invalid_json");
  }
}
