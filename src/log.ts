// One JSON object per line on stdout. Callers pass only metadata: never message content, keys or tokens.
export type Logger = (event: string, data?: Record<string, unknown>) => void;

export function createLogger(write: (line: string) => void = stdoutLines()): Logger {
  return (event, data) => write(`${JSON.stringify({ time: now(), event, ...data })}\n`);
}

export const silentLogger: Logger = () => {};

let sink: ((line: string) => void) | undefined;
// How long a log line may wait for company before it is written.
const FLUSH_MS = 20;

function stdoutLines(): (line: string) => void {
  if (sink) return sink;
  const out = Bun.stdout.writer();
  const lines = batchedLines((text) => {
    out.write(text);
    out.flush();
  });
  process.on("exit", lines.flush);
  return (sink = lines.write);
}

/**
 * Gathers lines and hands them to `write` together, `flushMs` after the first one or once `maxChars`
 * wait: Bun writes every `write()` to a file at once, so a line per request was one more syscall per
 * request on top of the ~3 that serving and proxying it take (~13% of the gateway's CPU per request in
 * an A/B). Lines stay whole and in order; `flush` (called on exit) sends the rest.
 */
export function batchedLines(write: (text: string) => void, flushMs = FLUSH_MS, maxChars = 64 * 1024) {
  let pending = "";
  let timer: Timer | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(text);
  };
  return {
    write(line: string) {
      pending += line;
      if (pending.length >= maxChars) flush();
      // Unref'd: a pending log line never keeps the process alive; exit flushes it.
      else timer ??= setTimeout(flush, flushMs).unref();
    },
    flush,
  };
}

// Many lines share a millisecond under load; formatting the time once per millisecond is enough.
let lastMs = 0;
let lastIso = "";
function now(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
