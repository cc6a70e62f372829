// Child-process plumbing for the benchmark: free ports, spawning (optionally pinned to a core),
// readiness polling, memory readings and guaranteed clean-up.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const ROOT = join(import.meta.dir, "..");
export const SCRATCH = join(import.meta.dir, ".scratch");
const LOGS = join(SCRATCH, "logs");

const children = new Set<Subprocess>();

/** SIGKILL every child still alive; safe to call from an 'exit' handler (synchronous). */
export function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  children.clear();
}

// Children must not outlive the driver, whether it ends normally, throws, or is interrupted.
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, stopping children`);
    killAll();
    process.exit(130);
  });
}

/** Registers a child started elsewhere, so it is killed with the rest. */
export function track<T extends Subprocess>(proc: T): T {
  children.add(proc);
  return proc;
}

/** Two cores or more: servers under test get core 0, the fake upstream and load generator core 1. */
export const pinning = process.env.BENCH_PIN !== "0" && navigator.hardwareConcurrency >= 2 && Bun.which("taskset") !== null;
export const pinned = (cpu: number, cmd: string[]) => (pinning ? ["taskset", "-c", String(cpu), ...cmd] : cmd);

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it, so parallel runs do not clash). */
export function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const { port } = probe;
  probe.stop(true);
  if (port === undefined) throw new Error("no free port");
  return port;
}

export interface Server {
  name: string;
  proc: Subprocess;
  log: string;
}

/** Starts a long-running child whose output goes to bench/.scratch/logs/<name>.log (a pipe nobody reads would fill and stall it). */
export function spawnServer(name: string, cmd: string[], env: Record<string, string | undefined>): Server {
  mkdirSync(LOGS, { recursive: true });
  const log = join(LOGS, `${name}.log`);
  // Bun.file as a spawn sink does not truncate: empty the files so a log holds one run only.
  for (const path of [log, `${log}.err`]) writeFileSync(path, "");
  const proc = Bun.spawn(cmd, { cwd: ROOT, env, stdin: "ignore", stdout: Bun.file(log), stderr: Bun.file(`${log}.err`) });
  children.add(proc);
  return { name, proc, log };
}

/** Polls `url` until it answers 200 or the deadline passes; fails early if the process died. Returns ms since `startedAt`. */
export async function waitReady(server: Server, url: string, startedAt: number, timeoutMs: number): Promise<number> {
  const deadline = startedAt + timeoutMs;
  while (performance.now() < deadline) {
    if (server.proc.exitCode !== null || server.proc.signalCode !== null) {
      throw new Error(`${server.name} exited (${server.proc.exitCode ?? server.proc.signalCode}); ${tail(`${server.log}.err`)}`);
    }
    const ok = await fetch(url, { headers: { "accept-encoding": "identity" }, signal: AbortSignal.timeout(1000) })
      .then(async (r) => (await r.arrayBuffer(), r.status === 200))
      .catch(() => false);
    if (ok) return performance.now() - startedAt;
    await Bun.sleep(2);
  }
  throw new Error(`${server.name} not ready within ${timeoutMs} ms; ${tail(`${server.log}.err`)}`);
}

function tail(path: string): string {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-5).join(" | ") || "(no stderr)";
  } catch {
    return "(no stderr)";
  }
}

/** SIGTERM, then SIGKILL if it has not gone within 2 s. */
export async function stop(proc: Subprocess): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill("SIGTERM");
    await Promise.race([proc.exited, Bun.sleep(2000)]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    await proc.exited;
  }
  children.delete(proc);
}

/** Runs a command to completion with a time limit; output captured. */
export async function runBounded(cmd: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = Bun.spawn(cmd, { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  children.add(proc);
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  clearTimeout(timer);
  children.delete(proc);
  return { code: proc.exitCode, stdout, stderr };
}

/** Resident memory in MB from /proc/<pid>/status: `VmRSS` now, `VmHWM` the peak since start. */
/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; null when unreadable. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Linux reports CPU times in clock ticks; USER_HZ is 100 on every mainstream build. */
const CLOCK_TICKS = 100;

export function memMB(pid: number, field: "VmRSS" | "VmHWM"): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}
