// The command line of the binary: what to do, and the settings it overrides. Flags beat --env-file,
// which beats the environment (and the .env file Bun reads from the working directory).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseEnvFile } from "./env-file.ts";

export type Command = "serve" | "healthcheck" | "help" | "version";

export class UsageError extends Error {}

export interface Invocation {
  command: Command;
  /** The environment the settings are read from, overrides applied. */
  env: Record<string, string | undefined>;
}

export function parseCommandLine(argv: string[], environment: Record<string, string | undefined>): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        port: { type: "string" },
        host: { type: "string" },
        "env-file": { type: "string" },
      },
    });
  } catch (error) {
    // Node's messages go on to explain "--" positionals: the first sentence is the useful part.
    throw new UsageError((error instanceof Error ? error.message : String(error)).split(". ")[0]);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1 || (positionals[0] !== undefined && positionals[0] !== "healthcheck")) {
    throw new UsageError(`unknown command: ${positionals.join(" ")}`);
  }
  const command: Command = values.help ? "help" : values.version ? "version" : positionals[0] === "healthcheck" ? "healthcheck" : "serve";
  const env = { ...environment };
  if (values["env-file"] !== undefined) Object.assign(env, readEnvFile(values["env-file"]));
  if (values.port !== undefined) env.PORT = values.port;
  if (values.host !== undefined) env.HOST = values.host;
  return { command, env };
}

function readEnvFile(path: string): Record<string, string> {
  try {
    return parseEnvFile(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read --env-file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}
