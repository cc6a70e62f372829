// Turns a routed upstream stream into a door's SSE body, one upstream chunk per pull (never buffered), so
// back-pressure reaches the upstream and a client that leaves cancels it. The door's StreamEncoder writes
// its dialect's frames; this module owns what every door shares: usage bookkeeping, the first-byte time,
// keep-alives once started, a failure after the first byte written as the dialect's error frame, and
// completing the request exactly once when the stream ends.
import { GatewayError, UpstreamError } from "../errors.ts";
import type { ChatChunk, Usage } from "../providers/types.ts";
import type { RoutedStream } from "../routing/router.ts";

export interface StreamEncoder {
  /** The frames for one upstream chunk ("" when it carries nothing this dialect sends). */
  chunk(chunk: ChatChunk): string;
  /** The closing frames once the upstream finished. */
  end(): string;
  /** A failure after the first byte, as the dialect's error frame. */
  fail(error: GatewayError): string;
  /** A keep-alive frame, sent when nothing else was sent for KEEP_ALIVE_MS once the stream started. */
  ping?: string;
}

export interface StreamHooks {
  /** Called when the first byte is handed to the client. */
  onFirstByte(): void;
  /**
   * Called once when the stream ends for any reason, with the usage the upstream reported and the text
   * streamed (references to the chunks' strings, for a token estimate when a client left before usage).
   */
  onEnd(outcome: { usage?: Usage; error?: GatewayError; cancelled: boolean; text: string[] }): void;
}

/** Idle time after which a door with a ping frame sends one (proxies cut silent connections near 60 s). */
const KEEP_ALIVE_MS = 15_000;
const encoder = new TextEncoder();

/** `keepAliveMs`: tests shorten it. */
export function sseStream({ first, rest }: RoutedStream, frames: StreamEncoder, hooks: StreamHooks, keepAliveMs = KEEP_ALIVE_MS): ReadableStream<Uint8Array> {
  let pending: ChatChunk | undefined = first;
  let usage: Usage | undefined;
  let ended = false;
  let started = false;
  let sentAt = 0;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const streamed: string[] = [];
  const end = (outcome: { error?: GatewayError; cancelled: boolean }) => {
    if (ended) return;
    ended = true;
    clearInterval(keepAlive);
    hooks.onEnd({ usage, text: streamed, ...outcome });
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const send = (text: string) => {
        controller.enqueue(encoder.encode(text));
        sentAt = performance.now();
      };
      try {
        while (true) {
          let chunk = pending;
          if (chunk) pending = undefined;
          else {
            const r = await rest.next();
            chunk = r.done ? undefined : r.value;
          }
          if (!chunk) {
            send(frames.end());
            controller.close();
            end({ cancelled: false });
            return;
          }
          // Read before encoding: an encoder may strip usage the client did not ask for.
          if (chunk.usage) usage = chunk.usage;
          collectText(chunk, streamed);
          const text = frames.chunk(chunk);
          if (text) {
            if (!started) {
              started = true;
              hooks.onFirstByte();
              const ping = frames.ping;
              if (ping) {
                keepAlive = setInterval(() => {
                  if (performance.now() - sentAt >= keepAliveMs) send(ping);
                }, keepAliveMs);
                keepAlive.unref();
              }
            }
            send(text);
            return;
          }
        }
      } catch (error) {
        const failure = asGatewayError(error);
        send(frames.fail(failure));
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

function collectText(chunk: ChatChunk, text: string[]): void {
  for (const { delta } of chunk.choices) {
    if (typeof delta?.content === "string") text.push(delta.content);
    if (typeof delta?.reasoning === "string") text.push(delta.reasoning);
    for (const call of delta?.tool_calls ?? []) if (call.function?.arguments) text.push(call.function.arguments);
  }
}

function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new UpstreamError("upstream", "connection", null, `The upstream stream ended unexpectedly: ${reason}`);
}
