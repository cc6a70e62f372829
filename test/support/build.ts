// Runs a make target in a throwaway copy of the project and keeps only what it produced: anything the
// result still read from the source tree would then fail in the tests instead of passing on the build
// machine only. The copy is removed at once; what is kept goes where the caller says (and cleans up).
import { cpSync, mkdtempSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");
/** What `make build`, `make release` and `make image` read. */
const SOURCES = ["src", "public", "packaging", "package.json", "bun.lock", "bunfig.toml", "tsconfig.json", "Makefile", "Dockerfile", ".dockerignore"];

/** `make ...args` in a copy, then `keep.from` (a path in the project) is moved to `keep.to`. */
export function makeInThrowawayCopy(args: string[], keep?: { from: string; to: string }, timeoutMs = 120_000): void {
  const copy = mkdtempSync(join(tmpdir(), "gateway-src-"));
  try {
    // Timestamps kept: a bun.lock newer than node_modules would make `make` reinstall into the linked node_modules.
    for (const entry of SOURCES) cpSync(join(root, entry), join(copy, entry), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
    const run = Bun.spawnSync(["make", ...args], { cwd: copy, stdout: "pipe", stderr: "pipe", timeout: timeoutMs });
    if (run.exitCode !== 0) throw new Error(`make ${args.join(" ")} failed (${run.exitCode}): ${run.stderr.toString()}${run.stdout.toString().slice(-2000)}`);
    if (keep) renameSync(join(copy, keep.from), keep.to);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
