// The command line a downloaded binary needs: --help generated from the settings schema, --port/--host/
// --env-file overriding the environment, and `healthcheck`. Runs src/index.ts as a process (the compiled
// binary runs the same code; test/core/binary.test.ts checks it is built right).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { healthUrl } from "../../src/cli/healthcheck.ts";
import { parseEnvFile } from "../../src/cli/env-file.ts";
import { settingsTable } from "../../src/config.ts";
import { startGateway, type Gateway } from "../helpers.ts";

const root = join(import.meta.dir, "..", "..");
const entry = join(root, "src", "index.ts");
let dir: string;

/** A clean environment: nothing from the developer's shell or the repo's .env. */
const cleanEnv = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? "", NODE_ENV: "test", ...extra });

/** Runs the CLI to its end without blocking this process (the healthcheck tests serve from it). */
async function run(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(["bun", entry, ...args], { cwd: dir, env: cleanEnv(env), stdout: "pipe", stderr: "pipe", timeout: 15_000 });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

/** Starts the gateway with `args`, waits for its "started" log line and returns it with the process. */
async function serve(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(["bun", entry, ...args], { cwd: dir, env: cleanEnv(env), stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 15_000;
  while (!text.includes('"event":"started"') && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const started = text.split("\n").find((l) => l.includes('"event":"started"'));
  if (!started) throw new Error(`the gateway did not start: ${text} ${await new Response(proc.stderr).text()}`);
  return { proc, started: JSON.parse(started) as { url: string } };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gateway-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--help", () => {
  test("lists every setting of the schema with its default, and the options", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    for (const flag of ["--port", "--host", "--env-file", "healthcheck", "--version"]) expect(out).toContain(flag);
    const listed = [...out.matchAll(/^ {2}([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]);
    expect(listed).toEqual(settingsTable().map((s) => [s.name, s.default ?? ""]));
    // Spot checks against the values loadConfig really applies, so a wrong table cannot pass.
    expect(out).toContain("\n  PORT=8787\n");
    expect(out).toContain("\n  OPENROUTER_BASE_URL=https://openrouter.ai/api/v1\n");
    expect(out).toContain("\n  JWT_SECRET=\n");
  });

  test("every setting has a description", async () => {
    for (const s of settingsTable()) expect(s.description, s.name).not.toBe("");
  });
});

describe(".env.example", () => {
  test("names exactly the schema's settings, with the schema's defaults", async () => {
    const example = parseEnvFile(readFileSync(join(root, ".env.example"), "utf8"));
    expect(Object.keys(example).sort()).toEqual(settingsTable().map((s) => s.name).sort());
    for (const s of settingsTable()) {
      if (s.default !== undefined) expect(`${s.name}=${example[s.name]}`).toBe(`${s.name}=${s.default}`);
    }
  });
});

describe("env files", () => {
  test("parse like dotenv: export, comments, quotes", async () => {
    expect(parseEnvFile('# c\nexport A=1\nB = two # note\nC="x # y\\nz"\nD=\'$raw\'\nE=\n  bad line\n')).toEqual({ A: "1", B: "two", C: "x # y\nz", D: "$raw", E: "" });
  });
});

describe("overrides", () => {
  test("--env-file beats the environment, --port and --host beat both", async () => {
    const [fromEnv, fromFile, fromFlag] = [freePort(), freePort(), freePort()];
    const file = join(dir, "gateway.env");
    writeFileSync(file, `PORT=${fromFile}\nHOST=127.0.0.1\nMAX_TOKENS_LIMIT=77\n`);

    const a = await serve(["--env-file", file], { PORT: String(fromEnv), HOST: "0.0.0.0" });
    try {
      expect(a.started.url).toBe(`http://127.0.0.1:${fromFile}`);
      const res = await fetch(`http://127.0.0.1:${fromFile}/v1/chat/completions`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", max_tokens: 78, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.status).toBe(400); // MAX_TOKENS_LIMIT=77 came from the file
    } finally {
      a.proc.kill("SIGTERM");
      expect(await a.proc.exited).toBe(0);
    }

    const b = await serve(["--env-file", file, "--port", String(fromFlag), "--host", "::1"], { PORT: String(fromEnv) });
    try {
      expect(b.started.url).toBe(`http://[::1]:${fromFlag}`);
      expect((await fetch(`http://[::1]:${fromFlag}/health`)).status).toBe(200);
    } finally {
      b.proc.kill("SIGTERM");
      await b.proc.exited;
    }
  });

  test("bad command lines exit 2 with one line naming the problem", async () => {
    for (const [args, says] of [[["--bogus"], "--bogus"], [["serve-now"], "serve-now"], [["--port"], "--port"], [["--env-file", "/nonexistent/x.env"], "ENOENT"]] as const) {
      const r = await run([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).toContain(says);
    }
  });

  test("serves the admin console from source: Bun bundles src/console/ on the first request, no build step", async () => {
    const port = freePort();
    const gw = await serve(["--port", String(port)]);
    try {
      const page = await (await fetch(`http://127.0.0.1:${port}/admin`)).text();
      expect(page).toContain("openai-gateway console");
      const script = /<script[^>]+src="(\/[^"]+\.js)"/.exec(page)?.[1];
      expect(script).toBeDefined();
      const res = await fetch(`http://127.0.0.1:${port}${script}`);
      expect(res.status).toBe(200);
      // Preact, htm, uPlot and the console, bundled and minified.
      expect((await res.text()).length).toBeGreaterThan(50_000);
    } finally {
      gw.proc.kill("SIGTERM");
      await gw.proc.exited;
    }
  });

  test("a bad --port is refused like a bad PORT", async () => {
    const r = await run(["--port", "eighty"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("PORT");
  });
});

describe("healthcheck", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.stop());

  test("exits 0 when the gateway answers /health, from --port, PORT or --env-file", async () => {
    const port = new URL(gw.url).port;
    expect((await run(["healthcheck", "--port", port, "--host", "127.0.0.1"])).code).toBe(0);
    expect((await run(["healthcheck"], { PORT: port })).code).toBe(0); // HOST 0.0.0.0 means this machine
    const file = join(dir, "check.env");
    writeFileSync(file, `PORT=${port}\n`);
    expect((await run(["healthcheck", "--env-file", file], { PORT: "1" })).code).toBe(0);
  });

  test("reads only PORT and HOST: settings only the server needs do not fail it", async () => {
    const port = new URL(gw.url).port;
    expect((await run(["healthcheck"], { PORT: port, NODE_ENV: "production", CUSTOM_PROVIDERS: "not json" })).code).toBe(0);
  });

  test("exits 1 with the reason when nothing answers", async () => {
    const r = await run(["healthcheck", "--port", String(freePort())]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("/health");
  });

  test("wildcard addresses are checked on loopback", async () => {
    expect(healthUrl("0.0.0.0", 1)).toBe("http://127.0.0.1:1/health");
    expect(healthUrl("::", 2)).toBe("http://[::1]:2/health");
    expect(healthUrl("localhost", 3)).toBe("http://localhost:3/health");
  });
});
