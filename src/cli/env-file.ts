// Reads a dotenv file (--env-file): KEY=value lines, `export ` prefixes, # comments, single or double
// quotes (double quotes understand \n). The same rules as the .env file Bun reads at start-up, minus
// variable expansion, which no setting needs.

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const [, key, raw] = m;
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    if (quoted) out[key] = quoted[1] === '"' ? quoted[2].replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1") : quoted[2];
    else out[key] = raw.replace(/\s+#.*$/, "");
  }
  return out;
}
