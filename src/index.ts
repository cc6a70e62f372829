// Entry point of `make start` and of the compiled binary.
import { builtinProviders } from "./admin/effective-config.ts";
import { createApp } from "./app.ts";
import { parseCommandLine, UsageError } from "./cli/args.ts";
import { healthcheck, origin } from "./cli/healthcheck.ts";
import { helpText } from "./cli/help.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { VERSION } from "./version.ts";

let invocation;
try {
  invocation = parseCommandLine(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`openai-gateway: ${error.message} (see --help)`);
  process.exit(2);
}
if (invocation.command === "version") {
  console.log(VERSION);
  process.exit(0);
}
if (invocation.command === "help") {
  console.log(helpText());
  process.exit(0);
}

let config;
try {
  // A health check needs only where to knock: a setting the server alone reads (a production secret
  // passed by --env-file to the server, say) must not make a healthy gateway look down.
  const { PORT, HOST } = invocation.env;
  config = loadConfig(invocation.command === "healthcheck" ? { PORT, HOST } : invocation.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`openai-gateway: ${error.message}`);
  process.exit(1);
}
// Top-level await: the binary is built as an ES module (`--format esm` in packaging/compile.sh).
if (invocation.command === "healthcheck") process.exit(await healthcheck(config));

const log = createLogger();
const app = createApp(config, { log });
try {
  // With DATABASE_URL: migrated, and what replicas share read, before the first request.
  await app.ready;
} catch (error) {
  console.error(`openai-gateway: cannot open the database: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
try {
  app.listen({ port: config.port, hostname: config.host });
} catch (error) {
  // A taken port is the usual cause: say so in one line, not with a stack trace.
  console.error(`openai-gateway: cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
const providers = Object.fromEntries([...builtinProviders(config)].map(([name, p]) => [name, !!p.apiKey]));
log("started", { version: VERSION, url: origin(config.host, app.server?.port), providers });

// As PID 1 in a container nothing stops us unless we handle the signal: stop accepting, let streams
// finish, but not for longer than a container runtime waits before it kills (10 s by default).
const DRAIN_MS = 8_000;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, async () => {
    log("stopping", { signal });
    await Promise.race([app.stop(), Bun.sleep(DRAIN_MS).then(() => app.stop(true))]);
    // The last usage rows reach the database before we exit.
    await app.close();
    process.exit(0);
  });
}
