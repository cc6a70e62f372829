// `make release`: every platform's binary, named by version, with SHA256SUMS. The binaries this machine
// can run are smoke-tested (linux-x64 and linux-x64-baseline natively, linux-arm64 under Debian's
// qemu-user-static); the others are checked by their headers. The GitHub workflow that publishes them
// cannot run here: its structure is checked against what `make release` really wrote.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { makeInThrowawayCopy } from "../support/build.ts";
import { freePort, which } from "../support/services.ts";

const root = join(import.meta.dir, "..", "..");
const name = (platform: string) => `openai-gateway-${pkg.version}-${platform}${platform.startsWith("windows") ? ".exe" : ""}`;
const PLATFORMS = ["linux-x64", "linux-x64-baseline", "linux-arm64", "darwin-arm64", "darwin-x64", "windows-x64"];
/** The aarch64 glibc for qemu (Debian's libc6-arm64-cross). */
const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";

let work: string;
/** What make release wrote (dist/release/), moved out of the throwaway copy. */
let dir: string;
let fake: FakeOpenRouter;

beforeAll(async () => {
  // Every target: the first run on a machine fetches five runtimes from npm (Bun caches them).
  work = mkdtempSync(join(tmpdir(), "gateway-release-"));
  dir = join(work, "release");
  makeInThrowawayCopy(["release"], { from: "dist/release", to: dir }, 300_000);
  fake = await startFakeOpenRouter();
}, 300_000);
afterAll(async () => {
  await fake?.stop();
  if (work) rmSync(work, { recursive: true, force: true }); // seven binaries, ~700 MB
});

/** The first 4 KB: every header field checked below lies there. */
function head(file: string): Uint8Array {
  const fd = openSync(join(dir, file), "r");
  const buffer = new Uint8Array(4096);
  readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  return buffer;
}

describe("make release", () => {
  test("writes one binary per platform, named by the package.json version, and SHA256SUMS", () => {
    expect(readdirSync(dir).sort()).toEqual([...PLATFORMS.map(name), "SHA256SUMS"].sort());
  });

  test("SHA256SUMS lists every binary in sha256sum's format, and sha256sum -c accepts every digest", () => {
    const lines = readFileSync(join(dir, "SHA256SUMS"), "utf8").trim().split("\n");
    expect(lines.map((l) => l.replace(/^[0-9a-f]{64} {2}/, "")).sort()).toEqual(PLATFORMS.map(name).sort());
    const check = Bun.spawnSync(["sha256sum", "--strict", "-c", "SHA256SUMS"], { cwd: dir, stdout: "pipe" });
    expect(check.stdout.toString().trim().split("\n")).toHaveLength(PLATFORMS.length);
    expect(check.exitCode).toBe(0);
  }, 60_000);

  test("headers: ELF for Linux (x86-64, aarch64), signed Mach-O for macOS (arm64, x86-64), PE32+ for Windows (x64)", () => {
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const elfMachine = (b: Uint8Array) => {
      expect([...b.subarray(0, 5)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2]); // \x7fELF, 64-bit
      return view(b).getUint16(18, true);
    };
    expect(elfMachine(head(name("linux-x64")))).toBe(0x3e);
    expect(elfMachine(head(name("linux-x64-baseline")))).toBe(0x3e);
    expect(elfMachine(head(name("linux-arm64")))).toBe(0xb7);
    const machO = (b: Uint8Array) => {
      expect(view(b).getUint32(0, true)).toBe(0xfeedfacf); // MH_MAGIC_64
      expect(view(b).getUint32(12, true)).toBe(2); // MH_EXECUTE
      return view(b).getUint32(4, true);
    };
    expect(machO(head(name("darwin-arm64")))).toBe(0x0100000c);
    expect(machO(head(name("darwin-x64")))).toBe(0x01000007);
    // Apple Silicon kills unsigned code: Bun signs (ad hoc) what it cross-compiles for macOS.
    for (const platform of ["darwin-arm64", "darwin-x64"]) {
      const b = head(name(platform));
      const commands: number[] = [];
      for (let i = 0, at = 32; i < view(b).getUint32(16, true) && at + 8 <= b.length; i++, at += view(b).getUint32(at + 4, true)) commands.push(view(b).getUint32(at, true));
      expect(commands, platform).toContain(0x1d); // LC_CODE_SIGNATURE
    }
    const pe = head(name("windows-x64"));
    expect(String.fromCharCode(pe[0], pe[1])).toBe("MZ");
    const at = view(pe).getUint32(0x3c, true);
    expect([...pe.subarray(at, at + 4)]).toEqual([0x50, 0x45, 0, 0]); // PE\0\0
    expect(view(pe).getUint16(at + 4, true)).toBe(0x8664); // x86-64
    expect(view(pe).getUint16(at + 24, true)).toBe(0x20b); // PE32+
  });
});

