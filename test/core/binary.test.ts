// `make build` produces one executable that serves everything when copied alone to another directory.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { metric } from "../helpers.ts";
import { makeInThrowawayCopy } from "../support/build.ts";

let dir: string;
let proc: ReturnType<typeof Bun.spawn> | undefined;
let url: string;

function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gateway-bin-"));
  makeInThrowawayCopy(["build"], { from: "dist/gateway", to: join(dir, "gateway") });
  Bun.spawnSync(["chmod", "+x", join(dir, "gateway")]);
  const port = freePort();
  url = `http://127.0.0.1:${port}`;
  // A clean environment: no provider keys, nothing from the repo.
  proc = Bun.spawn([join(dir, "gateway")], { cwd: dir, env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1" }, stdout: "pipe", stderr: "pipe" });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return;
    await Bun.sleep(50);
  }
  throw new Error("the binary did not answer /health within 10 s");
}, 60_000);

afterAll(() => {
  proc?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the compiled binary, run alone from a temporary directory", () => {
  test("--version and --help print and exit", () => {
    const version = Bun.spawnSync([join(dir, "gateway"), "--version"], { cwd: dir });
    expect(version.exitCode).toBe(0);
    expect(version.stdout.toString().trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = Bun.spawnSync([join(dir, "gateway"), "--help"], { cwd: dir });
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toContain("OPENROUTER_API_KEY");
  });

  test("/health answers and reports unconfigured providers", async () => {
    const body = (await (await fetch(`${url}/health`)).json()) as { status: string };
    expect(body.status).toBe("unconfigured");
  });

  test("/swagger and its embedded assets are served", async () => {
    const page = await (await fetch(`${url}/swagger`)).text();
    const assets = [...page.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toContain("/swagger/assets/swagger-ui-bundle.js");
    for (const asset of assets) {
      const res = await fetch(`${url}${asset}`);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect((await fetch(`${url}/swagger/json`)).status).toBe(200);
  });

  test("the landing page and the assets it links are embedded", async () => {
    const html = await (await fetch(`${url}/`, { headers: { accept: "text/html" } })).text();
    expect(html).toContain("openai-gateway");
    const links = [...html.matchAll(/href="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(["/assets/styles.css", "/assets/favicon.svg"]);
    for (const link of links) {
      const res = await fetch(`${url}${link}`);
      expect(res.status).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(100);
    }
  });

  test("the admin console at /admin and every file it loads are embedded, none from another origin", async () => {
    const html = await (await fetch(`${url}/admin`)).text();
    expect(html).toContain("openai-gateway console");
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    // The bundle Bun built at compile time: a script, a stylesheet and the icon, all on this origin.
    expect(refs.filter((r) => r.endsWith(".js"))).toHaveLength(1);
    expect(refs.filter((r) => r.endsWith(".css"))).toHaveLength(1);
    for (const ref of refs) {
      expect(ref).toStartWith("/");
      const res = await fetch(`${url}${ref}`);
      expect(res.status).toBe(200);
      // Preact, htm, uPlot and the console itself are in the script.
      if (ref.endsWith(".js")) expect((await res.text()).length).toBeGreaterThan(50_000);
    }
  });

  test("SQLite WAL checkpoints run on the worker thread the binary embeds (packaging/compile.sh's second entry point)", async () => {
    // It runs with the default file database, ./data/gateway.db; a missing worker module is logged instead.
    const deadline = Date.now() + 2_000;
    while (!((await metric(url, "sqlite_wal_checkpoints_total")) > 0) && Date.now() < deadline) await Bun.sleep(50);
    expect(await metric(url, "sqlite_wal_checkpoints_total")).toBeGreaterThan(0);
  });

  test("a taken port is reported in one line and exits 1", () => {
    const port = new URL(url).port;
    const second = Bun.spawnSync([join(dir, "gateway")], { cwd: dir, env: { PATH: process.env.PATH ?? "", PORT: port, HOST: "127.0.0.1" }, stderr: "pipe", timeout: 10_000 });
    expect(second.exitCode).toBe(1);
    expect(second.stderr.toString().trim()).toStartWith(`openai-gateway: cannot listen on 127.0.0.1:${port}`);
  });

  test("SIGTERM stops an idle gateway with exit code 0, without waiting out the 8 s stream drain", async () => {
    const port = freePort();
    const child = Bun.spawn([join(dir, "gateway")], { cwd: dir, env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1" }, stdout: "pipe", stderr: "pipe" });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !(await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false))) await Bun.sleep(50);
    const sent = Date.now();
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    // Nothing to drain: it must not have waited for the drain limit (8 s) to force the stop.
    expect(Date.now() - sent).toBeLessThan(8_000);
    expect(await new Response(child.stdout).text()).toContain('"event":"stopping"');
  });

  test("a bad setting stops start-up with a message naming it", () => {
    const bad = Bun.spawnSync([join(dir, "gateway")], { cwd: dir, env: { PATH: process.env.PATH ?? "", PORT: "not-a-port" }, stderr: "pipe" });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.toString()).toContain("PORT");
  });
});
