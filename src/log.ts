// One JSON object per line on stdout. Callers pass only metadata: never message content, keys or tokens.
export type Logger = (event: string, data?: Record<string, unknown>) => void;

export function createLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  return (event, data) => write(`${JSON.stringify({ time: new Date().toISOString(), event, ...data })}\n`);
}

export const silentLogger: Logger = () => {};