/** Starts `command` on a free port against the fake: --version, /health, one chat, SIGTERM, exit 0. */
async function smoke(command: string[], startMs: number): Promise<void> {
  const version = Bun.spawnSync([...command, "--version"], { stdout: "pipe", timeout: startMs });
  expect(version.stdout.toString().trim()).toBe(pkg.version);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = Bun.spawn(command, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1", DATABASE_PATH: ":memory:", OPENROUTER_API_KEY: fake.apiKey, OPENROUTER_BASE_URL: fake.baseUrl },
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const deadline = Date.now() + startMs;
    while (!(await fetch(`${url}/health`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline) throw new Error(`no /health within ${startMs} ms: ${await new Response(proc.stderr).text()}`);
      await Bun.sleep(100);
    }
    expect(((await (await fetch(`${url}/health`)).json()) as { version: string }).version).toBe(pkg.version);
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello from the release" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-provider")).toBe("openrouter");
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0].message.content).toBe("Echo: hello from the release");
  } finally {
    proc.kill("SIGTERM");
  }
  expect(await proc.exited).toBe(0);
  expect(await new Response(proc.stdout).text()).toContain('"event":"stopping"');
}

describe("smoke tests of the binaries this machine can run", () => {
  test("linux-x64, natively", () => smoke([join(dir, name("linux-x64"))], 10_000), 30_000);
  test("linux-x64-baseline, natively", () => smoke([join(dir, name("linux-x64-baseline"))], 10_000), 30_000);
  test("linux-arm64, under qemu-user-static", () => {
    const qemu = which("qemu-aarch64-static", "qemu-user-static");
    expect(Bun.file(join(ARM64_SYSROOT, "lib", "ld-linux-aarch64.so.1")).size).toBeGreaterThan(0); // apt-get install libc6-arm64-cross
    return smoke([qemu, "-L", ARM64_SYSROOT, join(dir, name("linux-arm64"))], 30_000);
  }, 60_000);
});

describe(".github/workflows/release.yml", () => {
  type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown> };
  type Workflow = { on: { push: { tags: string[] } }; permissions: Record<string, string>; jobs: Record<string, { "runs-on": string; steps: Step[] }> };
  const workflow = Bun.YAML.parse(readFileSync(join(root, ".github", "workflows", "release.yml"), "utf8")) as Workflow;

  test("runs on version tags and may write releases", () => {
    expect(workflow.on.push.tags.some((pattern) => new Bun.Glob(pattern).match(`v${pkg.version}`))).toBe(true);
    expect(workflow.permissions.contents).toBe("write");
  });

  test("one Linux job runs `make release`, then uploads every file make release wrote", () => {
    const jobs = Object.values(workflow.jobs).filter((job) => job.steps.some((s) => s.run?.trim() === "make release"));
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(job["runs-on"]).toStartWith("ubuntu-"); // sha256sum, and the linux-x64 binary runs there
    const build = job.steps.findIndex((s) => s.run?.trim() === "make release");
    const upload = job.steps.findIndex((s) => s.uses?.startsWith("softprops/action-gh-release@"));
    expect(upload).toBeGreaterThan(build);
    const globs = String(job.steps[upload].with?.files).split("\n").map((g) => g.trim()).filter(Boolean);
    for (const file of readdirSync(dir)) {
      expect(globs.some((g) => new Bun.Glob(g).match(`dist/release/${file}`)), file).toBe(true);
    }
    expect(job.steps[upload].with?.fail_on_unmatched_files).toBe(true);
  });

  test("refuses a tag that is not package.json's version, and runs the linux-x64 binary", () => {
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    expect(steps.some((s) => s.run?.includes("$GITHUB_REF_NAME") && s.run.includes("package.json"))).toBe(true);
    expect(steps.some((s) => s.run?.includes("-linux-x64 --version"))).toBe(true);
  });
});

