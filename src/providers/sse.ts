// Server-sent events reader shared by every adapter. Handles LF and CRLF framing (Gemini uses CRLF),
// skips comment lines (OpenRouter's ": OPENROUTER PROCESSING" keep-alives) and hands out each event's
// data payload as it arrives: nothing is buffered beyond one incomplete event.

/** Largest event (in UTF-16 units) buffered while waiting for its end: garbage without blank lines stops here. */
export const MAX_EVENT_SIZE = 1024 * 1024;

/**
 * Pull-based reader: one `next()` awaits the upstream only when no whole event is buffered, so an event
 * costs one promise on the hot path (a generator per layer would add several per event).
 */
export class SseEvents {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private finished = false;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** The next event's data, or undefined once the body ended (or was cancelled). */
  async next(): Promise<string | undefined> {
    try {
      while (!this.finished) {
        const data = this.take();
        if (data !== undefined) return data;
        // take() left only an unfinished event: one this large is no SSE stream (garbage without blank lines).
        if (this.buffer.length > MAX_EVENT_SIZE) throw new Error(`an event larger than ${MAX_EVENT_SIZE} characters`);
        const { value, done } = await this.reader.read();
        if (done) {
          this.finished = true;
          const tail = eventData(this.buffer);
          this.cancel();
          if (tail !== null && tail.trim() !== "") return tail;
        } else this.buffer += this.decoder.decode(value, { stream: true });
      }
      return undefined;
    } catch (error) {
      this.cancel();
      throw error;
    }
  }

  /** Stops reading; cancelling the reader cancels the upstream body, which aborts the upstream fetch. */
  cancel(): void {
    this.finished = true;
    this.buffer = "";
    this.reader.cancel().catch(() => {});
  }

  /** The data of the first whole buffered event with any, or undefined when none is complete yet. */
  private take(): string | undefined {
    let end: RegExpExecArray | null;
    while ((end = EVENT_END.exec(this.buffer)) !== null) {
      const data = eventData(this.buffer.slice(0, end.index));
      this.buffer = this.buffer.slice(end.index + end[0].length);
      if (data !== null) return data;
    }
    return undefined;
  }
}

/** The blank line that ends an event, in any of the three framings SSE allows. */
const EVENT_END = /\r\n\r\n|\n\n|\r\r/;

/** Joins an event's `data:` lines; null for events with none (comments, keep-alives). */
function eventData(raw: string): string | null {
  let data: string | null = null;
  for (const line of raw.split(/\r\n|\n|\r/)) {
    if (!line.startsWith("data:")) continue;
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    data = data === null ? value : `${data}\n${value}`;
  }
  return data;
}
