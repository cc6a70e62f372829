// `make image` with no registry (the FROM scratch path), run here exactly as this machine allows:
// `podman --runtime runc run --network host --ulimit nofile=20000:20000 --ulimit nproc=4096:4096`.
// The image holds only the binary, its glibc files, the user and /data; the gateway in it answers
// /health and chats through the fake upstream, keeps its SQLite file in a /data volume across a restart,
// runs as an unprivileged user, passes its HEALTHCHECK, and stops on SIGTERM within the drain bound.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { makeInThrowawayCopy } from "../support/build.ts";
import { freePort, which } from "../support/services.ts";

/** src/index.ts: how long a SIGTERM waits for streams before it forces the stop. */
const DRAIN_MS = 8_000;
const RUN_FLAGS = ["--network", "host", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096"];
const UID = 65532;
const id = `${process.pid}-${Date.now().toString(36)}`;
const image = `localhost/openai-gateway-test:${id}`;
const container = `gateway-test-${id}`;
const volume = `gateway-test-${id}`;
const adminToken = `admin-${"x".repeat(40)}`;

let fake: FakeOpenRouter;
let url: string;
let apiKey: string;

/** podman with runc (the default OCI runtime is refused here); fails with podman's message. */
async function podman(...args: string[]): Promise<string> {
  const proc = Bun.spawn(["podman", "--runtime", "runc", ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`podman ${args.join(" ")} exited ${code}: ${err}`);
  return out.trim();
}

async function waitForHealth(ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fetch(`${url}/health`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error(`no /health within ${ms} ms: ${await podman("logs", container).catch((e) => String(e))}`);
    await Bun.sleep(100);
  }
}

const chat = (content: string, stream = false) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ model: "gpt-4o-mini", stream, messages: [{ role: "user", content }] }),
  });

beforeAll(async () => {
  which("podman");
  which("runc");
  makeInThrowawayCopy(["image", "ENGINE=podman", `IMAGE=${image}`], undefined, 180_000);
  fake = await startFakeOpenRouter();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  await podman("volume", "create", volume);
  await podman(
    "run", "-d", "--name", container, ...RUN_FLAGS, "-v", `${volume}:/data`,
    // Loopback only (host network); the image's NODE_ENV=production needs a real JWT secret.
    "-e", `PORT=${port}`, "-e", "HOST=127.0.0.1", "-e", `JWT_SECRET=${"s".repeat(48)}`, "-e", `ADMIN_TOKEN=${adminToken}`,
    "-e", "REQUIRE_AUTH=true", "-e", `OPENROUTER_API_KEY=${fake.apiKey}`, "-e", `OPENROUTER_BASE_URL=${fake.baseUrl}`, "-e", "CATALOG_REFRESH=0",
    image,
  );
  await waitForHealth();
}, 240_000);

afterAll(async () => {
  await podman("rm", "-f", "-t", "0", container).catch(() => {});
  await podman("volume", "rm", "-f", volume).catch(() => {});
  await podman("rmi", "-f", image).catch(() => {});
  await fake?.stop();
});

describe("the image (make image, no pulls)", () => {
  test("holds only the binary, the glibc files it links, the user and /data", async () => {
    const root = await podman("image", "mount", image);
    try {
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory() && readdirSync(path).length > 0) walk(path);
          else files.push(relative(root, path));
        }
      };
      walk(root);
      const libs = files.filter((f) => /^lib(64)?\//.test(f));
      expect(files.sort()).toEqual(["data", "etc/group", "etc/passwd", "gateway", ...libs].sort());
      expect(libs.map((l) => l.split("/").pop()).sort()).toEqual(["ld-linux-x86-64.so.2", "libc.so.6", "libdl.so.2", "libm.so.6", "libpthread.so.0"]);
      expect(readFileSync(join(root, "etc", "passwd"), "utf8")).toBe(`gateway:x:${UID}:${UID}:openai-gateway:/data:/nonexistent\n`);
      expect(statSync(join(root, "data")).uid).toBe(UID);
      expect(statSync(join(root, "gateway")).uid).toBe(0); // the user cannot replace its own binary
    } finally {
      await podman("image", "unmount", image);
    }
    expect(await podman("image", "inspect", "--format", "{{.Config.User}}", image)).toBe(`${UID}:${UID}`);
    expect(JSON.parse(await podman("image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", image))).toEqual(["CMD", "/gateway", "healthcheck"]);
  });

  test("answers /health and chats through the fake upstream with an API key an admin created", async () => {
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string };
    expect(health.status).toBe("ok");
    const created = await fetch(`${url}/config/keys`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ name: "image test" }),
    });
    expect(created.status).toBe(201);
    apiKey = ((await created.json()) as { key: string }).key;
    const res = await chat("hello from the container");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe("Echo: hello from the container");
  });

  test("the gateway runs as the unprivileged user and its HEALTHCHECK passes", async () => {
    const pid = await podman("inspect", "--format", "{{.State.Pid}}", container);
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))!;
    expect([Number(uids[1]), Number(uids[2])]).toEqual([UID, UID]);
    await podman("healthcheck", "run", container); // throws unless the healthcheck exits 0
  });

  test("the SQLite file lives in the /data volume and survives a container restart", async () => {
    const dir = await podman("volume", "inspect", "--format", "{{.Mountpoint}}", volume);
    expect(statSync(join(dir, "gateway.db")).uid).toBe(UID);
    await podman("restart", container);
    await waitForHealth();
    expect((await chat("after the restart")).status).toBe(200); // the key came back from /data
    const keys = (await (await fetch(`${url}/config/keys`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { data: Array<{ name: string }> };
    expect(keys.data.map((k) => k.name)).toEqual(["image test"]);
  }, 60_000);

  test("SIGTERM lets a running stream finish, then the container exits 0 within the drain bound", async () => {
    fake.always("*", { kind: "stream", chunks: 6, gapMs: 300 });
    const res = await chat("a slow stream", true);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    const sent = Date.now();
    await podman("kill", "--signal", "TERM", container);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("data: [DONE]");
    expect(await podman("wait", container)).toBe("0");
    expect(Date.now() - sent).toBeLessThan(DRAIN_MS + 2_000);
  }, 30_000);
});