describe("README: Download and run", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Download and run"), readme.indexOf("\n## ", readme.indexOf("## Download and run") + 1));
  /** The code block that follows the paragraph starting with `intro`. */
  const block = (intro: string) => {
    const from = section.indexOf(`\n${intro}`);
    expect(from).toBeGreaterThan(-1);
    return /```\w+\n([\s\S]*?)```/.exec(section.slice(from))![1];
  };
  const RELEASES = "https://github.com/OWNER/openai-gateway/releases/download";

  test("comes first, and every platform's lines name the current version and a file make release writes", () => {
    expect(readme.indexOf("\n## ")).toBe(readme.indexOf("\n## Download and run"));
    for (const [intro, file] of [["Linux", /^FILE=(.*)$/m], ["macOS", /^FILE=(.*)$/m], ["Windows", /^\$File = "(.*)"$/m]] as const) {
      const lines = block(intro);
      expect(lines, intro).toContain(`${RELEASES}/v$`);
      expect(lines, intro).toMatch(new RegExp(`^\\$?VERSION\\s?=\\s?"?${pkg.version.replaceAll(".", "\\.")}"?$`, "im"));
      const named = file.exec(lines)![1].replace(/\$VERSION|\$Version/, pkg.version);
      expect(readdirSync(dir), intro).toContain(named);
    }
  });

  test("the Linux lines download, verify, chmod and run the binary (from a local copy of the release page)", async () => {
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (req) => {
        const path = new URL(req.url).pathname;
        const m = /^\/download\/v([^/]+)\/([^/]+)$/.exec(path);
        return m && m[1] === pkg.version && readdirSync(dir).includes(m[2]) ? new Response(Bun.file(join(dir, m[2]))) : new Response("not found", { status: 404 });
      },
    });
    const downloads = join(work, "downloads");
    mkdirSync(downloads);
    const port = await freePort();
    const script = block("Linux").replace(RELEASES, `http://127.0.0.1:${server.port}/download`);
    const proc = Bun.spawn(["bash", "-euc", script], {
      cwd: downloads,
      // No network beyond loopback: the catalog refresh would call openrouter.ai.
      env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1", CATALOG_REFRESH: "0", OPENROUTER_BASE_URL: fake.baseUrl },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const deadline = Date.now() + 20_000;
      while (!(await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`the README's lines did not start the gateway: ${await new Response(proc.stderr).text()}`);
        await Bun.sleep(100);
      }
    } finally {
      // bash runs the last line in its own process (exec), so the signal reaches the gateway.
      proc.kill("SIGTERM");
      await proc.exited;
      server.stop(true);
    }
    expect(await fetch(`http://127.0.0.1:${port}/health`).then(() => "still up", () => "stopped")).toBe("stopped");
    const out = await new Response(proc.stdout).text();
    expect(out).toContain(`${name("linux-x64")}: OK`); // sha256sum -c
    expect(out).toContain('"event":"started"');
  }, 60_000);
});
