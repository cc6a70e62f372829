// Runs a make target in a throwaway copy of the project and keeps only what it produced: anything the
// result still read from the source tree would then fail in the tests instead of passing on the build
// machine only. The copies and results are removed when the test process exits.
import { cpSync, mkdtempSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const root = join(import.meta.dir, "..", "..");
/** What `make build`, `make release` and `make image` read. */
const SOURCES = ["src", "public", "packaging", "package.json", "bun.lock", "bunfig.toml", "tsconfig.json", "Makefile", "Dockerfile", ".dockerignore"];
const leftovers: string[] = [];
process.on("exit", () => leftovers.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** `make ...args` in a copy; returns where `output` (a path relative to the project, if any) was moved. */
export function makeInThrowawayCopy(args: string[], output?: string, timeoutMs = 120_000): string {
  const copy = mkdtempSync(join(tmpdir(), "gateway-src-"));
  const kept = mkdtempSync(join(tmpdir(), "gateway-out-"));
  leftovers.push(kept);
  try {
    // Timestamps kept: a bun.lock newer than node_modules would make `make` reinstall into the linked node_modules.
    for (const entry of SOURCES) cpSync(join(root, entry), join(copy, entry), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
    const run = Bun.spawnSync(["make", ...args], { cwd: copy, stdout: "pipe", stderr: "pipe", timeout: timeoutMs });
    if (run.exitCode !== 0) throw new Error(`make ${args.join(" ")} failed (${run.exitCode}): ${run.stderr.toString()}${run.stdout.toString().slice(-2000)}`);
    const target = output ? join(kept, basename(output)) : kept;
    if (output) renameSync(join(copy, output), target);
    return target;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
