// Turns a routed upstream stream into the client's SSE response, one chunk at a time (never buffered).
// The usage chunk is dropped unless the client asked for it (naive clients crash on empty `choices`),
// `model` reports the name the client asked for, and an upstream failure after the first byte becomes
// an error event the OpenAI SDK raises as APIError, after which the stream ends.
import { GatewayError, UpstreamError } from "../errors.ts";
import type { ChatChunk, Usage } from "../providers/types.ts";
import type { RoutedStream } from "../routing/router.ts";

const encoder = new TextEncoder();
const DONE = encoder.encode("data: [DONE]\n\n");

export interface StreamOptions {
  model: string;
  includeUsage: boolean;
  /** Called when the first byte is handed to the client. */
  onFirstByte?: () => void;
  /** Called once when the stream ends for any reason, with the usage the upstream reported. */
  onEnd?: (outcome: { usage?: Usage; error?: GatewayError; cancelled: boolean }) => void;
}

export function sseBody({ first, rest }: RoutedStream, opts: StreamOptions): ReadableStream<Uint8Array> {
  let pending: ChatChunk | undefined = first;
  let usage: Usage | undefined;
  let ended = false;
  let started = false;
  const end = (outcome: { error?: GatewayError; cancelled: boolean }) => {
    if (ended) return;
    ended = true;
    opts.onEnd?.({ usage, ...outcome });
  };
  const encode = (chunk: ChatChunk): Uint8Array | undefined => {
    if (chunk.usage) {
      usage = chunk.usage;
      if (!opts.includeUsage) {
        if (chunk.choices.length === 0) return undefined;
        delete chunk.usage;
      }
    }
    chunk.model = opts.model;
    return encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // Forward exactly one upstream chunk per pull so back-pressure reaches the upstream.
        while (true) {
          let chunk = pending;
          if (chunk) pending = undefined;
          else {
            const r = await rest.next();
            chunk = r.done ? undefined : r.value;
          }
          if (!chunk) {
            controller.enqueue(DONE);
            controller.close();
            end({ cancelled: false });
            return;
          }
          const bytes = encode(chunk);
          if (bytes) {
            if (!started) {
              started = true;
              opts.onFirstByte?.();
            }
            controller.enqueue(bytes);
            return;
          }
        }
      } catch (error) {
        const failure = asGatewayError(error);
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(failure.toBody())}\n\n`));
        controller.close();
        end({ error: failure, cancelled: false });
      }
    },
    async cancel() {
      // The client left: stop reading, which cancels the upstream body and its connection.
      end({ cancelled: true });
      await rest.return?.();
    },
  });
}

function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new UpstreamError("upstream", "connection", null, `The upstream stream ended unexpectedly: ${reason}`);
}
