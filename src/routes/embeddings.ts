// POST /v1/embeddings. Upstreams are always asked for floats; base64 (what the OpenAI SDK requests by
// default) is encoded here, so every provider supports both formats the same way.
import { Elysia } from "elysia";
import type { EmbeddingRequest, EmbeddingResponse } from "../providers/types.ts";
import { metaOf } from "../plugins/request-context.ts";
import type { Router } from "../routing/router.ts";
import { noteRoute, timed } from "./routed.ts";
import { embeddingRequestSchema } from "./embeddings.schema.ts";

export function embeddingRoutes(router: Router) {
  return new Elysia().post(
    "/v1/embeddings",
    async ({ body, request, set }) => {
      const req = body as EmbeddingRequest;
      const meta = metaOf(request);
      const routed = await timed(meta, () => router.embeddings({ ...req, encoding_format: "float" }, request.signal));
      noteRoute(meta, set.headers, routed);
      meta.usage = { prompt_tokens: routed.result.usage?.prompt_tokens ?? 0, completion_tokens: 0 };
      return encode(routed.result, req);
    },
    {
      body: embeddingRequestSchema,
      detail: { summary: "Create embeddings", description: "Float or base64 (little-endian float32) vectors, one per input, in order.", tags: ["OpenAI"] },
    },
  );
}

/**
 * OpenAI's base64 format is little-endian float32 bytes (openai-node decodes it with a Float32Array).
 * Float32Array uses the platform's byte order, and every platform Bun runs on is little-endian.
 */
function encode(res: EmbeddingResponse, req: EmbeddingRequest): EmbeddingResponse {
  const base64 = req.encoding_format === "base64";
  return {
    object: "list",
    model: req.model,
    usage: res.usage,
    data: res.data.map((d) => ({
      object: "embedding",
      index: d.index,
      embedding: base64 && Array.isArray(d.embedding) ? Buffer.from(new Float32Array(d.embedding).buffer).toString("base64") : d.embedding,
    })),
  };
}
