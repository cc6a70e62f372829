// Server-sent events reader shared by every adapter. Handles LF and CRLF framing (Gemini uses CRLF),
// skips comment lines (OpenRouter's ": OPENROUTER PROCESSING" keep-alives) and yields each event's
// data payload as it arrives: nothing is buffered beyond one incomplete event.

export async function* readSseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: RegExpExecArray | null;
      while ((end = EVENT_END.exec(buffer)) !== null) {
        const data = eventData(buffer.slice(0, end.index));
        buffer = buffer.slice(end.index + end[0].length);
        if (data !== null) yield data;
      }
    }
    const tail = eventData(buffer);
    if (tail !== null && tail.trim() !== "") yield tail;
  } finally {
    // Cancelling the reader cancels the upstream body, which aborts the upstream fetch.
    reader.cancel().catch(() => {});
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
