// Real servers for the tests that need them: a redis-server per caller, one throwaway Postgres cluster
// per test run, Debian's Chromium. Each fails loudly (never skips) when its program is missing:
// `.ci/run` installs them; on a dev machine `apt-get install redis-server postgresql chromium`.
import { RedisClient, spawn, spawnSync, type Subprocess } from "bun";
import { existsSync, mkdtempSync, readdirSync, chownSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";

/** A free TCP port on loopback, asked of the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The path of `program`, or an error naming the Debian package to install. */
export function which(program: string, debianPackage = program): string {
  const found = Bun.which(program, { PATH: `${process.env.PATH}:/usr/sbin:/usr/bin` });
  if (!found) throw new Error(`${program} is not installed: run \`bash .ci/run\` or \`apt-get install -y ${debianPackage}\``);
  return found;
}

export interface RedisServer {
  url: string;
  port: number;
  /** SIGKILLs the server (as a crash would); `start()` brings it back on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** redis-server could not listen: another program took the port after freePort() chose it. */
class PortTaken extends Error {}

/**
 * Starts a throwaway redis-server (no persistence) on a free loopback port. Another program may take the
 * port between freePort() and redis-server binding it: then another port is tried, and a server that
 * answers on the port is only taken as ready once it says it is this process.
 */
export async function startRedis(): Promise<RedisServer> {
  const bin = which("redis-server");
  for (let attempt = 1; ; attempt++) {
    const server = redisServer(bin, await freePort());
    try {
      await server.start();
      return server;
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 3) throw error;
    }
  }
}

function redisServer(bin: string, port: number): RedisServer {
  const url = `redis://127.0.0.1:${port}`;
  let proc: Subprocess<"ignore", "pipe", "inherit"> | undefined;
  return {
    url,
    port,
    async start() {
      const started = (proc = spawn([bin, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"], { stdout: "pipe" }));
      const deadline = performance.now() + 10_000;
      while (!(await answersAs(url, started.pid))) {
        if (started.exitCode !== null) {
          const said = await new Response(started.stdout).text();
          throw new (/in use/i.test(said) ? PortTaken : Error)(`redis-server on port ${port} exited: ${said.slice(-500)}`);
        }
        if (performance.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s`);
        await Bun.sleep(20);
      }
    },
    async kill() {
      proc?.kill("SIGKILL");
      await proc?.exited;
      proc = undefined;
    },
    async stop() {
      proc?.kill("SIGTERM");
      await proc?.exited;
      proc = undefined;
    },
  };
}

/** Whether the Redis at `url` answers, as process `pid`. */
async function answersAs(url: string, pid: number): Promise<boolean> {
  const client = new RedisClient(url, { autoReconnect: false, enableOfflineQueue: false, connectionTimeout: 1_000 });
  try {
    await client.connect();
    // Something else on the port may never answer.
    const info = await Promise.race([client.send("INFO", ["server"]), Bun.sleep(1_000)]);
    return new RegExp(`^process_id:${pid}\\r?$`, "m").test(String(info));
  } catch {
    return false;
  } finally {
    client.close();
  }
}

let postgresUrl: Promise<string> | undefined;

/**
 * The URL of a real Postgres server: `TEST_POSTGRES_URL` when `.ci/run` started one, else a throwaway
 * cluster started once for this test run and removed when the process exits. Callers make their own
 * database with `freshPostgresDatabase` so test files never see each other's rows.
 */
export function postgres(): Promise<string> {
  return (postgresUrl ??= process.env.TEST_POSTGRES_URL ? Promise.resolve(process.env.TEST_POSTGRES_URL) : startCluster());
}

async function startCluster(): Promise<string> {
  const bins = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(a) - Number(b)) : [];
  if (bins.length === 0) throw new Error("PostgreSQL is not installed: run `bash .ci/run` or `apt-get install -y postgresql`");
  const bin = `/usr/lib/postgresql/${bins.at(-1)}/bin`;
  const dir = mkdtempSync(join(tmpdir(), "ogw-pg-"));
  const port = await freePort();
  // Postgres refuses to run as root: the cluster belongs to the postgres user when we are root.
  const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  if (asPostgres.length) chownSync(dir, Number(spawnSync(["id", "-u", "postgres"]).stdout.toString().trim()), 0);
  const run = (cmd: string[]) => {
    const r = spawnSync([...asPostgres, ...cmd], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${cmd[0]} failed: ${r.stderr.toString()}`);
  };
  run([`${bin}/initdb`, "-D", `${dir}/data`, "-A", "trust", "-U", "postgres"]);
  run([`${bin}/pg_ctl`, "-D", `${dir}/data`, "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "-l", `${dir}/log`, "-w", "start"]);
  // bun test exits without running exit handlers, and a killed run runs none: a detached watcher stops and
  // removes the cluster once this process is gone, however it ends.
  const stop = `${asPostgres.join(" ")} ${bin}/pg_ctl -D ${dir}/data -m immediate -w stop >/dev/null 2>&1; rm -rf ${dir}`;
  spawn(["setsid", "bash", "-c", `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done; ${stop}`], {
    stdin: "ignore", stdout: "ignore", stderr: "ignore",
  }).unref();
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/** A new, empty database on the test Postgres server; its URL. */
export async function freshPostgresDatabase(prefix = "t"): Promise<string> {
  const url = await postgres();
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new Bun.SQL(url);
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Debian's Chromium, for playwright-core's `executablePath`. */
export function chromiumPath(): string {
  return which("chromium");
}

/** Launch flags for headless Chromium here: as root, offline, with no background traffic. */
export const chromiumArgs = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
];
