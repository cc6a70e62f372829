// The real Codex CLI (@openai/codex, pinned) against the gateway with a fake OpenRouter behind it:
// `codex exec` in a throwaway CODEX_HOME whose config.toml points a model provider at the gateway.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/openrouter.ts";
import { type Gateway, post, startGateway } from "../helpers.ts";

const CODEX = join(import.meta.dir, "../../node_modules/@openai/codex/bin/codex.js");
const ADMIN_TOKEN = "admin-token-for-the-codex-test-0123456789";
let fake: FakeOpenRouter;
let gw: Gateway;
let home: string;
let work: string;

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  gw = await startGateway({ catalogRefreshMs: 0, openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl }, auth: { adminToken: ADMIN_TOKEN } });
  // Codex offers apply_patch as a free-form (custom) tool to gpt-5.5, a name the gateway learns here.
  const mapped = await post(`${gw.url}/config/models`, { alias: "gpt-5.5", provider: "openrouter", model: "qwen/qwen3-coder:free" }, { authorization: `Bearer ${ADMIN_TOKEN}` });
  expect(mapped.status).toBe(200);
  home = mkdtempSync(join(tmpdir(), "codex-home-"));
  work = mkdtempSync(join(tmpdir(), "codex-work-"));
  writeFileSync(join(home, "config.toml"), [
    'model_provider = "gateway"',
    "",
    "[model_providers.gateway]",
    'name = "openai-gateway"',
    `base_url = "${gw.url}/v1"`,
    'env_key = "GATEWAY_API_KEY"',
    'wire_api = "responses"',
    "",
  ].join("\n"));
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

async function codex(model: string, prompt: string, ...flags: string[]) {
  const proc = Bun.spawn(["node", CODEX, "exec", "--skip-git-repo-check", "-m", model, ...flags, prompt], {
    cwd: work,
    env: { PATH: process.env.PATH, HOME: home, CODEX_HOME: home, GATEWAY_API_KEY: "sk-codex-test", RUST_LOG: "error" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill(), 60_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { stdout, stderr, code };
}

const upstreamBodies = () => fake.requests.filter((r) => r.path.endsWith("/chat/completions")).map((r) => r.body as { messages: Array<Record<string, any>>; tools?: Array<Record<string, any>> });

describe("Codex CLI through /v1/responses", () => {
  test("codex exec answers through the gateway", async () => {
    const { stdout, stderr, code } = await codex("gpt-5", "Say hello to the gateway");
    expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain("Echo: Say hello to the gateway");
    const [body] = upstreamBodies();
    // Its developer messages arrive as system messages, its namespace tools as plain functions.
    expect(body.messages[0].role).toBe("system");
    expect(body.tools!.map((t) => t.function.name)).toContain("spawn_agent");
  }, 90_000);

  test("a function call and a namespaced call (multi_agent_v1.close_agent) run in Codex and come back as tool results", async () => {
    fake.script("*",
      { kind: "reply", toolCalls: [{ name: "close_agent", arguments: JSON.stringify({ target: "nobody" }) }] },
      { kind: "reply", toolCalls: [{ name: "exec_command", arguments: JSON.stringify({ cmd: "echo hi-from-the-shell" }) }] });
    const { stdout, stderr, code } = await codex("gpt-5", "Run the tools");
    expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
    const results = upstreamBodies().at(-1)!.messages.filter((m) => m.role === "tool").map((m) => String(m.content));
    // Codex found the namespaced tool (answered by name and namespace) and ran it: its own error about the agent id.
    expect(results[0]).toContain("invalid agent id nobody");
    expect(results[1]).toContain("hi-from-the-shell");
    expect(stdout).toContain("Echo: Run the tools");
  }, 90_000);

  test("apply_patch (a free-form tool) round trip: Codex applies the patch the upstream wrote", async () => {
    const patch = "*** Begin Patch\n*** Add File: hello.txt\n+written through the gateway\n*** End Patch\n";
    fake.script("qwen/qwen3-coder:free", { kind: "reply", toolCalls: [{ name: "apply_patch", arguments: JSON.stringify({ input: patch }) }] });
    const { stdout, stderr, code } = await codex("gpt-5.5", "Create hello.txt", "-s", "workspace-write");
    expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
    expect(readFileSync(join(work, "hello.txt"), "utf8")).toBe("written through the gateway\n");
    const bodies = upstreamBodies();
    expect(bodies.length).toBe(2);
    // The second turn carries the call (as the upstream wrote it) and Codex's result for it.
    const followUp = bodies[1].messages;
    const call = followUp.find((m) => m.role === "assistant" && m.tool_calls)!.tool_calls[0];
    expect(call.function).toEqual({ name: "apply_patch", arguments: JSON.stringify({ input: patch }) });
    expect(followUp.find((m) => m.role === "tool")).toMatchObject({ tool_call_id: call.id });
    expect(stdout).toContain("Echo: Create hello.txt");
  }, 90_000);
});
