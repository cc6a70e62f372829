// `--help`: usage, then every setting with its default, generated from the config schema.
import { settingsTable } from "../config.ts";
import { VERSION } from "../version.ts";

export function helpText(): string {
  const settings = settingsTable().map((s) => `  ${s.name}=${s.default ?? ""}\n      ${s.description}`);
  return `openai-gateway ${VERSION}
OpenAI-compatible API over free models on OpenRouter, Gemini and OpenCode.

Usage:
  openai-gateway [options]               serve (stops cleanly on SIGTERM or SIGINT)
  openai-gateway healthcheck [options]   exit 0 when the gateway at HOST:PORT answers /health, else 1
  openai-gateway --help | --version

Options:
  --port N          listen on (or check) port N: overrides PORT
  --host ADDR       listen on (or check) ADDR: overrides HOST
  --env-file FILE   read settings from FILE; they override the environment

Settings are environment variables (a .env file in the working directory is read too). Each one, with
its default (none when empty):

${settings.join("\n")}
`;
}
