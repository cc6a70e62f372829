// The real Claude Code (@anthropic-ai/claude-code, pinned; its native binary) against the gateway with a
// fake OpenRouter behind it: `claude -p ... --output-format json` with ANTHROPIC_BASE_URL at the gateway,
// ANTHROPIC_AUTH_TOKEN, no nonessential traffic, and a throwaway HOME and config directory.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/openrouter.ts";
import { type Gateway, startGateway } from "../helpers.ts";

const CLAUDE = join(import.meta.dir, "../../node_modules/@anthropic-ai/claude-code-linux-x64/claude");
let fake: FakeOpenRouter;
let gw: Gateway;
let home: string;
let work: string;

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  gw = await startGateway({ catalogRefreshMs: 0, openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl } });
  home = mkdtempSync(join(tmpdir(), "claude-home-"));
  work = mkdtempSync(join(tmpdir(), "claude-work-"));
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

async function claude(prompt: string, env: Record<string, string> = {}, ...flags: string[]) {
  const proc = Bun.spawn([CLAUDE, "-p", prompt, "--output-format", "json", ...flags], {
    cwd: work,
    env: {
      PATH: process.env.PATH, HOME: home, CLAUDE_CONFIG_DIR: join(home, ".claude"),
      ANTHROPIC_BASE_URL: gw.url, ANTHROPIC_AUTH_TOKEN: "sk-claude-code-test", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", ...env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill(), 60_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  let result: { is_error?: boolean; result?: string; modelUsage?: Record<string, unknown> } = {};
  try {
    result = JSON.parse(stdout);
  } catch {
    // Left empty: the assertions below show stdout and stderr.
  }
  return { result, stdout, stderr, code };
}

const chatBodies = () => fake.requests.filter((r) => r.path.endsWith("/chat/completions")).map((r) => r.body as { model: string; stream?: boolean; messages: Array<Record<string, any>>; tools?: Array<Record<string, any>> });

describe("Claude Code through /v1/messages", () => {
  test("claude -p answers through the gateway, streamed, with its tools offered upstream", async () => {
    const { result, stdout, stderr, code } = await claude("Say hello to the gateway");
    expect({ code, is_error: result.is_error, stderr: code === 0 ? "" : stderr + stdout }).toEqual({ code: 0, is_error: false, stderr: "" });
    expect(result.result).toStartWith("Echo: ");
    expect(result.result).toContain("Say hello to the gateway");
    const [body] = chatBodies();
    // Its default model (claude-opus-*) took the gpt-5 candidates; its turns are streamed.
    expect(body.model).toBe("qwen/qwen3-235b-a22b:free");
    expect(body.stream).toBe(true);
    expect(body.messages[0].role).toBe("system");
    expect(body.tools!.map((t) => t.function.name)).toEqual(expect.arrayContaining(["Bash", "Read", "Edit", "Write"]));
  }, 90_000);

  test("a tool round trip: the upstream asks for Read, Claude Code runs it and sends the file back (ANTHROPIC_MODEL=gpt-4-code)", async () => {
    const file = join(work, "answer.txt");
    writeFileSync(file, "The secret number is 4217.\n");
    fake.script("*", { kind: "reply", toolCalls: [{ name: "Read", arguments: JSON.stringify({ file_path: file }) }] }, { kind: "reply", content: "The file says 4217." });
    const { result, stdout, stderr, code } = await claude("What does answer.txt say?", { ANTHROPIC_MODEL: "gpt-4-code" }, "--allowedTools", "Read");
    expect({ code, is_error: result.is_error, stderr: code === 0 ? "" : stderr + stdout }).toEqual({ code: 0, is_error: false, stderr: "" });
    expect(result.result).toBe("The file says 4217.");
    const bodies = chatBodies();
    expect(bodies.map((b) => b.model)).toEqual(["qwen/qwen3-coder:free", "qwen/qwen3-coder:free"]);
    const second = bodies[1].messages;
    const call = second.find((m) => m.role === "assistant" && m.tool_calls)!;
    expect(call.tool_calls[0].function).toEqual({ name: "Read", arguments: JSON.stringify({ file_path: file }) });
    const reply = second.find((m) => m.role === "tool")!;
    expect(reply.tool_call_id).toBe(call.tool_calls[0].id);
    expect(String(reply.content)).toContain("The secret number is 4217.");
  }, 90_000);
});
