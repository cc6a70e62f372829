// Reads an upstream's answer with a ceiling: a body larger than any sane answer is cut off and refused
// instead of being buffered whole (memory stays bounded whatever an upstream sends).

/** Largest success body read: 2048 embeddings of 3072 dimensions as JSON text fit in about 130 MB of
 * digits, but no free upstream answers that much; 64 MB is far past any real answer. */
export const MAX_UPSTREAM_BODY = 64 * 1024 * 1024;
/** Error bodies are a message and some details. */
export const MAX_ERROR_BODY = 64 * 1024;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`a body larger than ${limit} bytes`);
  }
}

/**
 * The body as UTF-8 text, at most `limit` bytes; past that, the body is cancelled (which closes the
 * upstream connection) and BodyTooLarge thrown. A declared Content-Length over the limit is refused unread.
 */
export async function readCapped(res: Response, limit: number): Promise<string> {
  const length = res.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  if (declared > limit || !res.body) {
    await res.body?.cancel().catch(() => {});
    if (declared > limit) throw new BodyTooLarge(limit);
    return "";
  }
  // A declared length within the limit bounds what HTTP framing lets through: Bun reads such a body
  // natively, several times cheaper than the chunk loop below (measured ~6 µs a request). Not when the
  // body is chunked all the same (Transfer-Encoding wins over Content-Length) or fetch inflates it (a
  // small gzip can inflate to gigabytes): the loop counts what arrives.
  const encoding = res.headers.get("content-encoding");
  if (declared >= 0 && res.headers.get("transfer-encoding") === null && (encoding === null || encoding === "identity")) return res.text();
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(limit);
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** Error bodies: best effort, never more than MAX_ERROR_BODY, never a throw. */
export const readErrorBody = (res: Response): Promise<string> => readCapped(res, MAX_ERROR_BODY).catch(() => "");
