// One JSON object per line on stdout. Callers pass only metadata: never message content, keys or tokens.
export type Logger = (event: string, data?: Record<string, unknown>) => void;

export function createLogger(write: (line: string) => void = stdoutLines()): Logger {
  return (event, data) => write(`${JSON.stringify({ time: now(), event, ...data })}\n`);
}

export const silentLogger: Logger = () => {};

let sink: ((line: string) => void) | undefined;

/**
 * Lines written within one event-loop turn leave stdout in one write: a write per line cost the gateway
 * a sixth of its throughput. Lines stay whole and in order; the buffer also leaves once it holds 64 KB
 * and when the process exits, so `process.exit` loses nothing.
 */
function stdoutLines(): (line: string) => void {
  if (sink) return sink;
  const out = Bun.stdout.writer({ highWaterMark: 64 * 1024 });
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    out.flush();
  };
  process.on("exit", flush);
  return (sink = (line) => {
    out.write(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
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
